"""In-process event bus: delivers the very CloudEvent Eventarc would.

Publishing queues a message, and an object finalized in a bucket that triggers
functions (the folder blob store tells the bus) queues its notification;
`drain()` delivers what is queued in order to every deployment its topic or
bucket triggers (shared/contract/topology.py), calling the real entry points
in functions/<name>/main.py. A delivery that raises is
retried like a Pub/Sub push subscription, then dead-lettered. The bus is also
the embedded default's chain (shared/ports.py): `drain()` returns once the
cascade has settled.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import sys
import threading
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from shared import clock, paths
from shared.config import env_overlay
from shared.contract import codec, envelope, events, markets, storage_event, topology
from shared.contract.storage_event import StoredObject

log = logging.getLogger(__name__)

FUNCTIONS_DIR = paths.ROOT / "functions"


@dataclass(frozen=True)
class Message:
    topic: str
    data: bytes
    attributes: dict[str, str]
    message_id: str
    publish_time: dt.datetime

    def subscribers(self) -> list[topology.Deployment]:
        return topology.subscribers(self.topic, markets.all_system_ids())


@dataclass(frozen=True)
class Notification:
    """An object finalized in a bucket that triggers functions (bucket: its role in topology.BUCKETS)."""

    bucket: str
    stored: StoredObject
    message_id: str  # its CloudEvent's id (Eventarc gives each notification its own)
    time: dt.datetime

    def subscribers(self) -> list[topology.Deployment]:
        return topology.bucket_subscribers(self.bucket)


@dataclass(frozen=True)
class DeadLetter:
    deployment: str
    message: Message | Notification
    error: str


_loading = threading.Lock()


@cache
def entry_point(function: str) -> Callable[[Any], Any]:
    """The @cloud_event function `function` in functions/<its source folder>/main.py."""
    with _loading:  # racing first deliveries (ChaosBus) must not see a module half executed
        return _load(function)


def _load(function: str) -> Callable[[Any], Any]:
    folder = topology.source(function)
    path = FUNCTIONS_DIR / folder / "main.py"
    name = f"propflow_functions_{folder}"
    module = sys.modules.get(name)
    if module is None:  # one module per folder, however many entry points it holds
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"no entry point at {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return getattr(module, function)


class LocalBus:
    waits = True  # drain() returns only when nothing is left to deliver

    def __init__(
        self, project: str = "propflow-local", max_attempts: int = 5, buckets: Mapping[str, str] | None = None
    ) -> None:
        self.project = project
        self.max_attempts = max_attempts
        self.buckets = dict(buckets or {})  # bucket name -> its role (topology.BUCKETS): which buckets notify
        self.queue: deque[Message | Notification] = deque()
        self.dead_letters: list[DeadLetter] = []
        self.delivered = 0

    def publish(self, topic: str, payload: Mapping[str, Any] | Any, attributes: Mapping[str, str] | None = None) -> str:
        if topic not in topology.TOPICS:
            raise ValueError(f"unknown topic {topic!r}")
        data = events.message_data(topic, payload)
        message_id = uuid.uuid4().hex
        attributes = codec.message_attributes(payload, attributes)
        self.queue.append(Message(topic, data, attributes, message_id, clock.now_utc()))
        return message_id

    def object_finalized(self, stored: StoredObject) -> None:
        """Queue the object-finalized notification of a bucket that triggers functions; other buckets send none."""
        role = self.buckets.get(stored.bucket)
        if role is not None:
            self.queue.append(Notification(role, stored, uuid.uuid4().hex, clock.now_utc()))

    def cloud_event(self, message: Message | Notification, deployment: topology.Deployment) -> Any:
        if isinstance(message, Notification):
            resource = storage_event.object_resource(message.stored)
            return storage_event.encode(resource, event_id=message.message_id, time=message.time)
        return envelope.encode(
            message.topic,
            message.data,
            message_id=message.message_id,
            attributes=message.attributes,
            publish_time=message.publish_time,
            project=self.project,
            subscription=deployment.subscription,
        )

    def deliver(self, message: Message | Notification, deployment: topology.Deployment) -> bool:
        """One push delivery with Pub/Sub-style retries; False when dead-lettered."""
        handler = entry_point(deployment.function)
        event = self.cloud_event(message, deployment)
        for attempt in range(1, self.max_attempts + 1):
            try:
                with env_overlay(deployment.env):
                    handler(event)
                self.delivered += 1
                return True
            except Exception as exc:
                log.warning("%s failed on %s (attempt %d): %s", deployment.name, deployment.trigger, attempt, exc)
                error = f"{type(exc).__name__}: {exc}"
        self.dead_letters.append(DeadLetter(deployment.name, message, error))
        log.error(
            "dead-lettered %s for %s after %d attempts",
            message.message_id,
            deployment.name,
            self.max_attempts,
        )
        return False

    def drain(self) -> int:
        """Deliver until the queue is empty (deliveries may publish more); returns messages handled."""
        handled = 0
        while self.queue:
            message = self.queue.popleft()
            for deployment in message.subscribers():
                self.deliver(message, deployment)
            handled += 1
        return handled
