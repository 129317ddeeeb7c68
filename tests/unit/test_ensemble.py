import datetime as dt
import json

import pandas as pd
import pytest

from shared.contract import markets
from shared.handlers import ensemble

MARKET = markets.market("mlb_strikeouts")  # bonus below 1.0, penalty above 2.0
ACTIVE = ("baseline_l10", "xgb_core")  # weights 0.5 and 1.0 in markets.yaml


def rows(*systems: tuple[str, str, float | None, float], entity: str = "p1") -> pd.DataFrame:
    """(system_id, status, mean, confidence) -> prediction rows for one entity on a 5.5 line."""
    return pd.DataFrame(
        [
            {
                "market": "mlb_strikeouts",
                "game_date": dt.date(2026, 4, 1),
                "game_id": "g",
                "entity_id": entity,
                "entity_name": "P",
                "line": 5.5,
                "over_price": -110,
                "under_price": -110,
                "quality_score": 100,
                "system_id": s,
                "status": status,
                "mean": mean,
                "p_over": 0.6,
                "p_push": 0.0,
                "confidence": conf,
                "red_flags": [],
                "skip_reason": None if status == "scored" else "model missing",
                "model_version": "v1",
            }
            for s, status, mean, conf in systems
        ]
    )


def one(frame: pd.DataFrame) -> pd.Series:
    out = ensemble.combine(frame, MARKET, ACTIVE)
    assert len(out) == 1
    return out.iloc[0]


@pytest.mark.parametrize(
    ("spread", "factor"),
    [(0.0, 1.10), (0.99, 1.10), (1.0, 1.0), (1.5, 1.0), (2.0, 1.0), (2.01, 0.85), (4.0, 0.85)],
)
def test_agreement_bonus_and_penalty_edges(spread: float, factor: float):
    row = one(rows(("baseline_l10", "scored", 6.0, 60.0), ("xgb_core", "scored", 6.0 + spread, 60.0)))
    assert row["confidence"] == pytest.approx(60.0 * factor)
    assert json.loads(row["components_json"])["confidence_factor"] == factor


def test_weighted_mean_with_weights_renormalised():
    row = one(rows(("baseline_l10", "scored", 6.0, 70.0), ("xgb_core", "scored", 7.5, 40.0)))
    assert row["mean"] == pytest.approx((0.5 * 6.0 + 1.0 * 7.5) / 1.5) and row["edge"] == pytest.approx(1.5)
    assert row["confidence"] == pytest.approx((0.5 * 70 + 1.0 * 40) / 1.5)  # spread 1.5: no bonus, no penalty
    shares = json.loads(row["components_json"])["systems"]
    assert shares["baseline_l10"]["weight"] == pytest.approx(1 / 3, abs=1e-4)
    assert shares["xgb_core"]["weight"] == pytest.approx(2 / 3, abs=1e-4)


def test_one_system_skipped_uses_the_other_at_reduced_confidence():
    row = one(rows(("baseline_l10", "skipped", None, None), ("xgb_core", "scored", 7.0, 80.0)))
    assert row["status"] == "scored" and row["mean"] == pytest.approx(7.0)
    assert row["confidence"] == pytest.approx(80.0 * 0.8)


def test_all_skipped_skips_with_every_reason():
    row = one(rows(("baseline_l10", "skipped", None, None), ("xgb_core", "skipped", None, None)))
    assert row["status"] == "skipped" and row["recommendation"] == "PASS"
    assert row["skip_reason"] == "all systems skipped; baseline_l10: model missing; xgb_core: model missing"


def test_confidence_is_capped_at_100_and_picks_follow_the_rules():
    row = one(rows(("baseline_l10", "scored", 7.0, 95.0), ("xgb_core", "scored", 7.2, 99.0)))
    assert row["confidence"] == 100.0
    assert row["recommendation"] == "OVER"


def test_inactive_systems_are_ignored():
    frame = pd.concat([rows(("baseline_l10", "scored", 6.0, 60.0)), rows(("other", "scored", 20.0, 90.0))])
    row = ensemble.combine(frame, MARKET, ("baseline_l10",)).iloc[0]
    assert row["mean"] == pytest.approx(6.0) and row["confidence"] == pytest.approx(60.0)


def test_adaptive_weights_follow_inverse_recent_mae_with_floor_and_minimum_sample():
    import dataclasses

    market = dataclasses.replace(
        MARKET, adaptive_weights=markets.AdaptiveWeights(enabled=True, days=14, min_graded=50, floor=0.05)
    )
    active = ("baseline_l10", "xgb_core", "cat_rolling")  # configured 0.5, 1.0, 1.0
    recent = pd.DataFrame(
        {"system_id": ["baseline_l10", "xgb_core", "cat_rolling"], "graded": [200, 200, 10], "mae": [2.0, 1.0, 0.1]}
    )
    weights, how = ensemble.adaptive_weights(market, active, recent)
    assert how == "adaptive"
    # cat_rolling has too few graded rows: it keeps its configured share (1.0 / 2.5 = 0.4).
    assert weights["cat_rolling"] == pytest.approx(0.4)
    # The other two share their 0.6 in proportion to share / MAE: 0.2/2 : 0.4/1 = 1 : 4.
    assert weights["baseline_l10"] == pytest.approx(0.12) and weights["xgb_core"] == pytest.approx(0.48)
    floored, _ = ensemble.adaptive_weights(
        dataclasses.replace(market, adaptive_weights=markets.AdaptiveWeights(enabled=True, min_graded=50, floor=0.2)),
        active,
        recent,
    )
    assert floored["baseline_l10"] == 0.2
    assert ensemble.adaptive_weights(MARKET, active, recent) == (
        {"baseline_l10": 0.5, "xgb_core": 1.0, "cat_rolling": 1.0},
        "configured",
    )


def test_the_weighting_is_recorded_on_each_row():
    frame = rows(("baseline_l10", "scored", 6.0, 60.0), ("xgb_core", "scored", 8.0, 60.0))
    row = ensemble.combine(frame, MARKET, ACTIVE, {"baseline_l10": 0.25, "xgb_core": 0.75}, "adaptive").iloc[0]
    assert row["mean"] == pytest.approx(7.5)
    assert json.loads(row["components_json"])["weighting"] == "adaptive"
