"""The synthetic league: deterministic, internally consistent, and priced like a real book."""

from __future__ import annotations

import datetime
import json

import numpy as np
import pandas as pd
import pytest

from shared.domain.odds import implied
from shared.sources.league import League, book, generate
from shared.sources.league.book import american_from_prob, round_line
from shared.sources.league.common import OUTCOME_COLUMNS

MARKETS = ("nba_points", "mlb_strikeouts")
PLAYED_MAE_BAND = {"nba_points": (4.0, 7.0), "mlb_strikeouts": (1.3, 2.2)}


@pytest.fixture(scope="module", params=MARKETS)
def league(request: pytest.FixtureRequest) -> League:
    return generate(request.param)


def _ends(lines: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Whether each snapshot is its entity-game's first (opening) and last (closing)."""
    at = lines.groupby(["game_id", "entity_id"])["snapshot_at"]
    return lines["snapshot_at"] == at.transform("min"), lines["snapshot_at"] == at.transform("max")


def _closing(league: League) -> pd.DataFrame:
    closing = league.lines[_ends(league.lines)[1]]
    return closing.merge(league.outcomes, on=["game_id", "entity_id"]).merge(league.truth, on=["game_id", "entity_id"])


# --- book pure functions -------------------------------------------------------------------------


@pytest.mark.parametrize(("price", "prob"), [(-110, 110 / 210), (-200, 2 / 3), (150, 0.4), (100, 0.5), (-100, 0.5)])
def test_implied_probability_of_a_price(price: int, prob: float) -> None:
    assert implied(price) == pytest.approx(prob)


@pytest.mark.parametrize(("prob", "price"), [(110 / 210, -110), (2 / 3, -200), (0.4, 150), (0.5, 100)])
def test_american_from_prob(prob: float, price: int) -> None:
    assert american_from_prob(prob) == price


def test_american_round_trip_and_vectorised() -> None:
    prices = np.array([-250, -115, -105, 100, 120, 300])
    assert np.array_equal(american_from_prob(implied(prices)), prices)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1])
def test_american_from_prob_rejects_impossible(bad: float) -> None:
    with pytest.raises(ValueError):
        american_from_prob(bad)


@pytest.mark.parametrize(
    ("value", "integer", "line"),
    [
        (22.3, False, 22.5),
        (22.9, False, 22.5),
        (23.0, False, 23.5),
        (0.1, False, 0.5),
        (22.3, True, 22.0),
        (22.6, True, 23.0),
        (0.2, True, 1.0),
    ],
)
def test_round_line(value: float, integer: bool, line: float) -> None:
    assert round_line(value, integer) == line


def test_pick_line_splits_near_half() -> None:
    # Poisson(5): P(K >= 5) = 0.56 beats P(K >= 6) = 0.38, so the line is 4.5.
    assert book.pick_line(np.array([5.0]), None)[0] == 4.5
    fair = book.fair_over_prob(np.array([20.0]), book.pick_line(np.array([20.0]), 8.0), 8.0)
    assert abs(fair[0] - 0.5) < 0.06


def test_prices_carry_the_vig() -> None:
    over, under = book.prices(np.array([0.5, 0.6]))
    # 0.5 * 1.045 = 0.5225 -> -109.4; 0.6 * 1.045 = 0.627 -> -168; 0.418 -> +139
    assert over.tolist() == [-109, -168] and under.tolist() == [-109, 139]
    total = implied(over) + implied(under)
    assert np.allclose(total, 1.045, atol=0.003)


def test_nested_noise_shrinks_to_the_close() -> None:
    noise = book.nested_noise(np.random.default_rng(0), 200_000)
    assert np.allclose(noise.std(axis=0), [s.noise for s in book.SNAPSHOTS], rtol=0.02)


# --- generate() ------------------------------------------------------------------------------------


def test_unknown_market_raises_naming_it() -> None:
    with pytest.raises(ValueError, match="nfl_yards"):
        generate("nfl_yards")


