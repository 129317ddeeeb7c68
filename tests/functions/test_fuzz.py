"""Fuzz every entry point with malformed events: 1,000 per function, no crash, no domain row.

Each event is a valid payload broken one way (a required key dropped, an
unknown key, a wrong type, an impossible date or timestamp, an unknown market,
a non-object, non-JSON bytes, bad base64). Every one must be acknowledged,
recorded as rejected in processed_events, and write nothing else.
"""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support import VALID_PAYLOADS

from shared import events, runtime, schemas, topology
from shared.adapters.local_bus import entry_point

EXAMPLES = 1000
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def mutations(function: str) -> st.SearchStrategy[bytes | str]:
    """Raw message data (bytes) or a raw base64 field (str) that must be rejected."""
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


def is_rejected(topic: str, item: bytes | str) -> bool:
    """True when decoding refuses it, so every fuzz case is malformed, never a valid event by chance."""
    try:
        events.decode(cloud_event(topic, item), topic)
    except events.PoisonEvent:
        return True
    return False


def cloud_event(topic: str, item: bytes | str):
    if isinstance(item, str):  # an invalid base64 field, set directly
        event = events.encode(topic, b"{}", message_id=uuid.uuid4().hex)
        event.data["message"]["data"] = item
        return event
    return events.encode(topic, item, message_id=uuid.uuid4().hex)


@pytest.mark.parametrize("function", sorted(VALID_PAYLOADS))
def test_malformed_events_never_crash_and_never_write(function, monkeypatch):
    monkeypatch.setenv("SYSTEM_ID", "xgb_core")
    ctx = runtime.context()
    topic = topology.TRIGGERS[function]
    handler = entry_point(function)
    seen = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
    )
    @given(item=mutations(function))
    def fuzz(item):
        assume(is_rejected(topic, item))
        event = cloud_event(topic, item)
        handler(event)  # must not raise: a poison event is acknowledged
        seen.append(event["id"])

    fuzz()
    assert len(seen) >= EXAMPLES
    domain = [t for t in schemas.tables() if t != "processed_events"]
    written = {t: int(ctx.warehouse.sql(f"SELECT COUNT(*) AS n FROM propflow.{t}")["n"][0]) for t in domain}
    assert written == dict.fromkeys(domain, 0)
    ledger = ctx.warehouse.sql("SELECT status, COUNT(*) AS n FROM propflow.processed_events GROUP BY 1")
    assert ledger.set_index("status")["n"].to_dict() == {"rejected": len(set(seen))}
