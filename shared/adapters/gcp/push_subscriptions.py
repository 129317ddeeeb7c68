"""Push subscriptions with dead-letter topics on Pub/Sub: what infra/terraform makes per deployment.

The emulator chain (shared/ops/push_chain.py) makes them on the Pub/Sub
emulator, each pushing into a functions-framework server of this process, and
counts what its bus published to know when a cascade is over.
"""

from __future__ import annotations

import contextlib
from collections import Counter

from google.api_core import exceptions as google_exceptions
from google.cloud import pubsub_v1

from shared.adapters.gcp.pubsub_bus import PubSubBus

# Redelivery soon after a failure: a demo's deliveries settle in seconds.
MIN_BACKOFF_S, MAX_BACKOFF_S = 1, 10


class PubSubPushSubscriptions:
    def __init__(self, bus: PubSubBus, subscriber: pubsub_v1.SubscriberClient | None = None) -> None:
        self.bus = bus
        self.subscriber = subscriber or pubsub_v1.SubscriberClient()

    def ensure_topics(self) -> None:
        self.bus.ensure_topics()

    def published(self) -> Counter[str]:
        return self.bus.published_counts()

    def _path(self, subscription: str) -> str:
        return self.subscriber.subscription_path(self.bus.project, subscription)

    def subscribe(
        self,
        subscription: str,
        topic: str,
        endpoint: str,
        dead_letter_topic: str,
        *,
        max_delivery_attempts: int,
        ack_deadline_s: int,
    ) -> None:
        dead_letter = self.bus.topic_path(dead_letter_topic)
        with contextlib.suppress(google_exceptions.AlreadyExists):
            self.bus.publisher.create_topic(name=dead_letter)
        with contextlib.suppress(google_exceptions.AlreadyExists):  # a pull subscription to read the dead letters
            self.subscriber.create_subscription(name=self._path(dead_letter_topic), topic=dead_letter)
        self.unsubscribe(subscription)  # one left behind by a killed run points at a server that is gone
        self.subscriber.create_subscription(
            request={
                "name": self._path(subscription),
                "topic": self.bus.topic_path(topic),
                "push_config": {"push_endpoint": endpoint},
                "ack_deadline_seconds": ack_deadline_s,
                "dead_letter_policy": {
                    "dead_letter_topic": dead_letter,
                    "max_delivery_attempts": max_delivery_attempts,
                },
                "retry_policy": {
                    "minimum_backoff": {"seconds": MIN_BACKOFF_S},
                    "maximum_backoff": {"seconds": MAX_BACKOFF_S},
                },
            }
        )

    def unsubscribe(self, subscription: str) -> None:
        with contextlib.suppress(google_exceptions.NotFound):
            self.subscriber.delete_subscription(subscription=self._path(subscription))
