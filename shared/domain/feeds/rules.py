"""What a feed's fields become before matching: one row per side pivoted, a ladder reduced to its main line,
more books spread into rows, and every row that is wrong taken out with its reason.

Every row read is accounted for: kept, or counted under one reason. Books are
never averaged: each book's main line is its own row.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from shared.domain import odds
from shared.domain.feeds.read import evaluate, shared
from shared.domain.feeds.spec import FeedSpec

FILTERED = "filtered out by the spec"
ALTERNATE = "alternate line (the book's main line is kept)"
DUPLICATE = "duplicate row"
AFTER_START = "snapshot at or after the game's start"
EVEN_PRICE = "price strictly between -100 and +100"
OFF_GRID = "line off the {grid} grid"
NEGATIVE = "negative stat"
IMPOSSIBLE = "impossible stat ({stat} above {limit})"
MISSING = "no {field}"

# What each kind needs in every row (name or entity_id is checked by the matcher's spec choice).
REQUIRED = {
    "prop_lines": ("market", "book", "snapshot_at", "line", "game_date"),
    "results": ("game_date", "entity_id"),
    "availability": ("market", "game_date", "status", "reported_at"),
    "game_lines": ("game_date", "home_team", "away_team"),
    "aliases": ("market", "entity_id"),
}


@dataclass
class Rejects:
    """Rows not kept, by reason."""

    counts: Counter

    def take(self, frame: pd.DataFrame, bad: pd.Series | np.ndarray, reason: str) -> pd.DataFrame:
        bad = np.asarray(bad, dtype=bool)
        if not bad.any():
            return frame  # not a copy of every row for nothing taken
        self.counts[reason] += int(bad.sum())
        return frame[~bad]


def with_game_teams(fields: pd.DataFrame) -> pd.DataFrame:
    """A box score says team, opponent and home; the game is keyed by its home and away teams."""
    if {"team", "opponent", "home"} <= set(fields.columns) and "home_team" not in fields.columns:
        home = fields["home"].astype(bool)
        fields = fields.assign(
            home_team=fields["team"].where(home, fields["opponent"]),
            away_team=fields["opponent"].where(home, fields["team"]),
        )
    return fields


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of each row's values: equal rows hash equal in any chunk, whatever dtype a chunk gave a
    column (1, 1.0 and True are one value, as in `duplicated`); two different rows share one only by a
    collision, about 1 in 2**64 per pair."""
    columns = {c: _canonical(frame[c]) for c in frame.columns}
    return pd.util.hash_pandas_object(pd.DataFrame(columns, index=frame.index), index=False).to_numpy()


def _canonical(values: pd.Series) -> pd.Series:
    if values.dtype == bool or pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype(float)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.astype("datetime64[ns]")
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in ("boolean", "integer", "floating"):
        return values.astype(float)  # a chunk's flags or numbers with a null among them
    return values


@dataclass
class Seen:
    """What a load has seen so far, as sorted row hashes: a rule over the whole file, one chunk at a time."""

    hashes: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))

    def again(self, hashes: np.ndarray) -> np.ndarray:
        """Whether each hash was seen in an earlier chunk; this chunk's are remembered."""
        before = self.seen(hashes)
        self.add(hashes[~before])
        return before

    def seen(self, hashes: np.ndarray) -> np.ndarray:
        if not len(self.hashes):
            return np.zeros(len(hashes), dtype=bool)
        at = np.searchsorted(self.hashes, hashes).clip(max=len(self.hashes) - 1)
        return self.hashes[at] == hashes

    def add(self, hashes: np.ndarray) -> None:
        # Two sorted runs: the stable sort (timsort for 64-bit keys) merges them in linear time.
        self.hashes = np.sort(np.concatenate([self.hashes, np.unique(hashes)]), kind="stable")


