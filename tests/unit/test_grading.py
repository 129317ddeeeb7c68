import datetime as dt

import numpy as np
import pandas as pd
import pytest

from shared.contract.events import GameFinal
from shared.domain.grading import LOSS, PUSH, VOID, WIN, profit_units, result
from shared.handlers import grading


@pytest.mark.parametrize(
    ("rec", "line", "actual", "status", "expected"),
    [
        ("OVER", 5.5, 6, "played", WIN),
        ("OVER", 5.5, 5, "played", LOSS),
        ("UNDER", 5.5, 5, "played", WIN),
        ("UNDER", 20.0, 21, "played", LOSS),
        ("OVER", 20.0, 20, "played", PUSH),
        ("UNDER", 20.0, 20, "played", PUSH),
        ("OVER", 5.5, np.nan, "dnp", VOID),
        ("UNDER", 5.5, np.nan, "scratched", VOID),
        ("OVER", 5.5, np.nan, None, VOID),
        ("PASS", 5.5, 9, "played", None),
    ],
)
def test_result(rec, line, actual, status, expected):
    assert result(rec, line, actual, status) == expected


def test_profit_at_american_prices():
    assert profit_units(WIN, -110) == pytest.approx(100 / 110)
    assert profit_units(WIN, 120) == pytest.approx(1.2)
    assert profit_units(LOSS, -110) == -1.0
    assert profit_units(PUSH, -110) == 0.0 and profit_units(VOID, 150) == 0.0
    assert profit_units(None, -110) is None


def test_grade_joins_outcomes_and_computes_every_column():
    base = {
        "run_id": "r",
        "market": "nba_points",
        "game_date": dt.date(2026, 1, 1),
        "game_id": "g",
        "model_id": "m",
        "model_version": "v",
        "p_over": 0.6,
        "p_push": 0.0,
    }
    predictions = pd.DataFrame(
        [
            {
                **base,
                "system_id": "a",
                "entity_id": "p1",
                "line": 20.5,
                "mean": 24.0,
                "recommendation": "OVER",
                "over_price": 120,
                "under_price": -140,
            },
            {
                **base,
                "system_id": "b",
                "entity_id": "p1",
                "line": 20.5,
                "mean": 21.0,
                "recommendation": "PASS",
                "over_price": 120,
                "under_price": -140,
            },
            {
                **base,
                "system_id": "a",
                "entity_id": "p2",
                "line": 10.0,
                "mean": 8.0,
                "recommendation": "UNDER",
                "over_price": None,
                "under_price": None,
            },
            {
                **base,
                "system_id": "a",
                "entity_id": "p3",
                "line": 15.5,
                "mean": 15.0,
                "recommendation": "PASS",
                "over_price": -110,
                "under_price": -110,
            },
            {
                **base,
                "system_id": "a",
                "entity_id": "p4",
                "line": 10.0,
                "mean": 9.0,
                "recommendation": "UNDER",
                "over_price": -110,
                "under_price": -110,
            },
        ]
    )
    outcomes = pd.DataFrame(
        [
            {"entity_id": "p1", "status": "played", "actual": 22.0},
            {"entity_id": "p2", "status": "dnp", "actual": np.nan},
            {"entity_id": "p4", "status": "played", "actual": 10.0},
        ]
    )
    closing = pd.DataFrame(
        [
            {"entity_id": "p1", "closing_line": 21.5, "closing_over_price": -110, "closing_under_price": -110},
            {"entity_id": "p4", "closing_line": 10.0, "closing_over_price": 110, "closing_under_price": -130},
        ]
    )
    g = grading.grade(predictions, outcomes, closing, baseline_system="a").set_index(["entity_id", "system_id"])
    p1, p1b = g.loc[("p1", "a")], g.loc[("p1", "b")]
    assert p1["result"] == WIN and p1["price"] == 120 and p1["profit_units"] == pytest.approx(1.2)
    assert p1["error"] == pytest.approx(2.0) and p1["line_abs_error"] == pytest.approx(1.5)
    assert not p1["beat_line"]  # |24-22| = 2 is not closer than |20.5-22| = 1.5
    assert p1["went_over"]
    over, under = 100 / 220, 140 / 240
    assert p1["market_p_over"] == pytest.approx(over / (over + under))
    assert p1["clv_line"] == pytest.approx(1.0)  # took over 20.5, it closed 21.5
    assert pd.isna(p1["clv_prob"])  # the line moved: no like-for-like price comparison
    assert p1b["beat_baseline"] and pd.isna(p1["beat_baseline"])  # b was closer than the baseline a
    assert pd.isna(p1b["result"]) and pd.isna(p1b["price"]) and pd.isna(p1b["clv_line"])
    p2 = g.loc[("p2", "a")]
    assert p2["result"] == VOID and p2["price"] == -110 and p2["profit_units"] == 0.0 and pd.isna(p2["error"])
    assert pd.isna(p2["market_p_over"]) and pd.isna(p2["went_over"])
    assert g.loc[("p3", "a"), "outcome_status"] == "missing" and pd.isna(g.loc[("p3", "a"), "result"])
    p4 = g.loc[("p4", "a")]
    assert p4["result"] == PUSH and p4["profit_units"] == 0.0 and pd.isna(p4["went_over"])
    close_over = (100 / 210) / (100 / 210 + 130 / 230)
    assert p4["clv_prob"] == pytest.approx(0.5 - close_over)  # under got likelier at the same line
    assert p4["clv_line"] == 0.0