@pytest.mark.parametrize("market", MARKETS)
def test_same_seed_identical_other_seed_differs(market: str) -> None:
    a, b = generate(market, seed=3, days=10), generate(market, seed=3, days=10)
    assert a == b
    for name in ("games", "lines", "outcomes", "truth"):
        assert getattr(a, name).to_csv() == getattr(b, name).to_csv()
    c = generate(market, seed=4, days=10)
    assert not a.lines.equals(c.lines)
    assert not a.outcomes["actual"].equals(c.outcomes["actual"])


def test_markets_use_distinct_streams() -> None:
    nba, mlb = generate("nba_points", days=5), generate("mlb_strikeouts", days=5)
    assert nba.outcomes["entity_name"].iloc[0] != mlb.outcomes["entity_name"].iloc[0]


def test_days_span_and_columns(league: League) -> None:
    dates = league.games["game_date"]
    assert dates.min() == datetime.date(2026, 1, 5)
    assert dates.max() <= datetime.date(2026, 1, 5) + datetime.timedelta(days=89)
    assert all(type(d) is datetime.date for d in dates)
    assert list(league.games.columns) == ["game_id", "game_date", "home_team", "away_team"]
    assert list(league.lines.columns) == list(book.LINE_COLUMNS)
    assert list(league.outcomes.columns) == list(OUTCOME_COLUMNS)
    assert list(league.truth.columns) == ["market", "game_id", "entity_id", "true_mean"]
    assert league.games["game_id"].is_unique
    assert (league.lines["market"] == league.market).all()
    assert (league.lines["book"] == "synthbook").all() and (league.lines["source"] == "synthetic").all()


def test_ids_and_names(league: League) -> None:
    sport = league.market.split("_")[0]
    pattern = r"nba-p\d{4}" if sport == "nba" else r"mlb-sp\d{4}"
    assert league.outcomes["entity_id"].str.fullmatch(pattern).all()
    assert league.games["game_id"].str.fullmatch(rf"{sport}-\d{{8}}-[A-Z]{{3}}-[A-Z]{{3}}").all()
    teams = set(league.games["home_team"]) | set(league.games["away_team"])
    assert len(teams) == 30 and all(len(t) == 3 for t in teams)
    # One name per entity, and some exercise normalisation (accents, suffixes).
    names = league.outcomes.groupby("entity_id")["entity_name"].nunique()
    assert (names == 1).all()
    unique_names = league.outcomes.drop_duplicates("entity_id")["entity_name"]
    assert unique_names.is_unique
    assert unique_names.str.contains(r"[^\x00-\x7f]").any()
    assert unique_names.str.contains(r" (?:Jr\.|Sr\.|II|III)$").any()


def test_outcomes_match_their_games(league: League) -> None:
    joined = league.outcomes.merge(league.games, on="game_id", how="left", suffixes=("", "_game"))
    assert joined["home_team"].notna().all()
    assert (joined["game_date"] == joined["game_date_game"]).all()
    expected_team = np.where(joined["home"], joined["home_team"], joined["away_team"])
    expected_opp = np.where(joined["home"], joined["away_team"], joined["home_team"])
    assert (joined["team"] == expected_team).all() and (joined["opponent"] == expected_opp).all()
    assert not league.outcomes.duplicated(["game_id", "entity_id"]).any()
    per_side = 10 if league.market == "nba_points" else 1
    assert len(league.outcomes) == 2 * per_side * len(league.games)


def test_three_snapshots_per_entity_game(league: League) -> None:
    opening, closing = _ends(league.lines)
    per = league.lines.assign(opening=opening, closing=closing).groupby(["game_id", "entity_id"])
    per = per.agg(n=("line", "size"), opening=("opening", "sum"), closing=("closing", "sum"))
    assert (per["n"] == 3).all() and (per["opening"] == 1).all() and (per["closing"] == 1).all()
    keys = league.outcomes.set_index(["game_id", "entity_id"]).index
    assert keys.sort_values().equals(per.index.sort_values())


