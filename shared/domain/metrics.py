"""What a pick is and how the metrics count, over grade rows in pandas.

The same rules as the grade_metrics view (schemas/views/grade_metrics.sql), which every SQL view,
report query and CLI table reads; this is their copy for code that holds grade rows in memory
(diagnostics' rolling windows):

- a pick is a graded OVER / UNDER: WIN, LOSS or PUSH. A VOID (did not play) is none: its stake
  is returned and it says nothing about the system;
- the hit rate is wins over wins and losses: a push decides nothing, so at -110 break-even stays
  110 / 210 = 52.38 %;
- MAE is over every prediction with a mean and an actual, picks and passes alike; the line's MAE
  over the same grade rows' lines (those with an actual).
"""

from __future__ import annotations

import pandas as pd

from shared.domain.grading import LOSS, PUSH, WIN

PICK_RESULTS = (WIN, LOSS, PUSH)


def picks(grades: pd.DataFrame) -> int:
    return int(grades["result"].isin(PICK_RESULTS).sum())


def hit_rate(grades: pd.DataFrame) -> float | None:
    """Wins over wins and losses (None without either)."""
    wins, losses = int((grades["result"] == WIN).sum()), int((grades["result"] == LOSS).sum())
    return wins / (wins + losses) if wins + losses else None


def _mean(errors: pd.Series) -> float | None:
    errors = errors.dropna()
    return float(errors.mean()) if len(errors) else None


def mae(grades: pd.DataFrame) -> float | None:
    return _mean(grades["abs_error"])


def line_mae(grades: pd.DataFrame) -> float | None:
    return _mean(grades["line_abs_error"])
