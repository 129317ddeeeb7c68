"""Reliability soak: days of the chain under at-least-once chaos, compared row by row with a clean run.

Both runs start from the same synthetic history and trained systems. The chaos
run's bus delivers out of order, duplicates messages (some concurrently), and
its warehouse fails writes at random, before or after they land; failed
deliveries are retried. Prints what was injected and how many rows ended up
duplicated or lost against the clean run (the claim: zero).

    python bench/soak.py [--days 5] [--seed 7] [--fault-rate 0.1] [--duplicate-rate 0.2]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd
from machine import describe

from shared import runtime
from shared.adapters.local.chaos_bus import ChaosBus
from shared.config import Settings
from shared.contract import schemas
from shared.ops import demo
from shared.ops.chaos import AUDIT_COLUMNS, FlakyWarehouse, comparable, differing_rows, play_day
from shared.sources import feed
from shared.sources.league import MARKETS, generate

START, HISTORY = dt.date(2026, 1, 5), 40
COMPARED = ["features", "outcomes", "predictions", "grades", "grade_corrections", "diagnostics_daily", "alerts"]


def keys(warehouse, table: str) -> pd.DataFrame:
    key = [k for k in schemas.table(table).key if k not in AUDIT_COLUMNS]
    return warehouse.sql(f"SELECT {', '.join(key)} FROM propflow.{table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--duplicate-rate", type=float, default=0.2)
    args = parser.parse_args()
    began = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="propflow-soak-"))
    first = START + dt.timedelta(days=HISTORY)
    leagues = [generate(m, seed=args.seed, start=START, days=HISTORY + args.days) for m in sorted(MARKETS)]
    os.environ["PROPFLOW_HOME"] = str(root / "clean")
    ctx = runtime.context()
    for league in leagues:
        feed.load_history(ctx, league, first)
        demo.train_systems(ctx, league.market, first - dt.timedelta(days=1))
    runtime.reset()
    shutil.copytree(root / "clean", root / "chaos")

    days = [first + dt.timedelta(days=i) for i in range(args.days)]
    clean = runtime.context()
    for day in days:
        play_day(clean, leagues, day)
    clean_deliveries = clean.bus.delivered
    expected = {t: keys(clean.warehouse, t) for t in COMPARED}
    expected_values = {t: comparable(clean.warehouse, t) for t in COMPARED}
    runtime.reset()

    os.environ["PROPFLOW_HOME"] = str(root / "chaos")
    settings = Settings(home=root / "chaos")
    rng = random.Random(args.seed)
    base = runtime.resources(settings)
    flaky = FlakyWarehouse(base.warehouse, rng, args.fault_rate)
    bus = ChaosBus(rng, duplicate_rate=args.duplicate_rate)
    runtime.install(settings, dataclasses.replace(base, warehouse=flaky, bus=bus, chain=bus))
    chaos = runtime.context()
    for day in days:
        play_day(chaos, leagues, day, flaky)
    duplicated = lost = changed = 0
    for table in COMPARED:
        got_values = comparable(base.warehouse, table)
        if len(got_values) == len(expected_values[table]):
            changed += differing_rows(got_values, expected_values[table])
        got = keys(base.warehouse, table)
        duplicated += int(got.duplicated().sum()) + max(0, len(got.drop_duplicates()) - len(expected[table]))
        merged = expected[table].merge(got.drop_duplicates(), how="left", indicator=True)
        lost += int((merged["_merge"] == "left_only").sum())
    rows = sum(len(frame) for frame in expected.values())
    runtime.reset()
    shutil.rmtree(root)
    print(f"machine: {describe()}")
    print(f"{args.days} days x {len(leagues)} markets, seed {args.seed}, {time.perf_counter() - began:.0f} s")
    print(f"clean run: {clean_deliveries} deliveries, {rows} rows in {', '.join(COMPARED)}")
    print(f"chaos run: {bus.delivered} deliveries of {bus.stats['messages']} messages")
    print(
        f"  reordered {bus.stats['reordered']}, duplicated {bus.stats['duplicated']} "
        f"({bus.stats['raced']} racing), write faults injected {flaky.faults}, dead-lettered {len(bus.dead_letters)}"
    )
    print(f"rows duplicated: {duplicated}, rows lost: {lost}, rows with a different value: {changed}")


if __name__ == "__main__":
    main()
