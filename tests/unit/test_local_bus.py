import base64
import json
import os

import pytest

from shared import config
from shared.adapters.local import local_bus
from shared.adapters.local.local_bus import LocalBus
from shared.contract import topology


def test_messages_go_to_every_subscribed_deployment_with_its_env(monkeypatch):
    calls = []

    def entry(function):
        def handler(event):
            payload = json.loads(base64.b64decode(event.data["message"]["data"]))
            calls.append(
                (
                    function,
                    event["type"],
                    payload["entities"],
                    os.environ.get("SYSTEM_ID"),
                    config.Settings.from_env().system_id,
                )
            )

        return handler

    monkeypatch.setattr(local_bus, "entry_point", entry)
    bus = LocalBus()
    bus.publish(
        topology.FEATURES_READY,
        {
            "market": "nba_points",
            "game_date": "2026-02-01",
            "run_id": "r",
            "as_of": "2026-02-01T16:00:00Z",
            "entities": 1,
        },
    )
    assert bus.drain() == 1
    assert [c[0] for c in calls] == ["scorer"] * 3  # one deployment per system
    assert {c[1] for c in calls} == {"google.cloud.pubsub.topic.v1.messagePublished"}
    assert {c[2] for c in calls} == {1}
    assert [c[3] for c in calls] == [None] * 3  # os.environ untouched ...
    assert sorted(c[4] for c in calls) == ["baseline_l10", "cat_rolling", "xgb_core"]  # ... each its own SYSTEM_ID
    assert bus.delivered == 3 and not bus.queue


def test_failing_deliveries_are_retried_then_dead_lettered(monkeypatch):
    attempts = {"n": 0}

    def flaky(_function):
        def handler(_event):
            attempts["n"] += 1
            if attempts["n"] < 3:
                raise ConnectionError("warehouse unavailable")

        return handler

    monkeypatch.setattr(local_bus, "entry_point", flaky)
    bus = LocalBus(max_attempts=5)
    bus.publish(topology.DIAGNOSTICS_DAILY, {"game_date": "2026-02-01"})
    bus.drain()
    assert attempts["n"] == 3 and bus.delivered == 1 and not bus.dead_letters

    monkeypatch.setattr(local_bus, "entry_point", lambda _f: lambda _e: (_ for _ in ()).throw(RuntimeError("bug")))
    bus.publish(topology.DIAGNOSTICS_DAILY, {"game_date": "2026-02-01"})
    bus.drain()
    assert [(d.deployment, d.error) for d in bus.dead_letters] == [("diagnostics", "RuntimeError: bug")]


def test_each_subscription_gets_its_own_name_in_the_event():
    bus = LocalBus(project="p")
    bus.publish(topology.GAME_FINAL, {"market": "nba_points", "game_id": "g", "game_date": "2026-02-01"})
    message = bus.queue[0]
    (deployment,) = topology.subscribers(topology.GAME_FINAL, [])
    event = bus.cloud_event(message, deployment)
    assert event.data["subscription"] == "projects/p/subscriptions/grading-game-final"
    assert event["id"] == message.message_id


def test_unknown_topics_are_refused():
    with pytest.raises(ValueError, match="unknown topic"):
        LocalBus().publish("nope", {})
