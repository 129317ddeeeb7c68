"""`propflow backtest`: replay history through the same functions, under a run id.

Before each period (a month by default) every active system is retrained on
the days before it and its version pinned to this run (alias run:<run_id>),
so the production champion is never touched. Then every day with lines is
replayed as production lives it: lines-posted (as of the market's prediction
hour) -> feature store -> scorers -> ensemble, and every game with outcomes
-> game-final -> grading. The grades land in the same tables, under the run id.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from shared.contract import markets, topology
from shared.contract.events import GameFinal, LinesPosted
from shared.domain import intervals
from shared.ports import Context
from shared.systems import registry, training, walkforward


@dataclass(frozen=True)
class BacktestResult:
    run_id: str
    days: int
    events: int
    dead_letters: int
    seconds: float


def default_run_id(market_id: str, start: dt.date, end: dt.date) -> str:
    return f"backtest-{market_id}-{start:%Y%m%d}-{end:%Y%m%d}"


def pin_models(ctx: Context, market_id: str, train_end: dt.date, run_id: str, data: pd.DataFrame, who: str) -> None:
    """Train every active system up to train_end and pin the versions to this run."""
    for system_id in markets.market(market_id).active_systems(ctx.settings):
        config = training.TrainConfig.for_system(market_id, system_id, train_end, validation_days=0)
        record = training.train(ctx, config, registered_by=who, frame=data).record
        registry.set_alias(
            ctx,
            market_id,
            system_id,
            registry.RUN_ALIAS + run_id,
            record.version,
            set_by=who,
            reason=f"backtest trained to {train_end}",
        )


def run(
    ctx: Context,
    market_id: str,
    start: dt.date,
    end: dt.date,
    *,
    run_id: str | None = None,
    retrain_monthly: bool = True,
    who: str = "backtest",
    on_day: Callable[[dt.date], None] | None = None,
) -> BacktestResult:
    began, bus, chain = time.perf_counter(), ctx.bus, ctx.chain
    if not chain.waits:  # each day's lines must be scored before its finals are graded
        raise RuntimeError(
            "a backtest waits for each day's cascade to settle, which only the in-process bus can: "
            "run it with PROPFLOW_BACKEND=local"
        )
    dead_before = len(chain.dead_letters)
    run_id = run_id or default_run_id(market_id, start, end)
    dates = list(
        pd.to_datetime(
            ctx.warehouse.query("slate_dates", market=market_id, since=start, until=end)["game_date"]
        ).dt.date
    )
    data = training.training_data(ctx, market_id, end)
    periods = walkforward.periods(start, end) if retrain_monthly else [(start, end)]
    handled = 0
    for first, last in periods:
        days = [d for d in dates if first <= d <= last]
        if not days:
            continue
        pin_models(ctx, market_id, first - dt.timedelta(days=1), run_id, data, who)
        for day in days:
            as_of = markets.market(market_id).prediction_time(day)
            bus.publish(topology.LINES_POSTED, LinesPosted(market_id, day, run_id, as_of))
            handled += chain.drain()
            for game_id in ctx.warehouse.query("final_games", market=market_id, game_date=day)["game_id"]:
                bus.publish(topology.GAME_FINAL, GameFinal(market_id, game_id, day))
            handled += chain.drain()
            if on_day:
                on_day(day)
    return BacktestResult(
        run_id, len(dates), handled, len(chain.dead_letters) - dead_before, time.perf_counter() - began
    )


def report(ctx: Context, market_id: str, run_id: str, *, production_only: bool = False) -> pd.DataFrame:
    return ctx.warehouse.query("backtest_report", market=market_id, run_id=run_id, production_only=production_only)


def headline_intervals(
    ctx: Context, market_id: str, run_id: str, *, production_only: bool = False, resamples: int = intervals.RESAMPLES
) -> pd.DataFrame:
    """The report's headline numbers per system with their 95 % intervals (whole slate days resampled)."""
    grades = ctx.warehouse.query("run_grades", market=market_id, run_id=run_id, production_only=production_only)
    return intervals.by_system(grades, resamples)
