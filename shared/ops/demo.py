"""`propflow demo`: a synthetic league through the real event chain, on either backend."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from shared import runtime
from shared.config import process_environ
from shared.contract import markets, topology
from shared.contract.events import LIVE_RUN, DiagnosticsDaily, RetrainRequested
from shared.ops import emulators, scenarios
from shared.ports import Chain, Context
from shared.sources import feed
from shared.sources.league import MARKETS, generate
from shared.systems import experiments, training

DEFAULT_START = dt.date(2026, 1, 5)
# The demo's run only: a backtest in the same warehouse has leaderboard rows of its own.
SUMMARY_SQL = """
SELECT market, system_id, predictions, picks, hit_rate, mae, line_mae, units
FROM propflow.model_leaderboard
WHERE run_id = @run_id
ORDER BY market, system_id = 'ensemble', system_id
"""
ALERTS_SQL = "SELECT level, COUNT(*) AS alerts FROM propflow.alerts GROUP BY level ORDER BY level"


def train_systems(ctx: Context, market_id: str, train_end: dt.date) -> None:
    """Train every active system of a market on history up to train_end and make it champion."""
    data = training.training_data(ctx, market_id, train_end)
    for system_id in markets.market(market_id).active_systems(ctx.settings):
        config = training.TrainConfig.for_system(market_id, system_id, train_end, validation_days=0)
        result = training.train(ctx, config, registered_by="demo", promote=True, frame=data)
        experiments.record_training(ctx, result, name=f"demo {system_id}", tags=["demo"])


@dataclass(frozen=True)
class DemoResult:
    summary: pd.DataFrame
    alerts: dict[str, int]  # alerts in the warehouse after the run, by level
    days: int
    events: int  # messages published and drained
    deliveries: int  # successful function invocations (a message reaches one or more deployments)
    dead_letters: int
    seconds: float


def run(
    ctx: Context,
    *,
    days: int = 30,
    history_days: int = 60,
    seed: int = 7,
    start: dt.date = DEFAULT_START,
    retrain_every: int = 7,
    scenario: str | None = None,
    on_day: Callable[[dt.date], None] | None = None,
    chain: Chain | None = None,
) -> DemoResult:
    """Backfill `history_days` of a synthetic league, fit the systems, then replay `days` through the chain.

    Events go out on ctx.bus and are delivered by `chain`, by default ctx.chain (the in-process bus on the
    embedded default); on the emulators a PushChain (real push subscriptions).
    """
    chain = ctx.chain if chain is None else chain
    if not chain.waits:
        raise RuntimeError("on the gcp backend the demo needs a PushChain: run `propflow demo --backend gcp`")
    began = time.perf_counter()
    bus = ctx.bus
    delivered_before, dead_before = chain.delivered, len(chain.dead_letters)
    first_live = start + dt.timedelta(days=history_days)
    faults = scenarios.league_faults(scenario, first_live)
    leagues = [
        generate(m, seed=seed, start=start, days=history_days + days, faults=faults)
        for m in sorted(MARKETS)  # the markets the synthetic league simulates
    ]
    for league in leagues:
        feed.load_history(ctx, league, first_live)
        train_systems(ctx, league.market, first_live - dt.timedelta(days=1))
    leagues = scenarios.apply(ctx, scenario, leagues, first_live)
    handled = 0
    for offset in range(days):
        day = first_live + dt.timedelta(days=offset)
        if offset and retrain_every and offset % retrain_every == 0:  # the weekly scheduler's retrain
            for league in leagues:
                retrain = RetrainRequested(league.market, day - dt.timedelta(days=1))
                bus.publish(topology.RETRAIN_REQUESTED, retrain)
            handled += chain.drain()
        for league in leagues:
            feed.post_lines(ctx, league, day)
        handled += chain.drain()
        for league in leagues:
            feed.finish_day(ctx, league, day)
            if offset:
                feed.correct_previous_day(ctx, league, day)
        handled += chain.drain()
        bus.publish(topology.DIAGNOSTICS_DAILY, DiagnosticsDaily(day))
        handled += chain.drain()
        if on_day:
            on_day(day)
    summary = ctx.warehouse.sql(SUMMARY_SQL, run_id=LIVE_RUN)
    alerts = {r.level: int(r.alerts) for r in ctx.warehouse.sql(ALERTS_SQL).itertuples()}
    return DemoResult(
        summary,
        alerts,
        days,
        handled,
        chain.delivered - delivered_before,
        len(chain.dead_letters) - dead_before,
        time.perf_counter() - began,
    )


def run_on_gcp(ctx: Context, **options: Any) -> DemoResult:
    """The demo on the gcp backend: make what Terraform would, then deliver through real push subscriptions."""
    from shared.ops.push_chain import PushChain  # google-cloud-pubsub and the servers: only on this path

    ctx.warehouse.ensure_schema()
    ctx.blobs.ensure_bucket(ctx.settings.bucket)
    with PushChain(ctx, markets.all_system_ids()) as chain:
        return run(ctx, chain=chain, **options)


@dataclass(frozen=True)
class EmulatedDemo:
    """A demo run on the gcp backend against local emulators."""

    result: DemoResult
    dataset: str  # project.dataset the chain wrote
    bigquery_host: str  # where the BigQuery emulator answers
    kept: bool  # the emulators outlive the run (`propflow emulators up` started them, or the environment names them)


def run_on_emulators(home: Path, **options: Any) -> EmulatedDemo:
    """The demo on the gcp backend against emulators: the ones the environment names, else the ones
    `propflow emulators up` left running under home, else new ones, stopped when the run ends.

    The backend settings and the emulators' addresses are in os.environ for the run only: the functions
    serve in other threads and read them from there, as the Google clients do.
    """
    kept = emulators.running(home) is not None or all(os.environ.get(v) for v in emulators.ENV_VARS)
    with emulators.use(home) as env, process_environ(emulators.backend_env()):
        ctx = runtime.context()
        result = run_on_gcp(ctx, **options)
        dataset = f"{ctx.settings.project}.{ctx.settings.dataset}"
        return EmulatedDemo(result, dataset, env["BIGQUERY_EMULATOR_HOST"], kept)
