"""retrain-requested (weekly, Cloud Scheduler) -> retrain a market's systems and promote the new versions.

Each system is retrained walk-forward on data up to train_end, registered, and
made champion: in walk-forward, fresher data is the point of retraining. The
version it replaces stays in the registry, one `propflow models rollback` away.
(A gate that shadow-scores the new version as challenger before promoting it
is not built yet.) In production this is the training function, which a delivery
workflow calls over HTTP once per message (functions/training/main.py): one
market's retrain must finish within the function's 1,740 s timeout, or the
attempt fails and is dead-lettered. A requester can split a market by naming
one system_id per message. By hand, `propflow retrain` runs the same code.
"""

from __future__ import annotations

import logging

from shared.contract import markets
from shared.contract.events import PoisonEvent, RetrainRequested
from shared.errors import Invalid
from shared.ports import Context
from shared.systems import training

log = logging.getLogger(__name__)


def retrain(event: RetrainRequested, ctx: Context) -> dict[str, str]:
    """Retrain every active system of the market (or the one named). Returns system -> new champion version."""
    market = markets.market(event.market)
    systems = [event.system_id] if event.system_id else list(market.active_systems(ctx.settings))
    unknown = [s for s in systems if s not in market.systems]
    if unknown:
        raise PoisonEvent(f"{event.market} has no systems {unknown}; known: {sorted(market.systems)}")
    data = training.training_data(ctx, event.market, event.train_end)
    versions = {}
    try:
        for system_id in systems:
            config = training.TrainConfig.for_system(event.market, system_id, event.train_end, validation_days=0)
            record = training.train(ctx, config, registered_by="retrain", promote=True, frame=data).record
            log.info("%s/%s champion -> %s (trained to %s)", event.market, system_id, record.version, event.train_end)
            versions[system_id] = record.version
    except Invalid as exc:  # too few rows up to train_end: every system fits the same rows, so the first fit says so
        raise PoisonEvent(str(exc)) from exc
    return versions
