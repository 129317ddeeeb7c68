"""The bettor's decision, shared by every system and the ensemble.

edge = mean - line. Confidence (0-100) is the probability of winning the
better side, pushes excluded, mapped so that 50 % -> 50 and 70 % -> 100,
then scaled by feature quality (quality 0 halves it):

    confidence = clip(50 + 250 * (p_side - 0.5), 0, 100) * (0.5 + 0.5 * quality / 100)

A pick needs |edge| >= MIN_EDGE, confidence >= MIN_CONFIDENCE, the edge and
P(over) pointing the same way, and no red flag; otherwise it is PASS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shared.markets import Market

OVER, UNDER, PASS = "OVER", "UNDER", "PASS"
MIN_QUALITY = 50
MIN_HISTORY_GAMES = 3


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


def red_flags(line: pd.Series, quality: pd.Series, history_games: pd.Series) -> list[list[str]]:
    flags: list[list[str]] = []
    for ln, q, h in zip(line, quality, history_games, strict=True):
        row = []
        if pd.isna(ln):
            row.append("missing_line")
        if pd.isna(q) or q < MIN_QUALITY:
            row.append("low_feature_quality")
        if pd.isna(h) or h < MIN_HISTORY_GAMES:
            row.append("short_history")
        flags.append(row)
    return flags


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
