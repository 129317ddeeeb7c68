"""THE feed loader: every way a feed file gets in (`propflow feeds check`, `propflow ingest --feed`, the ingest
function) reads it through load_feed.

A file is streamed in chunks (read -> fields -> checks, holding across chunks
only what the whole-file rules need: rules.Checks) and every chunk is checked
before the first write, so a malformed file (bad header, unparseable) raises
FeedError and writes nothing; a dry run (write=False) writes nothing at all.
What is held for matching and writing is the checked rows (a ladder's main line
only). Rows that are wrong are counted by reason and never loaded; names that
match no entity go to ingest_unmatched.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

import pandas as pd

from shared import clock
from shared.contract.events import GameFinal
from shared.domain.feeds import match, read, rules, tables
from shared.domain.feeds.names import normalize
from shared.domain.feeds.spec import FeedSpec
from shared.errors import Invalid, NotFound
from shared.ports import Context

# Results this far before a line's date tell an entity's latest team (a line whose game has no results yet).
HISTORY_DAYS = 400


class FeedError(Invalid):
    """A malformed file: bad header, unparseable; raised before anything is written."""


@dataclass(frozen=True)
class FeedReport:
    feed: str
    kind: str
    files: int
    rows_read: int
    rows_kept: int
    rejected: dict[str, int]  # reason -> rows
    rows_matched: int
    unmatched: dict[str, int]  # name -> rows, most first
    first_date: dt.date | None
    last_date: dt.date | None
    markets: tuple[str, ...]
    books: tuple[str, ...]
    written: dict[str, int] = field(default_factory=dict)  # table -> rows upserted (empty on a dry run)
    finals: tuple[GameFinal, ...] = ()  # results kinds: one per game whose results arrived, with its stat_lines
    slates: tuple[tuple[str, dt.date], ...] = ()  # prop_lines kind: (market, game_date) that got lines

    @property
    def join_rate(self) -> float:
        """Matched rows over kept rows (rows a reject rule took out are not a join's failure)."""
        return self.rows_matched / self.rows_kept if self.rows_kept else 0.0


def load_feed(
    ctx: Context,
    spec: FeedSpec,
    sources: Iterable[tuple[str, BinaryIO]],
    *,
    write: bool = True,
    source_object: str | None = None,
) -> FeedReport:
    """Read every (file name, stream) of `spec`'s feed, check it whole, then (unless write=False) write it.

    `source_object` (e.g. gs://landing/<feed>/file.csv#generation) is stamped on every row written, so a
    later generation of the same object can replace exactly what this one wrote.
    """
    rows, rejected, files, rows_read, filtered = _checked(spec, sources)
    if filtered:
        rejected[rules.FILTERED] = filtered
    if spec.kind == "results" and len(rows) and "entity_name" not in rows.columns:
        rows = rows.assign(entity_name=_display_names(ctx, spec, rows))
    now = clock.now()
    out, missed = _shaped(ctx, spec, rows, now, source_object)
    written = {}
    if write:
        for table, frame in out.items():
            written[table] = ctx.warehouse.upsert(table, frame)
    main = out.get(_MAIN[spec.kind], pd.DataFrame())
    dates = rules.first_last(rows["game_date"]) if "game_date" in rows.columns else (None, None)
    # A row spread from another row's books is counted once, as that row.
    kept, missed = rules.feed_rows(rows), rules.feed_rows(missed)
    unmatched = missed.groupby("name").size() if len(missed) else pd.Series(dtype=int)
    return FeedReport(
        feed=spec.name,
        kind=spec.kind,
        files=files,
        rows_read=rows_read,
        rows_kept=len(kept),
        rejected=rules.count_desc(rejected),
        rows_matched=len(kept) - len(missed),
        unmatched=rules.count_desc({str(k): int(v) for k, v in unmatched.items()}),
        first_date=dates[0],
        last_date=dates[1],
        markets=_covered("market", rows, main),
        books=_covered("book", rows, main),
        written=written,
        finals=tables.finals(spec, rows) if spec.kind == "results" else (),
        slates=_slates(main) if spec.kind == "prop_lines" else (),
    )


def _checked(spec: FeedSpec, sources: Iterable[tuple[str, BinaryIO]]) -> tuple[pd.DataFrame, Counter, int, int, int]:
    """Every file's checked rows, chunk by chunk (a chunk's raw columns are let go once its fields are made),
    the rejects by reason, the files, rows read and rows filtered out."""
    checks, files, rows_read, filtered = rules.Checks(spec), 0, 0, 0
    nothing = pd.DataFrame()  # the rows when none is kept: a read file's fields, no row
    for name, stream in sources:
        try:
            for raw, n in read.read_chunks(spec, name, stream):
                fields = read.fields_of(spec, raw)
                rows_read, filtered = rows_read + n, filtered + n - len(raw)
                del raw
                if len(fields):
                    checks.add(fields)
                else:
                    nothing = fields
        except read.MalformedFile as exc:
            raise FeedError(f"feed {spec.name!r}: {exc}") from exc
        files += 1
    rows, rejected = checks.rows() if checks.rows_added else (nothing, Counter())
    return rows, rejected, files, rows_read, filtered


_MAIN = {
    "prop_lines": "prop_lines",
    "results": "outcomes",
    "availability": "availability",
    "game_lines": "game_lines",
    "aliases": "entity_aliases",
}


def _covered(column: str, *frames: pd.DataFrame) -> tuple[str, ...]:
    """What the kept rows cover, matched or not (a results feed's markets are only in its table's rows)."""
    return tuple(sorted({v for f in frames if column in f.columns for v in f[column].dropna().unique()}))


def _slates(lines: pd.DataFrame) -> tuple[tuple[str, dt.date], ...]:
    if lines.empty:
        return ()
    return tuple(sorted({(m, d) for m, d in zip(lines["market"], lines["game_date"], strict=True)}))


def _shaped(
    ctx: Context, spec: FeedSpec, rows: pd.DataFrame, now: dt.datetime, source_object: str | None
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The rows of each table to write, and the rows no entity (or game) was found for."""
    kind, no_one = spec.kind, pd.DataFrame(columns=["name"])
    if rows.empty:
        return {}, no_one
    if kind == "aliases":
        return {"entity_aliases": tables.aliases(spec, rows, now, source_object)}, no_one
    if kind == "results":
        return {"outcomes": tables.outcomes(spec, rows, now, source_object)}, no_one
    if kind == "game_lines":
        return _game_lines(ctx, spec, rows, now, source_object)
    found, missed = _matched(ctx, spec, rows)
    shape = tables.prop_lines if kind == "prop_lines" else tables.availability
    out = {_MAIN[kind]: shape(spec, found, now, source_object)}
    if len(missed):
        out["ingest_unmatched"] = tables.unmatched(spec, rules.feed_rows(missed), now, source_object)
    return out, missed


def _results(ctx: Context, market: str, dates: pd.Series) -> pd.DataFrame:
    since = min(dates) - dt.timedelta(days=HISTORY_DAYS)
    frame = ctx.warehouse.query("feed_results", market=market, since=since, until=max(dates))
    return frame.assign(game_date=pd.to_datetime(frame["game_date"]).dt.date)


def _matched(ctx: Context, spec: FeedSpec, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each market's rows matched to its entities: by the entity_id field, or by name (with aliases)."""
    found, missed = [], []
    by_id = spec.doc.get("match", {}).get("by") == "id"
    for market, group in rows.groupby("market", sort=True):
        results = _results(ctx, market, group["game_date"])
        if by_id:
            result = match.by_id(group, results)
        else:
            aliases = ctx.warehouse.query("feed_aliases", market=market)[["entity_id", "name"]]
            result = match.by_name(group, results, aliases, pending_from=_pending_from(ctx, spec, market))
        found.append(result.matched)
        missed.append(result.unmatched)
    return match.stacked(found, ignore_index=True), match.stacked(missed, ignore_index=True)


def _pending_from(ctx: Context, spec: FeedSpec, market: str) -> dt.date | None:
    """From which date a game without results may still get them: the market's latest results (None: the
    feed builds no game key, so a line can only join results already in)."""
    if "game_key" not in spec.doc:
        return None
    last = ctx.warehouse.query("feed_last_result", market=market)["last_date"].iloc[0]
    return dt.date.min if pd.isna(last) else pd.Timestamp(last).date()


def _display_names(ctx: Context, spec: FeedSpec, rows: pd.DataFrame) -> pd.Series:
    """A box score without names: the display name its market's crosswalk gives each entity."""
    names = {}
    for market in spec.doc["markets"]:
        aliases = ctx.warehouse.query("feed_aliases", market=market)
        shown = aliases[aliases["display"].fillna(False).astype(bool)]
        names.update(dict(zip(shown["entity_id"], shown["name"], strict=True)))
    return rows["entity_id"].map(names)


def _game_lines(
    ctx: Context, spec: FeedSpec, rows: pd.DataFrame, now: dt.datetime, source_object: str | None
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Game lines; with a `market` field, the games that market has no results of are kept visible."""
    out = {"game_lines": tables.game_lines(spec, rows, now, source_object)}
    if "market" not in rows.columns:
        return out, pd.DataFrame(columns=["name"])
    known = set()
    for market, group in rows.groupby("market"):
        known |= set(_results(ctx, market, group["game_date"])["game_id"])
    missed = rows[~rows["game_id"].isin(known)]
    missed = missed.assign(
        name=missed["away_team"] + " @ " + missed["home_team"], normalized_name=None, reason=match.NO_GAME
    )
    if len(missed):
        out["ingest_unmatched"] = tables.unmatched(spec, missed, now, source_object)
    return out, missed


def add_alias(ctx: Context, market: str, name: str, entity_id: str) -> str:
    """Record that `name` is `entity_id` in `market` for every later ingest; returns the entity's name."""
    known = ctx.warehouse.query("known_entity", market=market, entity_id=entity_id)
    if known.empty:
        raise NotFound(f"no entity {entity_id!r} in market {market!r} (no results or aliases of it)")
    if not normalize(name):
        raise Invalid(f"alias {name!r}: no letters to match on")
    row = {
        "market": market,
        "normalized_name": normalize(name),
        "entity_id": entity_id,
        "name": name,
        "display": False,
        "source": "propflow entities alias",
        "source_object": None,
        "created_at": clock.now(),
    }
    ctx.warehouse.upsert("entity_aliases", [row])
    return str(known["entity_name"].iloc[0])


def top_unmatched(ctx: Context, market: str | None, limit: int) -> pd.DataFrame:
    """The names no entity was found for, most feed rows first."""
    return ctx.warehouse.query("top_unmatched", market=market or "", limit=limit)


def merged(reports: list[FeedReport]) -> FeedReport:
    """One report for several loads of one feed (a shortcut loading its files one by one)."""
    first = reports[0]

    def summed(name: str) -> dict[str, int]:
        total: dict[str, int] = {}
        for report in reports:
            for key, n in getattr(report, name).items():
                total[key] = total.get(key, 0) + n
        return total

    dates = [d for r in reports for d in (r.first_date, r.last_date) if d is not None]
    return FeedReport(
        feed=first.feed,
        kind=first.kind,
        files=sum(r.files for r in reports),
        rows_read=sum(r.rows_read for r in reports),
        rows_kept=sum(r.rows_kept for r in reports),
        rejected=rules.count_desc(summed("rejected")),
        rows_matched=sum(r.rows_matched for r in reports),
        unmatched=rules.count_desc(summed("unmatched")),
        first_date=min(dates, default=None),
        last_date=max(dates, default=None),
        markets=tuple(sorted({m for r in reports for m in r.markets})),
        books=tuple(sorted({b for r in reports for b in r.books})),
        written=summed("written"),
        finals=tuple(f for r in reports for f in r.finals),
        slates=tuple(sorted({s for r in reports for s in r.slates})),
    )
