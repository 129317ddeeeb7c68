"""Grading through the real bus: corrections, a final before its predictions, duplicates."""

from __future__ import annotations

import dataclasses
import json

from shared import runtime
from shared.contract import topology
from shared.contract.events import GameFinal
from shared.sources import feed

MARKET = "nba_points"


def play_day(ctx, league, day) -> None:
    feed.post_lines(ctx, league, day)
    ctx.bus.drain()
    feed.finish_day(ctx, league, day)
    ctx.bus.drain()


def count(ctx, table: str, where: str = "TRUE", **params) -> int:
    return int(ctx.warehouse.sql(f"SELECT COUNT(*) AS n FROM propflow.{table} WHERE {where}", **params)["n"][0])


def a_final(league, day) -> GameFinal:
    game_id, rows = next(iter(league.outcomes[feed.game_dates(league.outcomes) == day].groupby("game_id")))
    return GameFinal(MARKET, str(game_id), day, [feed._stat_line(r) for _, r in rows.iterrows()])


def test_a_stat_correction_regrades_and_keeps_an_audit(seeded):
    ctx = runtime.context()
    league, day = seeded.leagues[MARKET], seeded.first_live
    play_day(ctx, league, day)
    graded = count(ctx, "grades")
    assert graded == count(ctx, "predictions") > 0
    final = a_final(league, day)
    fixed = next(line for line in final.stat_lines if line["status"] == "played")
    corrected = dataclasses.replace(
        final,
        stat_lines=[{**line, "actual": line["actual"] + 3} if line is fixed else line for line in final.stat_lines],
    )
    ctx.bus.publish(topology.GAME_FINAL, corrected)
    ctx.bus.drain()
    assert count(ctx, "grades") == graded  # replaced, not added
    rows = ctx.warehouse.sql("SELECT * FROM propflow.grades WHERE entity_id = @e", e=fixed["entity_id"])
    assert (rows["actual"] == fixed["actual"] + 3).all()
    audit = ctx.warehouse.sql("SELECT * FROM propflow.grade_corrections")
    assert set(audit["entity_id"]) == {fixed["entity_id"]}
    assert len(audit) == len(rows) == 4  # three systems and the ensemble
    assert (audit["old_actual"] == fixed["actual"]).all() and (audit["new_actual"] == fixed["actual"] + 3).all()


def test_a_final_before_its_predictions_is_kept_then_graded_when_they_land(seeded):
    ctx = runtime.context()
    league, day = seeded.leagues[MARKET], seeded.first_live
    final = a_final(league, day)
    ctx.bus.publish(topology.GAME_FINAL, final)
    ctx.bus.drain()
    assert count(ctx, "outcomes", "game_id = @g", g=final.game_id) == len(final.stat_lines)
    assert count(ctx, "grades") == 0
    feed.post_lines(ctx, league, day)
    ctx.bus.drain()  # ... features -> scorers -> ensemble -> ensemble-scored -> grading_late
    predicted = count(ctx, "predictions", "game_id = @g", g=final.game_id)
    assert predicted > 0
    assert count(ctx, "grades", "game_id = @g", g=final.game_id) == predicted
    assert count(ctx, "grades", "game_id != @g", g=final.game_id) == 0  # the other games are not final yet


def test_a_duplicate_game_final_changes_nothing(seeded, counts):
    ctx = runtime.context()
    league, day = seeded.leagues[MARKET], seeded.first_live
    play_day(ctx, league, day)
    before = counts(ctx, exclude=("processed_events",))
    message = next(m for m in _finals(ctx, league, day))
    ctx.bus.deliver(message, topology.subscribers(topology.GAME_FINAL, [])[0])
    ctx.bus.deliver(message, topology.subscribers(topology.GAME_FINAL, [])[0])
    assert counts(ctx, exclude=("processed_events",)) == before
    ledger = ctx.warehouse.sql("SELECT status FROM propflow.processed_events WHERE event_id = @i", i=message.message_id)
    assert ledger["status"].tolist() == ["done"]


def _finals(ctx, league, day):
    feed.finish_day(ctx, league, day)
    messages = [m for m in ctx.bus.queue if m.topic == topology.GAME_FINAL]
    ctx.bus.queue.clear()
    assert all(json.loads(m.data)["game_date"] == day.isoformat() for m in messages)
    return messages
