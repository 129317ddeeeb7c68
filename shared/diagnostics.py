"""diagnostics handler: diagnostics-daily -> one diagnostics_daily row per market and system.

First version: hit rate over 7/14/30 days, model vs line MAE, how often the
model beat the line, bias, and slate coverage, with alert levels:
CRITICAL when model_beats_line_pct < 42 and the 7-day hit rate < 50;
WARNING when model_beats_line_pct < 45 or coverage is incomplete;
INFO when the 7-day hit rate crossed break-even (52.38 %) since yesterday.
Days with fewer than MIN_SAMPLE graded rows raise nothing from performance.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import numpy as np
import pandas as pd

from shared import markets, topology
from shared.events import AlertRaised, DiagnosticsDaily
from shared.grading import LOSS, WIN
from shared.runtime import Context

log = logging.getLogger(__name__)

BREAK_EVEN = 100 * 110 / 210  # hit rate (%) that breaks even at -110
MIN_SAMPLE = 30
CRITICAL_BEATS_LINE = 42.0
WARNING_BEATS_LINE = 45.0
CRITICAL_HIT_RATE = 50.0
LEVELS = ("NONE", "INFO", "WARNING", "CRITICAL")


def _hit_rate(rows: pd.DataFrame) -> float | None:
    wins, losses = int((rows["result"] == WIN).sum()), int((rows["result"] == LOSS).sum())
    return 100.0 * wins / (wins + losses) if wins + losses else None


def _mean(series: pd.Series) -> float | None:
    series = series.dropna()
    return float(series.mean()) if len(series) else None


def system_row(grades: pd.DataFrame, day: dt.date) -> dict:
    """Performance figures of one system over the windows ending on `day`."""
    dates = pd.to_datetime(grades["game_date"]).dt.date
    last = {n: grades[dates > day - dt.timedelta(days=n)] for n in (7, 14, 30)}
    week = last[7]
    graded = week[week["actual"].notna()]
    model_mae, line_mae = _mean(graded["abs_error"]), _mean(graded["line_abs_error"])
    signed = _mean(graded["error"])
    bias = None
    if signed is not None and line_mae:
        bias = "neutral" if abs(signed) < 0.1 * line_mae else ("over" if signed > 0 else "under")
    beats = graded["beat_line"].dropna()
    return {
        "graded_7d": len(graded),
        "picks_7d": int(week["result"].isin([WIN, LOSS, "PUSH"]).sum()),
        "hit_rate_7d": _hit_rate(week),
        "hit_rate_14d": _hit_rate(last[14]),
        "hit_rate_30d": _hit_rate(last[30]),
        "model_mae_7d": model_mae,
        "line_mae_7d": line_mae,
        "mae_gap_7d": None if model_mae is None or line_mae is None else model_mae - line_mae,
        "model_beats_line_pct": 100.0 * float(beats.astype(bool).mean()) if len(beats) else None,
        "mean_signed_error": signed,
        "bias_direction": bias,
    }


def alert_level(row: dict, previous_hit_rate: float | None) -> tuple[str, list[str]]:
    reasons: list[str] = []
    coverage = row.get("coverage_pct")
    if coverage is not None and coverage < 100.0:
        reasons.append(f"coverage {coverage:.1f}% < 100%")
    enough = row["graded_7d"] >= MIN_SAMPLE
    beats, hit = row["model_beats_line_pct"], row["hit_rate_7d"]
    if enough and beats is not None and hit is not None and beats < CRITICAL_BEATS_LINE and hit < CRITICAL_HIT_RATE:
        return "CRITICAL", [
            f"model beat the line {beats:.1f}% < {CRITICAL_BEATS_LINE}% and 7-day hit rate {hit:.1f}%",
            *reasons,
        ]
    if enough and beats is not None and beats < WARNING_BEATS_LINE:
        reasons.insert(0, f"model beat the line {beats:.1f}% < {WARNING_BEATS_LINE}%")
    if reasons:
        return "WARNING", reasons
    if (
        enough
        and hit is not None
        and previous_hit_rate is not None
        and (hit >= BREAK_EVEN) != (previous_hit_rate >= BREAK_EVEN)
    ):
        word = "above" if hit >= BREAK_EVEN else "below"
        return "INFO", [f"7-day hit rate moved {word} break-even: {previous_hit_rate:.1f}% -> {hit:.1f}%"]
    return "NONE", []


def _coverage(ctx: Context, market: str, day: dt.date) -> dict[str, float]:
    rows = ctx.warehouse.query("slate_coverage", market=market, game_date=day)
    rows = rows[rows["system_id"].notna()]
    totals = rows.groupby("system_id")[["entities", "scored"]].sum()
    return {s: 100.0 * r.scored / r.entities for s, r in totals.iterrows() if r.entities}


def diagnose_market(ctx: Context, market: markets.Market, day: dt.date) -> list[dict]:
    grades = ctx.warehouse.query("diagnostics_grades", market=market.market_id, game_date=day, days=30)
    coverage = _coverage(ctx, market.market_id, day)
    previous = ctx.warehouse.query("previous_diagnostics", market=market.market_id, game_date=day)
    previous_hit = dict(zip(previous["system_id"], previous["hit_rate_7d"], strict=True))
    systems = sorted(set(market.active_systems(ctx.settings)) | set(grades["system_id"]) | set(coverage))
    rows = []
    for system_id in systems:
        row = system_row(grades[grades["system_id"] == system_id], day)
        row["coverage_pct"] = coverage.get(system_id, 0.0 if coverage else None)
        prev = previous_hit.get(system_id)
        level, reasons = alert_level(row, None if prev is None or np.isnan(prev) else prev)
        row.update(
            game_date=day,
            market=market.market_id,
            system_id=system_id,
            alert_level=level,
            factors_json=json.dumps({"reasons": reasons}),
            computed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
        rows.append(row)
    return rows


def diagnose_day(event: DiagnosticsDaily, ctx: Context) -> None:
    day = event.game_date or dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    for market_id in event.markets or sorted(markets.all_markets()):
        rows = diagnose_market(ctx, markets.market(market_id), day)
        ctx.warehouse.upsert("diagnostics_daily", rows)
        for row in rows:
            if row["alert_level"] == "NONE":
                continue
            reasons = json.loads(row["factors_json"])["reasons"]
            alert = AlertRaised(
                alert_id=f"{day}:{market_id}:{row['system_id']}:{row['alert_level']}",
                game_date=day,
                market=market_id,
                system_id=row["system_id"],
                level=row["alert_level"],
                title=f"{row['alert_level']} {market_id} / {row['system_id']} on {day}",
                message="; ".join(reasons),
            )
            ctx.bus.publish(topology.ALERT_RAISED, alert, {"market": market_id, "level": row["alert_level"]})
