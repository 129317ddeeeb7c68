"""Prices: decimal odds to American, and back through the implied probability."""

from __future__ import annotations

import numpy as np

from shared.domain import odds


def test_decimal_odds_become_the_american_price_that_pays_the_same():
    decimal = np.array([2.5, 2.0, 1.8, 1.5, 11.0, 1.0, 0.5])
    american = odds.american_from_decimal(decimal)
    assert np.allclose(american[:5], [150.0, 100.0, -125.0, -200.0, 1000.0])
    assert ((american[5:] >= -100) & (american[5:] <= 0)).all()  # no American price pays nothing or less
    won = np.array([odds.payout(p) for p in american[:5]])
    assert np.allclose(won, decimal[:5] - 1)  # the same units won per unit staked
    assert np.allclose(odds.implied(american[:5]), 1 / decimal[:5])
