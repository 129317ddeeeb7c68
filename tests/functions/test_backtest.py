"""`propflow backtest` replays history through the event chain under its own run id."""

from __future__ import annotations

import datetime as dt

import pytest

from shared import runtime
from shared.ops import backtest
from shared.systems import registry

MARKET = "mlb_strikeouts"


def test_backtest_grades_every_replayed_game_and_leaves_production_alone(seeded):
    ctx = runtime.context()
    start, end = seeded.first_live - dt.timedelta(days=8), seeded.first_live - dt.timedelta(days=1)
    champions = {s: registry.resolve(ctx, MARKET, s).version for s in ("baseline_l10", "xgb_core", "cat_rolling")}
    result = backtest.run(ctx, MARKET, start, end, run_id="bt")
    assert result.dead_letters == 0 and result.days == 8
    q = ctx.warehouse.sql
    predictions = q("SELECT COUNT(*) AS n FROM propflow.predictions WHERE run_id = 'bt'")["n"][0]
    graded = q("SELECT COUNT(*) AS n FROM propflow.grades WHERE run_id = 'bt'")["n"][0]
    assert predictions == graded > 0
    per_day = q(
        "SELECT game_date, COUNT(DISTINCT entity_id) AS n FROM propflow.predictions WHERE run_id = 'bt' GROUP BY 1"
    )
    assert len(per_day) == 8
    # Monthly retrains (the window spans two months), pinned to the run; champions untouched.
    assert {s: registry.resolve(ctx, MARKET, s).version for s in champions} == champions
    pinned = q("SELECT DISTINCT system_id, version FROM propflow.model_alias_history WHERE alias = 'run:bt'")
    assert len(pinned) == 2 * 3
    used = q("SELECT DISTINCT model_version FROM propflow.predictions WHERE run_id = 'bt' AND system_id != 'ensemble'")
    assert set(used["model_version"]) == set(pinned["version"])

    report = backtest.report(ctx, MARKET, "bt").set_index("system_id")
    assert list(report.index) == ["baseline_l10", "cat_rolling", "xgb_core", "ensemble"]
    grades = q("SELECT * FROM propflow.grades WHERE run_id = 'bt' AND system_id = 'ensemble'")
    wins, losses = (grades["result"] == "WIN").sum(), (grades["result"] == "LOSS").sum()
    assert report.loc["ensemble", "hit_rate"] == pytest.approx(wins / (wins + losses))
    assert report.loc["ensemble", "mae"] == pytest.approx(grades["abs_error"].mean())
    assert report.loc["ensemble", "priced"] > 0 and 0 < report.loc["ensemble", "market_brier"] < 0.5
    # The headline numbers' intervals: the same numbers, from the same rows, over the replayed days.
    found = backtest.headline_intervals(ctx, MARKET, "bt", resamples=300).set_index(["system_id", "metric"])
    hit = found.loc[("ensemble", "hit_rate")]
    assert hit["estimate"] == pytest.approx(wins / (wins + losses)) and hit["low"] <= hit["estimate"] <= hit["high"]
    assert hit["days"] == grades.loc[grades["result"].isin(["WIN", "LOSS"]), "game_date"].nunique()
    roi = found.loc[("ensemble", "roi")]
    assert roi["estimate"] == pytest.approx(report.loc["ensemble", "roi"])
    assert roi["n"] == report.loc["ensemble", "picks"]
    brier = found.loc[("ensemble", "brier_minus_market")]
    priced = report.loc["ensemble", "brier_priced"] - report.loc["ensemble", "market_brier"]
    assert brier["estimate"] == pytest.approx(priced) and brier["low"] <= brier["estimate"] <= brier["high"]
    # Production scored nothing here, so the production population is empty.
    assert backtest.report(ctx, MARKET, "bt", production_only=True).empty
    assert backtest.headline_intervals(ctx, MARKET, "bt", production_only=True).empty

    again = backtest.run(ctx, MARKET, start, end, run_id="bt")
    assert again.dead_letters == 0
    assert q("SELECT COUNT(*) AS n FROM propflow.grades WHERE run_id = 'bt'")["n"][0] == graded
