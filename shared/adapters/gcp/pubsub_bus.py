"""Event bus on Pub/Sub, through google-cloud-pubsub.

`publish` returns only once Pub/Sub acknowledged the message (the settle
step), so a function never reports success for an event it failed to pass on.
Every message carries the payload's market, game_date and run_id as
attributes. `published` counts acknowledged messages per topic: the emulator
chain (shared/ops/push_chain.py) waits on it to know when a cascade is over.
In production the triggers deliver and nothing waits: `TriggerChain`.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

from google.api_core import exceptions as google_exceptions
from google.cloud import pubsub_v1

from shared.contract import codec, events, topology

PUBLISH_TIMEOUT_S = 60


class PubSubBus:
    def __init__(self, project: str, publisher: pubsub_v1.PublisherClient | None = None) -> None:
        self.project = project
        self.publisher = publisher or pubsub_v1.PublisherClient()
        self.published: Counter[str] = Counter()
        self._lock = threading.Lock()

    def topic_path(self, topic: str) -> str:
        return self.publisher.topic_path(self.project, topic)

    def ensure_topics(self) -> None:
        """Create every topic of shared/contract/topology.py that is missing (Terraform does this in production)."""
        for topic in topology.TOPICS:
            with contextlib.suppress(google_exceptions.AlreadyExists):
                self.publisher.create_topic(name=self.topic_path(topic))

    def publish(self, topic: str, payload: Mapping[str, Any] | Any, attributes: Mapping[str, str] | None = None) -> str:
        if topic not in topology.TOPICS:
            raise ValueError(f"unknown topic {topic!r}")
        data = events.message_data(topic, payload)
        attributes = codec.message_attributes(payload, attributes)
        future = self.publisher.publish(self.topic_path(topic), data, **attributes)
        message_id = future.result(timeout=PUBLISH_TIMEOUT_S)
        with self._lock:
            self.published[topic] += 1
        return message_id

    def published_counts(self) -> Counter[str]:
        """A copy of `published`, taken while no publish is counting (servers publish from their threads)."""
        with self._lock:
            return Counter(self.published)


class TriggerChain:
    """The chain where Eventarc's triggers deliver on their own: nothing in this process sees a cascade end."""

    waits = False
    delivered = 0
    dead_letters = ()

    def drain(self) -> int:
        return 0
