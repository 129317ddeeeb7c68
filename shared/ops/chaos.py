"""Fault injection for the embedded default: what Pub/Sub and a flaky warehouse do to functions.

FlakyWarehouse fails writes at random, before or after they land, so functions
crash between their writes and are retried; with it, the ChaosBus
(shared/adapters/local/chaos_bus.py) delivers like the local bus, but out of
order, some messages twice, some duplicates concurrently (racing). Used by the
reliability tests and `bench/soak.py`: whatever they inject, the final tables
must equal those of a clean run.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from shared.contract import schemas, topology
from shared.contract.events import DiagnosticsDaily
from shared.ports import Context, Row, Warehouse, WarehouseError
from shared.sources import feed
from shared.sources.league import League

# Columns that record when or by which message a row was written: they differ between runs by design.
AUDIT_COLUMNS = frozenset(
    {
        "created_at",
        "scored_at",
        "graded_at",
        "updated_at",
        "computed_at",
        "raised_at",
        "delivered_at",
        "ingested_at",
        "corrected_at",
        "processed_at",
        "registered_at",
        "event_id",
    }
)


def comparable(warehouse: Warehouse, table: str) -> pd.DataFrame:
    """A table's rows without audit columns, lists as tuples, in key order: what two runs must share."""
    frame = warehouse.sql(f"SELECT * FROM propflow.{table}")
    frame = frame.drop(columns=[c for c in frame.columns if c in AUDIT_COLUMNS])
    frame = frame.map(lambda v: tuple(v) if hasattr(v, "__len__") and not isinstance(v, str) else v)
    key = [k for k in schemas.table(table).key if k not in AUDIT_COLUMNS]
    return frame.sort_values(key).reset_index(drop=True)


def differing_rows(got: pd.DataFrame, expected: pd.DataFrame) -> int:
    """Rows that differ: missing equals missing, floats within 1e-9 (sums may add up in another order)."""
    differs = pd.Series(False, index=expected.index)
    for column in expected.columns:
        a, b = got[column], expected[column]
        both_missing = a.isna() & b.isna()
        if pd.api.types.is_float_dtype(b) and pd.api.types.is_float_dtype(a):
            same = np.isclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9, atol=1e-12) | both_missing
        else:
            same = (a.astype(object) == b.astype(object)).fillna(False) | both_missing
        differs |= ~same
    return int(differs.sum())


class InjectedFault(WarehouseError):
    """A write failure injected on purpose (transient: the trigger retries)."""


class FlakyWarehouse:
    """Wraps a warehouse; each upsert fails with probability `rate`, half of them after writing."""

    def __init__(self, inner: Warehouse, rng: random.Random, rate: float) -> None:
        self.inner, self.rng, self.rate = inner, rng, rate
        self.faults = 0
        self.armed = True

    def upsert(self, table: str, rows: Iterable[Row] | pd.DataFrame) -> int:
        fail = self.armed and self.rng.random() < self.rate
        after = fail and self.rng.random() < 0.5
        if fail and not after:
            self.faults += 1
            raise InjectedFault(f"injected failure before writing {table}")
        written = self.inner.upsert(table, rows)
        if after:  # the write landed but the function never hears so: a crash mid-way
            self.faults += 1
            raise InjectedFault(f"injected failure after writing {table}")
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def play_day(ctx: Context, leagues: Iterable[League], day: dt.date, flaky: FlakyWarehouse | None = None) -> None:
    """One day of the chain for these synthetic leagues: lines, finals, diagnostics (faults off upstream)."""

    def upstream(write: Callable[[Context, League, dt.date], Any], league: League) -> None:
        if flaky:
            flaky.armed = False  # the feeds are not under test
        write(ctx, league, day)
        if flaky:
            flaky.armed = True

    leagues = list(leagues)
    for write in (feed.post_lines, feed.finish_day):
        for league in leagues:
            upstream(write, league)
            ctx.chain.drain()
    ctx.bus.publish(topology.DIAGNOSTICS_DAILY, DiagnosticsDaily(day))
    ctx.chain.drain()
