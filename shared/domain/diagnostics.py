"""Diagnostics of a market on one day: one row per system, scored from what was graded and served.

For the day diagnosed and the production run:

- line sharpness: the line's MAE over 7 and 30 days and by line tier,
  model_beats_line_pct (rows where the model was closer than the line), and a
  0-100 score: 100 x (baseline MAE - line MAE) / baseline MAE / 0.15, i.e. how
  far the line is ahead of the naive baseline (15 % ahead or more is 100);
  status dull < 25 <= normal < 50 <= sharp < 75 <= razor_sharp.
- model drift: hit rate over 7/14/30 days, model MAE, mean signed error and
  bias direction, mae_gap_7d, feature PSI against the model's training
  reference (top movers named), and a 0-100 drift score:
  0.4 x bias (|mean signed error| / 25 % of line MAE) + 0.3 x PSI ((max -
  0.25) / 0.75: a PSI under 0.25 is ordinary wobble; PSI needs
  drift.MIN_OBSERVATIONS observations, a game's shared value counted once,
  over MIN_PSI_DAYS days) + 0.3 x gap (mae_gap_7d / the market's mae_gap),
  each within 0-100; severity none < 20 <= low < 40 <= medium < 70 <= high.
- data quality: coverage (share of the slate this system scored), share of
  defaulted features, line age at prediction time, grading completeness.
- fleet diversity: correlation of this system's means with each other system's.
- root cause: each cause gets a 0-1 score (data_quality: the worst of coverage
  shortfall, defaulted features, stale lines, ungraded finals; model_drift: the
  drift score and the model's MAE rising against its 30 days; line_sharpness:
  the line's edge over the naive baseline (1 - line MAE / baseline MAE, the
  baseline's mean error taken out) grown since the training window while
  that baseline stays unbiased, the line's MAE falling against its 30 days, or a
  razor-sharp line). The
  highest at or above `cause_threshold` is primary_cause (else none), with a
  confidence (its score less half the runner-up's) and the factors as JSON.
- intervals: the 30-day window's headline numbers with their 95 % day-block
  bootstrap intervals and verdicts (shared/domain/intervals.py), as JSON.

Alert levels follow markets.yaml `diagnostics:` (see DiagnosticsRules).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from shared.contract.markets import DiagnosticsRules, Market
from shared.domain import drift, intervals, metrics

BREAK_EVEN = 100 * 110 / 210  # hit rate (%) that breaks even at -110
# Over the first days of a window PSI measures a slate or two, not drift.
MIN_PSI_DAYS = 5
# Growth of the line's edge over the naive baseline since training that alone names line_sharpness.
LINE_EDGE_GAIN = 0.06
# |mean error| / MAE of the naive baseline at which a shifted stat, not the book, explains the line's lead.
NAIVE_BIAS_LIMIT = 0.25


@dataclass(frozen=True)
class ServedModel:
    """What diagnostics need of the version a system serves, from its training metrics."""

    features: list[str]
    feature_reference: dict[str, dict[str, Any]]  # per feature, its training distribution (drift.reference)
    line_reference: dict[str, float]  # the line's edge over the naive baseline when it was trained ({}: unknown)


@dataclass(frozen=True)
class MarketDay:
    """What the diagnostics of one market on one day read from the warehouse and the registry."""

    day: dt.date
    grades: pd.DataFrame  # 30 days of grades, every system
    served: pd.DataFrame  # 7 days of served feature rows, every system
    coverage: dict[str, float]  # system_id -> share (%) of the day's slate it scored
    final_predictions: int  # predictions of the day's final games
    graded: int  # ... of which graded
    recent: pd.DataFrame  # the diagnostics rows of the 6 days before, newest first
    models: dict[str, ServedModel]  # system_id -> the version it serves (systems without one left out)
    active_systems: list[str]


def unbiased_mae(error: np.ndarray) -> float:
    """MAE once the mean error is removed: how far off a predictor is beyond a level shift."""
    return float(np.mean(np.abs(error - np.mean(error))))


def _hit_rate(rows: pd.DataFrame) -> float | None:
    """In percent, as the rules and alerts read it."""
    rate = metrics.hit_rate(rows)
    return None if rate is None else 100.0 * rate


def _mean(series: pd.Series) -> float | None:
    series = series.dropna()
    return float(series.mean()) if len(series) else None


def _band(value: float, cuts: tuple[float, float, float], names: tuple[str, str, str, str]) -> str:
    return names[int(np.searchsorted(cuts, value, side="right"))]


def _window(rows: pd.DataFrame, day: dt.date, days: int) -> pd.DataFrame:
    return rows[pd.to_datetime(rows["game_date"]).dt.date > day - dt.timedelta(days=days)]


def performance(grades: pd.DataFrame, day: dt.date) -> dict[str, Any]:
    """Hit rates, errors and the line comparison of one system's grades."""
    week, month = _window(grades, day, 7), _window(grades, day, 30)
    graded = week[week["actual"].notna()]
    graded_month = month[month["actual"].notna()]
    model_mae, line_mae = metrics.mae(graded), metrics.line_mae(graded)
    signed = _mean(graded["error"])
    bias = None
    if signed is not None and line_mae:
        bias = "neutral" if abs(signed) < 0.1 * line_mae else ("over" if signed > 0 else "under")
    tiers = {}
    if graded["line"].notna().sum() >= 3:
        cuts = graded["line"].quantile([1 / 3, 2 / 3]).to_numpy()
        tier = np.searchsorted(cuts, graded["line"].to_numpy(), side="right")
        tiers = {name: _mean(graded["line_abs_error"][tier == i]) for i, name in enumerate(("low", "mid", "high"))}
    beats = graded["beat_line"].dropna()
    return {
        "graded_7d": len(graded),
        "graded_days_7d": int(graded["game_date"].nunique()),
        "picks_7d": metrics.picks(week),
        "hit_rate_7d": _hit_rate(week),
        "hit_rate_14d": _hit_rate(_window(grades, day, 14)),
        "hit_rate_30d": _hit_rate(month),
        "model_mae_7d": model_mae,
        "line_mae_7d": line_mae,
        "model_mae_30d": metrics.mae(graded_month),
        "line_mae_30d": metrics.line_mae(graded_month),
        "line_mae_by_tier_json": json.dumps(tiers),
        "mae_gap_7d": None if model_mae is None or line_mae is None else model_mae - line_mae,
        "model_beats_line_pct": 100.0 * float(beats.astype(bool).mean()) if len(beats) else None,
        "mean_signed_error": signed,
        "bias_direction": bias,
    }


