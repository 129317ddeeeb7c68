import numpy as np
import pandas as pd
import pytest

from shared.contract.markets import RedFlagRules
from shared.domain import decision
from shared.domain.decision import OVER, PASS, UNDER, Thresholds

T = Thresholds(min_edge=0.5, min_confidence=60)


def test_confidence_formula_at_known_points():
    conf = decision.confidence(np.array([0.5, 0.6, 0.3, 0.7]), np.zeros(4), np.array([100, 100, 100, 0]))
    assert conf == pytest.approx([50.0, 75.0, 100.0, 50.0])
    # a push is taken out before comparing sides: 0.45 over, 0.10 push -> 0.5 of decided outcomes
    assert decision.confidence(np.array([0.45]), np.array([0.10]), np.array([100]))[0] == pytest.approx(50.0)


def test_recommendation_needs_edge_confidence_and_agreeing_probability():
    edge = np.array([1.0, -1.0, 0.4, 1.0, 1.0, 1.0])
    p_over = np.array([0.6, 0.4, 0.6, 0.45, 0.6, 0.6])
    conf = np.array([75, 75, 75, 75, 59.9, 75])
    flags = [[], [], [], [], [], ["missing_line"]]
    assert decision.recommend(edge, p_over, np.zeros(6), conf, flags, T) == [OVER, UNDER, PASS, PASS, PASS, PASS]


def test_red_flags_name_what_is_wrong():
    rules = RedFlagRules(
        min_quality=50,
        min_history=3,
        stale_line_hours=30,
        max_line_move=2.0,
        workload_feature="min_l5",
        min_workload=12,
    )
    as_of = pd.Timestamp("2026-02-01 16:00")
    base = {
        "line": 20.5,
        "opening_line": 20.5,
        "as_of": as_of,
        "line_at": as_of - pd.Timedelta(hours=1),
        "quality_score": 90,
        "history_games": 10,
        "features_json": '{"min_l5": 30.0}',
    }
    slate = pd.DataFrame(
        [
            base,
            {**base, "line": None},
            {**base, "line_at": as_of - pd.Timedelta(hours=31)},
            {**base, "opening_line": 18.5},
            {**base, "opening_line": 18.6},
            {**base, "features_json": '{"min_l5": 8.0}'},
            {**base, "quality_score": 40, "history_games": 1},
            {**base, "availability": "out"},
            {**base, "availability": "not_starting"},
            {**base, "availability": "questionable"},
            {**base, "availability": "active"},
        ]
    )
    assert decision.red_flags(slate, rules) == [
        [],
        ["missing_line"],
        ["stale_line"],
        ["line_moved"],  # exactly the threshold counts
        [],
        ["low_workload"],
        ["low_feature_quality", "short_history"],
        ["unavailable"],
        ["unavailable"],
        ["questionable"],
        [],
    ]
