"""The idempotency ledger (processed_events): what each deployment handled.

A redelivered event that a deployment finished is acknowledged without
running again. A rejected (poison) event is kept here with its reason and
raw payload: this is its dead-letter record.
"""

from __future__ import annotations

from shared import clock
from shared.ports import Warehouse

DONE = "done"
REJECTED = "rejected"


def is_done(warehouse: Warehouse, deployment: str, event_id: str) -> bool:
    rows = warehouse.query("processed_event", function=deployment, event_id=event_id)
    return bool((rows["status"] == DONE).any())


def record(
    warehouse: Warehouse,
    deployment: str,
    event_id: str,
    event_type: str,
    status: str,
    reason: str | None = None,
    payload: bytes | None = None,
) -> None:
    warehouse.upsert(
        "processed_events",
        [
            {
                "function": deployment,
                "event_id": event_id,
                "event_type": event_type,
                "status": status,
                "reason": reason,
                "payload": payload.decode("utf-8", "replace") if payload is not None else None,
                "processed_at": clock.now(),
            }
        ],
    )
