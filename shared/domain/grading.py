"""What a pick's outcome is, and what it pays.

A pick (OVER / UNDER) is WIN, LOSS or PUSH against its line, PUSH only when the actual equals an
(integer) line; a player who did not play voids it (VOID: the stake comes back). PASS gets no result.
"""

from __future__ import annotations

import numpy as np

from shared.domain import odds
from shared.domain.decision import OVER, UNDER

WIN, LOSS, PUSH, VOID = "WIN", "LOSS", "PUSH", "VOID"


def result(recommendation: str | None, line: float, actual: float | None, status: str | None) -> str | None:
    """The outcome of one pick; None for a PASS."""
    if recommendation not in (OVER, UNDER):
        return None
    if status != "played" or actual is None or np.isnan(actual):
        return VOID
    if actual == line:
        return PUSH
    won = actual > line if recommendation == OVER else actual < line
    return WIN if won else LOSS


def profit_units(result: str | None, price: float) -> float | None:
    """Units won staking one unit at American odds `price`."""
    if result == WIN:
        return odds.payout(price)
    if result == LOSS:
        return -1.0
    return 0.0 if result in (PUSH, VOID) else None
