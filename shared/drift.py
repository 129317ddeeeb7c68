"""Feature drift: population stability index of served features against the training reference.

At training each feature's deciles (edges) and the share of training rows in
each bin are stored with the model; diagnostics bins the features served since
and compares: PSI = sum((served - trained) * ln(served / trained)). By the
usual reading, under 0.1 is stable, 0.1-0.25 moved, over 0.25 shifted.

Only computed values are compared: a defaulted value is a constant stand-in
(no history yet, no line), and early in a season a feature defaults often, so
its spike would read as drift once the feature fills in. How often a feature
defaults is checked on its own (`missing`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

EPSILON = 1e-4  # an empty bin would make the log infinite
BINS = 10


def reference(features: pd.DataFrame, defaulted: pd.Series | None = None) -> dict[str, dict[str, Any]]:
    """Decile edges, bin shares and defaulted rate of each feature in the training rows."""
    result = {}
    for name in features.columns:
        values = _computed(features[name], defaulted).to_numpy(dtype=float)
        if len(values) == 0:
            continue
        edges = np.unique(np.quantile(values, np.linspace(0, 1, BINS + 1)[1:-1]))
        result[name] = {"edges": [round(float(e), 6) for e in edges], "share": _shares(values, edges)}
        if defaulted is not None:
            result[name]["defaulted"] = round(float(np.mean([name in d for d in defaulted])), 4)
    return result


def missing(references: dict[str, dict[str, Any]], defaulted: pd.Series, jump: float = 0.5) -> dict[str, float]:
    """Features defaulted far more often in serving than in training: a source went missing."""
    if len(defaulted) == 0:
        return {}
    rates = {name: float(np.mean([name in d for d in defaulted])) for name in references}
    return {
        name: round(rate, 4)
        for name, rate in sorted(rates.items(), key=lambda kv: -kv[1])
        if rate - references[name].get("defaulted", 0.0) >= jump
    }


def _computed(values: pd.Series, defaulted: pd.Series | None) -> pd.Series:
    """The values of one feature that were computed, not defaulted."""
    if defaulted is not None:
        values = values[[values.name not in d for d in defaulted]]
    return values.dropna()


def _shares(values: np.ndarray, edges: np.ndarray) -> list[float]:
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    return [round(float(c), 6) for c in counts / max(len(values), 1)]


def psi(trained: dict[str, Any], served: pd.Series, defaulted: pd.Series | None = None) -> float | None:
    values = _computed(served, defaulted).to_numpy(dtype=float)
    if len(values) == 0:
        return None
    expected = np.maximum(np.asarray(trained["share"]), EPSILON)
    actual = np.maximum(np.asarray(_shares(values, np.asarray(trained["edges"]))), EPSILON)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def psi_by_feature(
    references: dict[str, dict[str, Any]], served: pd.DataFrame, defaulted: pd.Series | None = None
) -> dict[str, float]:
    """PSI of every referenced feature present in `served`, largest first (`defaulted`: per row, as served)."""
    scores = {name: psi(ref, served[name], defaulted) for name, ref in references.items() if name in served}
    return dict(sorted(((k, v) for k, v in scores.items() if v is not None), key=lambda kv: -kv[1]))
