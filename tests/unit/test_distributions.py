import numpy as np
import pytest
from scipy import stats

from shared import distributions


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
