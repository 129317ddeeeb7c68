"""One suite, every backend: each contract test runs on the embedded default and on gcp (the emulators)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from google.cloud import pubsub_v1

from shared import runtime
from shared.adapters.local.local_bus import LocalBus
from shared.config import Settings

BACKENDS = ["local", pytest.param("gcp", marks=pytest.mark.gcp)]
# The buckets the blob contract writes to; Terraform makes the real one, the emulator starts empty.
CONTRACT_BUCKETS = ("models", "b")


def _gcp(request: pytest.FixtureRequest, tmp_path) -> runtime.Resources:
    request.getfixturevalue("gcp_env")
    # A dataset per test keeps the session's one emulator from leaking rows between tests.
    settings = Settings(backend="gcp", home=tmp_path / "gcp", project="propflow-contract",
                        dataset=f"contract_{uuid.uuid4().hex[:10]}")  # fmt: skip
    resources = runtime.resources(settings)
    resources.warehouse.ensure_schema()
    for bucket in CONTRACT_BUCKETS:
        resources.blobs.ensure_bucket(bucket)
        bucket_handle = resources.blobs.client.bucket(bucket)
        bucket_handle.delete_blobs(list(bucket_handle.list_blobs()))
    resources.bus.ensure_topics()
    return resources


@pytest.fixture
def listen(backend: runtime.Resources) -> Callable[[str], Callable[[], list[tuple[dict, dict]]]]:
    """Listen on a topic before publishing; the call it returns gives what arrived as (payload, attributes)."""
    bus = backend.bus
    if isinstance(bus, LocalBus):
        return lambda topic: lambda: [(json.loads(m.data), m.attributes) for m in bus.queue if m.topic == topic]
    subscriber = pubsub_v1.SubscriberClient()

    def start(topic: str) -> Callable[[], list[tuple[dict, dict]]]:
        path = subscriber.subscription_path(bus.project, f"listen-{uuid.uuid4().hex[:8]}")
        subscriber.create_subscription(name=path, topic=bus.topic_path(topic))
        pulled = lambda: subscriber.pull(subscription=path, max_messages=100, timeout=10).received_messages  # noqa: E731
        return lambda: [(json.loads(m.message.data), dict(m.message.attributes)) for m in pulled()]

    return start


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path) -> runtime.Resources:
    if request.param == "gcp":
        return _gcp(request, tmp_path)
    return runtime.resources(Settings(backend="local", home=tmp_path / "local"))
