"""Model registry: versions in the blob store, rows in model_registry, aliases with history.

A version lives in models/<market>/<system_id>/<version>/ (the model file, its
feature list, its metrics and its sha256) and is listed in model_registry with
the features and fitted distribution it is served with. Aliases (champion,
challenger, baseline) are rows in model_alias_history; the newest row of an
alias is where it points, and setting one is a compare-and-set, so two racing
promotes cannot both win. Scorers resolve `champion` on every slate: adding,
promoting or rolling back a model needs no code change and no redeploy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from types import EllipsisType
from typing import Any

import pandas as pd

from shared import clock
from shared.contract import markets
from shared.errors import Invalid, NotFound
from shared.ports import BlobExists, Context
from shared.systems.base import ModelUnavailable

ALIASES = ("champion", "challenger", "baseline")
RUN_ALIAS = "run:"  # run:<run_id> pins a version for one run (backtests) without touching the champion
SCHEME = "gs://"  # every version is written to the blob store; a URI anywhere else is refused


class AliasConflict(RuntimeError):
    """The alias moved between reading it and setting it: someone else promoted first."""


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
    features: tuple[str, ...]
    size: float | None
    metrics: dict[str, Any]
    enabled: bool = True


def model_id(market: str, system_id: str) -> str:
    return f"{market}.{system_id}"


def register(
    ctx: Context,
    *,
    market: str,
    system_id: str,
    framework: str,
    artifact: bytes,
    features: list[str],
    size: float | None,
    feature_set: str | None,
    train_end: dt.date,
    metrics: dict[str, Any],
    registered_by: str,
) -> ModelRecord:
    """Store a model file and its companions, and list it as an enabled version."""
    if framework not in markets.FRAMEWORKS:
        raise ModelUnavailable(f"no framework {framework!r}; known: {', '.join(markets.FRAMEWORKS)}")
    digest = hashlib.sha256(artifact).hexdigest()
    version = f"{train_end:%Y%m%d}-{digest[:8]}"
    folder = f"{SCHEME}{ctx.settings.bucket}/models/{market}/{system_id}/{version}"
    uri = f"{folder}/{markets.FRAMEWORKS[framework]}"
    files = {
        uri: artifact,
        f"{folder}/features.json": json.dumps(features, indent=2).encode(),
        f"{folder}/metrics.json": json.dumps(metrics, indent=2, sort_keys=True, default=str).encode(),
        f"{folder}/sha256": digest.encode(),
    }
    for file_uri, data in files.items():
        # A version is immutable: each file is written once; a retried registration finds it there.
        try:
            ctx.blobs.put(file_uri, data, if_absent=True)
        except BlobExists:
            if file_uri == uri and hashlib.sha256(ctx.blobs.get(uri)).hexdigest() != digest:
                raise ModelUnavailable(f"{uri} holds other bytes: version {version} is corrupt") from None
    record = ModelRecord(
        market,
        system_id,
        model_id(market, system_id),
        version,
        framework,
        uri,
        digest,
        feature_set,
        tuple(features),
        size,
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
                "uri": uri,
                "sha256": digest,
                "feature_set": feature_set,
                "features_json": json.dumps(features),
                "distribution_json": json.dumps({"family": "negbin", "size": size}),
                "train_end": train_end,
                "metrics_json": json.dumps(metrics, sort_keys=True, default=str),
                "enabled": True,
                "registered_at": clock.now(),
                "registered_by": registered_by,
            }
        ],
    )
    return record


def _record(row: pd.Series) -> ModelRecord:
    distribution = json.loads(row["distribution_json"] or "{}")
    return ModelRecord(
        row["market"],
        row["system_id"],
        row["model_id"],
        row["version"],
        row["framework"],
        row["uri"],
        row["sha256"],
        row["feature_set"],
        tuple(json.loads(row["features_json"] or "[]")),
        distribution.get("size"),
        json.loads(row["metrics_json"] or "{}"),
        bool(row["enabled"]),
    )


def versions(ctx: Context, market: str, system_id: str) -> list[ModelRecord]:
    rows = ctx.warehouse.query("model_versions", market=market, system_id=system_id)
    return [_record(r) for _, r in rows.iterrows()]


def version(ctx: Context, market: str, system_id: str, version: str) -> ModelRecord:
    found = [r for r in versions(ctx, market, system_id) if r.version == version]
    if not found:
        raise NotFound(f"{market}/{system_id} has no registered version {version!r}")
    return found[0]


def resolve(ctx: Context, market: str, system_id: str, alias: str = "champion") -> ModelRecord | None:
    """The version an alias points at now (None when it was never set)."""
    rows = ctx.warehouse.query("model_alias", market=market, system_id=system_id, alias=alias)
    return None if rows.empty else _record(rows.iloc[0])


def serving(ctx: Context, market: str, system_id: str, run_id: str) -> ModelRecord | None:
    """The version a run scores with: the run's pinned version if it has one, else the champion."""
    return resolve(ctx, market, system_id, RUN_ALIAS + run_id) or resolve(ctx, market, system_id, "champion")


