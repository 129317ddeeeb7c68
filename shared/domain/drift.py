"""Feature drift: population stability index of served features against the training reference.

At training each feature's deciles (edges) and the share of training rows in
each bin are stored with the model; diagnostics bins the features served since
and compares: PSI = sum((served - trained) * ln(served / trained)). By the
usual reading, under 0.1 is stable, 0.1-0.25 moved, over 0.25 shifted.

Only computed values are compared: a defaulted value is a constant stand-in
(no history yet, no line), and early in a season a feature defaults often, so
its spike would read as drift once the feature fills in. How often a feature
defaults is checked on its own (`missing`).

PSI counts observations, not rows: the rows of one game that share a value
(its total, its spread, a team's rest days) are one draw, not one per player.
An NBA week has about 45 games; binned as 800 player rows, its game totals
read as a shift whenever one decile happens to go empty. Below
MIN_OBSERVATIONS observations a feature's PSI is not computed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

EPSILON = 1e-4  # an empty bin would make the log infinite
BINS = 10
MIN_OBSERVATIONS = 100  # about 10 per bin: fewer and sampling noise alone reads as a shift


def reference(
    features: pd.DataFrame, defaulted: pd.Series | None = None, games: pd.Series | None = None
) -> dict[str, dict[str, Any]]:
    """Decile edges, bin shares and defaulted rate of each feature in the training rows (`games`: each row's game)."""
    result = {}
    for name in features.columns:
        values = observations(features[name], defaulted, games)
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


def observations(values: pd.Series, defaulted: pd.Series | None = None, games: pd.Series | None = None) -> np.ndarray:
    """The computed (not defaulted) values of one feature, once per game and value where `games` is given."""
    keep = values.notna().to_numpy(copy=True)
    if defaulted is not None:
        keep &= np.array([values.name not in d for d in defaulted], dtype=bool)
    computed = values.to_numpy(dtype=float)[keep]
    if games is None:
        return computed
    once = ~pd.DataFrame({"game": games.to_numpy()[keep], "value": computed}).duplicated().to_numpy()
    return computed[once]


def _shares(values: np.ndarray, edges: np.ndarray) -> list[float]:
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    return [round(float(c), 6) for c in counts / max(len(values), 1)]


def psi(
    trained: dict[str, Any], served: pd.Series, defaulted: pd.Series | None = None, games: pd.Series | None = None
) -> float | None:
    """PSI of one served feature against its training reference; None below MIN_OBSERVATIONS observations."""
    values = observations(served, defaulted, games)
    if len(values) < MIN_OBSERVATIONS:
        return None
    expected = np.maximum(np.asarray(trained["share"]), EPSILON)
    actual = np.maximum(np.asarray(_shares(values, np.asarray(trained["edges"]))), EPSILON)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def psi_by_feature(
    references: dict[str, dict[str, Any]],
    served: pd.DataFrame,
    defaulted: pd.Series | None = None,
    games: pd.Series | None = None,
) -> dict[str, float]:
    """PSI of every referenced feature present in `served`, largest first (`defaulted`, `games`: per row, as served)."""
    scores = {name: psi(ref, served[name], defaulted, games) for name, ref in references.items() if name in served}
    return dict(sorted(((k, v) for k, v in scores.items() if v is not None), key=lambda kv: -kv[1]))
