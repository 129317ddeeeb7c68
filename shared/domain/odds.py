"""American odds: implied probabilities, de-vigging, payouts, and from decimal odds."""

from __future__ import annotations

import numpy as np


def implied(price: np.ndarray | float) -> np.ndarray:
    """The probability an American price implies, vig included (-110 -> 0.5238)."""
    price = np.asarray(price, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):  # both branches are evaluated; only one is kept
        return np.where(price < 0, -price / (100 - price), 100 / (100 + price))


def devig_over(over_price: np.ndarray | float, under_price: np.ndarray | float) -> np.ndarray:
    """The book's P(over) with its margin removed proportionally; NaN when a price is missing."""
    over, under = implied(over_price), implied(under_price)
    return over / (over + under)


def payout(price: float) -> float:
    """Units won on a one-unit stake at an American price."""
    return price / 100.0 if price > 0 else 100.0 / -price


def american_from_decimal(decimal: np.ndarray | float) -> np.ndarray:
    """The American price of decimal odds (2.5 -> +150, 1.8 -> -125). Odds of 1 or less pay nothing, and no
    American price does: they come out in [-100, 0], which no real price is in (a feed's price check rejects it)."""
    decimal = np.asarray(decimal, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            decimal >= 2, (decimal - 1) * 100, np.where(decimal > 1, -100 / (decimal - 1), (decimal - 1) * 100)
        )
