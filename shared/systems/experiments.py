"""Experiment registry: every training run is a row, from its YAML config to its model.

status: pending -> running -> completed | failed, and completed -> promoted when
its model becomes champion. A config (YAML):

    name: xgb shallower trees
    hypothesis: depth 3 generalises better on strikeouts
    market: mlb_strikeouts
    system: xgb_core
    train: {start: 2024-04-01, end: 2025-05-31}
    eval: {days: 30}
    model: {framework: xgboost, params: {max_depth: 3}}
    recency_half_life_days: 180
    tags: [depth]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from shared import clock
from shared.contract import markets
from shared.errors import Invalid, NotFound
from shared.ports import Context
from shared.systems import registry, training

CONFIG_KEYS = {"name", "hypothesis", "market", "system", "train", "eval", "model", "recency_half_life_days", "tags"}


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None


def _json(value: Any) -> str:
    if dataclasses.is_dataclass(value):
        value = dataclasses.asdict(value)
    return json.dumps(value, sort_keys=True, default=str)


def record(
    ctx: Context,
    *,
    name: str,
    market: str,
    system_id: str | None,
    status: str,
    config: Any,
    metrics: dict[str, Any] | None = None,
    model_uri: str | None = None,
    model_version: str | None = None,
    hypothesis: str | None = None,
    tags: list[str] | None = None,
    error: str | None = None,
    experiment_id: str | None = None,
    created_at: dt.datetime | None = None,
) -> str:
    """Write (or update, by experiment_id) one experiment row; returns its id."""
    experiment_id = experiment_id or uuid.uuid4().hex[:12]
    now = clock.now()
    ctx.warehouse.upsert(
        "experiments",
        [
            {
                "experiment_id": experiment_id,
                "name": name,
                "hypothesis": hypothesis,
                "market": market,
                "system_id": system_id,
                "status": status,
                "config_json": _json(config),
                "metrics_json": _json(metrics or {}),
                "model_uri": model_uri,
                "model_version": model_version,
                "git_commit": git_commit(),
                "tags": tags or [],
                "error": error,
                "created_at": created_at or now,
                "updated_at": now,
            }
        ],
    )
    return experiment_id


def record_training(ctx: Context, result: training.TrainResult, *, name: str, tags: list[str]) -> str:
    """A completed experiment row for a training run started outside `run` (CLI, demo)."""
    return record(
        ctx,
        name=name,
        market=result.config.market,
        system_id=result.config.system_id,
        status="completed",
        config=result.config,
        metrics=result.metrics,
        model_uri=result.record.uri,
        model_version=result.record.version,
        tags=tags,
    )


def load_config(path: Path) -> dict[str, Any]:
    """Read and check an experiment YAML; a bad one fails here (Invalid), before any row is written."""
    try:
        raw = yaml.safe_load(Path(path).read_text())
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: not UTF-8, or a date such as 2026-02-30
        raise Invalid(f"{path}: cannot be read as YAML ({_yaml_problem(exc)})") from None
    if not isinstance(raw, dict):
        raise Invalid(f"{path}: an experiment config is a YAML mapping")
    unknown = set(raw) - CONFIG_KEYS
    missing = {"name", "market", "system", "train"} - set(raw)
    if unknown or missing:
        raise Invalid(f"{path}: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")
    flat = [k for k in ("train", "eval", "model") if raw.get(k) is not None and not isinstance(raw[k], dict)]
    if flat:
        raise Invalid(f"{path}: {', '.join(flat)} must be a mapping (key: value lines)")
    if "end" not in (raw["train"] or {}):
        raise Invalid(f"{path}: train.end is required (walk-forward: train on dates <= end)")
    return raw


def _yaml_problem(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{problem} at line {mark.line + 1}, column {mark.column + 1}" if mark else problem


def train_config(raw: dict[str, Any]) -> training.TrainConfig:
    model = raw.get("model") or {}
    if model.get("framework") not in (None, *markets.FRAMEWORKS):
        raise Invalid(f"model.framework: {model['framework']!r} is not one of {', '.join(markets.FRAMEWORKS)}")
    overrides: dict[str, Any] = {
        "framework": model.get("framework"),
        "feature_set": model.get("feature_set"),
        "params": model.get("params"),
        "validation_days": _days((raw.get("eval") or {}).get("days", 30), "eval.days"),
    }
    if "recency_half_life_days" in raw:
        overrides["half_life_days"] = raw["recency_half_life_days"]
    if raw["train"].get("start"):
        overrides["train_start"] = _date(raw["train"]["start"], "train.start")
    return training.TrainConfig.for_system(
        raw["market"], raw["system"], _date(raw["train"]["end"], "train.end"), **overrides
    )


def _date(value: Any, key: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"{key}: {value!r} is not a date (YYYY-MM-DD)") from None


def _days(value: Any, key: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid(f"{key}: {value!r} is not a number of days") from None


def run(ctx: Context, path: Path, *, run_by: str = "propflow") -> str:
    """Run one experiment config end to end; returns its id (the row says completed or failed)."""
    raw = load_config(path)
    common = {
        "name": raw["name"],
        "market": raw["market"],
        "system_id": raw["system"],
        "hypothesis": raw.get("hypothesis"),
        "tags": list(raw.get("tags") or []),
    }
    config = train_config(raw)  # a config naming an unknown market, system or date fails here, before any row
    created = clock.now()
    experiment_id = record(ctx, status="pending", config=raw, created_at=created, **common)
    record(ctx, status="running", config=config, experiment_id=experiment_id, created_at=created, **common)
    try:
        result = training.train(ctx, config, registered_by=run_by)
    except Exception as exc:
        record(
            ctx,
            status="failed",
            config=config,
            error=f"{type(exc).__name__}: {exc}",
            experiment_id=experiment_id,
            created_at=created,
            **common,
        )
        raise
    record(
        ctx,
        status="completed",
        config=config,
        metrics=result.metrics,
        model_uri=result.record.uri,
        model_version=result.record.version,
        experiment_id=experiment_id,
        created_at=created,
        **common,
    )
    return experiment_id


def listing(ctx: Context, market: str | None = None) -> pd.DataFrame:
    rows = ctx.warehouse.sql("SELECT * FROM propflow.experiments ORDER BY created_at DESC")
    if market:
        rows = rows[rows["market"] == market]
    metrics = [json.loads(m or "{}") for m in rows["metrics_json"]]
    rows = rows.assign(
        validation_mae=[m.get("validation", {}).get("mae") for m in metrics],
        validation_line_mae=[m.get("validation", {}).get("line_mae") for m in metrics],
        calibration_mae=[m.get("calibration", {}).get("mae") for m in metrics],
    )
    return rows[
        [
            "experiment_id",
            "name",
            "market",
            "system_id",
            "status",
            "model_version",
            "validation_mae",
            "validation_line_mae",
            "calibration_mae",
            "created_at",
        ]
    ].reset_index(drop=True)


def best(ctx: Context, market: str, metric: str = "validation_mae") -> pd.Series:
    """The completed (or promoted) experiment of a market with the lowest `metric`."""
    rows = listing(ctx, market)
    rows = rows[rows["status"].isin(["completed", "promoted"]) & rows[metric].notna()]
    if rows.empty:
        raise NotFound(f"no completed experiment of {market} reports {metric}")
    return rows.sort_values(metric).iloc[0]


def promote(ctx: Context, experiment_id: str, *, set_by: str = "propflow") -> str:
    """Make an experiment's model the champion of its system; the experiment becomes `promoted`."""
    rows = ctx.warehouse.sql("SELECT * FROM propflow.experiments WHERE experiment_id = @id", id=experiment_id)
    if rows.empty:
        raise NotFound(f"no experiment {experiment_id!r}")
    row = rows.iloc[0]
    if row["status"] not in ("completed", "promoted") or not row["model_version"]:
        raise Invalid(f"experiment {experiment_id} is {row['status']}; only a completed run can be promoted")
    registry.set_alias(
        ctx,
        row["market"],
        row["system_id"],
        "champion",
        row["model_version"],
        set_by=set_by,
        reason=f"experiment {experiment_id} {row['name']}",
    )
    ctx.warehouse.upsert("experiments", [{**row.to_dict(), "status": "promoted", "updated_at": clock.now()}])
    return row["model_version"]
