import numpy as np
import pandas as pd
import pytest

from shared import decision
from shared.decision import OVER, PASS, UNDER, Thresholds

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
    flags = decision.red_flags(pd.Series([None, 20.5, 20.5]), pd.Series([90, 40, 90]), pd.Series([10, 10, 1]))
    assert flags == [["missing_line"], ["low_feature_quality"], ["short_history"]]
