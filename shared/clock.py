"""The one clock: handlers, jobs, sources and the local bus read the time here, so a test can set it.

Times are UTC. The warehouse stores naive UTC timestamps (`now`); wire formats
and pages that print a zone use the aware form (`now_utc`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

# Process-wide, not a context variable: the gcp demo's functions-framework servers run on their own threads.
_frozen: dt.datetime | None = None


def now_utc() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return _frozen or dt.datetime.now(dt.UTC)


def now() -> dt.datetime:
    """The current time in UTC, naive: what the warehouse's TIMESTAMP columns hold."""
    return now_utc().replace(tzinfo=None)


def today() -> dt.date:
    """Today's date in UTC."""
    return now_utc().date()


@contextlib.contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    """Stop the clock at `at` (naive means UTC) for the block. It does not tick: whatever orders rows by a
    timestamp it writes (alias history) needs one block per step."""
    global _frozen
    before = _frozen
    _frozen = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    try:
        yield
    finally:
        _frozen = before
