"""Event bus on Pub/Sub, through google-cloud-pubsub.

`publish` returns only once Pub/Sub acknowledged the message (the settle
step), so a function never reports success for an event it failed to pass on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.cloud import pubsub_v1

from shared import events, topology

PUBLISH_TIMEOUT_S = 60


class PubSubBus:
    def __init__(self, project: str, publisher: pubsub_v1.PublisherClient | None = None) -> None:
        self.project = project
        self.publisher = publisher or pubsub_v1.PublisherClient()

    def publish(self, topic: str, payload: Mapping[str, Any] | Any, attributes: Mapping[str, str] | None = None) -> str:
        if topic not in topology.TOPICS:
            raise ValueError(f"unknown topic {topic!r}")
        data = events.message_data(topic, payload)
        future = self.publisher.publish(self.publisher.topic_path(self.project, topic), data, **dict(attributes or {}))
        return future.result(timeout=PUBLISH_TIMEOUT_S)