def sharpness(line_mae: float | None, baseline_mae: float | None) -> tuple[float | None, str | None]:
    if not line_mae or not baseline_mae:
        return None, None
    score = float(np.clip(100 * (baseline_mae - line_mae) / baseline_mae / 0.15, 0, 100))
    return score, _band(score, (25, 50, 75), ("dull", "normal", "sharp", "razor_sharp"))


def drift_score(row: dict[str, Any], max_psi: float | None, rules: DiagnosticsRules) -> tuple[float | None, str | None]:
    if row["line_mae_7d"] is None or row["mean_signed_error"] is None:
        return None, None
    bias = min(100.0, 100 * abs(row["mean_signed_error"]) / (0.25 * row["line_mae_7d"]))
    psi = float(np.clip(100 * ((max_psi or 0.0) - 0.25) / 0.75, 0, 100))  # below 0.25 is ordinary wobble
    gap = float(np.clip(100 * (row["mae_gap_7d"] or 0.0) / rules.mae_gap, 0, 100))
    score = 0.4 * bias + 0.3 * psi + 0.3 * gap
    return score, _band(score, (20, 40, 70), ("none", "low", "medium", "high"))


def data_quality(served: pd.DataFrame, features: list[str]) -> dict[str, Any]:
    """Defaulted share (of this system's features) and line age, over the served rows."""
    if served.empty or not features:
        return {"defaulted_share": None, "line_age_hours": None}
    wanted = set(features)
    defaulted = [len(wanted.intersection(d)) for d in served["defaulted"]]
    age = (pd.to_datetime(served["as_of"]) - pd.to_datetime(served["line_at"])).dt.total_seconds() / 3600
    return {"defaulted_share": float(np.mean(defaulted)) / len(wanted), "line_age_hours": _mean(age)}


