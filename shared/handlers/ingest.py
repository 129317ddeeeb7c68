"""ingest handler: a file finalized in the landing bucket -> its feed loaded, whole or not at all.

The object's path prefix names its feed (`<feed>/...`). Every generation of every object is recorded in the
ingest_objects ledger with what it wrote. The rules, in order:

- A generation older than one the ledger has already seen of the same name is stale: it changes nothing (the
  newest generation of a name is what the name means).
- An empty object, a name without a feed prefix, an unknown feed or a malformed file (FeedError) is rejected:
  recorded with its reason, nothing written, and PoisonEvent makes processed_events keep it as a dead letter.
- A load stamps every row with `gs://bucket/name#generation`; then the rows the earlier generations of the
  name wrote are deleted. So a corrected file replaces exactly what the old one wrote, and a malformed
  correction (rejected before any write) leaves the old rows standing.

After a load: game-final, with its stat lines and the generation they were stored from, for each final game
that has predictions stored (a backfill of old seasons grades nothing, so it publishes nothing; predictions
scored later are graded by grading_late from the stored outcomes), and the slates that got lines go to the
production clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable

import pandas as pd

from shared import clock
from shared.contract import topology
from shared.contract.events import GameFinal, PoisonEvent
from shared.contract.storage_event import StoredObject
from shared.domain.feeds import spec as feed_specs
from shared.handlers import schedule
from shared.handlers.feeds import FeedError, FeedReport, load_feed
from shared.ports import BlobNotFound, Context

log = logging.getLogger(__name__)

LOADED, REJECTED, STALE = "loaded", "rejected", "stale"
FEED_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def source_object(stored: StoredObject, generation: int | None = None) -> str:
    """What rows loaded from one generation of an object carry in source_object."""
    return f"{stored.uri}#{stored.generation if generation is None else generation}"


def feed_of(name: str) -> str:
    """The feed an object's name puts it in (`<feed>/...`); PoisonEvent when the name has none."""
    feed, slash, rest = name.partition("/")
    if not slash or not rest or not FEED_NAME.fullmatch(feed):
        raise PoisonEvent(f"object {name!r} is not under a feed's folder: names are <feed>/<file>")
    return feed


def _record(ctx: Context, stored: StoredObject, status: str, *, feed: str | None, reason: str | None = None,
            report: FeedReport | None = None, replaced: dict[str, int] | None = None) -> None:  # fmt: skip
    ctx.warehouse.upsert(
        "ingest_objects",
        [
            {
                "bucket": stored.bucket,
                "name": stored.name,
                "generation": stored.generation,
                "md5_hash": stored.md5_hash,
                "crc32c": stored.crc32c,
                "size": stored.size,
                "feed": feed,
                "status": status,
                "reason": reason,
                "report": report_json(report) if report else None,
                "replaced": json.dumps(replaced, sort_keys=True) if replaced is not None else None,
                "written": json.dumps(report.written, sort_keys=True) if report else None,
                "event_id": ctx.event_id,
                "ingested_at": clock.now(),
            }
        ],
    )


# What the ledger keeps of a load's report (its finals and slates are what the load set off, not counts).
REPORT_FIELDS = ("feed", "kind", "files", "rows_read", "rows_kept", "rejected", "rows_matched", "unmatched",
                 "first_date", "last_date", "markets", "books", "written")  # fmt: skip


def report_json(report: FeedReport) -> str:
    return json.dumps({f: getattr(report, f) for f in REPORT_FIELDS}, default=str)


def report_from_json(text: str) -> FeedReport:
    """The report a load recorded in the ledger (without its finals and slates)."""
    fields = json.loads(text)
    dates = {k: dt.date.fromisoformat(fields[k]) if fields[k] else None for k in ("first_date", "last_date")}
    return FeedReport(**{**fields, **dates, "markets": tuple(fields["markets"]), "books": tuple(fields["books"])})


def history(ctx: Context, bucket: str, name: str) -> pd.DataFrame:
    """Every generation of an object the ledger recorded, oldest first."""
    return ctx.warehouse.query("ingest_object_history", bucket=bucket, object_name=name)


def _history(ctx: Context, stored: StoredObject) -> pd.DataFrame:
    return history(ctx, stored.bucket, stored.name)


