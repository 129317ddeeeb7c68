"""Helpers the tests import (fixtures live in conftest.py)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pytest
from cloudevents.http import CloudEvent

from shared import ports, runtime
from shared.contract import envelope, schemas
from shared.ops.chaos import AUDIT_COLUMNS
from shared.systems import registry


def pubsub_event(topic: str, payload: dict | bytes, *, message_id: str | None = None) -> CloudEvent:
    """The CloudEvent Eventarc delivers for a message on `topic` (payload dict, or raw data bytes)."""
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return envelope.encode(topic, data, message_id=message_id or uuid.uuid4().hex, subscription=f"test-{topic}")


T = TypeVar("T")


def filled_home(factory: pytest.TempPathFactory, name: str, fill: Callable[[ports.Context], T]) -> tuple[Path, T]:
    """A PROPFLOW_HOME that `fill` fills once for a module's tests (closed after), and what fill returned."""
    home = factory.mktemp(name)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PROPFLOW_HOME", str(home))
        out = fill(runtime.context())
        runtime.reset()
    return home, out


def reopened(home: Path, monkeypatch: pytest.MonkeyPatch) -> ports.Context:
    """A filled home opened again for one test (every test closes what it opened)."""
    monkeypatch.setenv("PROPFLOW_HOME", str(home))
    return runtime.context()


def register_version(ctx: ports.Context, framework: str, artifact: bytes) -> registry.ModelRecord:
    """A version of nba_points' baseline_l10 on pts_l10, registered as a test would (no metrics)."""
    return registry.register(
        ctx,
        market="nba_points",
        system_id="baseline_l10",
        framework=framework,
        artifact=artifact,
        features=["pts_l10"],
        size=None,
        feature_set=None,
        train_end=dt.date(2026, 1, 31),
        metrics={},
        registered_by="tests",
    )


def table_counts(ctx: ports.Context, *, exclude: tuple[str, ...] = ()) -> dict[str, int]:
    return {
        name: int(ctx.warehouse.sql(f"SELECT COUNT(*) AS n FROM propflow.{name}")["n"].iloc[0])
        for name in schemas.tables()
        if name not in exclude
    }


# A valid payload for each entry point, for tests that break them one way at a time.
SLATE = {"market": "nba_points", "game_date": "2026-02-14", "run_id": "live"}
VALID_PAYLOADS = {
    "schedule": {"game_date": "2026-02-14", "markets": ["nba_points"]},
    "feature_store": {**SLATE, "as_of": "2026-02-14T16:00:00Z"},
    "scorer": {**SLATE, "as_of": "2026-02-14T16:00:00Z", "entities": 3},
    "ensemble": {**SLATE, "system_id": "xgb_core", "status": "scored", "rows": 3, "picks": 1, "skipped": 0},
    "ensemble_sweep": {"game_date": "2026-02-14", "markets": ["nba_points"]},
    "grading": {
        "market": "nba_points",
        "game_id": "g1",
        "game_date": "2026-02-14",
        "stat_lines": [{"entity_id": "p1", "status": "played", "actual": 12}],
    },
    "grading_late": {**SLATE, "systems": ["xgb_core"], "rows": 3, "picks": 1},
    "diagnostics": {"game_date": "2026-02-14"},
    "training": {"market": "nba_points", "train_end": "2026-02-14"},
    "alerting": {
        "alert_id": "a",
        "game_date": "2026-02-14",
        "market": "nba_points",
        "level": "INFO",
        "title": "t",
        "message": "m",
    },
}


@dataclass(frozen=True)
class TableRows:
    """One table's rows as JSON text (the warehouse's own rendering, whatever pandas makes of the types), by key:
    the content, and the audit columns that say when and by which message a row was written."""

    content: pd.Series
    audit: pd.Series


def warehouse_rows(ctx: ports.Context) -> dict[str, TableRows]:
    """Every table of schemas.tables(); a table holding a key twice fails the test."""
    result = {}
    for name, spec in schemas.tables().items():
        audit = [c for c in spec.column_names if c in AUDIT_COLUMNS and c not in spec.key]
        content = [c for c in spec.column_names if c not in audit]

        def as_json(columns: list[str]) -> str:
            return f"TO_JSON_STRING(STRUCT({', '.join(columns)}))" if columns else "'{}'"

        frame = ctx.warehouse.sql(
            f"SELECT {as_json(list(spec.key))} AS key, {as_json(content)} AS content, {as_json(audit)} AS audit "
            f"FROM propflow.{name}"
        )
        twice = frame["key"][frame["key"].duplicated()]
        assert twice.empty, f"{name} holds a key twice: {twice.tolist()[:3]}"
        key = frame["key"].to_numpy(dtype=object)
        result[name] = TableRows(
            pd.Series(frame["content"].to_numpy(object), key), pd.Series(frame["audit"].to_numpy(object), key)
        )
    return result


@dataclass(frozen=True)
class RowChanges:
    """What a handler did to one table: rows as dicts of JSON values (dates as YYYY-MM-DD)."""

    written: list[dict]  # every row it added or rewrote, even with the same content
    changed: list[dict]  # rows it added or whose content differs
    removed: list[dict]
    replaced: list[tuple[dict, dict]]  # (before, after) of each row whose content it changed under the same key


def _rows(rows: TableRows, keys: pd.Index) -> list[dict]:
    return [{**json.loads(rows.content[k]), **json.loads(rows.audit[k])} for k in keys]


def row_changes(before: dict[str, TableRows], after: dict[str, TableRows]) -> dict[str, RowChanges]:
    """Per table that any row of differs between two warehouse_rows snapshots."""
    result = {}
    for name in schemas.tables():
        old, new = before[name], after[name]
        then = old.content.reindex(new.content.index)
        changed = new.content.index[(then != new.content).to_numpy()]
        audited = new.audit.index[(old.audit.reindex(new.audit.index) != new.audit).to_numpy()]
        written = changed.union(audited)
        gone = old.content.index.difference(new.content.index)
        if len(written) or len(gone):
            kept = changed.intersection(old.content.index)
            replaced = list(zip(_rows(old, kept), _rows(new, kept), strict=True))
            result[name] = RowChanges(_rows(new, written), _rows(new, changed), _rows(old, gone), replaced)
    return result
