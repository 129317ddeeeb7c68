"""Walk-forward training: fit a system on history up to a date, measure it, register it.

Only dates <= train_end are fitted; the validation window is the days after
it (reported, never fitted). The predictive distribution's spread comes from
out-of-sample residuals inside the training window: a first fit on all but
its last `calibration_days` predicts those days, and the negative binomial
size is fitted on its errors. So a walk-forward backtest never uses the
actuals of the days it scores, not even for the spread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from shared.contract import markets
from shared.domain import distributions, drift
from shared.domain.diagnostics import unbiased_mae
from shared.domain.features import build, spec
from shared.errors import Invalid
from shared.ports import Context
from shared.systems import loader, registry
from shared.systems.registry import ModelRecord

MIN_HISTORY_GAMES = 3  # rows with less history teach little and are scored with red flags anyway
MIN_CALIBRATION_ROWS = 50
TOP_FEATURES = 15


@dataclass(frozen=True)
class TrainConfig:
    """Everything a training run depends on, besides the data."""

    market: str
    system_id: str
    train_end: dt.date
    framework: str
    feature_set: str
    features: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)
    half_life_days: float | None = None
    validation_days: int = 30
    calibration_days: int = 30
    train_start: dt.date | None = None

    @classmethod
    def for_system(cls, market_id: str, system_id: str, train_end: dt.date, **overrides: Any) -> TrainConfig:
        """The system's settings from markets.yaml, with any of them overridden."""
        system = markets.market(market_id).system(system_id)
        framework = overrides.pop("framework", None) or system.framework
        feature_set = overrides.pop("feature_set", None) or system.feature_set
        feature = [system.feature] if framework == "baseline" else spec.load(market_id).names(feature_set)
        # The system's hyperparameters belong to its own framework; another framework starts from its defaults.
        inherited = system.params if framework == system.framework else {}
        params = {**inherited, **(overrides.pop("params", None) or {})}
        half_life = overrides.pop("half_life_days", system.half_life_days)
        return cls(
            market_id, system_id, train_end, framework, feature_set, tuple(feature), params, half_life, **overrides
        )


@dataclass(frozen=True)
class TrainResult:
    config: TrainConfig
    record: ModelRecord
    metrics: dict[str, Any]


def training_data(ctx: Context, market_id: str, until: dt.date) -> pd.DataFrame:
    """Every played entity-game up to `until` with its as-of features, line and closing line."""
    market = markets.market(market_id)
    since = dt.date(1900, 1, 1)
    outcomes = ctx.warehouse.query("training_outcomes", market=market_id, train_end=until)
    lines = ctx.warehouse.query(
        "training_lines", market=market_id, since=since, until=until, hour=market.prediction_hour_utc
    )
    games = ctx.warehouse.query("game_lines_window", sport=market.sport, since=since, until=until)
    return build.training_frame(spec.load(market_id), outcomes, lines, games)


def recency_weights(dates: pd.Series, train_end: dt.date, half_life_days: float | None) -> np.ndarray | None:
    """Weight 1 on train_end, halving every `half_life_days` before it."""
    if not half_life_days:
        return None
    age = (pd.Timestamp(train_end) - pd.to_datetime(dates)).dt.days.to_numpy(dtype=float)
    return 0.5 ** (age / half_life_days)


def evaluate(rows: pd.DataFrame, predicted: np.ndarray, scale: float) -> dict[str, Any]:
    """MAE, RMSE and within-1/2/3 (x scale) of a prediction; the line's MAE on exactly the same rows."""
    if len(rows) == 0:
        return {"rows": 0}
    error = predicted - rows["actual"].to_numpy()
    result: dict[str, Any] = {
        "rows": len(rows),
        "mae": float(np.mean(np.abs(error))),
        "rmse": float(np.sqrt(np.mean(error**2))),
        "bias": float(np.mean(error)),
        **{f"within_{k}": float(np.mean(np.abs(error) <= k * scale)) for k in (1, 2, 3)},
    }
    for line in ("line", "closing_line"):
        if line in rows and rows[line].notna().any():
            has = rows[line].notna().to_numpy()
            result[f"{line}_rows"] = int(has.sum())
            result[f"{line}_mae"] = float(np.mean(np.abs(rows[line].to_numpy()[has] - rows["actual"].to_numpy()[has])))
            result[f"model_mae_on_{line}_rows"] = float(np.mean(np.abs(error[has])))
    return result


def line_reference(rows: pd.DataFrame, market: markets.Market) -> dict[str, float]:
    """The line's MAE next to the naive baseline's on the same rows, and the line's edge over it.

    Diagnostics compare today's edge with this one from the recent end of the training
    window: a line pulling ahead of the naive baseline is a sharper book, whatever the model
    does. The baseline's mean error is taken out first (`unbiased_mae`): when the stat itself
    shifts, the line follows and history lags, and that is drift, not a sharper line.
    """
    baseline = market.baseline_system
    naive = market.systems[baseline].feature if baseline else None
    if naive not in rows or "line" not in rows:
        return {}
    has = (rows["line"].notna() & rows[naive].notna()).to_numpy()
    if has.sum() < MIN_CALIBRATION_ROWS:
        return {}
    actual = rows["actual"].to_numpy(dtype=float)[has]
    line_mae = float(np.mean(np.abs(rows["line"].to_numpy(dtype=float)[has] - actual)))
    naive_mae = unbiased_mae(rows[naive].to_numpy(dtype=float)[has] - actual)
    return {"rows": int(has.sum()), "line_mae": line_mae, "naive_mae": naive_mae, "line_edge": 1 - line_mae / naive_mae}


