"""Fault scenarios: diagnostics name the right cause and raise an alert.

Each scenario trains on 30 days of a synthetic league, then replays 6 days with
the fault from the first replayed day, and reads the last day's diagnostics.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from shared import demo, runtime

pytestmark = pytest.mark.pipeline
DAYS = 6


@pytest.fixture(scope="module")
def diagnosed(tmp_path_factory):
    """scenario -> the last replayed day's diagnostics rows."""
    results = {}

    def run(scenario: str | None):
        if scenario not in results:
            home = tmp_path_factory.mktemp(scenario or "healthy")
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("PROPFLOW_HOME", str(home))
                ctx = runtime.context()
                demo.run(ctx, days=DAYS, history_days=30, seed=3, retrain_every=0, scenario=scenario)
                last = demo.DEFAULT_START + dt.timedelta(days=30 + DAYS - 1)
                results[scenario] = ctx.warehouse.sql(
                    "SELECT * FROM propflow.diagnostics_daily WHERE game_date = @d", d=last
                ).set_index(["market", "system_id"])
                runtime.reset()
        return results[scenario]

    return run


def test_a_stale_model_under_scoring_drift_is_model_drift(diagnosed):
    rows = diagnosed("scoring_drift")
    stale = rows.loc[("nba_points", "xgb_core")]  # history features only: it falls behind
    assert stale["primary_cause"] == "model_drift" and stale["bias_direction"] == "under"
    assert stale["alert_level"] in ("WARNING", "CRITICAL") and stale["drift_score"] >= 40
    # The system that reads the line, which follows the truth, drifts far less.
    aware = rows.loc[("nba_points", "cat_rolling")]
    assert abs(aware["mean_signed_error"]) < abs(stale["mean_signed_error"]) / 2


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


def test_a_sharper_book_raises_the_sharpness_score(diagnosed):
    healthy, sharp = diagnosed(None), diagnosed("book_sharpens")
    market = ("nba_points", "xgb_core")
    assert sharp.loc[market, "line_mae_7d"] < healthy.loc[market, "line_mae_7d"]
    assert sharp.loc[market, "sharpness_score"] > healthy.loc[market, "sharpness_score"]
    assert sharp.loc[market, "model_beats_line_pct"] < healthy.loc[market, "model_beats_line_pct"]
