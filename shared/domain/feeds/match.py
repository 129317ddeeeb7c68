"""Matching a feed's rows to entities: by name + local game date + team, with aliases.

A row (name, game_date, home_team, away_team) is matched to the entity-game of
the market's results with the same normalised name (or an alias of it) on the
same date whose team plays in the row's game; two players who share a name are
told apart by their teams. Lines arrive before their game's results: a row
whose game has no results yet is matched to the known entity of that name
whose latest team (from results before that date) plays in the game, and its
game id is the spec's game key, which the results feed builds the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shared.domain.feeds.names import normalize

NOT_IN_GAME = "an entity of that name on that date, but not in this game"
NO_ENTITY = "no entity of that name on that date"
NO_GAME = "no results of this game"
NO_GAME_OF_ENTITY = "no game of this entity on that date"
NO_KNOWN = "no known entity of that name on a team in this game (its game has no results yet)"


@dataclass(frozen=True)
class Matched:
    matched: pd.DataFrame  # the rows with entity_id, entity_name and game_id
    unmatched: pd.DataFrame  # the rows that found none, with normalized_name and a `reason`


# What the match of a row depends on: rows alike in these match alike, so each such key is matched once.
_KEY = ["game_date", "normalized_name", "home_team", "away_team"]


def normalized(names: pd.Series) -> np.ndarray:
    """normalize() of each name, computed once per distinct name (a feed repeats one per book and snapshot)."""
    codes, distinct = pd.factorize(names)  # a missing name has code -1: the "" appended last
    return np.array([*map(normalize, distinct), ""], dtype=object)[codes]


def _known_names(results: pd.DataFrame, aliases: pd.DataFrame, wanted: np.ndarray) -> pd.DataFrame:
    """(entity_id, normalized_name) of every name an entity goes by, among the `wanted` names only."""
    known = pd.concat([results[["entity_id", "entity_name"]].rename(columns={"entity_name": "name"}), aliases])
    known = known.assign(normalized_name=normalized(known["name"]))[["entity_id", "normalized_name"]]
    return known[(known["normalized_name"] != "") & known["normalized_name"].isin(wanted)].drop_duplicates()


def _keys(rows: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct match keys of `rows` (in the order they first appear) and each row's key number."""
    key = rows.groupby(_KEY, dropna=False, sort=False).ngroup().to_numpy()
    _, first = np.unique(key, return_index=True)
    return rows[_KEY].iloc[first].reset_index(drop=True), key


def _per_row(rows: pd.DataFrame, key: np.ndarray, found: pd.DataFrame, columns: tuple[str, ...]) -> Matched:
    """Each row takes its key's match (`found`, indexed by key number): the rows that found one, with `columns`
    from it (a feed row's own entity or team gives way), and the rest."""
    hit = np.zeros(len(key) and key.max() + 1, dtype=bool)
    hit[found.index.to_numpy(dtype=int)] = True
    mask = hit[key]
    values = {c: found[c].reindex(range(len(hit))).to_numpy()[key[mask]] for c in columns}
    return Matched(rows[mask].assign(**values), rows[~mask])


def stacked(frames: list[pd.DataFrame], *, ignore_index: bool = False) -> pd.DataFrame:
    """The frames one under another; an empty one is left out, as pandas would copy every other row for it."""
    return pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=ignore_index)


def by_name(
    rows: pd.DataFrame, results: pd.DataFrame, aliases: pd.DataFrame, *, pending_from: dt.date | None
) -> Matched:
    """Match `rows` to `results` (game_date, game_id, entity_id, entity_name, team) of their market.

    `aliases` (entity_id, name) adds the other names an entity goes by. Rows
    carrying a game_id built by the spec's game key can be for games whose
    results are still to come: those on or after `pending_from` (the market's
    latest results) are matched by their entities' latest team; None: no row
    is (the feed builds no game key). A game before it with no results never
    had any: its rows stay unmatched.
    """
    rows = rows.reset_index(drop=True)
    rows = rows.assign(normalized_name=normalized(rows["name"]))
    known = _known_names(results, aliases, rows["normalized_name"].unique())
    entities = results[["game_date", "game_id", "entity_id", "entity_name", "team"]].merge(known, on="entity_id")
    keys, key = _keys(rows)
    candidates = keys.reset_index(names="_key").merge(entities, on=["game_date", "normalized_name"], how="left")
    in_game = (candidates["team"] == candidates["home_team"]) | (candidates["team"] == candidates["away_team"])
    found = candidates[in_game].drop_duplicates("_key").set_index("_key")
    result = _per_row(rows, key, found, ("entity_id", "entity_name", "game_id"))
    named = np.zeros(len(keys), dtype=bool)
    named[candidates.loc[candidates["entity_id"].notna(), "_key"].to_numpy(dtype=int)] = True
    matched, missed = result.matched, result.unmatched
    early = np.zeros(len(missed), dtype=bool)
    if pending_from is not None and len(missed):
        early = missed["game_id"].notna() & ~missed["game_id"].isin(results["game_id"])
        early = (early & (missed["game_date"] >= pending_from)).to_numpy()
    # The reason of a row matched later by its latest team is that match's (not a text per row for nothing).
    late = missed[~early]
    late = late.assign(reason=np.where(named[key[late.index]], NOT_IN_GAME, NO_ENTITY))
    if not early.any():
        return Matched(matched, late)
    ahead = _by_latest_team(missed[early], results, known)
    return Matched(stacked([matched, ahead.matched]), stacked([late, ahead.unmatched]))


def _by_latest_team(rows: pd.DataFrame, results: pd.DataFrame, known: pd.DataFrame) -> Matched:
    """Rows of games with no results yet: the entity of that name whose team, as of its last game before the
    row's date, plays in the row's game."""
    history = results[["game_date", "entity_id", "entity_name", "team"]].merge(known, on="entity_id")
    keys, key = _keys(rows)
    candidates = keys.reset_index(names="_key").merge(
        history.rename(columns={"game_date": "_played"}), on="normalized_name", how="inner"
    )
    candidates = candidates[candidates["_played"] < candidates["game_date"]]
    latest = candidates.sort_values("_played", kind="stable").drop_duplicates(["_key", "entity_id"], keep="last")
    in_game = (latest["team"] == latest["home_team"]) | (latest["team"] == latest["away_team"])
    found = latest[in_game].drop_duplicates("_key").set_index("_key")
    result = _per_row(rows, key, found, ("entity_id", "entity_name"))
    return Matched(result.matched, result.unmatched.assign(reason=NO_KNOWN))


def by_id(rows: pd.DataFrame, results: pd.DataFrame) -> Matched:
    """Rows that carry the entity's id: the game is the spec's game key, else the entity's game on that date."""
    rows = rows.reset_index(drop=True)
    if "name" not in rows.columns:
        rows = rows.assign(name=rows["entity_id"])
    rows = rows.assign(normalized_name=normalized(rows["name"]))
    games = results.drop_duplicates(["game_date", "entity_id"]).set_index(["game_date", "entity_id"])
    at = pd.MultiIndex.from_frame(rows[["game_date", "entity_id"]])
    if "game_id" not in rows.columns:
        rows = rows.assign(game_id=games["game_id"].reindex(at).to_numpy())
    if "entity_name" not in rows.columns:
        rows = rows.assign(entity_name=games["entity_name"].reindex(at).to_numpy())
    known = rows["game_id"].notna()
    return Matched(rows[known], rows[~known].assign(reason=NO_GAME_OF_ENTITY))