def _fit(config: TrainConfig, rows: pd.DataFrame, version: str) -> tuple[bytes, Any]:
    module = loader.framework(config.framework)
    x = rows[list(config.features)]
    weight = recency_weights(rows["game_date"], config.train_end, config.half_life_days)
    blob = module.fit(x, rows["actual"].to_numpy(dtype=float), weight, dict(config.params))
    model = module.load(blob, registry.model_id(config.market, config.system_id), version, config.features, None)
    return blob, model


@dataclass(frozen=True)
class Fitted:
    """A fitted model before registration: its file, the loaded model, its spread and its metrics."""

    blob: bytes
    model: Any
    size: float | None
    metrics: dict[str, Any]


def fit(config: TrainConfig, data: pd.DataFrame) -> Fitted:
    """Fit on rows dated <= train_end, fit the spread out of sample, measure every window."""
    market = markets.market(config.market)
    last_day = config.train_end + dt.timedelta(days=config.validation_days)
    data = data[data["history_games"] >= MIN_HISTORY_GAMES]
    dates = data["game_date"].dt.date
    in_window = dates <= config.train_end
    if config.train_start:
        in_window &= dates >= config.train_start
    fitted = data[in_window]
    validation = data[(dates > config.train_end) & (dates <= last_day)]
    if len(fitted) < 100:
        raise Invalid(f"{config.market}/{config.system_id}: only {len(fitted)} rows up to {config.train_end}")

    calibration_start = config.train_end - dt.timedelta(days=config.calibration_days)
    inner = fitted[fitted["game_date"].dt.date <= calibration_start]
    calibration = fitted[fitted["game_date"].dt.date > calibration_start]
    if len(inner) >= 100 and len(calibration) >= MIN_CALIBRATION_ROWS:
        _, inner_model = _fit(config, inner, "calibration")
        calibration_pred = inner_model.predict_mean(calibration[list(config.features)])
        size_source = "out-of-sample"
    else:  # too little history to hold any out: in-sample residuals understate the spread
        calibration, size_source = fitted, "in-sample"
    blob, model = _fit(config, fitted, "candidate")
    if size_source == "in-sample":
        calibration_pred = model.predict_mean(calibration[list(config.features)])
    size = distributions.fit_size(calibration_pred, calibration["actual"].to_numpy())

    train_metrics = evaluate(fitted, model.predict_mean(fitted[list(config.features)]), market.error_scale)
    validation_metrics = evaluate(validation, model.predict_mean(validation[list(config.features)]), market.error_scale)
    importance = sorted(model.importance().items(), key=lambda kv: -kv[1])[:TOP_FEATURES]
    metrics = {
        "train": train_metrics,
        "calibration": evaluate(calibration, calibration_pred, market.error_scale) | {"source": size_source},
        "validation": validation_metrics,
        "train_validation_gap": (
            validation_metrics["mae"] - train_metrics["mae"] if validation_metrics.get("rows") else None
        ),
        "nbinom_size": size,
        "feature_importance": dict(importance),
        # The recent end of the training window: what serving should look like next.
        "feature_reference": drift.reference(
            calibration[[f for f in config.features if f in spec.load(config.market).monitored()]],
            calibration["defaulted"],
            calibration["game_id"],
        ),
        "line_reference": line_reference(calibration, market),
        "config": {
            "framework": config.framework,
            "feature_set": config.feature_set,
            "features": len(config.features),
            "half_life_days": config.half_life_days,
            "params": config.params,
            "train_start": config.train_start,
            "train_end": config.train_end,
            "validation_days": config.validation_days,
        },
    }
    return Fitted(blob, model, size, metrics)


def train(
    ctx: Context,
    config: TrainConfig,
    *,
    registered_by: str = "propflow",
    promote: bool = False,
    frame: pd.DataFrame | None = None,
) -> TrainResult:
    """Fit, measure and register one model version; optionally make it the champion."""
    last_day = config.train_end + dt.timedelta(days=config.validation_days)
    fitted = fit(config, training_data(ctx, config.market, last_day) if frame is None else frame)
    record = registry.register(
        ctx,
        market=config.market,
        system_id=config.system_id,
        framework=config.framework,
        artifact=fitted.blob,
        features=list(config.features),
        size=fitted.size,
        feature_set=config.feature_set,
        train_end=config.train_end,
        metrics=fitted.metrics,
        registered_by=registered_by,
    )
    if promote:
        registry.set_alias(
            ctx,
            config.market,
            config.system_id,
            "champion",
            record.version,
            set_by=registered_by,
            reason=f"trained to {config.train_end}",
        )
    return TrainResult(config, record, fitted.metrics)
