import datetime as dt

import numpy as np
import pandas as pd
import pytest

from shared import grading
from shared.grading import LOSS, PUSH, VOID, WIN


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
    assert grading.result(rec, line, actual, status) == expected


def test_profit_at_american_prices():
    assert grading.profit_units(WIN, -110) == pytest.approx(100 / 110)
    assert grading.profit_units(WIN, 120) == pytest.approx(1.2)
    assert grading.profit_units(LOSS, -110) == -1.0
    assert grading.profit_units(PUSH, -110) == 0.0 and grading.profit_units(VOID, 150) == 0.0
    assert grading.profit_units(None, -110) is None


def test_grade_joins_outcomes_and_computes_errors():
    base = {
        "run_id": "r",
        "market": "nba_points",
        "game_date": dt.date(2026, 1, 1),
        "game_id": "g",
        "model_id": "m",
        "model_version": "v",
        "p_over": 0.6,
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
        ]
    )
    outcomes = pd.DataFrame(
        [
            {"entity_id": "p1", "status": "played", "actual": 22.0, "workload": 30.0},
            {"entity_id": "p2", "status": "dnp", "actual": np.nan, "workload": np.nan},
        ]
    )
    g = grading.grade(predictions, outcomes).set_index("entity_id")
    assert g.loc["p1", "result"] == WIN and g.loc["p1", "price"] == 120
    assert g.loc["p1", "profit_units"] == pytest.approx(1.2)
    assert g.loc["p1", "error"] == pytest.approx(2.0) and g.loc["p1", "line_abs_error"] == pytest.approx(1.5)
    assert not g.loc["p1", "beat_line"]  # |24-22| = 2 is not closer than |20.5-22| = 1.5
    assert g.loc["p2", "result"] == VOID and g.loc["p2", "price"] == -110 and g.loc["p2", "profit_units"] == 0.0
    assert pd.isna(g.loc["p2", "error"])
    assert g.loc["p3", "outcome_status"] == "missing" and pd.isna(g.loc["p3", "result"])
