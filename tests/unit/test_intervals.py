"""Day-block bootstrap intervals of the headline metrics, checked against numbers computed here."""

from __future__ import annotations

import datetime as dt
import json
import math
import time

import numpy as np
import pandas as pd
import pytest

from shared.domain import intervals, metrics
from shared.domain.grading import profit_units

START = dt.date(2025, 6, 1)
METRIC_NAMES = [m.name for m in intervals.METRICS]


def _grades(days: int, per_day: int, hit: float, seed: int = 1, price: int = -110) -> pd.DataFrame:
    """Grade rows of one system: picks that win with probability `hit` at `price`, a few pushes, voids and
    passes, a correlated day effect (a day's picks win or lose together more than chance says), and errors,
    probabilities and closing line values with gaps here and there."""
    rng = np.random.default_rng(seed)
    n = days * per_day
    day = np.repeat(np.arange(days), per_day)
    swing = rng.normal(0, 0.1, days)[day]
    result = np.where(rng.random(n) < np.clip(hit + swing, 0, 1), "WIN", "LOSS").astype(object)
    u = rng.random(n)
    result[u < 0.03] = "PUSH"
    result[(u >= 0.03) & (u < 0.06)] = "VOID"
    result[(u >= 0.06) & (u < 0.25)] = None  # PASS
    abs_error = np.abs(rng.normal(0, 2, n))
    abs_error[u >= 0.97] = np.nan  # a skipped system: no mean
    went_over = pd.Series(rng.random(n) < 0.5, dtype="boolean")
    went_over[result == "PUSH"] = pd.NA
    return pd.DataFrame(
        {
            "system_id": "s",
            "game_date": [START + dt.timedelta(days=int(d)) for d in day],
            "result": result,
            "price": np.where(pd.isna(result), np.nan, price),
            "profit_units": [profit_units(r, price) for r in result],
            "abs_error": abs_error,
            "line_abs_error": np.abs(rng.normal(0, 2, n)),
            "p_over": rng.uniform(0.3, 0.7, n),
            "p_push": np.where(rng.random(n) < 0.5, 0.05, np.nan),
            "went_over": went_over,
            "market_p_over": np.where(rng.random(n) < 0.8, rng.uniform(0.3, 0.7, n), np.nan),
            "clv_prob": np.where(rng.random(n) < 0.6, rng.normal(0.01, 0.03, n), np.nan),
            "clv_line": rng.choice([-0.5, 0.0, 0.0, 0.5], n),
        }
    )


def _slow(rows: pd.DataFrame) -> dict[str, float]:
    """Each metric written out plainly over the rows, the way a reader would compute it."""
    pick = rows["result"].isin(["WIN", "LOSS", "PUSH"])
    wins, losses = (rows["result"] == "WIN").sum(), (rows["result"] == "LOSS").sum()
    paired = rows[rows["abs_error"].notna() & rows["line_abs_error"].notna()]
    scored = rows[rows["went_over"].notna() & rows["market_p_over"].notna() & rows["p_over"].notna()]
    y = scored["went_over"].astype(float)
    p = scored["p_over"] / (1 - scored["p_push"].fillna(0))
    return {
        "hit_rate": wins / (wins + losses),
        "roi": rows.loc[pick, "profit_units"].sum() / pick.sum(),
        "clv_prob": rows.loc[pick, "clv_prob"].dropna().mean(),
        "clv_line": rows.loc[pick, "clv_line"].dropna().mean(),
        "mae_minus_line": metrics.mae(paired) - metrics.line_mae(paired),
        "brier_minus_market": ((p - y) ** 2).mean() - ((scored["market_p_over"] - y) ** 2).mean(),
    }


def _by_name(found: list[intervals.Interval]) -> dict[str, intervals.Interval]:
    return {i.metric: i for i in found}


