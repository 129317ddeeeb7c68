"""Real Pub/Sub push deliveries (the emulator) into functions-framework servers: bad input and failures."""

from __future__ import annotations

import dataclasses
import json

import pytest
from google.cloud import pubsub_v1
from support import VALID_PAYLOADS

from shared import runtime
from shared.contract import markets, topology
from shared.ops.push_chain import MAX_DELIVERY_ATTEMPTS, PushChain
from shared.ports import WarehouseError

pytestmark = pytest.mark.gcp


@pytest.fixture
def chain(gcp_env, monkeypatch, tmp_path, request):
    monkeypatch.setenv("PROPFLOW_BACKEND", "gcp")
    monkeypatch.setenv("PROPFLOW_GCP_PROJECT", f"push-{request.node.name[:20].replace('_', '-')}")
    ctx = runtime.context()
    ctx.warehouse.ensure_schema()
    with PushChain(ctx, markets.all_system_ids()) as running:
        yield ctx, running


class RefusingWarehouse:
    """Reads work; every write fails before it lands (a warehouse outage as the function sees it)."""

    def __init__(self, inner) -> None:
        self.inner, self.refused = inner, 0

    def upsert(self, table, rows):
        self.refused += 1
        raise WarehouseError(f"{table}: warehouse unavailable")

    def __getattr__(self, name):
        return getattr(self.inner, name)


def _publish_raw(ctx, topic: str, data: bytes) -> None:
    """Straight onto the topic, past the bus's own checks: what a broken publisher would send."""
    ctx.bus.publisher.publish(ctx.bus.topic_path(topic), data).result(timeout=30)
    ctx.bus.published[topic] += 1


def test_a_malformed_message_is_rejected_once_and_acknowledged(chain):
    ctx, running = chain
    _publish_raw(ctx, topology.FEATURES_READY, b"{not json")
    assert running.drain(timeout=60) == 1
    scorers = [d.name for d in topology.subscribers(topology.FEATURES_READY, markets.all_system_ids())]
    rejected = ctx.warehouse.sql("SELECT function, status, reason FROM propflow.processed_events")
    assert sorted(rejected["function"]) == sorted(scorers) and set(rejected["status"]) == {"rejected"}
    assert rejected["reason"].str.contains("not JSON").all()
    assert running.dead_letters == [] and running.delivered == len(scorers)


def test_a_function_that_keeps_failing_is_dead_lettered_after_its_attempts(chain):
    ctx, running = chain
    refusing = RefusingWarehouse(ctx.warehouse)
    runtime.install(ctx.settings, dataclasses.replace(runtime.resources(ctx.settings), warehouse=refusing))
    ctx.bus.publish(topology.ENSEMBLE_DEADLINE, VALID_PAYLOADS["ensemble_sweep"])
    running.drain(timeout=120)
    sweep = next(d for d in topology.deployments([]) if d.function == "ensemble_sweep")
    assert [d.deployment for d in running.dead_letters] == [sweep.name]
    assert refusing.refused == MAX_DELIVERY_ATTEMPTS
    subscriber = pubsub_v1.SubscriberClient()
    path = subscriber.subscription_path(ctx.settings.project, sweep.dead_letter_topic)
    pulled = subscriber.pull(subscription=path, max_messages=10, timeout=30).received_messages
    assert [json.loads(m.message.data) for m in pulled] == [VALID_PAYLOADS["ensemble_sweep"]]
    assert pulled[0].message.attributes["game_date"] == VALID_PAYLOADS["ensemble_sweep"]["game_date"]