def root_cause(row: dict[str, Any], rules: DiagnosticsRules) -> tuple[str, float, dict[str, Any]]:
    """Score each cause 0-1 from the row; name the strongest if it clears the threshold."""
    factors: dict[str, Any] = {}

    def ratio(a: float | None, b: float | None) -> float:
        return a / b - 1 if a is not None and b else 0.0

    quality_parts = {
        "features_missing": 1.0 if row.get("missing_features") else 0.0,
        "coverage_shortfall": min(
            1.0, 5 * (1 - (row["coverage_pct"] if row["coverage_pct"] is not None else 100) / 100)
        ),
        "defaulted_features": min(1.0, max(0.0, ((row["defaulted_share"] or 0) - rules.max_defaulted_share) / 0.15)),
        "stale_lines": min(1.0, max(0.0, ((row["line_age_hours"] or 0) - rules.max_line_age_hours) / 24)),
        "grading_incomplete": min(
            1.0, max(0.0, (rules.min_grading_completeness - (row["grading_completeness"] or 1.0)) / 0.2)
        ),
    }
    line_improvement = -ratio(row["line_mae_7d"], row["line_mae_30d"])  # > 0: the line got better
    model_worsening = ratio(row["model_mae_7d"], row["model_mae_30d"])  # > 0: the model got worse
    edge_gain = row.get("line_edge_gain") or 0.0  # > 0: the line pulled ahead of the naive baseline
    # ... which counts as a sharper book only while that baseline stays unbiased: when the stat
    # itself shifts, the line follows it and every history-based predictor lags (model drift).
    naive_bias = row.get("naive_bias_share") or 0.0
    sharper_book = max(0.0, edge_gain) * max(0.0, 1 - naive_bias / NAIVE_BIAS_LIMIT)
    scores = {
        "data_quality": max(quality_parts.values()),
        "model_drift": min(1.0, (row["drift_score"] or 0) / 70 + max(0.0, model_worsening) / 0.2),
        "line_sharpness": min(
            1.0,
            sharper_book / LINE_EDGE_GAIN
            + max(0.0, line_improvement) / 0.04
            + ((row["sharpness_score"] or 0) >= 75) * 0.5,
        ),
    }
    factors.update(
        {k: round(v, 4) for k, v in quality_parts.items() if v},
        line_edge_gain=round(edge_gain, 4),
        naive_bias_share=round(naive_bias, 4),
        line_improvement=round(line_improvement, 4),
        model_worsening=round(model_worsening, 4),
        scores={k: round(v, 4) for k, v in scores.items()},
    )
    # Confidence: the winning score, less half the runner-up's (two strong causes are less certain).
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (top, best), (_, second) = ranked[0], ranked[1]
    if best < rules.cause_threshold:
        return "none", round(1 - best, 4), factors
    return top, round(best - second / 2, 4), factors


def alert_level(
    row: dict[str, Any],
    recent_gaps: list[float | None],
    rules: DiagnosticsRules,
    previous: dict[str, Any] | None,
    yardstick: bool = False,
) -> tuple[str, list[str]]:
    """The alert level and its reasons. The baseline system is a yardstick, not a contender: it loses
    to the line by design, so only data-quality rules apply to it."""
    reasons: list[str] = []
    enough = row["graded_7d"] >= rules.min_sample and row["graded_days_7d"] >= rules.min_days and not yardstick
    beats, hit = row["model_beats_line_pct"], row["hit_rate_7d"]
    if (
        enough
        and beats is not None
        and hit is not None
        and beats < rules.critical_beats_line_pct
        and hit < rules.critical_hit_rate
    ):
        return "CRITICAL", [
            f"model beat the line {beats:.1f}% < {rules.critical_beats_line_pct}% and 7-day hit "
            f"rate {hit:.1f}% < {rules.critical_hit_rate}%"
        ]
    if enough and beats is not None and beats < rules.warning_beats_line_pct:
        reasons.append(f"model beat the line {beats:.1f}% < {rules.warning_beats_line_pct}%")
    if enough and row["drift_score"] is not None and row["drift_score"] >= rules.warning_drift_score:
        reasons.append(
            f"drift score {row['drift_score']:.0f} >= {rules.warning_drift_score:.0f} ({row['drift_severity']})"
        )
    if row["coverage_pct"] is not None and row["coverage_pct"] < 100.0:
        reasons.append(f"coverage {row['coverage_pct']:.1f}% < 100%")
    if row.get("missing_features"):
        reasons.append(f"features missing from serving: {', '.join(row['missing_features'])}")
    gap_days = sum(1 for g in [row["mae_gap_7d"], *recent_gaps] if g is not None and g > rules.mae_gap)
    row["mae_gap_days"] = gap_days
    if enough and gap_days >= rules.mae_gap_days:
        reasons.append(f"model MAE above line MAE by > {rules.mae_gap} on {gap_days} of the last 7 days")
    if reasons:
        return "WARNING", reasons
    if previous and enough:
        prev_hit = previous.get("hit_rate_7d")
        if (
            hit is not None
            and prev_hit is not None
            and not np.isnan(prev_hit)
            and (hit >= BREAK_EVEN) != (prev_hit >= BREAK_EVEN)
        ):
            word = "above" if hit >= BREAK_EVEN else "below"
            reasons.append(f"7-day hit rate moved {word} break-even: {prev_hit:.1f}% -> {hit:.1f}%")
        if previous.get("sharpness_status") and row["sharpness_status"] != previous["sharpness_status"]:
            reasons.append(f"line sharpness {previous['sharpness_status']} -> {row['sharpness_status']}")
    return ("INFO", reasons) if reasons else ("NONE", [])


