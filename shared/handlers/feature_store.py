"""feature_store handler: lines-posted -> features rows -> features-ready."""

from __future__ import annotations

import datetime as dt
import logging

from shared import clock
from shared.contract import markets, topology
from shared.contract.events import FeaturesReady, LinesPosted
from shared.domain.features import build, spec
from shared.ports import Context

log = logging.getLogger(__name__)


def build_slate(event: LinesPosted, ctx: Context) -> None:
    features = spec.load(event.market)
    lines = ctx.warehouse.query("slate_lines", market=event.market, game_date=event.game_date, as_of=event.as_of)
    if lines.empty:
        log.warning("%s %s: no lines at or before %s; nothing to build", event.market, event.game_date, event.as_of)
        return
    history = ctx.warehouse.query(
        "feature_history",
        market=event.market,
        game_date=event.game_date,
        since=event.game_date - dt.timedelta(days=features.history_days),
    )
    sport = markets.market(event.market).sport
    games = ctx.warehouse.query("game_lines_window", sport=sport, since=event.game_date, until=event.game_date)
    rows = build.slate_rows(
        features,
        history,
        lines,
        game_date=event.game_date,
        run_id=event.run_id,
        as_of=event.as_of,
        created_at=clock.now(),
        game_lines=games,
    )
    known = ctx.warehouse.query("slate_availability", market=event.market, game_date=event.game_date, as_of=event.as_of)
    status = dict(zip(known["entity_id"], known["status"], strict=True))
    for row in rows:
        row["availability"] = status.get(row["entity_id"])
    ctx.warehouse.upsert("features", rows)
    ready = FeaturesReady(event.market, event.game_date, event.run_id, event.as_of, len(rows))
    ctx.bus.publish(topology.FEATURES_READY, ready)
    log.info("%s %s run %s: %d feature rows", event.market, event.game_date, event.run_id, len(rows))
