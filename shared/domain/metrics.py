"""What a pick is and how the metrics count, over grade rows in pandas.

The same rules as the grade_metrics view (schemas/views/grade_metrics.sql), which every SQL view,
report query and CLI table reads; this is their copy for code that holds grade rows in memory
(diagnostics' rolling windows, the intervals of shared/domain/intervals.py):

- a pick is a graded OVER / UNDER: WIN, LOSS or PUSH. A VOID (did not play) is none: its stake
  is returned and it says nothing about the system;
- the hit rate is wins over wins and losses: a push decides nothing, so at -110 break-even stays
  110 / 210 = 52.38 %;
- ROI is the units the picks won (at the prices taken) over the picks;
- MAE is over every prediction with a mean and an actual, picks and passes alike; the line's MAE
  over the same grade rows' lines (those with an actual);
- closing line value is the mean over the picks that have one (clv_prob: the de-vigged probability of
  the side taken, at close minus at the pick, on an unchanged line; clv_line: in stat units);
- Brier is over the rows with a P(over) and an over/under outcome (pushes excluded), P(over) taken
  given no push, as backtest_report.sql and the probability_scores view count it; the market's on
  the same rows, from the book's de-vigged P(over) at the pick.

Every metric is a ratio of two sums over the rows (`Terms`: what each row adds above and below), so
a resampler can sum them per day once and combine days freely; the gaps (MAE minus line MAE, Brier
minus the market's) are paired: only rows that have both sides count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shared.domain import odds
from shared.domain.grading import LOSS, PUSH, WIN

PICK_RESULTS = (WIN, LOSS, PUSH)

Terms = tuple[np.ndarray, np.ndarray]  # per row: what it adds to the numerator, and to the denominator


def ratio(terms: Terms) -> float | None:
    """A metric from its terms (None when nothing counts)."""
    above, below = terms
    total = float(below.sum())
    return float(above.sum()) / total if total else None


def _mean_terms(values: pd.Series, counted: pd.Series | None = None) -> Terms:
    values = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    known = ~np.isnan(values) if counted is None else ~np.isnan(values) & counted.to_numpy(dtype=bool)
    return np.where(known, values, 0.0), known.astype(float)


def is_pick(grades: pd.DataFrame) -> pd.Series:
    return grades["result"].isin(PICK_RESULTS)


def picks(grades: pd.DataFrame) -> int:
    return int(is_pick(grades).sum())


def hit_terms(grades: pd.DataFrame) -> Terms:
    wins, losses = (grades["result"] == WIN).to_numpy(), (grades["result"] == LOSS).to_numpy()
    return wins.astype(float), (wins | losses).astype(float)


def hit_rate(grades: pd.DataFrame) -> float | None:
    """Wins over wins and losses (None without either)."""
    return ratio(hit_terms(grades))


def break_even(grades: pd.DataFrame) -> float | None:
    """The hit rate the prices taken need: the mean probability they imply over the decided picks (-110: 52.38 %)."""
    decided = grades["result"].isin((WIN, LOSS))
    return ratio(_mean_terms(pd.Series(odds.implied(grades["price"].astype(float))), decided))


def roi_terms(grades: pd.DataFrame) -> Terms:
    return _mean_terms(grades["profit_units"], is_pick(grades))


def roi(grades: pd.DataFrame) -> float | None:
    """Units won per pick, staking one unit at the price taken."""
    return ratio(roi_terms(grades))


def clv_prob_terms(grades: pd.DataFrame) -> Terms:
    return _mean_terms(grades["clv_prob"], is_pick(grades))


def clv_line_terms(grades: pd.DataFrame) -> Terms:
    return _mean_terms(grades["clv_line"], is_pick(grades))


def mae(grades: pd.DataFrame) -> float | None:
    return ratio(_mean_terms(grades["abs_error"]))


def line_mae(grades: pd.DataFrame) -> float | None:
    return ratio(_mean_terms(grades["line_abs_error"]))


def mae_gap_terms(grades: pd.DataFrame) -> Terms:
    """MAE minus the line's MAE on the rows that have both (negative: the model is closer)."""
    gap = grades["abs_error"].astype(float) - grades["line_abs_error"].astype(float)
    return _mean_terms(gap)


def _went_over(grades: pd.DataFrame) -> np.ndarray:
    return grades["went_over"].astype("boolean").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _over_probability(grades: pd.DataFrame) -> np.ndarray:
    """P(over) given no push: what an over/under outcome (pushes excluded) is scored against."""
    p_push = grades["p_push"].astype(float).fillna(0.0).to_numpy()
    return grades["p_over"].astype(float).to_numpy(dtype=float, na_value=np.nan) / (1.0 - p_push)


def brier_gap_terms(grades: pd.DataFrame) -> Terms:
    """Brier minus the market's de-vigged Brier on the rows that have both (negative: the model is sharper)."""
    went_over = _went_over(grades)
    market = (grades["market_p_over"].astype(float).to_numpy(dtype=float, na_value=np.nan) - went_over) ** 2
    return _mean_terms(pd.Series((_over_probability(grades) - went_over) ** 2 - market))
