"""The bettor's decision, shared by every system and the ensemble.

edge = mean - line. Confidence (0-100) is the probability of winning the
better side, pushes excluded, mapped so that 50 % -> 50 and 70 % -> 100,
then scaled by feature quality (quality 0 halves it):

    confidence = clip(50 + 250 * (p_side - 0.5), 0, 100) * (0.5 + 0.5 * quality / 100)

Quality already carries history length (it is scaled down while an entity
has fewer than the spec's min_history games). A pick needs |edge| >=
min_edge, confidence >= min_confidence (both per market), the edge and
P(over) pointing the same way, and no red flag; otherwise it is PASS.

Red flags (rules per market in markets.yaml): unavailable (reported out or not
starting before prediction time), questionable, missing_line, stale_line (the
line at prediction time is older than stale_line_hours), line_moved (it moved
max_line_move or more since it opened), low_workload (projected minutes or
batters faced below min_workload), low_feature_quality, short_history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shared.contract.markets import Market, RedFlagRules

OVER, UNDER, PASS = "OVER", "UNDER", "PASS"


@dataclass(frozen=True)
class Thresholds:
    min_edge: float
    min_confidence: float

    @classmethod
    def of(cls, market: Market) -> Thresholds:
        return cls(market.min_edge, market.min_confidence)


def p_over_decided(p_over: np.ndarray, p_push: np.ndarray) -> np.ndarray:
    """P(over) among outcomes that are not a push."""
    decided = np.clip(1.0 - np.asarray(p_push, dtype=float), 1e-12, None)
    return np.asarray(p_over, dtype=float) / decided


def confidence(p_over: np.ndarray, p_push: np.ndarray, quality: np.ndarray) -> np.ndarray:
    p = p_over_decided(p_over, p_push)
    p_side = np.maximum(p, 1.0 - p)
    raw = np.clip(50.0 + 250.0 * (p_side - 0.5), 0.0, 100.0)
    return raw * (0.5 + 0.5 * np.asarray(quality, dtype=float) / 100.0)


def red_flags(slate: pd.DataFrame, rules: RedFlagRules) -> list[list[str]]:
    """The red flags of each feature row of a slate (columns of the features table)."""
    line = slate["line"]
    age_hours = (pd.to_datetime(slate["as_of"]) - pd.to_datetime(slate["line_at"])).dt.total_seconds() / 3600
    moved = (line - slate["opening_line"]).abs()
    workload = pd.Series(float("nan"), index=slate.index)
    if rules.workload_feature:
        workload = pd.Series(
            [json.loads(f).get(rules.workload_feature) for f in slate["features_json"]], index=slate.index
        )
    availability = slate["availability"] if "availability" in slate else pd.Series(None, index=slate.index)
    checks = {
        "unavailable": availability.isin(["out", "not_starting"]),
        "questionable": availability == "questionable",
        "missing_line": line.isna(),
        "stale_line": age_hours > rules.stale_line_hours,
        "line_moved": moved >= rules.max_line_move,
        "low_workload": workload.astype(float) < rules.min_workload,
        "low_feature_quality": slate["quality_score"].isna() | (slate["quality_score"] < rules.min_quality),
        "short_history": slate["history_games"].isna() | (slate["history_games"] < rules.min_history),
    }
    raised = pd.DataFrame({name: mask.fillna(False).astype(bool) for name, mask in checks.items()})
    return [list(raised.columns[row]) for row in raised.to_numpy()]


def recommend(
    edge: np.ndarray,
    p_over: np.ndarray,
    p_push: np.ndarray,
    conf: np.ndarray,
    flags: list[list[str]],
    t: Thresholds,
) -> list[str]:
    p = p_over_decided(p_over, p_push)
    result = []
    for e, po, c, f in zip(edge, p, conf, flags, strict=True):
        if f or np.isnan(e) or c < t.min_confidence:
            result.append(PASS)
        elif e >= t.min_edge and po > 0.5:
            result.append(OVER)
        elif e <= -t.min_edge and po < 0.5:
            result.append(UNDER)
        else:
            result.append(PASS)
    return result
