"""`propflow replay`: a slate again, any number of times; a dead letter after its cause is fixed."""

from __future__ import annotations

from support import pubsub_event

from shared import runtime
from shared.contract import markets, topology
from shared.contract.codec import payload_dict
from shared.contract.events import FeaturesReady
from shared.ops import replay
from shared.sources import feed

MARKET = "mlb_strikeouts"
COUNTED = ("features", "predictions", "grades", "outcomes", "diagnostics_daily", "alerts", "grade_corrections")


def test_replaying_a_slate_twice_rewrites_the_same_rows(seeded, counts):
    ctx = runtime.context()
    league, day = seeded.leagues[MARKET], seeded.first_live
    feed.post_lines(ctx, league, day)
    ctx.bus.drain()
    feed.finish_day(ctx, league, day)
    ctx.bus.drain()
    before = {t: n for t, n in counts(ctx).items() if t in COUNTED}
    values = ctx.warehouse.sql("SELECT entity_id, system_id, mean, result FROM propflow.grades ORDER BY 1, 2")
    for _ in range(2):
        assert replay.replay_slate(ctx, MARKET, day) > 0
    after = {t: n for t, n in counts(ctx).items() if t in COUNTED}
    assert after == {**before, "diagnostics_daily": after["diagnostics_daily"]}
    assert before["grades"] > 0
    again = ctx.warehouse.sql("SELECT entity_id, system_id, mean, result FROM propflow.grades ORDER BY 1, 2")
    assert again.equals(values)


def test_a_dead_lettered_event_is_replayed_after_its_cause_is_fixed(seeded, post, monkeypatch):
    ctx = runtime.context()
    league, day = seeded.leagues[MARKET], seeded.first_live
    ready = payload_dict(FeaturesReady(MARKET, day, "live", markets.market(MARKET).prediction_time(day), 0))
    monkeypatch.setenv("SYSTEM_ID", "xgb_core")
    post("scorer", pubsub_event(topology.FEATURES_READY, ready, message_id="early-1"))
    dead = ctx.warehouse.sql("SELECT reason, payload FROM propflow.processed_events WHERE event_id = 'early-1'")
    assert "no feature rows" in dead["reason"].iloc[0]  # it came before its features: kept, with its payload
    feed.post_lines(ctx, league, day)  # the fix: the lines arrive, the clock posts them, the feature store runs
    post("schedule", pubsub_event(topology.SLATES_DUE, ctx.bus.queue.popleft().data))
    lines_posted = ctx.bus.queue.popleft()
    post("feature_store", pubsub_event(topology.LINES_POSTED, lines_posted.data))
    ctx.bus.queue.clear()
    topic, handled = replay.replay_dead_letter(ctx, "early-1")
    assert topic == topology.FEATURES_READY and handled >= 1  # and the chain it sets off
    scored = ctx.warehouse.sql("SELECT COUNT(*) AS n FROM propflow.predictions WHERE system_id = 'xgb_core'")
    assert scored["n"][0] > 10


def test_replaying_an_unknown_event_says_so(seeded):
    import pytest

    with pytest.raises(KeyError, match="no rejected event 'nope'"):
        replay.replay_dead_letter(runtime.context(), "nope")
