"""The numbers of a run's report, per market, read from the warehouse."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from scipy.stats import binomtest

from shared.ports import Context

CONFIDENCE = 0.95


@dataclass(frozen=True)
class MarketReport:
    market: str
    leaderboard: pd.DataFrame  # per system: picks, hit rate, ROI, MAE vs line MAE, Brier vs market
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


def _monthly(daily: pd.DataFrame) -> pd.DataFrame:
    by_month = daily.assign(month=daily["game_date"].dt.to_period("M").astype(str)).groupby(["system_id", "month"])
    sums = by_month[["graded", "abs_error_sum", "line_graded", "line_abs_error_sum"]].sum().reset_index()
    return pd.DataFrame(
        {
            "system_id": sums["system_id"],
            "month": sums["month"],
            "graded": sums["graded"],
            "mae": sums["abs_error_sum"] / sums["graded"].where(sums["graded"] > 0),
            "line_mae": sums["line_abs_error_sum"] / sums["line_graded"].where(sums["line_graded"] > 0),
        }
    )


def markets(ctx: Context, run_id: str) -> list[str]:
    return ctx.warehouse.query("report_markets", run_id=run_id)["market"].tolist()


def market_report(ctx: Context, run_id: str, market: str) -> MarketReport:
    """Everything the report shows for one market of one run."""
    params = {"run_id": run_id, "market": market}
    daily = _daily(ctx.warehouse.query("report_daily", **params))
    return MarketReport(
        market=market,
        leaderboard=ctx.warehouse.query("backtest_report", production_only=False, **params),
        calibration=ctx.warehouse.query("report_calibration", **params),
        edges=_edges(ctx.warehouse.query("report_edge_buckets", **params)),
        daily=daily,
        monthly=_monthly(daily),
        fleet=ctx.warehouse.query("report_agreement", **params),
    )
