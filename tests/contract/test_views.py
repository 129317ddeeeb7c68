"""The comparison views' numbers on a small hand-checked fixture."""

from __future__ import annotations

import datetime as dt
import math

import pytest

D1, D2 = dt.date(2026, 2, 1), dt.date(2026, 2, 2)


def grade(system, entity, day, *, result, actual, mean, line, p_over, went_over, market_p_over=None, profit=None):
    return {"run_id": "live", "market": "nba_points", "game_date": day, "game_id": f"g{entity}", "system_id": system,
            "entity_id": entity, "line": line, "mean": mean, "p_over": p_over, "p_push": 0.0, "actual": actual,
            "abs_error": abs(mean - actual), "line_abs_error": abs(line - actual), "beat_line": abs(mean - actual) <
            abs(line - actual), "result": result, "went_over": went_over, "market_p_over": market_p_over,
            "profit_units": profit}  # fmt: skip


@pytest.fixture
def graded(backend):
    rows = [
        grade("a", "1", D1, result="WIN", actual=25, mean=24, line=20.5, p_over=0.72, went_over=True,
              market_p_over=0.5, profit=100 / 110),
        grade("a", "2", D1, result="LOSS", actual=10, mean=14, line=12.5, p_over=0.61, went_over=False,
              market_p_over=0.55, profit=-1.0),
        grade("a", "3", D2, result=None, actual=8, mean=7.5, line=7.5, p_over=0.49, went_over=True),
        grade("b", "1", D1, result="WIN", actual=25, mean=22, line=20.5, p_over=0.64, went_over=True,
              market_p_over=0.5, profit=100 / 110),
        grade("b", "2", D1, result=None, actual=10, mean=12, line=12.5, p_over=0.46, went_over=False,
              market_p_over=0.55),
    ]  # fmt: skip
    backend.warehouse.upsert("grades", rows)
    return backend.warehouse


def test_system_performance(graded):
    perf = graded.sql("SELECT * FROM propflow.system_performance ORDER BY system_id").set_index("system_id")
    assert perf.loc["a", "picks"] == 2 and perf.loc["a", "hit_rate"] == pytest.approx(0.5)
    assert perf.loc["a", "mae"] == pytest.approx((1 + 4 + 0.5) / 3)
    assert perf.loc["a", "line_mae"] == pytest.approx((4.5 + 2.5 + 0.5) / 3)
    assert perf.loc["a", "roi"] == pytest.approx((100 / 110 - 1) / 2)
    assert perf.loc["b", "picks"] == 1 and perf.loc["b", "hit_rate"] == 1.0


def test_model_head_to_head_uses_only_shared_entity_games(graded):
    h2h = graded.sql("SELECT * FROM propflow.model_head_to_head").iloc[0]
    assert (h2h["system_a"], h2h["system_b"], h2h["games"]) == ("a", "b", 2)
    assert h2h["mae_a"] == pytest.approx((1 + 4) / 2) and h2h["mae_b"] == pytest.approx((3 + 2) / 2)
    assert h2h["a_closer_rate"] == pytest.approx(0.5) and h2h["b_closer_rate"] == pytest.approx(0.5)


def test_calibration_buckets(graded):
    cal = graded.sql("SELECT * FROM propflow.calibration WHERE system_id = 'a' ORDER BY bucket_low")
    assert cal["bucket_low"].tolist() == pytest.approx([0.45, 0.60, 0.70])
    assert cal["n"].tolist() == [1, 1, 1] and cal["over_rate"].tolist() == [1.0, 0.0, 1.0]
    assert cal["bucket_high"].tolist() == pytest.approx([0.5, 0.65, 0.75])


def test_brier_and_log_loss_next_to_the_market(graded):
    scores = graded.sql("SELECT * FROM propflow.probability_scores WHERE system_id = 'a'").iloc[0]
    assert scores["n"] == 3 and scores["n_priced"] == 2
    assert scores["brier"] == pytest.approx(((0.72 - 1) ** 2 + 0.61**2 + (0.49 - 1) ** 2) / 3)
    assert scores["brier_priced"] == pytest.approx(((0.72 - 1) ** 2 + 0.61**2) / 2)
    assert scores["market_brier"] == pytest.approx(((0.5 - 1) ** 2 + 0.55**2) / 2)
    expected = -(math.log(0.72) + math.log(1 - 0.61) + math.log(0.49)) / 3
    assert scores["log_loss"] == pytest.approx(expected)
    assert scores["market_log_loss"] == pytest.approx(-(math.log(0.5) + math.log(0.45)) / 2)


def test_daily_performance_by_model_and_day(graded):
    daily = graded.sql("SELECT * FROM propflow.model_daily_performance WHERE system_id = 'a' ORDER BY game_date")
    assert daily[["graded", "picks", "wins", "losses"]].astype(int).values.tolist() == [[2, 2, 1, 1], [1, 0, 0, 0]]
    assert daily["hit_rate"].iloc[0] == 0.5 and daily["hit_rate"].isna().iloc[1]  # no decided pick on day 2
