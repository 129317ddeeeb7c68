import datetime as dt

import pandas as pd
import pytest

from shared.contract.markets import DiagnosticsRules
from shared.domain import diagnostics

DAY = dt.date(2026, 3, 10)
RULES = DiagnosticsRules()


def grades(rows: list[tuple[int, float, float, float, str | None, bool]]) -> pd.DataFrame:
    """(days before DAY, mean, line, actual, result, beat_line) -> grade rows."""
    return pd.DataFrame(
        [
            {
                "game_date": DAY - dt.timedelta(days=d),
                "entity_id": f"e{i}",
                "mean": m,
                "line": ln,
                "actual": a,
                "result": r,
                "error": m - a,
                "abs_error": abs(m - a),
                "line_abs_error": abs(ln - a),
                "beat_line": b,
            }
            for i, (d, m, ln, a, r, b) in enumerate(rows)
        ]
    )


def test_performance_windows_tiers_and_bias():
    g = grades(
        [
            (0, 6.0, 5.5, 7, "WIN", True),
            (1, 4.0, 5.5, 6, "LOSS", False),
            (2, 9.0, 8.5, 9, "WIN", True),
            (10, 3.0, 3.5, 3, "WIN", True),
            (20, 5.0, 4.5, 2, "LOSS", False),
        ]
    )
    row = diagnostics.performance(g, DAY)
    assert row["graded_7d"] == 3 and row["picks_7d"] == 3
    assert row["hit_rate_7d"] == pytest.approx(200 / 3) and row["hit_rate_14d"] == 75.0 and row["hit_rate_30d"] == 60.0
    assert row["model_mae_7d"] == pytest.approx((1 + 2 + 0) / 3)
    assert row["line_mae_7d"] == pytest.approx((1.5 + 0.5 + 0.5) / 3)
    assert row["mean_signed_error"] == pytest.approx((-1 - 2 + 0) / 3) and row["bias_direction"] == "under"
    assert row["model_beats_line_pct"] == pytest.approx(200 / 3)
    assert row["model_mae_30d"] == pytest.approx((1 + 2 + 0 + 0 + 3) / 5)


def test_sharpness_score_and_status():
    assert diagnostics.sharpness(4.8, 5.0) == (pytest.approx(100 * 0.04 / 0.15), "normal")
    assert diagnostics.sharpness(4.5, 5.0)[1] == "sharp"
    assert diagnostics.sharpness(5.0, 5.0) == (0.0, "dull")
    assert diagnostics.sharpness(4.0, 5.0) == (100.0, "razor_sharp")
    assert diagnostics.sharpness(None, 5.0) == (None, None)


def test_drift_score_weights_bias_psi_and_gap():
    row = {"line_mae_7d": 2.0, "mean_signed_error": -0.25, "mae_gap_7d": 0.5}
    score, severity = diagnostics.drift_score(row, 0.625, RULES)
    assert score == pytest.approx(0.4 * 50 + 0.3 * 50 + 0.3 * 50) and severity == "medium"
    assert diagnostics.drift_score(row, 0.2, RULES)[0] == pytest.approx(0.4 * 50 + 0.3 * 50)  # wobble: no PSI part
    assert diagnostics.drift_score({**row, "mean_signed_error": 0.0, "mae_gap_7d": -1.0}, None, RULES) == (0.0, "none")


BASE = {
    "graded_7d": 200,
    "graded_days_7d": 7,
    "model_beats_line_pct": 48.0,
    "hit_rate_7d": 53.0,
    "drift_score": 10.0,
    "drift_severity": "none",
    "coverage_pct": 100.0,
    "mae_gap_7d": 0.2,
    "sharpness_status": "normal",
    "sharpness_score": 40.0,
    "defaulted_share": 0.02,
    "line_age_hours": 2.0,
    "grading_completeness": 1.0,
    "line_mae_7d": 1.8,
    "line_mae_30d": 1.8,
    "model_mae_7d": 1.9,
    "model_mae_30d": 1.9,
}


@pytest.mark.parametrize(
    ("change", "level", "reason"),
    [
        ({}, "NONE", None),
        ({"model_beats_line_pct": 41.0, "hit_rate_7d": 49.0}, "CRITICAL", "model beat the line 41.0% < 42.0%"),
        ({"model_beats_line_pct": 41.0, "hit_rate_7d": 55.0}, "WARNING", "model beat the line 41.0% < 45.0%"),
        ({"model_beats_line_pct": 44.9}, "WARNING", "< 45.0%"),
        ({"drift_score": 40.0, "drift_severity": "medium"}, "WARNING", "drift score 40 >= 40"),
        ({"coverage_pct": 95.0}, "WARNING", "coverage 95.0% < 100%"),
        ({"model_beats_line_pct": 30.0, "hit_rate_7d": 30.0, "graded_7d": 29}, "NONE", None),  # too small to judge
        ({"model_beats_line_pct": 30.0, "hit_rate_7d": 30.0, "graded_days_7d": 2}, "NONE", None),  # too few days
    ],
)
def test_alert_levels(change, level, reason):
    got, reasons = diagnostics.alert_level({**BASE, **change}, [], RULES, None)
    assert got == level
    assert reason is None or any(reason in r for r in reasons)


def test_mae_gap_on_five_of_the_last_seven_days():
    row = {**BASE, "mae_gap_7d": 1.2}
    assert diagnostics.alert_level(dict(row), [1.1, 1.3, 0.5, 1.5, None, 0.2], RULES, None)[0] == "NONE"  # 4 of 7
    level, reasons = diagnostics.alert_level(dict(row), [1.1, 1.3, 1.4, 1.5, None, 0.2], RULES, None)
    assert level == "WARNING" and "on 5 of the last 7 days" in reasons[0]


def test_info_when_the_hit_rate_crosses_break_even_or_the_line_changes_character():
    level, reasons = diagnostics.alert_level(dict(BASE), [], RULES, {"hit_rate_7d": 51.0, "sharpness_status": "dull"})
    assert level == "INFO"
    assert reasons == ["7-day hit rate moved above break-even: 51.0% -> 53.0%", "line sharpness dull -> normal"]


@pytest.mark.parametrize(
    ("change", "cause"),
    [
        ({}, "none"),
        ({"coverage_pct": 66.7}, "data_quality"),
        ({"defaulted_share": 0.4}, "data_quality"),
        ({"drift_score": 75.0, "model_mae_7d": 2.3}, "model_drift"),
        ({"line_mae_7d": 1.65, "sharpness_score": 80.0}, "line_sharpness"),
    ],
)
def test_root_cause(change, cause):
    got, confidence, factors = diagnostics.root_cause({**BASE, **change}, RULES)
    assert got == cause and 0 <= confidence <= 1
    assert set(factors["scores"]) == {"data_quality", "model_drift", "line_sharpness"}
