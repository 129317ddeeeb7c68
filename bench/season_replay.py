"""A full season replayed through every function on the embedded default: entity-games per second.

The synthetic league of every market (history, trained champions), then DAYS
replayed days: lines posted -> feature store -> one scorer per system ->
ensemble -> game-final -> grading, with daily diagnostics, alerting and the
weekly retrain, exactly as `propflow demo` runs them. Printed next to the time
the same run spent inside the scorers' model inference (the raw work).

    python bench/season_replay.py [--days 160]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from machine import describe

from shared.systems.base import Model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=160, help="replayed days (an NBA regular season is ~160)")
    args = parser.parse_args()
    inference = [0.0]
    forecast = Model.forecast

    def timed(self, *a, **k):
        started = time.perf_counter()
        try:
            return forecast(self, *a, **k)
        finally:
            inference[0] += time.perf_counter() - started

    Model.forecast = timed  # what the scorers call: mean, P(over), P(push)
    with tempfile.TemporaryDirectory() as home:
        os.environ["PROPFLOW_HOME"] = home
        from shared import runtime
        from shared.ops import demo

        ctx = runtime.context()
        started = time.perf_counter()
        out = demo.run(ctx, days=args.days)
        seconds = time.perf_counter() - started
        games = ctx.warehouse.sql(
            "SELECT COUNT(*) AS n FROM propflow.predictions WHERE run_id = 'live' AND system_id = 'ensemble'"
        )["n"][0]
        graded = ctx.warehouse.sql(
            "SELECT COUNT(*) AS n FROM propflow.grades WHERE run_id = 'live' AND actual IS NOT NULL"
        )["n"][0]
    print(f"season replay on {describe()}")
    markets = out.summary["market"].nunique()
    print(f"{args.days} days x {markets} markets: {games} entity-games, {graded} graded rows")
    print(f"{out.events} events, {out.deliveries} function calls, {out.dead_letters} dead-lettered")
    print(f"wall {seconds:.1f} s (history, training, weekly retrains included): {games / seconds:.0f} entity-games/s")
    print(f"model inference inside the scorers: {inference[0]:.2f} s; end to end is {seconds / inference[0]:.0f}x that")


if __name__ == "__main__":
    main()
