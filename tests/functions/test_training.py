"""Walk-forward training on the seeded league with tiny real models of every framework."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from shared import runtime
from shared.systems import experiments, loader, registry, training

MARKET = "nba_points"
TINY = {
    "xgboost": {"n_estimators": 3, "max_depth": 2},
    "catboost": {"iterations": 3, "depth": 2},
    "lightgbm": {"n_estimators": 3, "num_leaves": 4},
    "baseline": {},
}


@pytest.mark.parametrize("framework", ["xgboost", "catboost", "lightgbm", "baseline"])
def test_every_framework_trains_registers_and_predicts(seeded, framework):
    ctx = runtime.context()
    train_end = seeded.first_live - dt.timedelta(days=10)
    system = "baseline_l10" if framework == "baseline" else "xgb_core"
    config = training.TrainConfig.for_system(
        MARKET, system, train_end, framework=framework, params=TINY[framework], validation_days=9
    )
    result = training.train(ctx, config, registered_by="tests")
    record = result.record
    assert record.framework == framework and record.version.startswith(f"{train_end:%Y%m%d}-")
    model = loader.load(record, registry.fetch(ctx, record))
    data = training.training_data(ctx, MARKET, seeded.first_live)
    predicted = model.predict_mean(data[list(record.features)].head(50))
    assert np.isfinite(predicted).all() and (predicted >= 0).all()
    validation = result.metrics["validation"]
    assert validation["rows"] > 100 and validation["line_rows"] == validation["rows"]
    assert 2.0 < validation["mae"] < 8.0 and 2.0 < validation["line_mae"] < 8.0
    # Same data and params, same bytes, same version: a retried training finds its files already written.
    assert training.train(ctx, config, registered_by="tests").record.version == record.version


def test_fits_only_dates_up_to_train_end_and_reports_the_next_window(seeded):
    ctx = runtime.context()
    data = training.training_data(ctx, MARKET, seeded.first_live)
    train_end = seeded.first_live - dt.timedelta(days=10)
    usable = data[data["history_games"] >= training.MIN_HISTORY_GAMES]
    dates = usable["game_date"].dt.date
    config = training.TrainConfig.for_system(
        MARKET, "xgb_core", train_end, params=TINY["xgboost"], validation_days=5, calibration_days=7
    )
    metrics = training.train(ctx, config, frame=data).metrics
    assert metrics["train"]["rows"] == int((dates <= train_end).sum())
    in_validation = (dates > train_end) & (dates <= train_end + dt.timedelta(days=5))
    assert metrics["validation"]["rows"] == int(in_validation.sum())
    assert metrics["calibration"]["source"] == "out-of-sample"
    assert metrics["train_validation_gap"] == pytest.approx(metrics["validation"]["mae"] - metrics["train"]["mae"])


def test_recency_weights_halve_every_half_life():
    dates = pd.Series(pd.to_datetime(["2026-03-01", "2026-02-19", "2026-02-09"]))
    weights = training.recency_weights(dates, dt.date(2026, 3, 1), 10)
    assert weights == pytest.approx([1.0, 0.5, 0.25])
    assert training.recency_weights(dates, dt.date(2026, 3, 1), None) is None


def test_evaluate_compares_with_the_line_on_the_same_rows():
    rows = pd.DataFrame({"actual": [10.0, 20.0, 30.0], "line": [12.0, np.nan, 27.0], "closing_line": [11, 21, 29]})
    metrics = training.evaluate(rows, np.array([11.0, 23.0, 30.0]), scale=2.0)
    assert metrics["mae"] == pytest.approx(4 / 3) and metrics["within_1"] == pytest.approx(2 / 3)
    assert metrics["line_rows"] == 2 and metrics["line_mae"] == pytest.approx(2.5)
    assert metrics["model_mae_on_line_rows"] == pytest.approx(0.5)
    assert metrics["closing_line_mae"] == pytest.approx(1.0)


def test_an_experiment_runs_from_yaml_and_can_be_promoted(seeded, tmp_path):
    ctx = runtime.context()
    config = tmp_path / "exp.yaml"
    config.write_text(
        f"name: shallow xgb\nhypothesis: depth 2 is enough\nmarket: {MARKET}\nsystem: xgb_core\n"
        f"train: {{end: {seeded.first_live - dt.timedelta(days=6)}}}\neval: {{days: 5}}\n"
        "model: {params: {n_estimators: 3, max_depth: 2}}\nrecency_half_life_days: 60\ntags: [tiny]\n"
    )
    experiment_id = experiments.run(ctx, config, run_by="tests")
    row = experiments.listing(ctx, MARKET).set_index("experiment_id").loc[experiment_id]
    assert row["status"] == "completed" and row["validation_mae"] > 0 and row["model_version"]
    stored = ctx.warehouse.sql("SELECT * FROM propflow.experiments WHERE experiment_id = @i", i=experiment_id).iloc[0]
    assert stored["hypothesis"] == "depth 2 is enough" and list(stored["tags"]) == ["tiny"]
    assert experiments.best(ctx, MARKET)["experiment_id"] == experiment_id
    assert experiments.promote(ctx, experiment_id) == row["model_version"]
    assert registry.resolve(ctx, MARKET, "xgb_core").version == row["model_version"]
    assert experiments.listing(ctx, MARKET).set_index("experiment_id").loc[experiment_id, "status"] == "promoted"


def test_a_failing_experiment_is_recorded_as_failed(seeded, tmp_path):
    ctx = runtime.context()
    config = tmp_path / "early.yaml"
    config.write_text(f"name: too early\nmarket: {MARKET}\nsystem: xgb_core\ntrain: {{end: 2001-01-01}}\n")
    with pytest.raises(ValueError, match="only 0 rows"):
        experiments.run(ctx, config)
    row = experiments.listing(ctx, MARKET).iloc[0]
    assert row["status"] == "failed"
    error = ctx.warehouse.sql("SELECT error FROM propflow.experiments WHERE status = 'failed'")["error"].iloc[0]
    assert "only 0 rows up to 2001-01-01" in error


def test_a_bad_config_fails_before_anything_is_written(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("name: x\nmarket: nba_points\nsystem: xgb_core\ntrain: {}\nsurprise: 1\n")
    with pytest.raises(ValueError, match="unknown keys \\['surprise'\\]"):
        experiments.load_config(config)


def test_walkforward_months_and_same_row_comparison(seeded):
    from shared.systems import walkforward

    assert walkforward.periods(dt.date(2025, 6, 15), dt.date(2025, 8, 3)) == [
        (dt.date(2025, 6, 15), dt.date(2025, 6, 30)),
        (dt.date(2025, 7, 1), dt.date(2025, 7, 31)),
        (dt.date(2025, 8, 1), dt.date(2025, 8, 3)),
    ]
    ctx = runtime.context()
    start, end = seeded.first_live - dt.timedelta(days=6), seeded.first_live - dt.timedelta(days=1)
    results = walkforward.run(ctx, MARKET, start, end, ("baseline_l10",))
    data = training.training_data(ctx, MARKET, end)
    scored = data[(data["game_date"].dt.date >= start) & (data["history_games"] >= training.MIN_HISTORY_GAMES)]
    assert results["rows"].sum() == len(scored)
    assert results["closing_rows"].sum() == scored["closing_line"].notna().sum()
    expected = (scored["pts_l10"] - scored["actual"]).abs().mean()  # the baseline's mean is its feature
    summary = walkforward.summary(results).iloc[0]
    assert summary["model_mae"] == pytest.approx(expected)
    assert summary["closing_line_mae"] == pytest.approx((scored["closing_line"] - scored["actual"]).abs().mean())
