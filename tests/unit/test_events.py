import base64
import datetime as dt
import json

import pytest
from cloudevents.http import CloudEvent
from support import pubsub_event

from shared.contract import envelope, events, topology
from shared.contract.events import PoisonEvent

LINES = {"market": "nba_points", "game_date": "2026-02-14", "run_id": "live", "as_of": "2026-02-14T16:00:00Z"}


def test_round_trip_gives_typed_payload_and_envelope():
    event = pubsub_event(topology.LINES_POSTED, LINES, message_id="m-1")
    opened = envelope.decode(event, topology.LINES_POSTED)
    assert opened.event_id == "m-1"
    assert opened.payload == events.LinesPosted(
        "nba_points", dt.date(2026, 2, 14), "live", dt.datetime(2026, 2, 14, 16)
    )
    assert json.loads(opened.raw) == LINES


def test_encode_builds_the_eventarc_pubsub_envelope():
    event = envelope.encode("game-final", b'{"a": 1}', message_id="42", attributes={"market": "m"}, subscription="s")
    assert event["type"] == "google.cloud.pubsub.topic.v1.messagePublished"
    assert event["source"] == "//pubsub.googleapis.com/projects/propflow-local/topics/game-final"
    message = event.data["message"]
    assert base64.b64decode(message["data"]) == b'{"a": 1}'
    assert message["attributes"] == {"market": "m"} and message["messageId"] == "42"
    assert message["publishTime"].endswith("Z")
    assert event.data["subscription"] == "projects/propflow-local/subscriptions/s"


def _raw_event(data: str) -> CloudEvent:
    return CloudEvent(
        {"type": envelope.PUBSUB_EVENT_TYPE, "source": "//x"}, {"message": {"data": data, "messageId": "1"}}
    )


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (
            CloudEvent({"type": "google.cloud.storage.object.v1.finalized", "source": "//x"}, {}),
            "unexpected CloudEvent type",
        ),
        (_raw_event("%%%not-base64"), "not valid base64"),
        (_raw_event(base64.b64encode(b"{not json").decode()), "not JSON"),
        (_raw_event(base64.b64encode(b"[1, 2]").decode()), "must be a JSON object"),
        (_raw_event(""), "has no data"),
        (pubsub_event(topology.LINES_POSTED, {**LINES, "market": "nhl_goals"}), "unknown market 'nhl_goals'"),
        (pubsub_event(topology.LINES_POSTED, {**LINES, "game_date": "14/02/2026"}), "game_date"),
        (pubsub_event(topology.LINES_POSTED, {**LINES, "game_date": "2026-02-30"}), "game_date"),
        (
            pubsub_event(topology.LINES_POSTED, {k: v for k, v in LINES.items() if k != "run_id"}),
            "'run_id' is a required",
        ),
        (pubsub_event(topology.LINES_POSTED, {**LINES, "surprise": 1}), "Additional properties"),
        (pubsub_event(topology.LINES_POSTED, {**LINES, "as_of": "yesterday"}), "as_of"),
    ],
)
def test_malformed_events_are_poison_with_a_reason(event: CloudEvent, reason: str):
    with pytest.raises(PoisonEvent) as caught:
        envelope.decode(event, topology.LINES_POSTED)
    assert reason in caught.value.reason


def test_outgoing_payloads_are_checked_against_their_schema():
    with pytest.raises(PoisonEvent, match="entities"):
        events.message_data(topology.FEATURES_READY, {**LINES, "entities": -1})
    body = json.loads(
        events.message_data(
            topology.FEATURES_READY,
            events.FeaturesReady("nba_points", dt.date(2026, 2, 14), "live", dt.datetime(2026, 2, 14, 16), 3),
        )
    )
    assert body == {**LINES, "entities": 3}


def test_every_topic_has_a_schema_and_a_payload_type():
    assert set(events.PAYLOADS) == set(topology.TOPICS)
    for topic in topology.TOPICS:
        assert events.schemas.event_schema(topic)["title"] == topic


@pytest.mark.parametrize(
    ("as_of", "refused"),
    [("2026-03-02T22:00:00Z", False), ("2026-03-03T05:30:00Z", False), ("2026-03-03T06:00:00Z", True)],
)
def test_a_slate_as_of_after_its_last_game_began_is_refused(as_of, refused):
    """A west-coast evening game of March 2 starts after 03:00 UTC on March 3: a slate may be rebuilt until 06:00."""
    payload = {"market": "nba_points", "game_date": "2026-03-02", "run_id": "live", "as_of": as_of}
    if refused:
        with pytest.raises(events.PoisonEvent, match="after every game of 2026-03-02 began"):
            events.parse_payload(topology.LINES_POSTED, payload)
    else:
        assert events.parse_payload(topology.LINES_POSTED, payload).as_of == dt.datetime.fromisoformat(as_of[:-1])