def test_estimates_are_the_metrics_and_the_interval_is_a_slow_day_resampling_loop():
    grades = _grades(days=12, per_day=9, hit=0.55)
    found = _by_name(intervals.day_bootstrap(grades, resamples=200, seed=7))
    for name, value in _slow(grades).items():
        assert found[name].estimate == pytest.approx(value), name
    assert found["hit_rate"].estimate == pytest.approx(metrics.hit_rate(grades))
    # The same draws, resampled the slow way: concatenate the drawn days, compute each metric plainly.
    days = sorted(grades["game_date"].unique())
    by_day = {d: grades[grades["game_date"] == d] for d in days}
    draws = intervals.resampled_days(len(days), 200, 7)
    slow = pd.DataFrame([_slow(pd.concat([by_day[days[i]] for i in draw])) for draw in draws])
    for name in METRIC_NAMES:
        low, high = np.percentile(slow[name], [2.5, 97.5])
        assert (found[name].low, found[name].high) == (pytest.approx(low), pytest.approx(high)), name
        assert found[name].days == 12
    assert found["roi"].n == metrics.picks(grades)
    assert found["hit_rate"].n == grades["result"].isin(["WIN", "LOSS"]).sum()


def test_one_row_per_day_is_a_plain_bootstrap_of_the_rows():
    grades = _grades(days=40, per_day=1, hit=0.5, seed=3)
    grades = grades[grades["result"].isin(["WIN", "LOSS"])].reset_index(drop=True)
    found = _by_name(intervals.day_bootstrap(grades, resamples=500, seed=11))
    # A plain bootstrap: draw rows with replacement (the same generator, one index a row).
    draws = np.random.default_rng(11).integers(0, len(grades), size=(500, len(grades)))
    won = (grades["result"] == "WIN").to_numpy()
    rates = won[draws].mean(axis=1)
    assert [found["hit_rate"].low, found["hit_rate"].high] == pytest.approx(list(np.percentile(rates, [2.5, 97.5])))


def test_a_constant_day_collapses_the_interval_to_the_point():
    day = pd.DataFrame(
        {
            "system_id": "s",
            "result": ["WIN", "LOSS", "LOSS", "PUSH"],
            "price": [-110, -110, -110, -110],
            "profit_units": [100 / 110, -1.0, -1.0, 0.0],
            "abs_error": [1.0, 2.0, 3.0, 4.0],
            "line_abs_error": [2.0, 2.0, 2.0, 2.0],
            "p_over": [0.6, 0.4, 0.5, 0.5],
            "p_push": [None, None, None, None],
            "went_over": [True, False, True, None],
            "market_p_over": [0.5, 0.5, 0.5, 0.5],
            "clv_prob": [0.02, None, -0.01, 0.0],
            "clv_line": [0.5, 0.0, 0.0, -0.5],
        }
    )
    grades = pd.concat([day.assign(game_date=START + dt.timedelta(days=d)) for d in range(30)], ignore_index=True)
    for found in intervals.day_bootstrap(grades, resamples=300):
        assert found.low == pytest.approx(found.estimate) and found.high == pytest.approx(found.estimate), found
    found = _by_name(intervals.day_bootstrap(grades, resamples=300))
    assert found["hit_rate"].estimate == pytest.approx(1 / 3)
    assert found["roi"].estimate == pytest.approx((100 / 110 - 2) / 4)
    assert found["mae_minus_line"].estimate == pytest.approx(0.5)
    # (0.16 + 0.16 + 0.25) / 3 for the model, 0.25 for the market, over the three decided rows.
    assert found["brier_minus_market"].estimate == pytest.approx(0.19 - 0.25)
    assert found["clv_prob"].estimate == pytest.approx(0.01 / 3)


def test_a_clear_edge_is_shown_and_a_coin_flip_at_minus_110_is_not():
    edge = _by_name(intervals.day_bootstrap(_grades(days=60, per_day=20, hit=0.65, seed=5)))
    hit = edge["hit_rate"]
    assert hit.break_even == pytest.approx(110 / 210)
    assert hit.low > hit.break_even and hit.verdict == intervals.EDGE
    assert edge["roi"].low > 0 and edge["roi"].verdict == intervals.EDGE
    assert hit.picks_needed <= hit.n  # already shown: fewer picks would have done

    flip = _by_name(intervals.day_bootstrap(_grades(days=60, per_day=20, hit=0.5, seed=6)))
    hit = flip["hit_rate"]
    assert hit.low < hit.break_even < hit.high and hit.verdict == intervals.NO_EDGE
    assert hit.estimate < hit.break_even and hit.picks_needed == math.inf  # never, at that rate
    assert flip["roi"].verdict == intervals.NO_EDGE and flip["roi"].picks_needed == math.inf
    # Lower is better for the gaps: random errors and probabilities show no edge over the line or the market.
    assert flip["mae_minus_line"].verdict == flip["brier_minus_market"].verdict == intervals.NO_EDGE