def _correlations(grades: pd.DataFrame, system_id: str) -> dict[str, float]:
    means = grades.pivot_table(index=["game_date", "entity_id"], columns="system_id", values="mean")
    if system_id not in means or len(means) < 10:
        return {}
    corr = means.corr()[system_id].drop(system_id).dropna()
    return {k: round(float(v), 4) for k, v in corr.items()}


def _served_matrix(served: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame([json.loads(text) for text in served["features_json"]]) if len(served) else pd.DataFrame()


def line_reference(models: dict[str, ServedModel]) -> dict[str, float]:
    """The line's edge over the naive baseline when the serving models were trained (the widest sample)."""
    return max((m.line_reference for m in models.values() if m.line_reference), key=lambda r: r["rows"], default={})


def diagnose(market: Market, seen: MarketDay) -> list[dict[str, Any]]:
    """One diagnostics row per system (active, graded or scoring that day), with its alert level and cause."""
    rules, day, grades, served = market.diagnostics, seen.day, seen.grades, seen.served
    served_matrix = _served_matrix(served)
    baseline = market.baseline_system
    baseline_week = _window(grades[grades["system_id"] == baseline], day, 7)
    baseline_mae = metrics.mae(baseline_week)
    line_ref = line_reference(seen.models)
    graded_baseline = baseline_week["error"].dropna().to_numpy(dtype=float)
    naive_mae = unbiased_mae(graded_baseline) if len(graded_baseline) else None
    naive_bias = abs(graded_baseline.mean()) / np.abs(graded_baseline).mean() if naive_mae else None
    systems = sorted(set(seen.active_systems) | set(grades["system_id"]) | set(seen.coverage))
    rows = []
    for system_id in systems:
        own = grades[grades["system_id"] == system_id]
        row = performance(own, day)
        row["sharpness_score"], row["sharpness_status"] = sharpness(row["line_mae_7d"], baseline_mae)
        if line_ref and row["line_mae_7d"] is not None and naive_mae:
            row["line_edge_gain"] = 1 - row["line_mae_7d"] / naive_mae - line_ref["line_edge"]
            row["naive_bias_share"] = naive_bias
        model = seen.models.get(system_id)
        references = model.feature_reference if model else {}
        row["missing_features"] = drift.missing(references, served["defaulted"])
        # A feature that went missing shows as data quality, not as drift of its default value.
        psi = {}
        if served["game_date"].nunique() >= MIN_PSI_DAYS:
            psi = drift.psi_by_feature(
                {k: v for k, v in references.items() if k not in row["missing_features"]},
                served_matrix,
                served["defaulted"].reset_index(drop=True),
                served["game_id"].reset_index(drop=True),
            )
        row["max_psi"] = max(psi.values()) if psi else None
        row["feature_psi_json"] = json.dumps({k: round(v, 4) for k, v in list(psi.items())[:5]})
        row["drift_score"], row["drift_severity"] = drift_score(row, row["max_psi"], rules)
        row["coverage_pct"] = seen.coverage.get(system_id, 0.0 if seen.coverage else None)
        row.update(data_quality(served, model.features if model else []))
        row["grading_completeness"] = seen.graded / seen.final_predictions if seen.final_predictions else None
        correlations = _correlations(_window(grades, day, 7), system_id)
        row["max_correlation"] = max(correlations.values()) if correlations else None
        row["correlations_json"] = json.dumps(correlations)
        row["intervals_30d_json"] = intervals.as_json(_window(own, day, 30))
        mine = seen.recent[seen.recent["system_id"] == system_id]
        previous = mine.iloc[0].to_dict() if len(mine) else None
        level, reasons = alert_level(row, mine["mae_gap_7d"].tolist()[:6], rules, previous, system_id == baseline)
        cause, confidence, factors = root_cause(row, rules)
        row.pop("line_edge_gain", None), row.pop("naive_bias_share", None)
        row.update(
            game_date=day,
            market=market.market_id,
            system_id=system_id,
            alert_level=level,
            primary_cause=cause,
            cause_confidence=confidence,
            factors_json=json.dumps(
                {"reasons": reasons, "missing_features": row.pop("missing_features"), **factors}, default=float
            ),
        )
        rows.append(row)
    return rows