def test_corrections_list_what_changed():
    key = {"market": "m", "game_date": dt.date(2026, 1, 1), "game_id": "g"}
    old = pd.DataFrame(
        [
            {
                "run_id": "r",
                "system_id": "a",
                "entity_id": "p1",
                "actual": 20.0,
                "result": "WIN",
                "outcome_status": "played",
            },
            {
                "run_id": "r",
                "system_id": "a",
                "entity_id": "p2",
                "actual": 5.0,
                "result": "LOSS",
                "outcome_status": "played",
            },
        ]
    )
    new = pd.DataFrame(
        [
            {
                **key,
                "run_id": "r",
                "system_id": "a",
                "entity_id": "p1",
                "actual": 20.0,
                "result": "WIN",
                "outcome_status": "played",
            },
            {
                **key,
                "run_id": "r",
                "system_id": "a",
                "entity_id": "p2",
                "actual": 6.0,
                "result": "WIN",
                "outcome_status": "played",
            },
        ]
    )
    changed = grading.corrections(old, new, "evt-2")
    assert changed[
        ["entity_id", "old_actual", "new_actual", "old_result", "new_result", "event_id"]
    ].values.tolist() == [["p2", 5.0, 6.0, "LOSS", "WIN", "evt-2"]]
    assert grading.corrections(pd.DataFrame(), new, "e").empty


def _final(game_date: dt.date, *entities: str) -> GameFinal:
    lines = [{"entity_id": e, "status": "played", "actual": 20.0} for e in entities]
    return GameFinal("nba_points", "nba-g1", game_date, stat_lines=lines)


def _lines(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["market", "game_id", "entity_id"])


def test_a_postponed_game_is_graded_on_the_day_it_is_played():
    """Its lines of the first date are not read; nothing is stored for it yet, so its final moves nothing."""
    played = dt.date(2026, 3, 2)
    assert grading.contradictions(_final(played, "p1"), _lines(("nba_points", "nba-g1", "p1")), pd.Series([])) == []


def test_a_final_that_would_move_stored_outcomes_or_contradicts_the_days_lines_is_refused():
    day = dt.date(2026, 3, 2)
    found = grading.contradictions(
        _final(day, "p1", "p1", "p2"),
        _lines(("mlb_strikeouts", "nba-g1", "s1"), ("nba_points", "nba-g2", "p2")),
        pd.Series([pd.Timestamp("2026-03-01")]),
    )
    assert found == [
        "lists ['p1'] more than once",
        "its outcomes are stored on ['2026-03-01']: this final would move them",
        "the book's lines make it a mlb game, not nba",
        "the book's lines put ['p2 (nba-g2)'] in other games that day",
    ]