@dataclass
class Sides:
    """One row per side across chunks: side rows whose pair still lacks a price wait for the next chunk (or the
    file's end), and the pairs already complete (both prices) take no more rows, as `first` would ignore them."""

    waiting: pd.DataFrame | None = None
    complete: Seen = field(default_factory=Seen)


def _pivot_sides(spec: FeedSpec, fields: pd.DataFrame, rejects: Rejects, sides: Sides, *, last: bool) -> pd.DataFrame:
    """One row per side -> one row with over_price and under_price (and `_row`, its first side row's); a pair
    still missing a price is held back until `last`."""
    rule = spec.doc["sides"]
    is_side = fields[rule["field"]].isin([rule["over"], rule["under"]])
    fields = rejects.take(fields, ~is_side, f"{rule['field']} neither over nor under")
    keys = [c for c in fields.columns if c not in (rule["field"], "price", "over_price", "under_price", "_row")]
    pair = row_hashes(fields[keys])
    fresh = ~sides.complete.seen(pair)
    fields, pair = fields[fresh], pair[fresh]
    if sides.waiting is not None:
        fields, pair = pd.concat([sides.waiting, fields]), np.concatenate([sides.waiting["_pair"].to_numpy(), pair])
    side = fields[rule["field"]]
    price = fields["price"] if "price" in fields.columns else pd.Series(np.nan, index=fields.index)
    over, under = price.where(side == rule["over"]), price.where(side == rule["under"])
    frame = fields[keys].assign(over_price=over, under_price=under, _row=fields["_row"])
    groups = frame.groupby(keys, dropna=False, sort=False)
    pivoted = groups.agg({"over_price": "first", "under_price": "first", "_row": "min"}).reset_index()
    done = (pivoted["over_price"].notna() & pivoted["under_price"].notna()).to_numpy() | last
    of_done = done[groups.ngroup().to_numpy()]
    sides.complete.add(pair[of_done])
    sides.waiting = None if last else fields[~of_done].assign(_pair=pair[~of_done])
    return pivoted[done]


def ladder_keys(frame: pd.DataFrame) -> list[str]:
    """A line per market, game, entity, book and snapshot: the columns that say which."""
    who = "entity_id" if "entity_id" in frame.columns else "name"
    game = [c for c in ("event", "game_id", "game_date", "home_team", "away_team") if c in frame.columns]
    return [c for c in ("market", *game, who, "book", "snapshot_at") if c in frame.columns]


def main_lines(spec: FeedSpec, frame: pd.DataFrame, rejects: Rejects) -> pd.DataFrame:
    """Each book's main line per snapshot: the most even over/under prices (after `prefer_most`, most first);
    a tie, or no prices at all, keeps the higher line."""
    prefer = spec.doc.get("ladder", {}).get("prefer_most")
    evenness = np.abs(odds.devig_over(frame["over_price"], frame["under_price"]) - 0.5)
    # Ranked on the few columns the rank needs, then the rows taken once (not the whole frame sorted).
    ranks = pd.DataFrame(
        {
            "_line": frame.groupby(ladder_keys(frame), dropna=False, sort=False).ngroup().to_numpy(),
            **({"_prefer": frame[prefer].array} if prefer else {}),
            "_evenness": np.nan_to_num(evenness, nan=1.0),
            "line": frame["line"].array,
        }
    )
    order = [*(["_prefer"] if prefer else []), "_evenness", "line"]
    ranked = ranks.sort_values(order, ascending=[*([False] if prefer else []), True, False], kind="stable")
    main = np.sort(ranked.drop_duplicates("_line").index.to_numpy())
    if len(main) < len(frame):
        rejects.counts[ALTERNATE] += len(frame) - len(main)
        return frame.iloc[main]
    return frame


