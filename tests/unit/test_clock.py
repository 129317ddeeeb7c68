"""The clock seam: setting shared.clock sets the time every row and message is stamped with."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from shared import clock
from shared.adapters.local.local_bus import LocalBus
from shared.contract import envelope, topology
from shared.domain.grading import WIN
from shared.handlers import grading, ledger

AT = dt.datetime(2031, 7, 4, 12, 30, 15)


def test_a_frozen_clock_reads_the_same_instant_in_every_form() -> None:
    with clock.frozen(AT):
        assert clock.now() == AT and clock.now().tzinfo is None
        assert clock.now_utc() == AT.replace(tzinfo=dt.UTC)
        assert clock.today() == dt.date(2031, 7, 4)
    assert clock.now() != AT  # back to real time after the block


def test_an_aware_time_is_read_in_utc_and_blocks_nest() -> None:
    new_york = dt.timezone(dt.timedelta(hours=-4))
    with clock.frozen(dt.datetime(2031, 7, 4, 22, 0, tzinfo=new_york)):
        assert clock.now() == dt.datetime(2031, 7, 5, 2, 0)
        assert clock.today() == dt.date(2031, 7, 5)  # already tomorrow in UTC
        with clock.frozen(AT):
            assert clock.now() == AT
        assert clock.now() == dt.datetime(2031, 7, 5, 2, 0)


def test_the_real_clock_is_utc() -> None:
    before = dt.datetime.now(dt.UTC)
    read = clock.now_utc()
    assert before <= read <= dt.datetime.now(dt.UTC)
    assert abs(clock.now() - read.replace(tzinfo=None)) < dt.timedelta(seconds=5)


def test_a_ledger_row_is_stamped_with_the_set_clock(ctx) -> None:
    with clock.frozen(AT):
        ledger.record(ctx.warehouse, "grading", "evt-1", topology.GAME_FINAL, ledger.DONE)
    with clock.frozen(AT + dt.timedelta(hours=1)):
        ledger.record(ctx.warehouse, "grading", "evt-2", topology.GAME_FINAL, ledger.DONE)
    rows = ctx.warehouse.sql("SELECT event_id, processed_at FROM propflow.processed_events ORDER BY event_id")
    assert rows["processed_at"].tolist() == [pd.Timestamp(AT), pd.Timestamp(AT + dt.timedelta(hours=1))]


def test_a_grade_is_stamped_with_the_set_clock() -> None:
    prediction = {
        "run_id": "r",
        "market": "nba_points",
        "game_date": dt.date(2031, 7, 3),
        "game_id": "g",
        "system_id": "a",
        "model_id": "m",
        "model_version": "v",
        "entity_id": "p1",
        "line": 20.5,
        "mean": 24.0,
        "p_over": 0.6,
        "p_push": 0.0,
        "recommendation": "OVER",
        "over_price": -110,
        "under_price": -110,
    }
    outcome = {"entity_id": "p1", "status": "played", "actual": 25.0}
    with clock.frozen(AT):
        graded = grading.grade(pd.DataFrame([prediction]), pd.DataFrame([outcome]))
    assert graded["result"].tolist() == [WIN]
    assert graded["graded_at"].tolist() == [AT]


def test_the_local_bus_and_the_envelope_carry_the_set_publish_time() -> None:
    bus = LocalBus()
    with clock.frozen(AT):
        bus.publish(topology.DIAGNOSTICS_DAILY, {"game_date": "2031-07-03"})
        event = envelope.encode(topology.DIAGNOSTICS_DAILY, b"{}", message_id="m1")
    assert bus.queue[0].publish_time == AT.replace(tzinfo=dt.UTC)
    assert event["time"] == event.data["message"]["publishTime"] == "2031-07-04T12:30:15Z"
