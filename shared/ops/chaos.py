"""Fault injection for the embedded default: what Pub/Sub and a flaky warehouse do to functions.

ChaosBus delivers like the local bus, but out of order, some messages twice,
some duplicates concurrently (racing), and FlakyWarehouse fails writes at
random, before or after they land, so functions crash between their writes and
are retried. Used by the reliability tests and `bench/soak.py`: whatever they
inject, the final tables must equal those of a clean run.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from shared.adapters.local.local_bus import LocalBus, Message
from shared.contract import markets, schemas, topology
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


class ChaosBus(LocalBus):
    """Delivers queued messages in random order, duplicating some, racing some duplicates."""

    def __init__(
        self, rng: random.Random, duplicate_rate: float = 0.2, race_rate: float = 0.5, project: str = "propflow-local"
    ) -> None:
        super().__init__(project, max_attempts=20)
        self.rng, self.duplicate_rate, self.race_rate = rng, duplicate_rate, race_rate
        self.stats: Counter[str] = Counter()

    def _deliver_all(self, message: Message, copies: int, race: bool) -> None:
        for deployment in topology.subscribers(message.topic, markets.all_system_ids()):
            if race:
                threads = [threading.Thread(target=self.deliver, args=(message, deployment)) for _ in range(copies)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
            else:
                for _ in range(copies):
                    self.deliver(message, deployment)

    def drain(self) -> int:
        handled = 0
        while self.queue:
            index = self.rng.randrange(len(self.queue))
            if index:
                self.stats["reordered"] += 1
            message = self.queue[index]
            del self.queue[index]
            copies = 2 if self.rng.random() < self.duplicate_rate else 1
            race = copies > 1 and self.rng.random() < self.race_rate
            self.stats["duplicated"] += copies - 1
            self.stats["raced"] += int(race)
            self._deliver_all(message, copies, race)
            self.stats["messages"] += 1
            handled += 1
        return handled


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
            ctx.bus.drain()
    ctx.bus.publish(topology.DIAGNOSTICS_DAILY, DiagnosticsDaily(day))
    ctx.bus.drain()