def spread_books(spec: FeedSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """The row's own book and prices, plus a row for each book in the JSON column (book -> {over, under})."""
    rule = spec.doc["books"]
    over, under = rule.get("over", "over"), rule.get("under", "under")
    table = rule.get("map")
    table = spec.doc.get("maps", {}).get(table, {}) if isinstance(table, str) else (table or {})
    index, books, overs, unders = [], [], [], []
    for i, text in frame[rule["field"]].items():
        for book, prices in (json.loads(text) if isinstance(text, str) and text else {}).items():
            index.append(i)
            books.append(table.get(book, book))
            overs.append((prices or {}).get(over))
            unders.append((prices or {}).get(under))
    extra = (
        frame.drop(columns=["book", "over_price", "under_price"])
        .loc[index]
        .assign(
            book=books,
            over_price=pd.to_numeric(pd.Series(overs, index=index, dtype=object), errors="coerce"),
            under_price=pd.to_numeric(pd.Series(unders, index=index, dtype=object), errors="coerce"),
        )
    )
    # The spread rows are the feed row's other books: counted once, as the feed row, in join rates.
    spread = pd.concat([frame.assign(_book_row=False), extra.assign(_book_row=True)], ignore_index=True)
    return spread.drop(columns=rule["field"])


def _even_price(frame: pd.DataFrame) -> pd.Series:
    bad = pd.Series(False, index=frame.index)
    for side in ("over_price", "under_price"):
        if side in frame.columns:
            price = pd.to_numeric(frame[side], errors="coerce")
            bad |= (price > -100) & (price < 100)
    return bad


class Checks:
    """The checks of one load, fed chunk by chunk (`add`), holding across chunks only what a rule over the
    whole file needs: the hashes of the rows kept (duplicates), side rows waiting for their pair, results'
    (game, entity) seen, and each chunk's main lines (the ladder reduction is associative: the main line of a
    book and snapshot is the main line of its chunks' main lines). `rows()` finishes the load."""

    def __init__(self, spec: FeedSpec) -> None:
        self.spec = spec
        self.rejects = Rejects(Counter())
        self.seen, self.box_scores, self.sides = Seen(), Seen(), Sides()
        self.kept: list[pd.DataFrame] = []
        self.rows_added = 0

    def add(self, fields: pd.DataFrame) -> None:
        """Check one chunk's fields (numbered `_row` in file order, which decides every tie)."""
        fields = fields.assign(_row=np.arange(self.rows_added, self.rows_added + len(fields)))
        self.rows_added += len(fields)
        frame = with_game_teams(fields)
        data = [c for c in frame.columns if not c.startswith("_")]
        hashes = row_hashes(frame[data])
        # Duplicates first, before a pivot could fold them together: in this chunk, or kept in an earlier one.
        again = frame.duplicated(data).to_numpy() | self.seen.again(hashes)
        frame = self.rejects.take(frame, again, DUPLICATE)
        if "game_key" in self.spec.doc:  # the feed has no league id: the results feed builds the same key
            frame = frame.assign(game_id=evaluate({"template": self.spec.doc["game_key"]}, frame, frame, {}))
            frame = frame.assign(game_id=shared(frame[["game_id"]])["game_id"])  # a text per game, not per row
        if "sides" in self.spec.doc:
            frame = _pivot_sides(self.spec, frame, self.rejects, self.sides, last=False)
        self._keep(frame)

    def _keep(self, frame: pd.DataFrame) -> None:
        """The rules of one row (and the results' one row per game and entity), then the chunk's main lines."""
        spec, rejects = self.spec, self.rejects
        for name in REQUIRED[spec.kind]:
            if name in frame.columns:
                frame = rejects.take(frame, frame[name].isna(), MISSING.format(field=name))
        if "game_start" in frame.columns and "snapshot_at" in frame.columns:
            frame = rejects.take(frame, frame["snapshot_at"] >= frame["game_start"], AFTER_START)
        grid = spec.doc.get("checks", {}).get("line_grid")
        if grid and "line" in frame.columns:
            off = np.abs(frame["line"] / grid - np.round(frame["line"] / grid)) > 1e-9
            frame = rejects.take(frame, off, OFF_GRID.format(grid=grid))
        frame = _checked_stats(spec, frame, rejects)
        if spec.kind == "results":
            game_entity = row_hashes(frame[["game_id", "entity_id"]])
            again = frame.duplicated(["game_id", "entity_id"]).to_numpy() | self.box_scores.again(game_entity)
            frame = rejects.take(frame, again, DUPLICATE)
        if spec.kind == "prop_lines":
            frame = rejects.take(frame, _even_price(frame), EVEN_PRICE)
            frame = main_lines(spec, frame.sort_values("_row", kind="stable"), rejects)
            frame = frame.assign(_ladder=row_hashes(frame[ladder_keys(frame)]))
        self.kept.append(frame)

    def rows(self) -> tuple[pd.DataFrame, Counter]:
        """The rows to match and write, in file order, and every other row read counted by reason."""
        spec, rejects = self.spec, self.rejects
        if self.sides.waiting is not None:  # the pairs the file never completed, as they are
            nothing = self.sides.waiting.iloc[:0].drop(columns="_pair")
            self._keep(_pivot_sides(spec, nothing, rejects, self.sides, last=True))
        frame = pd.concat([f for f in self.kept if len(f)] or self.kept[:1], ignore_index=True)
        if not frame["_row"].is_monotonic_increasing:  # a pair completed in a later chunk than its first side
            frame = frame.sort_values("_row", kind="stable", ignore_index=True)
        if spec.kind == "prop_lines":
            frame = self._straddling_reduced(frame)
            if "books" in spec.doc:
                frame = spread_books(spec, frame)
                frame = rejects.take(frame, _even_price(frame), EVEN_PRICE)
        return frame.drop(columns=["_row", "_ladder"], errors="ignore").reset_index(drop=True), rejects.counts

    def _straddling_reduced(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The main lines of the ladders that straddle chunks (each chunk kept its own): reduced again, over
        those rows only."""
        straddling = frame["_ladder"].duplicated(keep=False).to_numpy()
        if not straddling.any():
            return frame
        ladders = frame[straddling]
        losers = ladders.index.difference(main_lines(self.spec, ladders, self.rejects).index)
        return frame.drop(index=losers)


def _checked_stats(spec: FeedSpec, frame: pd.DataFrame, rejects: Rejects) -> pd.DataFrame:
    stats = [c for c in frame.columns if c.startswith(("stat:", "actual:"))] + [
        c for c in ("workload",) if c in frame.columns and spec.kind == "results"
    ]
    if stats:
        negative = (frame[stats].apply(pd.to_numeric, errors="coerce") < 0).any(axis=1)
        frame = rejects.take(frame, negative, NEGATIVE)
    for stat, limit in spec.doc.get("checks", {}).get("at_most", {}).items():
        over = frame[f"stat:{stat}"] > frame[f"stat:{limit}"]
        frame = rejects.take(frame, over.fillna(False), IMPOSSIBLE.format(stat=stat, limit=limit))
    if spec.kind == "results":  # a box score of a player who played but gives no market its stat says nothing
        none = frame[[f"actual:{m}" for m in spec.doc["markets"]]].isna().all(axis=1) & played(frame)
        frame = rejects.take(frame, none, MISSING.format(field="actual in any market"))
    return frame


def played(frame: pd.DataFrame) -> pd.Series:
    """Rows of players who played: all of them, unless the feed says otherwise in a status field."""
    return frame["status"] == "played" if "status" in frame.columns else pd.Series(True, index=frame.index)


def feed_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows as the feed has them: not the rows spread from a row's other books."""
    return frame[~frame["_book_row"].astype(bool)] if "_book_row" in frame.columns else frame


def first_last(dates: pd.Series) -> tuple[Any, Any]:
    dates = dates.dropna()
    return (dates.min(), dates.max()) if len(dates) else (None, None)


def count_desc(counts: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
