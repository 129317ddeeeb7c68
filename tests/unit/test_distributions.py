import numpy as np
import pytest
from scipy import stats

from shared.domain import distributions


def test_poisson_half_line_has_no_push():
    p_over, p_push = distributions.over_push(np.array([5.0]), np.array([5.5]), None)
    assert p_over[0] == pytest.approx(1 - stats.poisson(5).cdf(5))
    assert p_push[0] == 0.0


def test_integer_line_push_is_the_mass_at_the_line():
    p_over, p_push = distributions.over_push(np.array([20.0]), np.array([20.0]), 8.0)
    nb = stats.nbinom(8.0, 8.0 / 28.0)
    assert p_push[0] == pytest.approx(nb.pmf(20))
    assert p_over[0] == pytest.approx(nb.sf(20))
    assert p_over[0] + p_push[0] + nb.cdf(19) == pytest.approx(1.0)


def test_fit_size_recovers_the_dispersion():
    rng = np.random.default_rng(3)
    mean = rng.uniform(5, 25, 40_000)
    actual = rng.negative_binomial(6.0, 6.0 / (6.0 + mean))
    assert distributions.fit_size(mean, actual) == pytest.approx(6.0, rel=0.1)
    assert distributions.fit_size(mean, rng.poisson(mean) * 0 + np.round(mean)) is None  # under-dispersed


def test_psi_is_zero_for_the_same_population_and_grows_with_a_shift():
    import pandas as pd

    from shared.domain import drift

    rng = np.random.default_rng(1)
    trained = pd.DataFrame({"x": rng.normal(10, 2, 20_000), "y": rng.poisson(5, 20_000)})
    ref = drift.reference(trained)
    assert len(ref["x"]["edges"]) == 9 and sum(ref["x"]["share"]) == pytest.approx(1.0)
    same = drift.psi(ref["x"], pd.Series(rng.normal(10, 2, 5_000)))
    shifted = drift.psi(ref["x"], pd.Series(rng.normal(11.5, 2, 5_000)))
    assert same < 0.01 and shifted > 0.25
    scores = drift.psi_by_feature(ref, pd.DataFrame({"x": rng.normal(11.5, 2, 999), "y": rng.poisson(5, 999)}))
    assert list(scores) == ["x", "y"] and drift.psi(ref["x"], pd.Series([], dtype=float)) is None


def test_psi_compares_computed_values_only():
    import pandas as pd

    from shared.domain import drift

    rng = np.random.default_rng(2)
    # Training saw the feature defaulted (1.0) on half its rows: early in a season it has no history yet.
    values = rng.normal(1.0, 0.1, 4_000)
    early = np.arange(4_000) < 2_000
    values[early] = 1.0
    defaulted = pd.Series([["opp"] if e else [] for e in early])
    ref = drift.reference(pd.DataFrame({"opp": values}), defaulted)
    served = pd.Series(rng.normal(1.0, 0.1, 1_000), name="opp")
    assert drift.psi(ref["opp"], served, pd.Series([[]] * 1_000)) < 0.05
    # Counting the stand-ins would read the season filling in as a shift.
    assert drift.psi(drift.reference(pd.DataFrame({"opp": values}))["opp"], served) > 0.25
    # A served row whose value was defaulted is not compared either.
    served_defaulted = pd.Series(np.r_[np.ones(500), rng.normal(1.0, 0.1, 500)], name="opp")
    flags = pd.Series([["opp"]] * 500 + [[]] * 500)
    assert drift.psi(ref["opp"], served_defaulted, flags) < 0.05


def test_psi_counts_a_game_once_for_the_rows_that_share_its_value():
    import pandas as pd

    from shared.domain import drift

    rng = np.random.default_rng(3)
    ref = drift.reference(pd.DataFrame({"total": rng.normal(225, 12, 20_000)}))
    # A week of 45 games, 18 player rows each: every row of a game carries the game's total.
    week = np.repeat(rng.normal(225, 12, 45), 18)
    games = pd.Series(np.repeat(np.arange(45), 18))
    served = pd.Series(week, name="total")
    assert len(drift.observations(served, games=games)) == 45
    # 45 draws are too few for ten bins: PSI is not computed, where 810 rows would claim a sample.
    assert drift.psi(ref["total"], served, games=games) is None
    assert drift.psi(ref["total"], served) is not None
    # 300 games (about seven NBA weeks) are enough, and the same population reads as stable.
    games = pd.Series(np.repeat(np.arange(300), 18))
    served = pd.Series(np.repeat(rng.normal(225, 12, 300), 18), name="total")
    assert drift.psi(ref["total"], served, games=games) < 0.1
    # Player rows of one game that differ stay separate observations.
    assert len(drift.observations(pd.Series([1.0, 2.0, 2.0, 2.0]), games=pd.Series(["g1", "g1", "g1", "g2"]))) == 3
