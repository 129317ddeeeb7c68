"""The production clock: a slate is posted at its market's prediction hour from the lines visible then, once;
lines of the hour that land late post it again, lines that move after the hour are shown stale, never scored."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from support import pubsub_event

from shared import clock, runtime
from shared.contract import markets, topology
from shared.contract.events import SlatesDue
from shared.handlers import schedule
from shared.sources import feed

MARKET = "nba_points"
DAY = dt.date(2026, 3, 10)
HOUR = markets.market(MARKET).prediction_time(DAY)  # 22:00 UTC


def lines(*snapshots: tuple[str, dt.datetime, float], day: dt.date = DAY) -> list[dict]:
    """One book's line per (entity, snapshot time, line)."""
    return [
        {
            "market": MARKET,
            "game_date": day,
            "game_id": f"nba-{day:%Y%m%d}-BOS-NYK",
            "entity_id": entity,
            "entity_name": entity.title(),
            "book": "fanduel",
            "snapshot_at": at,
            "line": line,
            "over_price": -110,
            "under_price": -110,
        }
        for entity, at, line in snapshots
    ]


def posted(ctx) -> list[dict]:
    """The lines-posted payloads queued so far (and empty the queue)."""
    out = [json.loads(m.data) for m in ctx.bus.queue if m.topic == topology.LINES_POSTED]
    ctx.bus.queue.clear()
    return out


def tick(ctx, at: dt.datetime, event: SlatesDue | None = None) -> list[dict]:
    with clock.frozen(at):
        schedule.post_due(event or SlatesDue(), ctx)
    return posted(ctx)


def slate(as_of: dt.datetime = HOUR, day: dt.date = DAY) -> dict:
    return {"market": MARKET, "game_date": day.isoformat(), "run_id": "live", "as_of": f"{as_of.isoformat()}Z"}


@pytest.fixture
def early(ctx):
    """Two players' lines snapshotted in the morning of DAY."""
    ctx.warehouse.upsert(
        "prop_lines", lines(("a", HOUR - dt.timedelta(hours=6), 20.5), ("b", HOUR - dt.timedelta(hours=5), 9.5))
    )
    return ctx


def test_the_clock_posts_a_slate_at_its_hour_once(early):
    ctx = early
    assert tick(ctx, HOUR - dt.timedelta(minutes=1)) == []  # its hour has not come
    assert tick(ctx, HOUR) == [slate()]  # every market is looked at; only this one has lines
    assert tick(ctx, HOUR + dt.timedelta(hours=1)) == []  # the next tick: nothing new visible at the hour
    record = ctx.warehouse.sql("SELECT as_of, lines, trigger FROM propflow.slate_posts")
    assert record.values.tolist() == [[HOUR, 2, schedule.CLOCK]]


def test_a_scheduler_firing_twice_and_a_redelivery_post_once(early, post):
    ctx = early
    tick_event = pubsub_event(topology.SLATES_DUE, {}, message_id="tick-1")
    with clock.frozen(HOUR + dt.timedelta(minutes=3)):
        assert post("schedule", tick_event).status_code == 200
        assert post("schedule", tick_event).status_code == 200  # the same message again
        assert post("schedule", pubsub_event(topology.SLATES_DUE, {}, message_id="tick-2")).status_code == 200
    assert posted(ctx) == [slate()]
    ledger = ctx.warehouse.sql("SELECT event_id, status FROM propflow.processed_events ORDER BY event_id")
    assert ledger.values.tolist() == [["tick-1", "done"], ["tick-2", "done"]]


def test_lines_that_move_after_the_hour_post_nothing(early):
    ctx = early
    assert tick(ctx, HOUR) == [slate()]
    moved = lines(("a", HOUR + dt.timedelta(hours=1), 22.5))
    ctx.warehouse.upsert("prop_lines", moved)
    with clock.frozen(HOUR + dt.timedelta(hours=1, minutes=5)):
        schedule.lines_arrived(ctx, [(MARKET, DAY)])
    assert posted(ctx) == []
    assert tick(ctx, HOUR + dt.timedelta(hours=2)) == []


def test_lines_of_the_hour_that_land_late_post_the_same_run_again(early):
    ctx = early
    assert tick(ctx, HOUR) == [slate()]
    late = lines(("c", HOUR - dt.timedelta(hours=1), 14.5))  # snapshotted before the hour, delivered after it
    ctx.warehouse.upsert("prop_lines", late)
    with clock.frozen(HOUR + dt.timedelta(hours=2)):
        schedule.lines_arrived(ctx, [(MARKET, DAY), (MARKET, DAY)])
    assert posted(ctx) == [slate()]  # same run, same as_of: what a backtest at the hour would score
    record = ctx.warehouse.sql("SELECT lines, trigger FROM propflow.slate_posts ORDER BY posted_at")
    assert record.values.tolist() == [[2, schedule.CLOCK], [3, schedule.LINES_ARRIVED]]


