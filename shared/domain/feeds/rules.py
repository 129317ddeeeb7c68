"""What a feed's fields become before matching: one row per side pivoted, a ladder reduced to its main line,
more books spread into rows, and every row that is wrong taken out with its reason.

Every row read is accounted for: kept, or counted under one reason. Books are
never averaged: each book's main line is its own row.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from shared.domain import odds
from shared.domain.feeds.read import evaluate
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


def _pivot_sides(spec: FeedSpec, fields: pd.DataFrame, rejects: Rejects) -> pd.DataFrame:
    """One row per side -> one row with over_price and under_price."""
    sides = spec.doc["sides"]
    side = fields[sides["field"]]
    is_over, is_under = side == sides["over"], side == sides["under"]
    fields = rejects.take(fields, ~(is_over | is_under), f"{sides['field']} neither over nor under")
    keys = [c for c in fields.columns if c not in (sides["field"], "price", "over_price", "under_price")]
    price = fields["price"] if "price" in fields.columns else pd.Series(np.nan, index=fields.index)
    frame = fields[keys].assign(
        over_price=price.where(is_over[fields.index]), under_price=price.where(is_under[fields.index])
    )
    pivoted = frame.groupby(keys, dropna=False, sort=False).agg({"over_price": "first", "under_price": "first"})
    return pivoted.reset_index()


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


def checked(spec: FeedSpec, fields: pd.DataFrame, rows_read: int, rows_filtered: int) -> tuple[pd.DataFrame, Counter]:
    """The rows to match and write, and every other row read counted by reason."""
    rejects = Rejects(Counter())
    if rows_filtered:
        rejects.counts[FILTERED] = rows_filtered
    kind = spec.kind
    frame = with_game_teams(fields)
    data = [c for c in frame.columns if not c.startswith("_")]
    frame = rejects.take(frame, frame.duplicated(data), DUPLICATE)  # before a pivot could fold them together
    if "game_key" in spec.doc:  # the feed has no league id: the results feed builds the same key
        frame = frame.assign(game_id=evaluate({"template": spec.doc["game_key"]}, frame, frame, {}))
    if "sides" in spec.doc:
        frame = _pivot_sides(spec, frame, rejects)
    for name in REQUIRED[kind]:
        if name in frame.columns:
            frame = rejects.take(frame, frame[name].isna(), MISSING.format(field=name))
    if "game_start" in frame.columns and "snapshot_at" in frame.columns:
        frame = rejects.take(frame, frame["snapshot_at"] >= frame["game_start"], AFTER_START)
    grid = spec.doc.get("checks", {}).get("line_grid")
    if grid and "line" in frame.columns:
        off = np.abs(frame["line"] / grid - np.round(frame["line"] / grid)) > 1e-9
        frame = rejects.take(frame, off, OFF_GRID.format(grid=grid))
    frame = _checked_stats(spec, frame, rejects)
    if kind == "results":
        frame = rejects.take(frame, frame.duplicated(["game_id", "entity_id"]), DUPLICATE)
    if kind == "prop_lines":
        frame = rejects.take(frame, _even_price(frame), EVEN_PRICE)
        frame = main_lines(spec, frame, rejects)
        if "books" in spec.doc:
            frame = spread_books(spec, frame)
            frame = rejects.take(frame, _even_price(frame), EVEN_PRICE)
    return frame.reset_index(drop=True), rejects.counts


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
    return frame


def feed_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows as the feed has them: not the rows spread from a row's other books."""
    return frame[~frame["_book_row"].astype(bool)] if "_book_row" in frame.columns else frame


def first_last(dates: pd.Series) -> tuple[Any, Any]:
    dates = dates.dropna()
    return (dates.min(), dates.max()) if len(dates) else (None, None)


def count_desc(counts: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
