"""Fuzz the decoder with malformed events, and a few of them through every entry point.

Each event is a valid payload broken one way (a required key dropped, an unknown key, a wrong type, an
impossible date or timestamp, an unknown market, a non-object, non-JSON bytes, bad base64). envelope.decode
must refuse it with a PoisonEvent and a reason, or (when the break happens to leave it valid) return its
payload: nothing else may escape. Through an entry point, a refused event is acknowledged, recorded as
rejected in processed_events, and writes nothing else. The decoder is where every such check lives and
it is cheap, so it takes the many examples; the entry point runs the same decode first, so a few suffice.
Events that are well formed but wrong in content are test_wrong_content.py's.
"""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support import VALID_PAYLOADS

from shared import runtime
from shared.adapters.local.local_bus import entry_point
from shared.contract import envelope, events, schemas, topology

DECODED = 500  # per topic, straight into envelope.decode
DELIVERED = 25  # per entry point, through handle(): each one is a ledger write
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


def mutations(function: str) -> st.SearchStrategy[bytes | str]:
    """Raw message data (bytes) or a raw base64 field (str): a valid payload broken one way."""
    valid = VALID_PAYLOADS[function]
    keys = sorted(valid)

    def as_data(payload) -> bytes:
        return json.dumps(payload).encode()

    return st.one_of(
        st.sampled_from(keys).map(lambda k: as_data({x: v for x, v in valid.items() if x != k})),
        st.tuples(st.text(min_size=1, max_size=12), JSON).map(lambda kv: as_data({**valid, **{kv[0]: kv[1]}})),
        st.tuples(st.sampled_from(keys), JSON).map(lambda kv: as_data({**valid, kv[0]: kv[1]})),
        st.sampled_from(["2026-02-30", "2026-13-01", "26-02-14", "2026/02/14", "", "today"]).map(
            lambda d: as_data({**valid, ("train_end" if "train_end" in valid else "game_date"): d})
        ),
        st.from_regex(r"[a-z][a-z0-9_]{1,12}", fullmatch=True).map(
            lambda m: as_data({**valid, "market": m} if "market" in valid else {**valid, "markets": [m]})
        ),
        JSON.filter(lambda v: not isinstance(v, dict)).map(as_data),
        st.binary(max_size=40),
        st.text(alphabet="!@#$%^&*()<>?~ ", min_size=1, max_size=30),  # not base64 at all
    )


def cloud_event(topic: str, item: bytes | str):
    if isinstance(item, str):  # an invalid base64 field, set directly
        event = envelope.encode(topic, b"{}", message_id=uuid.uuid4().hex)
        event.data["message"]["data"] = item
        return event
    return envelope.encode(topic, item, message_id=uuid.uuid4().hex)


def decoded(topic: str, item: bytes | str) -> envelope.Envelope | events.PoisonEvent:
    """The envelope, or the PoisonEvent that refused it; any other exception fails the test."""
    try:
        return envelope.decode(cloud_event(topic, item), topic)
    except events.PoisonEvent as exc:
        return exc


@pytest.mark.parametrize("function", sorted(VALID_PAYLOADS))
def test_the_decoder_refuses_malformed_events_with_a_reason(function):
    topic = topology.TRIGGERS[function]
    verdicts = {"refused": 0, "valid": 0}

    @settings(FUZZ, max_examples=DECODED)
    @given(item=mutations(function))
    def fuzz(item):
        result = decoded(topic, item)
        if isinstance(result, events.PoisonEvent):
            assert result.reason and str(result) == result.reason
            verdicts["refused"] += 1
        else:  # broken in a way the schema allows (an optional key set to a valid value, say)
            assert isinstance(result.payload, events.PAYLOADS[topic])
            verdicts["valid"] += 1

    fuzz()
    assert verdicts["refused"] >= DECODED * 0.6, verdicts  # most breaks break it: the fuzz tests the refusals


@pytest.mark.parametrize("function", sorted(VALID_PAYLOADS))
def test_malformed_events_are_acknowledged_recorded_and_write_nothing(function, monkeypatch):
    monkeypatch.setenv("SYSTEM_ID", "xgb_core")
    ctx = runtime.context()
    topic = topology.TRIGGERS[function]
    handler = entry_point(function)
    seen = []

    @settings(FUZZ, max_examples=DELIVERED)
    @given(item=mutations(function))
    def fuzz(item):
        assume(isinstance(decoded(topic, item), events.PoisonEvent))
        event = cloud_event(topic, item)
        handler(event)  # must not raise: a poison event is acknowledged
        seen.append(event["id"])

    fuzz()
    assert len(seen) >= DELIVERED
    domain = [t for t in schemas.tables() if t != "processed_events"]
    written = {t: int(ctx.warehouse.sql(f"SELECT COUNT(*) AS n FROM propflow.{t}")["n"][0]) for t in domain}
    assert written == dict.fromkeys(domain, 0)
    ledger = ctx.warehouse.sql("SELECT status, COUNT(*) AS n FROM propflow.processed_events GROUP BY 1")
    assert ledger.set_index("status")["n"].to_dict() == {"rejected": len(set(seen))}
