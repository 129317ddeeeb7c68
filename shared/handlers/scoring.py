"""scorer handler: features-ready -> one system's predictions -> predictions-scored.

One deployment per system (SYSTEM_ID). It reads the slate's features once,
resolves its model through the registry (the run's pinned version, else the champion), predicts the whole slate
in one batch and writes one row per entity. A model that cannot be loaded
makes this system skip (rows with the reason), and no other system notices.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from shared import clock
from shared.contract import markets, topology
from shared.contract.events import FeaturesReady, PoisonEvent, PredictionsScored
from shared.domain import decision
from shared.domain.features.build import feature_matrix
from shared.ports import Context
from shared.systems import loader, registry
from shared.systems.base import Model, ModelUnavailable

log = logging.getLogger(__name__)

SLATE_COLUMNS = [
    "market",
    "game_date",
    "game_id",
    "entity_id",
    "entity_name",
    "line",
    "over_price",
    "under_price",
    "quality_score",
]


def serving_model(ctx: Context, market: str, system_id: str, run_id: str) -> Model:
    record = registry.serving(ctx, market, system_id, run_id)
    if record is None:
        raise ModelUnavailable(f"no champion model registered for {market}/{system_id}")
    return loader.load(record, registry.fetch(ctx, record))


def predict(slate: pd.DataFrame, model: Model, market: markets.Market) -> pd.DataFrame:
    features = feature_matrix(slate, list(model.features))
    line = slate["line"].to_numpy(dtype=float)
    forecast = model.forecast(features, np.nan_to_num(line, nan=0.0))
    out = slate[SLATE_COLUMNS].copy()
    out["status"] = "scored"
    out["model_id"], out["model_version"] = model.model_id, model.version
    out["mean"] = forecast.mean
    out["p_over"] = np.where(np.isnan(line), np.nan, forecast.p_over)
    out["p_push"] = np.where(np.isnan(line), np.nan, forecast.p_push)
    out["edge"] = forecast.mean - line
    out["confidence"] = decision.confidence(out["p_over"], out["p_push"], slate["quality_score"])
    out["red_flags"] = decision.red_flags(slate, market.red_flags)
    out["recommendation"] = decision.recommend(
        out["edge"].to_numpy(),
        out["p_over"].to_numpy(),
        out["p_push"].to_numpy(),
        out["confidence"].to_numpy(),
        out["red_flags"].tolist(),
        decision.Thresholds.of(market),
    )
    return out


def skipped(slate: pd.DataFrame, reason: str) -> pd.DataFrame:
    out = slate[SLATE_COLUMNS].copy()
    out["status"] = "skipped"
    out["recommendation"] = decision.PASS
    out["skip_reason"] = reason
    return out


def score_slate(event: FeaturesReady, ctx: Context) -> None:
    system_id = ctx.settings.require_system_id()
    market = markets.market(event.market)
    if system_id not in market.active_systems(ctx.settings):
        log.info("%s is not an active system of %s; nothing to score", system_id, event.market)
        return
    slate = ctx.warehouse.query("slate_features", market=event.market, game_date=event.game_date, run_id=event.run_id)
    if slate.empty:
        raise PoisonEvent(f"no feature rows for {event.market} {event.game_date} run {event.run_id}")
    try:
        rows = predict(slate, serving_model(ctx, event.market, system_id, event.run_id), market)
        reason = None
    except ModelUnavailable as exc:
        reason = str(exc)
        log.error("%s skips %s %s: %s", system_id, event.market, event.game_date, reason)
        rows = skipped(slate, reason)
    rows["run_id"], rows["system_id"] = event.run_id, system_id
    rows["event_id"] = ctx.event_id
    rows["scored_at"] = clock.now()
    rows["game_date"] = event.game_date
    ctx.warehouse.upsert("predictions", rows)
    report = PredictionsScored(
        market=event.market,
        game_date=event.game_date,
        run_id=event.run_id,
        system_id=system_id,
        status="skipped" if reason else "scored",
        rows=len(rows),
        picks=int(rows["recommendation"].isin([decision.OVER, decision.UNDER]).sum()),
        skipped=len(rows) if reason else 0,
        reason=reason,
    )
    ctx.bus.publish(topology.PREDICTIONS_SCORED, report)
