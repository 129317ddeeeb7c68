"""Daily diagnostics over a 30-day window: one diagnostics-daily event, every market and system.

A demo league with 30 replayed days of grades, then the daily event for the last
day, delivered REPEAT times through the bus (a fresh event each time, so every
run does the full work: the 30-day grades, served-feature PSI, coverage, fleet
correlation, root cause, the upserted rows and any alerts). Printed next to the
time of the window's grade query alone, measured in the same run.

    python bench/diagnostics_window.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time

from machine import describe

WINDOW = 30
HISTORY = 30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["PROPFLOW_HOME"] = home
        from shared import runtime
        from shared.contract import topology
        from shared.contract.events import LIVE_RUN, DiagnosticsDaily
        from shared.ops import demo
        from shared.sources.league import MARKETS

        ctx = runtime.context()
        demo.run(ctx, days=WINDOW, history_days=HISTORY, retrain_every=0)
        day = demo.DEFAULT_START + dt.timedelta(days=HISTORY + WINDOW - 1)
        walls, queries = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            ctx.bus.publish(topology.DIAGNOSTICS_DAILY, DiagnosticsDaily(day), {"game_date": day.isoformat()})
            ctx.bus.drain()
            walls.append(time.perf_counter() - started)
            started = time.perf_counter()
            for market in MARKETS:
                ctx.warehouse.query("diagnostics_grades", market=market, game_date=day, days=WINDOW, run_id=LIVE_RUN)
            queries.append(time.perf_counter() - started)
        rows = ctx.warehouse.sql("SELECT COUNT(*) AS n FROM propflow.diagnostics_daily WHERE game_date = @d", d=day)
        graded = ctx.warehouse.sql(
            "SELECT COUNT(*) AS n FROM propflow.grades WHERE run_id = @r AND game_date > @d",
            r=LIVE_RUN,
            d=day - dt.timedelta(days=WINDOW),
        )
    wall, query = statistics.median(walls), statistics.median(queries)
    print(f"diagnostics over a {WINDOW}-day window on {describe()}")
    print(f"{graded['n'][0]} graded rows in the window, {rows['n'][0]} diagnostics rows per run, {args.repeat} runs")
    print(f"median {wall * 1000:.0f} ms per diagnostics-daily event (with alerting)")
    print(f"vs {query * 1000:.0f} ms for the window's grade query alone: {wall / query:.1f}x")


if __name__ == "__main__":
    main()
