"""The production clock: a market's slate is scored at its prediction hour from the lines visible then, and its
ensemble stops waiting for missing systems at its deadline.

Two things post a slate (publish lines-posted for the live run, as of the market's prediction hour): the
scheduler's hourly slates-due tick, for every market whose hour has come; and a load of lines
(`lines_arrived`, which the ingest function calls), for an open slate whose hour has already passed. Both
go through `post`, which publishes only when the lines visible at the prediction hour differ from those the
slate was last posted with (their digest is in slate_posts). So a redelivery, a scheduler firing twice, or
lines that move after the hour post nothing; snapshots from before the hour that land late post the same
run again (unless some of its games are graded already), so the live record is what a backtest at the
prediction hour computes. Moves after the hour are never scored: todays_picks shows the current offer
beside the pick's and marks the pick stale.

The same tick sweeps: a slate whose market's ensemble deadline (markets.yaml ensemble_deadline_minutes after
the prediction hour) has passed while some systems' rows lack an ensemble row gets an ensemble-deadline, and
the ensemble combines whatever reported. One clock for both, so each market's deadline follows its own hour.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import numbers
from collections.abc import Iterable

import pandas as pd

from shared import clock
from shared.contract import markets, topology
from shared.contract.events import LIVE_RUN, EnsembleDeadline, LinesPosted, SlatesDue
from shared.ports import Context

log = logging.getLogger(__name__)

CLOCK = "clock"
LINES_ARRIVED = "lines-arrived"
DIGEST_COLUMNS = ["entity_id", "game_id", "book", "snapshot_at", "line", "over_price", "under_price", "opening_line"]


def is_open(game_date: dt.date, now: dt.datetime) -> bool:
    """Whether some game of the slate may not have begun yet (after that, its lines are history)."""
    return now < dt.datetime.combine(game_date, dt.time()) + markets.SLATE_CLOSES_AFTER


def open_dates(now: dt.datetime) -> list[dt.date]:
    """The game dates whose slates are still open: yesterday's (until its late games began) and today's."""
    return [d for d in (now.date() - dt.timedelta(days=1), now.date()) if is_open(d, now)]


def digest(lines: pd.DataFrame) -> str:
    """A digest of a slate's visible lines that does not depend on the backend's types or row order."""
    text = "\n".join(
        "|".join(_text(v) for v in row)
        for row in sorted(lines[DIGEST_COLUMNS].itertuples(index=False, name=None), key=lambda r: (r[0], r[1]))
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, dt.datetime):  # naive UTC locally, aware from BigQuery
        stamp = pd.Timestamp(value)
        return (stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp).isoformat()
    if isinstance(value, numbers.Real):  # an integer column may come back as floats, or as numpy scalars
        return repr(float(value))
    return str(value)


def graded(ctx: Context, market_id: str, game_date: dt.date) -> bool:
    rows = ctx.warehouse.query("slate_graded", market=market_id, game_date=game_date, run_id=LIVE_RUN)
    return int(rows["graded"].iloc[0]) > 0


def post(ctx: Context, market_id: str, game_date: dt.date, trigger: str) -> bool:
    """Publish lines-posted for the slate if its prediction hour has come and its visible lines are new."""
    as_of = markets.market(market_id).prediction_time(game_date)
    if clock.now() < as_of:
        return False
    lines = ctx.warehouse.query("slate_lines", market=market_id, game_date=game_date, as_of=as_of)
    if lines.empty:
        log.info("%s %s: no lines at or before %s; nothing to post", market_id, game_date, as_of)
        return False
    seen = digest(lines)
    last = ctx.warehouse.query("slate_last_post", market=market_id, game_date=game_date, run_id=LIVE_RUN)
    if not last.empty and last["lines_digest"].iloc[0] == seen:
        return False
    # Re-scored after a game was graded, its grades would judge predictions that were replaced.
    if not last.empty and graded(ctx, market_id, game_date):
        log.warning("%s %s: lines of %s landed after games were graded; not re-scored", market_id, game_date, as_of)
        return False
    # Published before it is recorded: a crash between the two posts the slate twice, which changes no row.
    ctx.bus.publish(topology.LINES_POSTED, LinesPosted(market_id, game_date, LIVE_RUN, as_of))
    record = {
        "market": market_id,
        "game_date": game_date,
        "run_id": LIVE_RUN,
        "posted_at": clock.now(),
        "as_of": as_of,
        "lines": len(lines),
        "lines_digest": seen,
        "trigger": trigger,
        "event_id": ctx.event_id,
    }
    ctx.warehouse.upsert("slate_posts", [record])
    log.info("%s %s: posted %d lines as of %s (%s)", market_id, game_date, len(lines), as_of, trigger)
    return True


def sweep(ctx: Context, market_id: str, game_date: dt.date) -> bool:
    """Publish ensemble-deadline for the slate if its market's deadline has passed and systems reported that
    the ensemble has not combined yet (a system that never reported)."""
    if clock.now() < markets.market(market_id).ensemble_deadline(game_date):
        return False
    if ctx.warehouse.query("slates_without_ensemble", market=market_id, game_date=game_date).empty:
        return False
    ctx.bus.publish(topology.ENSEMBLE_DEADLINE, EnsembleDeadline(game_date, [market_id]))
    log.info("%s %s: ensemble deadline passed with systems missing; sweep requested", market_id, game_date)
    return True


def post_due(event: SlatesDue, ctx: Context) -> None:
    """The scheduler's tick: for every slate of the day (default: every open day), sweep it when its ensemble
    deadline has passed, and post it when its hour has come.

    The sweep is looked at first, so it never sees a slate this tick is posting, whose systems are still to run."""
    dates = [event.game_date] if event.game_date else open_dates(clock.now())
    for market_id in event.markets or sorted(markets.all_markets()):
        for game_date in dates:
            sweep(ctx, market_id, game_date)
            post(ctx, market_id, game_date, CLOCK)


def lines_arrived(ctx: Context, slates: Iterable[tuple[str, dt.date]]) -> None:
    """After a load of lines: post each open slate whose hour has passed (earlier ones wait for the clock).

    A slate already closed is history (a backfill): it is loaded, never scored live.
    """
    now = clock.now()
    for market_id, game_date in sorted(set(slates)):
        if is_open(game_date, now):
            post(ctx, market_id, game_date, LINES_ARRIVED)
