"""Experiment registry: one row per training run, with its config, metrics and model."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import uuid
from pathlib import Path
from typing import Any

from shared.runtime import Context


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def record(
    ctx: Context,
    *,
    name: str,
    market: str,
    system_id: str | None,
    status: str,
    config: dict[str, Any],
    metrics: dict[str, Any] | None = None,
    model_uri: str | None = None,
    hypothesis: str | None = None,
    tags: list[str] | None = None,
) -> str:
    experiment_id = uuid.uuid4().hex[:12]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
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
                "config_json": json.dumps(config, sort_keys=True, default=str),
                "metrics_json": json.dumps(metrics or {}, sort_keys=True),
                "model_uri": model_uri,
                "git_commit": git_commit(),
                "tags": tags or [],
                "created_at": now,
                "updated_at": now,
            }
        ],
    )
    return experiment_id