def test_lines_before_the_hour_wait_for_the_clock(early):
    ctx = early
    with clock.frozen(HOUR - dt.timedelta(hours=3)):
        schedule.lines_arrived(ctx, [(MARKET, DAY)])
    assert posted(ctx) == []
    assert tick(ctx, HOUR) == [slate()]


def test_a_slate_whose_games_began_is_history_and_is_never_posted_live(ctx):
    old = DAY - dt.timedelta(days=400)
    ctx.warehouse.upsert("prop_lines", lines(("a", dt.datetime.combine(old, dt.time(15)), 20.5), day=old))
    with clock.frozen(HOUR):
        schedule.lines_arrived(ctx, [(MARKET, old)])  # a backfill
    assert posted(ctx) == []


def test_a_tick_catches_up_on_yesterday_until_its_slate_closes(early):
    ctx = early
    next_day = dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time())
    assert tick(ctx, next_day + dt.timedelta(hours=2)) == [slate()]  # the ticks at the hour were missed
    ctx.warehouse.sql("DELETE FROM propflow.slate_posts WHERE TRUE")
    assert tick(ctx, next_day + dt.timedelta(hours=6)) == []  # every game of DAY began: too late to post
    assert tick(ctx, next_day + dt.timedelta(hours=6), SlatesDue(DAY, [MARKET])) == [slate()]  # asked by date


def offer(ctx, entity_id: str, day: dt.date, at: dt.datetime, step: float) -> pd.DataFrame:
    """The entity's latest stored line, moved by `step` and snapshotted at `at` by the consensus."""
    latest = ctx.warehouse.sql(
        "SELECT * FROM propflow.prop_lines WHERE entity_id = @e AND game_date = @d ORDER BY snapshot_at DESC LIMIT 1",
        e=entity_id,
        d=day,
    )
    return latest.assign(snapshot_at=at, book="consensus", line=latest["line"] + step)


def ensemble_line(ctx, entity_id: str) -> float:
    rows = ctx.warehouse.sql(
        "SELECT line FROM propflow.predictions WHERE system_id = 'ensemble' AND entity_id = @e", e=entity_id
    )
    assert len(rows) == 1  # one live row, never a second run beside it
    return float(rows["line"].iloc[0])


def test_a_live_day_late_lines_rescore_until_graded_and_moves_show_stale(seeded):
    ctx = runtime.context()
    league, day = seeded.leagues[MARKET], seeded.first_live
    hour = markets.market(MARKET).prediction_time(day)
    with clock.frozen(hour + dt.timedelta(minutes=5)):
        feed.post_lines(ctx, league, day)
        ctx.chain.drain()
    picks = ctx.warehouse.sql("SELECT * FROM propflow.todays_picks")
    assert len(picks) > 2 and not picks["stale"].any() and (picks["current_line"] == picks["line"]).all()
    moved, late = picks["entity_id"].iloc[0], picks["entity_id"].iloc[1]
    line_of = dict(zip(picks["entity_id"], picks["line"], strict=True))

    with clock.frozen(hour + dt.timedelta(hours=1)):  # a move after the hour: shown, never scored
        ctx.warehouse.upsert("prop_lines", offer(ctx, moved, day, hour + dt.timedelta(minutes=30), 1.0))
        schedule.lines_arrived(ctx, [(MARKET, day)])
        assert ctx.chain.drain() == 0
    after = ctx.warehouse.sql("SELECT * FROM propflow.todays_picks").set_index("entity_id")
    assert after.index[after["stale"]].tolist() == [moved]
    assert after.loc[moved, "current_line"] == line_of[moved] + 1.0 and after.loc[moved, "line"] == line_of[moved]

    with clock.frozen(hour + dt.timedelta(hours=2)):  # a snapshot of the hour that landed late: the same run again
        ctx.warehouse.upsert("prop_lines", offer(ctx, late, day, hour, 2.0))
        schedule.lines_arrived(ctx, [(MARKET, day)])
        assert ctx.chain.drain() > 0
    assert ensemble_line(ctx, late) == line_of[late] + 2.0
    assert ensemble_line(ctx, moved) == line_of[moved]
    as_of = ctx.warehouse.sql("SELECT DISTINCT as_of FROM propflow.features WHERE market = @m", m=MARKET)
    assert as_of["as_of"].tolist() == [hour]

    with clock.frozen(hour + dt.timedelta(hours=3)):
        feed.finish_day(ctx, league, day)
        ctx.chain.drain()
    with clock.frozen(hour + dt.timedelta(hours=4)):  # graded: a late line no longer replaces what was graded
        ctx.warehouse.upsert("prop_lines", offer(ctx, late, day, hour, 1.0))
        schedule.lines_arrived(ctx, [(MARKET, day)])
        assert ctx.chain.drain() == 0
    assert ensemble_line(ctx, late) == line_of[late] + 2.0
