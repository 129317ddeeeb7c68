import numpy as np
import pandas as pd
import pytest

from shared.domain.features import build, kinds, spec

D = pd.Timestamp("2026-03-01")


def frame(values: list[float], entity: str = "a", opponent: str = "X") -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame(
        {
            "entity_id": [entity] * n,
            "game_date": [D + pd.Timedelta(days=3 * i) for i in range(n)],
            "actual": values,
            "workload": [10.0] * n,
            "opponent": [opponent] * n,
            "home": [True] * n,
            "is_target": [False] * n,
        }
    )


def test_windows_use_only_earlier_games():
    f = frame([10, 20, 30, 40])
    assert kinds.rolling_mean(f, "actual", 2).tolist()[1:] == [10, 15, 25]
    assert np.isnan(kinds.rolling_mean(f, "actual", 2).iloc[0])
    assert kinds.expanding_mean(f, "actual").tolist()[1:] == [10, 15, 20]
    assert kinds.rolling_rate(f, "actual", "workload", 2).tolist()[1:] == [1.0, 1.5, 2.5]
    assert kinds.game_count(f).tolist() == [0, 1, 2, 3]
    assert kinds.rest_days(f, cap=10).tolist()[1:] == [3, 3, 3]


def test_windows_restart_for_each_entity():
    f = pd.concat([frame([10, 20]), frame([100, 200], entity="b")], ignore_index=True)
    means = kinds.rolling_mean(f, "actual", 5)
    assert means[1] == 10 and np.isnan(means[2]) and means[3] == 100  # b's first game sees nothing of a


def test_opponent_allowed_is_relative_to_the_league_over_the_window():
    x = frame([10, 10, 10], entity="a", opponent="X")
    y = frame([30, 30, 30], entity="b", opponent="Y")
    f = pd.concat([x, y], ignore_index=True).sort_values(["entity_id", "game_date"]).reset_index(drop=True)
    ratio = kinds.opponent_allowed(f, "actual", window_days=30, min_games=2)
    # On the third date, X allowed 10 a game and the league 20: 0.5; Y 1.5. Too few games before that.
    assert ratio.tolist()[2] == pytest.approx(0.5) and ratio.tolist()[5] == pytest.approx(1.5)
    assert np.isnan(ratio.tolist()[1])


def test_quality_and_defaults_mark_missing_history():
    market_spec = spec.load("mlb_strikeouts")
    out = build.compute(market_spec, frame([5, 6, 7, 8, 9]).assign(team="T"))
    # No history: everything defaults but the game count and home, which are known.
    assert set(out["defaulted"].iloc[0]) == set(market_spec.names()) - {"games_played", "is_home"}
    assert out["k_l3"].iloc[0] == 4.8  # the spec's default
    assert out["quality_score"].iloc[0] == 0  # and no history: depth 0
    # Four starts of history (= min_history): no box-score details, no line, too few opponent games here.
    missing = {
        "pitches_l3",
        "pitches_l5",
        "pitches_per_bf_l5",
        "walks_per_bf_l5",
        "outs_l5",
        "pitches_ewm",
        "opp_k_ratio",
        "opp_k_rate_ratio",
        "opp_k_ratio_long",
        "current_line",
        "line_move",
        "implied_over",
        "line_minus_l5",
        "line_minus_ewm",
        "line_minus_season",
    }
    assert set(out["defaulted"].iloc[4]) == missing
    assert out["quality_score"].iloc[4] == round(100 * (35 - 15) / 35)
    assert out["k_l3"].iloc[4] == pytest.approx(7.0)


def test_unknown_feature_kind_is_refused(tmp_path, monkeypatch):
    (tmp_path / "x_market.yaml").write_text(
        "market: x_market\nhistory_days: 1\nmin_history: 1\nfeatures:\n  - {name: f, kind: magic, default: 0}\n"
    )
    monkeypatch.setattr(spec, "SPECS_DIR", tmp_path)
    with pytest.raises(ValueError, match="unknown kind 'magic'"):
        spec.load.__wrapped__("x_market")
