"""What every function does around its handler: decode, dedupe, run, record.

A Pub/Sub message is decoded by shared/contract/envelope.py and deduped by its message id; a Cloud Storage
object by shared/contract/storage_event.py and deduped by the object's generation (two events of one object
are one event).

Poison events return (Pub/Sub acknowledges them) after a logged reason and a
dead-letter record; anything else that raises is transient and propagates,
so the trigger retries it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from cloudevents.http import CloudEvent

import shared
from shared.contract import envelope, events, storage_event, topology
from shared.handlers import ledger
from shared.ports import Context
from shared.runtime import context

log = logging.getLogger(__name__)

Handler = Callable[[Any, Context], None]

# CloudEvent type -> the module that opens it: decode(cloud_event, trigger) and event_id(cloud_event).
CODECS = {topology.MESSAGE_PUBLISHED: envelope, topology.OBJECT_FINALIZED: storage_event}


def deployment_name(function: str, ctx: Context) -> str:
    if function in topology.PER_SYSTEM:
        return f"{function}-{ctx.settings.require_system_id().replace('_', '-')}"
    return function.replace("_", "-")


def _reject(
    ctx: Context, deployment: str, event_id: str, trigger: str, exc: events.PoisonEvent, raw: bytes | None
) -> None:
    log.error("%s: rejected event %s: %s", deployment, event_id, exc.reason)
    ledger.record(ctx.warehouse, deployment, event_id, trigger, ledger.REJECTED, exc.reason, raw)


def handle(function: str, cloud_event: CloudEvent, handler: Handler) -> None:
    ctx = context()
    logging.getLogger(shared.__name__).setLevel(ctx.settings.log_level)  # PROPFLOW_LOG_LEVEL: every shared.* logger
    deployment = deployment_name(function, ctx)
    trigger = topology.trigger(function)
    codec = CODECS[topology.event_type(function)]
    try:
        delivered = codec.decode(cloud_event, trigger)
    except events.PoisonEvent as exc:
        _reject(ctx, deployment, codec.event_id(cloud_event), trigger, exc, exc.raw)
        return
    if ledger.is_done(ctx.warehouse, deployment, delivered.event_id):
        log.info("%s: event %s already handled; acknowledged", deployment, delivered.event_id)
        return
    try:
        handler(delivered.payload, dataclasses.replace(ctx, event_id=delivered.event_id))
    except events.PoisonEvent as exc:  # well formed, but it can never succeed as it stands: keep it for replay
        _reject(ctx, deployment, delivered.event_id, trigger, exc, exc.raw or delivered.raw)
        return
    ledger.record(ctx.warehouse, deployment, delivered.event_id, trigger, ledger.DONE)