def set_alias(
    ctx: Context,
    market: str,
    system_id: str,
    alias: str,
    to_version: str,
    *,
    set_by: str,
    reason: str = "",
    expected: str | EllipsisType | None = ...,
) -> str | None:
    """Point `alias` at a registered, enabled version. Returns the version it pointed at before.

    `expected` is the version the caller believes the alias points at now; by
    default, whatever it points at when read here. If it moved in between,
    AliasConflict is raised and nothing is written.
    """
    if alias not in ALIASES and not (alias.startswith(RUN_ALIAS) and len(alias) > len(RUN_ALIAS)):
        raise Invalid(f"unknown alias {alias!r}; known: {ALIASES} or {RUN_ALIAS}<run_id>")
    target = version(ctx, market, system_id, to_version)
    if not target.enabled:
        raise Invalid(f"{market}/{system_id} version {to_version} is disabled; enable it first")
    if expected is ...:
        current = resolve(ctx, market, system_id, alias)
        expected = current.version if current else None
    written = ctx.warehouse.execute(
        "set_alias",
        market=market,
        system_id=system_id,
        alias=alias,
        version=to_version,
        expected=expected,
        set_at=clock.now(),
        set_by=set_by,
        reason=reason,
    )
    if written != 1:
        raise AliasConflict(f"{market}/{system_id} {alias} no longer points at {expected!r}; not changed")
    return expected


def rollback(ctx: Context, market: str, system_id: str, alias: str = "champion", *, set_by: str) -> str:
    """Point an alias back where it pointed before its last change. Returns that version."""
    history = ctx.warehouse.query("alias_history", market=market)
    rows = history[(history["system_id"] == system_id) & (history["alias"] == alias)]
    if rows.empty or pd.isna(rows.iloc[0]["previous_version"]):
        raise Invalid(f"{market}/{system_id} {alias} has no previous version to roll back to")
    latest = rows.iloc[0]
    set_alias(
        ctx,
        market,
        system_id,
        alias,
        latest["previous_version"],
        set_by=set_by,
        reason=f"rollback from {latest['version']}",
        expected=latest["version"],
    )
    return latest["previous_version"]


def set_enabled(ctx: Context, market: str, system_id: str, to_version: str, enabled: bool) -> None:
    version(ctx, market, system_id, to_version)
    ctx.warehouse.execute("set_enabled", market=market, system_id=system_id, version=to_version, enabled=enabled)


def fetch(ctx: Context, record: ModelRecord) -> bytes:
    """The model file's bytes, after checking the version is enabled, its URI scheme and its sha256."""
    if not record.enabled:
        raise ModelUnavailable(f"{record.model_id} {record.version} is disabled in the registry")
    if not record.uri.startswith(SCHEME):
        raise ModelUnavailable(f"refusing model URI {record.uri!r}: only {SCHEME} URIs are allowed")
    try:
        artifact = ctx.blobs.get(record.uri)
    except FileNotFoundError as exc:
        raise ModelUnavailable(f"model artifact missing at {record.uri}") from exc
    digest = hashlib.sha256(artifact).hexdigest()
    if digest != record.sha256:
        raise ModelUnavailable(f"sha256 mismatch for {record.uri}: registry {record.sha256[:12]}, file {digest[:12]}")
    return artifact
