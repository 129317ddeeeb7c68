"""`propflow demo`: a synthetic league through the real event chain, on either backend."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sized
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from shared.adapters.local.local_bus import LocalBus
from shared.contract import markets, topology
from shared.contract.events import DiagnosticsDaily, RetrainRequested
from shared.ops import scenarios
from shared.ports import Context
from shared.sources import feed
from shared.sources.league import MARKETS, generate
from shared.systems import experiments, training

DEFAULT_START = dt.date(2026, 1, 5)
SUMMARY_SQL = """
SELECT market, system_id, predictions, picks, hit_rate, mae, line_mae, units
FROM propflow.model_leaderboard
ORDER BY market, system_id = 'ensemble', system_id
"""


def train_systems(ctx: Context, market_id: str, train_end: dt.date) -> None:
    """Train every active system of a market on history up to train_end and make it champion."""
    data = training.training_data(ctx, market_id, train_end)
    for system_id in markets.market(market_id).active_systems(ctx.settings):
        config = training.TrainConfig.for_system(market_id, system_id, train_end, validation_days=0)
        result = training.train(ctx, config, registered_by="demo", promote=True, frame=data)
        experiments.record_training(ctx, result, name=f"demo {system_id}", tags=["demo"])


class Chain(Protocol):
    """What delivers the published events: the in-process LocalBus, or shared/ops/push_chain.PushChain."""

    delivered: int
    dead_letters: Sized

    def drain(self) -> int: ...


@dataclass(frozen=True)
class DemoResult:
    summary: pd.DataFrame
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

    Events go out on ctx.bus and are delivered by `chain`: the LocalBus itself on the embedded default,
    a PushChain (real push subscriptions) on the emulators.
    """
    if chain is None:
        if not isinstance(ctx.bus, LocalBus):
            raise RuntimeError("on the gcp backend the demo needs a PushChain: run `propflow demo --backend gcp`")
        chain = ctx.bus
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
    summary = ctx.warehouse.sql(SUMMARY_SQL)
    return DemoResult(
        summary,
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
    with PushChain(ctx.bus, markets.all_system_ids()) as chain:
        return run(ctx, chain=chain, **options)
