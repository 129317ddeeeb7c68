"""Fault scenarios: diagnostics name the right cause and raise an alert.

Each scenario trains on 30 days of a synthetic league, then replays 6 days with
the fault from the first replayed day, and reads the last day's diagnostics.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from shared import runtime
from shared.ops import demo

pytestmark = pytest.mark.pipeline
DAYS = 6


@pytest.fixture(scope="module")
def diagnosed(tmp_path_factory):
    """scenario -> the last replayed day's diagnostics rows (every_day=True: all replayed days')."""
    results = {}

    def run(scenario: str | None, every_day: bool = False):
        if scenario not in results:
            home = tmp_path_factory.mktemp(scenario or "healthy")
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("PROPFLOW_HOME", str(home))
                ctx = runtime.context()
                demo.run(ctx, days=DAYS, history_days=30, seed=3, retrain_every=0, scenario=scenario)
                last = demo.DEFAULT_START + dt.timedelta(days=30 + DAYS - 1)
                results[scenario] = ctx.warehouse.sql("SELECT * FROM propflow.diagnostics_daily")
                results[scenario]["last"] = pd.to_datetime(results[scenario]["game_date"]).dt.date == last
                runtime.reset()
        rows = results[scenario]
        return (rows if every_day else rows[rows["last"]]).set_index(["market", "system_id"])

    return run


def test_a_stale_model_under_scoring_drift_is_model_drift(diagnosed):
    rows = diagnosed("scoring_drift")
    stale = rows.loc[("nba_points", "xgb_core")]  # history features only: it falls behind
    assert stale["primary_cause"] == "model_drift" and stale["bias_direction"] == "under"
    assert stale["alert_level"] in ("WARNING", "CRITICAL") and stale["drift_score"] >= 40
    # The system that reads the line, which follows the truth, drifts far less.
    aware = rows.loc[("nba_points", "cat_rolling")]
    assert abs(aware["mean_signed_error"]) < abs(stale["mean_signed_error"])
    # The naive baseline is biased too, so the line's edge over it is not read as a sharper book.
    assert rows.loc[("mlb_strikeouts", "xgb_core"), "primary_cause"] == "model_drift"


def test_a_feature_gone_missing_is_data_quality_and_named(diagnosed):
    rows = diagnosed("feature_missing")
    row = rows.loc[("nba_points", "cat_rolling")]  # the system whose features include the price
    assert row["primary_cause"] == "data_quality" and row["alert_level"] == "WARNING"
    assert "implied_over" in json.loads(row["factors_json"])["missing_features"]
    assert rows.loc[("nba_points", "xgb_core"), "primary_cause"] != "data_quality"  # it never used prices


def test_a_system_down_is_data_quality_through_coverage(diagnosed):
    rows = diagnosed("system_down")
    for market in ("nba_points", "mlb_strikeouts"):
        row = rows.loc[(market, "cat_rolling")]
        assert row["coverage_pct"] == 0.0 and row["primary_cause"] == "data_quality" and row["alert_level"] == "WARNING"
        assert rows.loc[(market, "xgb_core"), "coverage_pct"] == 100.0


def test_a_sharper_book_is_line_sharpness(diagnosed):
    healthy, sharp = diagnosed(None), diagnosed("book_sharpens")
    market = ("nba_points", "xgb_core")
    assert sharp.loc[market, "line_mae_7d"] < healthy.loc[market, "line_mae_7d"]
    assert sharp.loc[market, "sharpness_score"] > healthy.loc[market, "sharpness_score"]
    assert sharp.loc[market, "model_beats_line_pct"] < healthy.loc[market, "model_beats_line_pct"]
    # The line pulled ahead of the naive baseline since training, while the model did not get worse.
    row = sharp.loc[market]
    assert row["primary_cause"] == "line_sharpness" and row["alert_level"] in ("WARNING", "CRITICAL")
    assert json.loads(row["factors_json"])["line_edge_gain"] > 0.03
    assert json.loads(healthy.loc[market, "factors_json"])["line_edge_gain"] < 0.02


def test_the_healthy_league_raises_no_warning(diagnosed):
    assert set(diagnosed(None, every_day=True)["alert_level"]) <= {"NONE", "INFO"}
    rows = diagnosed(None)
    assert set(rows["primary_cause"]) == {"none"}
    # Every system was diagnosed on a full sample, so quiet means healthy, not too small to judge.
    assert (rows.loc[(slice(None), ["xgb_core", "cat_rolling"]), "graded_7d"] >= 30).all()
