"""In-process event bus: delivers the very CloudEvent Eventarc would.

Publishing queues a message; `drain()` delivers queued messages in order to
every deployment subscribed to the topic (shared/contract/topology.py), calling the
real entry points in functions/<name>/main.py. A delivery that raises is
retried like a Pub/Sub push subscription, then dead-lettered. The bus is also
the embedded default's chain (shared/ports.py): `drain()` returns once the
cascade has settled.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import sys
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from shared import clock, paths
from shared.config import env_overlay
from shared.contract import codec, envelope, events, markets, topology

log = logging.getLogger(__name__)

FUNCTIONS_DIR = paths.ROOT / "functions"


@dataclass(frozen=True)
class Message:
    topic: str
    data: bytes
    attributes: dict[str, str]
    message_id: str
    publish_time: dt.datetime


@dataclass(frozen=True)
class DeadLetter:
    deployment: str
    message: Message
    error: str


@cache
def entry_point(function: str) -> Callable[[Any], Any]:
    """The @cloud_event function `function` in functions/<its source folder>/main.py."""
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

    def __init__(self, project: str = "propflow-local", max_attempts: int = 5) -> None:
        self.project = project
        self.max_attempts = max_attempts
        self.queue: deque[Message] = deque()
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

    def cloud_event(self, message: Message, deployment: topology.Deployment) -> Any:
        return envelope.encode(
            message.topic,
            message.data,
            message_id=message.message_id,
            attributes=message.attributes,
            publish_time=message.publish_time,
            project=self.project,
            subscription=deployment.subscription,
        )

    def deliver(self, message: Message, deployment: topology.Deployment) -> bool:
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
                log.warning("%s failed on %s (attempt %d): %s", deployment.name, message.topic, attempt, exc)
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
            for deployment in topology.subscribers(message.topic, markets.all_system_ids()):
                self.deliver(message, deployment)
            handled += 1
        return handled
