"""A feed's checked rows in the columns of the table its kind fills, stamped with where they came from."""

from __future__ import annotations

import datetime as dt
import json
from itertools import compress

import numpy as np
import pandas as pd

from shared.contract import schemas
from shared.contract.events import GameFinal
from shared.domain.feeds.names import normalize
from shared.domain.feeds.rules import played
from shared.domain.feeds.spec import FeedSpec


def _stamped(frame: pd.DataFrame, table: str, spec: FeedSpec, now: dt.datetime, source_object: str | None):
    stamp = "updated_at" if table == "outcomes" else "ingested_at" if table != "entity_aliases" else "created_at"
    frame = frame.assign(source=spec.source, source_object=source_object, **{stamp: now})
    return frame.reindex(columns=list(schemas.table(table).column_names))


def prop_lines(spec: FeedSpec, rows: pd.DataFrame, now: dt.datetime, source_object: str | None) -> pd.DataFrame:
    """Line snapshots, one row per book and snapshot (each book's opening and closing, over every load, are the
    view book_lines)."""
    lines = rows.copy()
    lines[["over_price", "under_price"]] = lines.reindex(columns=["over_price", "under_price"]).apply(
        lambda s: pd.to_numeric(s, errors="coerce").round().astype("Int64")
    )
    return _stamped(lines, "prop_lines", spec, now, source_object)


def outcomes(spec: FeedSpec, rows: pd.DataFrame, now: dt.datetime, source_object: str | None) -> pd.DataFrame:
    """One outcome row per market the results feed makes (points and PRA from one box score); a player who
    played but has no stat for a market is left out of that market (his other markets kept)."""
    base = rows.assign(
        details_json=[json.dumps(box) for box in box_scores(rows)],
        status=rows["status"] if "status" in rows.columns else "played",
        home=rows["home"].astype(bool),
    )
    frames = [
        base.assign(market=market, actual=base[f"actual:{market}"].astype(float))[_has_actual(base, market)]
        for market in spec.doc["markets"]
    ]
    return _stamped(pd.concat(frames, ignore_index=True), "outcomes", spec, now, source_object)


def _has_actual(rows: pd.DataFrame, market: str) -> pd.Series:
    """What grading can use of a market: the rows with its stat, and those of players who did not play."""
    return rows[f"actual:{market}"].notna() | ~played(rows)


def game_lines(spec: FeedSpec, rows: pd.DataFrame, now: dt.datetime, source_object: str | None) -> pd.DataFrame:
    games = rows.copy()
    for side in ("home_moneyline", "away_moneyline"):
        if side in games.columns:
            games[side] = pd.to_numeric(games[side], errors="coerce").round().astype("Int64")
    return _stamped(games, "game_lines", spec, now, source_object)


def availability(spec: FeedSpec, rows: pd.DataFrame, now: dt.datetime, source_object: str | None) -> pd.DataFrame:
    return _stamped(rows, "availability", spec, now, source_object)


def aliases(spec: FeedSpec, rows: pd.DataFrame, now: dt.datetime, source_object: str | None) -> pd.DataFrame:
    """Every name column of a crosswalk row is a name its entity goes by."""
    frames = [rows.assign(name=rows[f"name:{c}"], display=i == 0) for i, c in enumerate(spec.doc["names"])]
    names = pd.concat(frames, ignore_index=True).dropna(subset=["name"])
    names = names.assign(normalized_name=names["name"].map(normalize))
    names = names[names["normalized_name"] != ""].drop_duplicates(["market", "normalized_name", "entity_id"])
    return _stamped(names, "entity_aliases", spec, now, source_object)


def unmatched(spec: FeedSpec, missed: pd.DataFrame, now: dt.datetime, source_object: str | None) -> pd.DataFrame:
    """One ingest_unmatched row per market, name, date and reason, with how many feed rows it stands for."""
    summary = (
        missed.groupby(["market", "game_date", "name", "normalized_name", "reason"], as_index=False, dropna=False)
        .size()
        .rename(columns={"size": "rows"})
    )
    return _stamped(summary, "ingest_unmatched", spec, now, source_object)


def box_scores(rows: pd.DataFrame) -> list[dict[str, int]]:
    """Each row's box-score stats (the spec's details); a stat not reported is left out, not zero."""
    stats = [c for c in rows.columns if c.startswith("stat:")]
    names = [c.removeprefix("stat:") for c in stats]
    values = np.round(rows[stats].to_numpy(dtype=float))
    reported = ~np.isnan(values)
    # Python ints and flags made in one pass each: a season of box scores is a million stats.
    numbers = np.where(reported, values, 0).astype(np.int64).tolist()
    return [
        dict(compress(zip(names, row, strict=True), kept)) for row, kept in zip(numbers, reported.tolist(), strict=True)
    ]


def finals(spec: FeedSpec, rows: pd.DataFrame) -> tuple[GameFinal, ...]:
    """A game-final per market and game whose results arrived, with its stat lines (from a results feed's
    checked rows)."""
    if rows.empty:
        return ()
    rows = rows.sort_values(["game_id", "entity_id"])
    described = [c for c in ("entity_name", "team", "opponent", "status", "workload") if c in rows.columns]
    columns = {c: rows[c].astype(object).where(rows[c].notna(), None).tolist() for c in described}
    lines = [
        {"entity_id": entity, "home": bool(home), "status": "played", "details": box}
        | {c: columns[c][i] for c in described if columns[c][i] is not None}
        for i, (entity, home, box) in enumerate(zip(rows["entity_id"], rows["home"], box_scores(rows), strict=True))
    ]
    result = []
    for market in spec.doc["markets"]:
        actual_of = rows[f"actual:{market}"].astype(float)
        actuals = actual_of.astype(object).where(actual_of.notna(), None).tolist()  # a DNP has none
        usable = _has_actual(rows, market).tolist()  # as outcomes: the rows grading can use
        games: dict[tuple, list[dict]] = {}
        keys = zip(rows["game_id"], rows["game_date"], strict=True)
        for key, line, actual, use in zip(keys, lines, actuals, usable, strict=True):
            if use:
                games.setdefault(key, []).append({**line, "actual": actual})
        result += [GameFinal(market, game_id, day, stat_lines) for (game_id, day), stat_lines in games.items()]
    return tuple(result)
