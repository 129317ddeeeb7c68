import pytest

from shared import topology
from shared.events import PoisonEvent


def test_publish_checks_topic_and_payload(backend):
    with pytest.raises(ValueError, match="unknown topic"):
        backend.bus.publish("no-such-topic", {})
    with pytest.raises(PoisonEvent, match="game_date"):
        backend.bus.publish(topology.DIAGNOSTICS_DAILY, {"game_date": "yesterday"})


def test_publish_returns_a_message_id(backend):
    first = backend.bus.publish(topology.DIAGNOSTICS_DAILY, {"game_date": "2026-02-01"}, {"market": "nba_points"})
    second = backend.bus.publish(topology.DIAGNOSTICS_DAILY, {"game_date": "2026-02-01"})
    assert first and second and first != second
