import pytest

from shared.contract import topology
from shared.contract.events import PoisonEvent


def test_publish_checks_topic_and_payload(backend):
    with pytest.raises(ValueError, match="unknown topic"):
        backend.bus.publish("no-such-topic", {})
    with pytest.raises(PoisonEvent, match="game_date"):
        backend.bus.publish(topology.DIAGNOSTICS_DAILY, {"game_date": "yesterday"})


def test_publish_returns_a_message_id(backend):
    first = backend.bus.publish(topology.DIAGNOSTICS_DAILY, {"game_date": "2026-02-01"}, {"market": "nba_points"})
    second = backend.bus.publish(topology.DIAGNOSTICS_DAILY, {"game_date": "2026-02-01"})
    assert first and second and first != second


def test_messages_carry_their_payload_and_routing_attributes(backend, listen):
    received = listen(topology.FEATURES_READY)
    payload = {"market": "nba_points", "game_date": "2026-02-01", "run_id": "live", "as_of": "2026-02-01T16:00:00Z",
               "entities": 3}  # fmt: skip
    backend.bus.publish(topology.FEATURES_READY, payload, {"trace": "t-1"})
    [(data, attributes)] = received()
    assert data == payload
    assert attributes == {"market": "nba_points", "game_date": "2026-02-01", "run_id": "live", "trace": "t-1"}