def test_picks_needed_scales_the_half_width_by_the_square_root_of_the_picks():
    # 0.56 observed over 1,000 picks, interval 0.52 .. 0.60: half-width 0.04, 0.0362 above -110's break-even.
    needed = intervals.picks_needed(1000, 0.56, 0.52, 0.60, 110 / 210, higher_is_better=True)
    assert needed == math.ceil(1000 * (0.04 / (0.56 - 110 / 210)) ** 2)
    half = 0.04 * math.sqrt(1000 / needed)  # at that many picks the interval just clears break-even
    assert 0.56 - half == pytest.approx(110 / 210, abs=1e-4)
    assert intervals.picks_needed(1000, 0.50, 0.46, 0.54, 110 / 210, higher_is_better=True) == math.inf
    assert intervals.picks_needed(500, -0.02, -0.05, 0.01, 0.0, higher_is_better=False) == math.ceil(500 * 2.25)


def test_break_even_is_that_of_the_prices_taken():
    grades = _grades(days=5, per_day=10, hit=0.5, price=-150)
    assert metrics.break_even(grades) == pytest.approx(0.6)
    mixed = pd.DataFrame({"result": ["WIN", "LOSS", "PUSH", None], "price": [-110, 120, -200, None]})
    assert metrics.break_even(mixed) == pytest.approx((110 / 210 + 100 / 220) / 2)  # decided picks only


def test_no_rows_and_no_prices_say_no_data():
    grades = _grades(days=5, per_day=10, hit=0.5).assign(market_p_over=np.nan)
    found = _by_name(intervals.day_bootstrap(grades))
    assert found["brier_minus_market"].verdict == intervals.NO_DATA and found["brier_minus_market"].low is None
    assert all(i.verdict == intervals.NO_DATA for i in intervals.day_bootstrap(grades.iloc[:0]))


def test_a_season_of_grades_resamples_well_under_a_second():
    grades = _grades(days=160, per_day=60, hit=0.52)  # ~ a season of one system's grade rows
    began = time.perf_counter()
    intervals.day_bootstrap(grades, resamples=2000)
    assert time.perf_counter() - began < 1.0


def test_as_json_holds_every_interval_with_never_said_in_words():
    grades = _grades(days=30, per_day=20, hit=0.45, seed=9)
    stored = json.loads(intervals.as_json(grades, resamples=300))
    assert list(stored) == METRIC_NAMES
    fields = ["estimate", "low", "high", "break_even", "n", "days", "verdict", "picks_needed"]
    assert all(list(values) == fields for values in stored.values())
    for found in intervals.day_bootstrap(grades, resamples=300):
        assert stored[found.metric]["low"] == found.low and stored[found.metric]["verdict"] == found.verdict
    assert stored["hit_rate"]["picks_needed"] == "never" and stored["clv_prob"]["picks_needed"] is None
    shown = intervals.shown(intervals.by_system(grades, resamples=300)).set_index("metric")["picks_needed"]
    assert shown["hit_rate"] == "never" and shown["clv_line"] == "-"
    assert intervals.shown(pd.DataFrame({"picks_needed": [1234.0]}))["picks_needed"][0] == "1,234"


def test_the_order_of_the_rows_changes_no_bit():
    grades = _grades(days=20, per_day=15, hit=0.55, seed=4)
    shuffled = grades.sample(frac=1.0, random_state=2).reset_index(drop=True)
    assert intervals.as_json(shuffled, resamples=300) == intervals.as_json(grades, resamples=300)
