"""Model registry: versions in the blob store, rows in model_registry, aliases with history.

Scorers resolve `champion` on every slate, so registering and promoting a
model changes what scores next without a code change or a redeploy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from shared.runtime import Context
from shared.systems.base import ModelUnavailable

ALIASES = ("champion", "challenger", "baseline")
ALLOWED_SCHEMES = ("gs://", "file://")


@dataclass(frozen=True)
class ModelRecord:
    market: str
    system_id: str
    model_id: str
    version: str
    framework: str
    uri: str
    sha256: str
    feature_set: str | None
    metrics: dict[str, Any]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def model_id(market: str, system_id: str) -> str:
    return f"{market}.{system_id}"


def register(
    ctx: Context,
    *,
    market: str,
    system_id: str,
    framework: str,
    artifact: bytes,
    feature_set: str | None,
    train_end: dt.date,
    metrics: dict[str, Any],
    registered_by: str,
) -> ModelRecord:
    """Store an artifact under models/<market>/<system_id>/<version>/ and list it (enabled)."""
    digest = hashlib.sha256(artifact).hexdigest()
    version = f"{train_end:%Y%m%d}-{digest[:8]}"
    folder = f"gs://{ctx.settings.bucket}/models/{market}/{system_id}/{version}"
    ctx.blobs.put(f"{folder}/model.json", artifact)
    ctx.blobs.put(f"{folder}/metrics.json", json.dumps(metrics, indent=2, sort_keys=True).encode())
    ctx.blobs.put(f"{folder}/sha256", digest.encode())
    record = ModelRecord(
        market,
        system_id,
        model_id(market, system_id),
        version,
        framework,
        f"{folder}/model.json",
        digest,
        feature_set,
        metrics,
    )
    ctx.warehouse.upsert(
        "model_registry",
        [
            {
                "market": market,
                "system_id": system_id,
                "model_id": record.model_id,
                "version": version,
                "framework": framework,
                "uri": record.uri,
                "sha256": digest,
                "feature_set": feature_set,
                "train_end": train_end,
                "metrics_json": json.dumps(metrics, sort_keys=True),
                "enabled": True,
                "registered_at": _now(),
                "registered_by": registered_by,
            }
        ],
    )
    return record


def set_alias(
    ctx: Context, market: str, system_id: str, alias: str, version: str, *, set_by: str, reason: str = ""
) -> None:
    """Point an alias at a registered version; the history keeps what it pointed at before."""
    if alias not in ALIASES:
        raise ValueError(f"unknown alias {alias!r}; known: {ALIASES}")
    versions = ctx.warehouse.query("model_versions", market=market, system_id=system_id)
    if version not in set(versions["version"]):
        raise KeyError(f"{market}/{system_id} has no registered version {version!r}")
    current = resolve(ctx, market, system_id, alias)
    ctx.warehouse.upsert(
        "model_alias_history",
        [
            {
                "market": market,
                "system_id": system_id,
                "alias": alias,
                "version": version,
                "previous_version": current.version if current else None,
                "set_at": _now(),
                "set_by": set_by,
                "reason": reason,
            }
        ],
    )


def _record(row: pd.Series) -> ModelRecord:
    return ModelRecord(
        row["market"],
        row["system_id"],
        row["model_id"],
        row["version"],
        row["framework"],
        row["uri"],
        row["sha256"],
        row["feature_set"],
        json.loads(row["metrics_json"] or "{}"),
    )


def resolve(ctx: Context, market: str, system_id: str, alias: str = "champion") -> ModelRecord | None:
    rows = ctx.warehouse.query("model_alias", market=market, system_id=system_id, alias=alias)
    return None if rows.empty else _record(rows.iloc[0])


def fetch(ctx: Context, record: ModelRecord) -> bytes:
    """The artifact's bytes, after checking its URI scheme and its sha256."""
    if not record.uri.startswith(ALLOWED_SCHEMES):
        raise ModelUnavailable(f"refusing model URI {record.uri!r}: only {ALLOWED_SCHEMES} are allowed")
    try:
        if record.uri.startswith("file://"):
            artifact = Path(record.uri.removeprefix("file://")).read_bytes()
        else:
            artifact = ctx.blobs.get(record.uri)
    except FileNotFoundError as exc:
        raise ModelUnavailable(f"model artifact missing at {record.uri}") from exc
    digest = hashlib.sha256(artifact).hexdigest()
    if digest != record.sha256:
        raise ModelUnavailable(f"sha256 mismatch for {record.uri}: registry {record.sha256[:12]}, file {digest[:12]}")
    return artifact
