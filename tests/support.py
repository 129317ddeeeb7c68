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