def test_snapshot_times(league: League) -> None:
    lines = league.lines
    midnight = pd.to_datetime(lines["game_date"].astype(str))
    offset = lines["snapshot_at"] - midnight
    assert lines["snapshot_at"].dt.tz is None
    opening, closing = _ends(lines)
    assert (offset[opening] == pd.Timedelta(hours=-2)).all()  # 22:00 the day before
    assert (offset[closing] == pd.Timedelta(hours=23, minutes=30)).all()
    midday = ~opening & ~closing
    assert (offset[midday] == pd.Timedelta(hours=15)).all()


def test_closing_is_sharpest(league: League) -> None:
    lines = league.lines.merge(league.truth, on=["game_id", "entity_id"])
    error = (lines["line"] - lines["true_mean"]).abs()
    first, last = _ends(lines)
    opening = error[first].mean()
    closing = error[last].mean()
    assert closing < 0.8 * opening


def test_line_grid(league: League) -> None:
    fraction = league.lines["line"] % 1
    assert set(fraction.unique()) <= {0.0, 0.5}
    assert (league.lines["line"] >= 0.5).all()
    integer_share = (fraction == 0).mean()
    if league.market == "mlb_strikeouts":
        assert integer_share == 0
    else:
        assert 0.10 < integer_share < 0.20


def test_prices_look_like_a_book(league: League) -> None:
    over, under = league.lines["over_price"], league.lines["under_price"]
    assert over.dtype == np.int64 and under.dtype == np.int64
    assert ((over.abs() >= 100) & (under.abs() >= 100)).all()
    assert -120 <= over.median() <= -100 and -120 <= under.median() <= -100
    overround = implied(over.to_numpy()) + implied(under.to_numpy())
    assert (overround > 1.03).all() and (overround < 1.06).all()
    assert overround.mean() == pytest.approx(1.045, abs=0.003)


def test_late_scratch_share(league: League) -> None:
    status = league.outcomes["status"]
    missing = "dnp" if league.market == "nba_points" else "scratched"
    assert set(status.unique()) == {"played", missing}
    assert 0.015 < (status == missing).mean() < 0.045


def test_unplayed_rows_are_blank(league: League) -> None:
    out = league.outcomes
    played = out["status"] == "played"
    assert (out["actual"].isna() == ~played).all()
    assert (out["workload"].isna() == ~played).all()
    assert (out["details_json"][~played] == "{}").all()
    keys = {"fga", "fta", "reb", "ast"} if league.market == "nba_points" else {"pitches", "outs", "walks"}
    details = out["details_json"][played].map(json.loads)
    assert details.map(lambda d: set(d) == keys and all(type(v) is int for v in d.values())).all()
    assert (out.loc[played, "actual"] % 1 == 0).all() and (out.loc[played, "actual"] >= 0).all()


def test_workload_ranges(league: League) -> None:
    played = league.outcomes[league.outcomes["status"] == "played"]
    if league.market == "nba_points":
        assert played["workload"].between(0, 48).all()
        assert 22 < played["workload"].mean() < 28
    else:
        assert played["workload"].between(3, 33).all()
        assert (played["actual"] <= played["workload"]).all()
        assert 21 < played["workload"].mean() < 24


def test_truth_is_the_mean(league: League) -> None:
    played = _closing(league).query("status == 'played'")
    # Averaged over thousands of games, the realised stat matches true_mean.
    gap = played["actual"].mean() - played["true_mean"].mean()
    assert abs(gap) < 0.03 * played["true_mean"].mean()


def test_closing_line_error_is_plausible(league: League) -> None:
    played = _closing(league).query("status == 'played'")
    low, high = PLAYED_MAE_BAND[league.market]
    assert low < (played["line"] - played["actual"]).abs().mean() < high


def test_mlb_rotation_is_fixed() -> None:
    out = generate("mlb_strikeouts", days=30).outcomes
    for team, starts in out.groupby("team"):
        order = starts.sort_values("game_date")["entity_id"].tolist()
        assert len(set(order)) == 5, team
        assert order[5:] == order[:-5], team  # the same five in the same order
