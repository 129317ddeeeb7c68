"""Fit a system on history up to a date, register it, make it champion, log the experiment.

First version: the naive baselines, whose only fitted part is the spread of
their predictive distribution (negative binomial size from the residuals).
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np

from shared import distributions, experiments, markets, registry
from shared.features import build, spec
from shared.registry import ModelRecord
from shared.runtime import Context

MIN_HISTORY_GAMES = 3  # rows with less history say little about a system's spread


def fit_baseline(
    ctx: Context, market_id: str, system_id: str, train_end: dt.date, *, registered_by: str = "propflow"
) -> ModelRecord:
    market = markets.market(market_id)
    system = market.systems[system_id]
    feature = system.params["feature"]
    outcomes = ctx.warehouse.query("training_outcomes", market=market_id, train_end=train_end)
    frame = build.training_frame(spec.load(market_id), outcomes)
    frame = frame[frame["history_games"] >= MIN_HISTORY_GAMES]
    if frame.empty:
        raise ValueError(f"{market_id}: no played games with history up to {train_end} to fit {system_id}")
    mean, actual = frame[feature].to_numpy(), frame["actual"].to_numpy()
    size = distributions.fit_size(mean, actual)
    metrics = {
        "rows": len(frame),
        "mae": float(np.mean(np.abs(mean - actual))),
        "rmse": float(np.sqrt(np.mean((mean - actual) ** 2))),
        "nbinom_size": size,
    }
    artifact = json.dumps(
        {
            "framework": "baseline",
            "kind": system.kind,
            "feature": feature,
            "distribution": {"family": "negbin", "size": size},
        },
        sort_keys=True,
    ).encode()
    record = registry.register(
        ctx,
        market=market_id,
        system_id=system_id,
        framework="baseline",
        artifact=artifact,
        feature_set=system.params.get("feature_set"),
        train_end=train_end,
        metrics=metrics,
        registered_by=registered_by,
    )
    registry.set_alias(ctx, market_id, system_id, "champion", record.version, set_by=registered_by, reason="fitted")
    experiments.record(
        ctx,
        name=f"{system_id} fit",
        market=market_id,
        system_id=system_id,
        status="completed",
        config={"kind": system.kind, "feature": feature, "train_end": train_end},
        metrics=metrics,
        model_uri=record.uri,
        tags=["baseline"],
    )
    return record
