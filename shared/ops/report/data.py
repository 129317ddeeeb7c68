"""The numbers of a run's report, per market, read from the warehouse.

Every count and rate is the SQL's (schemas/queries/report_*.sql and backtest_report.sql, which read the
grade_metrics view: what a pick is, and how hit rate, ROI, MAE and line MAE count); only the intervals
(the edge buckets' Wilson intervals, and the headline numbers' day-block bootstrap of shared/domain/
intervals.py over the same rules) and the running total of units are added here."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from scipy.stats import binomtest

from shared.domain import intervals
from shared.ops import backtest
from shared.ports import Context

CONFIDENCE = 0.95


@dataclass(frozen=True)
class MarketReport:
    market: str
    leaderboard: pd.DataFrame  # per system: picks, hit rate, ROI, MAE vs line MAE, Brier vs market
    intervals: pd.DataFrame  # per system and headline metric: its 95 % interval, verdict and picks needed
    calibration: pd.DataFrame  # per system and P(over) bucket: predicted vs realised over rate
    edges: pd.DataFrame  # per system and edge bucket: hit rate with its Wilson interval, ROI
    daily: pd.DataFrame  # per system and day: units and their running total
    monthly: pd.DataFrame  # per system and month: model MAE vs line MAE
    fleet: pd.DataFrame  # per day: coverage and the systems' spread


def wilson(wins: int, decided: int) -> tuple[float, float]:
    """The 95 % Wilson score interval of a hit rate (NaN without decided picks)."""
    if decided == 0:
        return float("nan"), float("nan")
    interval = binomtest(wins, decided).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    return float(interval.low), float(interval.high)


def _edges(frame: pd.DataFrame) -> pd.DataFrame:
    bounds = [wilson(int(w), int(w + lo)) for w, lo in zip(frame["wins"], frame["losses"], strict=True)]
    return frame.assign(
        hit_low=[b[0] for b in bounds],
        hit_high=[b[1] for b in bounds],
    )


def _daily(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(game_date=pd.to_datetime(frame["game_date"]))
    return frame.assign(cumulative_units=frame.groupby("system_id")["units"].cumsum())


def markets(ctx: Context, run_id: str) -> list[str]:
    return ctx.warehouse.query("report_markets", run_id=run_id)["market"].tolist()


def market_report(ctx: Context, run_id: str, market: str, resamples: int = intervals.RESAMPLES) -> MarketReport:
    """Everything the report shows for one market of one run."""
    params = {"run_id": run_id, "market": market}
    return MarketReport(
        market=market,
        leaderboard=ctx.warehouse.query("backtest_report", production_only=False, **params),
        intervals=backtest.headline_intervals(ctx, market, run_id, resamples=resamples),
        calibration=ctx.warehouse.query("report_calibration", **params),
        edges=_edges(ctx.warehouse.query("report_edge_buckets", **params)),
        daily=_daily(ctx.warehouse.query("report_daily", **params)),
        monthly=ctx.warehouse.query("report_monthly", **params),
        fleet=ctx.warehouse.query("report_agreement", **params),
    )
