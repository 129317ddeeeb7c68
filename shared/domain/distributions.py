"""Predictive distributions of a count stat, and P(over) / P(push) against a line.

Negative binomial with mean `mean` and size `size` (variance mean + mean^2/size);
size None is the Poisson limit. A push is only possible on an integer line.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def _frozen(mean: np.ndarray, size: float | None):
    mean = np.maximum(np.asarray(mean, dtype=float), 1e-9)
    if size is None:
        return stats.poisson(mean)
    return stats.nbinom(size, size / (size + mean))


def over_push(mean: np.ndarray, line: np.ndarray, size: float | None) -> tuple[np.ndarray, np.ndarray]:
    """P(stat > line) and P(stat == line) for each row."""
    line = np.asarray(line, dtype=float)
    dist = _frozen(mean, size)
    floor = np.floor(line)
    p_over = dist.sf(floor)
    p_push = np.where(line == floor, dist.pmf(floor), 0.0)
    return p_over, p_push


def fit_size(mean: np.ndarray, actual: np.ndarray) -> float | None:
    """Method-of-moments size from residuals: sum(mean^2) / sum((actual-mean)^2 - mean).

    None (Poisson) when the residuals show no over-dispersion.
    """
    mean, actual = np.asarray(mean, dtype=float), np.asarray(actual, dtype=float)
    excess = float(np.sum((actual - mean) ** 2 - mean))
    if excess <= 0:
        return None
    return float(np.sum(mean**2) / excess)
