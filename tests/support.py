"""Helpers the tests import (fixtures live in conftest.py)."""

from __future__ import annotations

import json
import uuid

from cloudevents.http import CloudEvent

from shared import events, runtime, schemas


def pubsub_event(topic: str, payload: dict | bytes, *, message_id: str | None = None) -> CloudEvent:
    """The CloudEvent Eventarc delivers for a message on `topic` (payload dict, or raw data bytes)."""
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return events.encode(topic, data, message_id=message_id or uuid.uuid4().hex, subscription=f"test-{topic}")


def table_counts(ctx: runtime.Context, *, exclude: tuple[str, ...] = ()) -> dict[str, int]:
    return {
        name: int(ctx.warehouse.sql(f"SELECT COUNT(*) AS n FROM propflow.{name}")["n"].iloc[0])
        for name in schemas.tables()
        if name not in exclude
    }


# A valid payload for each entry point, for tests that break them one way at a time.
SLATE = {"market": "nba_points", "game_date": "2026-02-14", "run_id": "live"}
VALID_PAYLOADS = {
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