def _newer(history: pd.DataFrame, stored: StoredObject) -> int | None:
    later = history.loc[history["generation"] > stored.generation, "generation"]
    return int(later.max()) if not later.empty else None


def _delete(ctx: Context, stored: StoredObject, generations: pd.DataFrame) -> dict[str, int]:
    """Delete what these loaded generations of the object wrote; rows deleted per table."""
    deleted: dict[str, int] = defaultdict(int)
    for row in generations.itertuples(index=False):
        for table in json.loads(row.written or "{}"):
            deleted[table] += ctx.warehouse.delete_rows(table, "source_object", source_object(stored, row.generation))
    return dict(deleted)


def _reject(ctx: Context, stored: StoredObject, feed: str | None, reason: str) -> None:
    _record(ctx, stored, REJECTED, feed=feed, reason=reason)
    raise PoisonEvent(f"{stored.uri}#{stored.generation}: {reason}")


def _stale(ctx: Context, stored: StoredObject, feed: str | None, reason: str) -> None:
    log.info("%s#%d: %s; nothing changed", stored.uri, stored.generation, reason)
    _record(ctx, stored, STALE, feed=feed, reason=reason)


def _came_first(newer: int) -> str:
    return f"generation {newer} of this object came first"


def finals_to_grade(ctx: Context, finals: Iterable[GameFinal], loaded_from: str) -> list[GameFinal]:
    """The finals worth a game-final: games with predictions stored. Each carries its stat lines and names the
    object generation the load stored them from, so grading grades from those rows instead of rewriting them
    (which would drop their source_object, the key a corrected generation replaces them by)."""
    by_market: dict[str, list[GameFinal]] = defaultdict(list)
    for final in finals:
        by_market[final.market].append(final)
    chosen: list[GameFinal] = []
    for market, games in sorted(by_market.items()):
        dates = [g.game_date for g in games]
        predicted = ctx.warehouse.query("predicted_games", market=market, first_date=min(dates), last_date=max(dates))
        known = set(predicted["game_id"])
        chosen += [dataclasses.replace(g, source_object=loaded_from) for g in games if g.game_id in known]
    return chosen


def ingest_object(stored: StoredObject, ctx: Context) -> None:
    history = _history(ctx, stored)
    feed = None
    try:
        feed = feed_of(stored.name)
    except PoisonEvent as exc:
        _reject(ctx, stored, None, exc.reason)
    if (newer := _newer(history, stored)) is not None:
        return _stale(ctx, stored, feed, _came_first(newer))
    if stored.size == 0:
        _reject(ctx, stored, feed, "empty object: a file with no content has no rows to load")
    specs = feed_specs.all_specs(ctx.settings.feeds_dir)
    if feed not in specs:
        _reject(ctx, stored, feed, f"unknown feed {feed!r}; feeds: {', '.join(sorted(specs))}")
    try:
        with ctx.blobs.open(stored.uri, generation=stored.generation) as stream:
            report = load_feed(ctx, specs[feed], [(stored.name, stream)], source_object=source_object(stored))
    except FeedError as exc:
        _reject(ctx, stored, feed, str(exc))
    except BlobNotFound:  # replaced (its successor's own event follows) or deleted before it could be read
        return _stale(ctx, stored, feed, "this generation is no longer stored: replaced or deleted before it was read")
    earlier = history[(history["generation"] < stored.generation) & (history["status"] == LOADED)]
    replaced = _delete(ctx, stored, earlier)
    _record(ctx, stored, LOADED, feed=feed, report=report, replaced=replaced)
    # A newer generation may have loaded while this one did: then this one's rows go, and it counts as stale.
    if (newer := _newer(_history(ctx, stored), stored)) is not None:
        _delete(ctx, stored, pd.DataFrame([{"generation": stored.generation, "written": json.dumps(report.written)}]))
        return _stale(ctx, stored, feed, _came_first(newer))
    log.info("%s#%d: %s loaded %s (replaced %s)", stored.uri, stored.generation, feed, report.written, replaced)
    for final in finals_to_grade(ctx, report.finals, source_object(stored)):
        ctx.bus.publish(topology.GAME_FINAL, final)
    schedule.lines_arrived(ctx, report.slates)
