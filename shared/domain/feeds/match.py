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


# What a match takes from the results; a feed row's own (a prop feed naming the player's team) gives way.
_FROM_RESULTS = ("entity_id", "entity_name", "team")


@dataclass(frozen=True)
class Matched:
    matched: pd.DataFrame  # the rows with entity_id, entity_name and game_id
    unmatched: pd.DataFrame  # the rows that found none, with normalized_name and a `reason`


def _known_names(results: pd.DataFrame, aliases: pd.DataFrame) -> pd.DataFrame:
    known = pd.concat([results[["entity_id", "entity_name"]].rename(columns={"entity_name": "name"}), aliases])
    known = known.assign(normalized_name=known["name"].map(normalize))[["entity_id", "normalized_name"]]
    return known[known["normalized_name"] != ""].drop_duplicates()


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
    rows = rows.reset_index(drop=True).assign(normalized_name=lambda f: f["name"].map(normalize))
    known = _known_names(results, aliases)
    entities = results[["game_date", "game_id", "entity_id", "entity_name", "team"]].merge(known, on="entity_id")
    theirs = rows.drop(columns=[c for c in (*_FROM_RESULTS, "game_id") if c in rows.columns])
    candidates = theirs.reset_index(names="_row").merge(entities, on=["game_date", "normalized_name"], how="left")
    in_game = (candidates["team"] == candidates["home_team"]) | (candidates["team"] == candidates["away_team"])
    found = candidates[in_game].drop_duplicates("_row").set_index("_row")
    matched = rows.loc[found.index].assign(
        entity_id=found["entity_id"], entity_name=found["entity_name"], game_id=found["game_id"]
    )
    missed = rows.loc[~rows.index.isin(found.index)]
    named = missed.index.isin(candidates.loc[candidates["entity_id"].notna(), "_row"])
    missed = missed.assign(reason=np.where(named, NOT_IN_GAME, NO_ENTITY))
    if pending_from is not None and len(missed):
        early = missed["game_id"].notna() & ~missed["game_id"].isin(results["game_id"])
        early &= missed["game_date"] >= pending_from
        ahead = _by_latest_team(missed[early], results, known)
        matched = pd.concat([matched, ahead.matched])
        missed = pd.concat([missed[~early], ahead.unmatched])
    return Matched(matched, missed)


def _by_latest_team(rows: pd.DataFrame, results: pd.DataFrame, known: pd.DataFrame) -> Matched:
    """Rows of games with no results yet: the entity of that name whose team, as of its last game before the
    row's date, plays in the row's game."""
    if rows.empty:
        return Matched(rows.assign(entity_id=[], entity_name=[]), rows)
    history = results[["game_date", "entity_id", "entity_name", "team"]].merge(known, on="entity_id")
    theirs = rows.drop(columns=[c for c in _FROM_RESULTS if c in rows.columns])
    candidates = theirs.reset_index(names="_row").merge(
        history.rename(columns={"game_date": "_played"}), on="normalized_name", how="inner"
    )
    candidates = candidates[candidates["_played"] < candidates["game_date"]]
    latest = candidates.sort_values("_played").drop_duplicates(["_row", "entity_id"], keep="last")
    in_game = (latest["team"] == latest["home_team"]) | (latest["team"] == latest["away_team"])
    found = latest[in_game].drop_duplicates("_row").set_index("_row")
    matched = rows.loc[found.index].assign(entity_id=found["entity_id"], entity_name=found["entity_name"])
    return Matched(matched, rows.loc[~rows.index.isin(found.index)].assign(reason=NO_KNOWN))


def by_id(rows: pd.DataFrame, results: pd.DataFrame) -> Matched:
    """Rows that carry the entity's id: the game is the spec's game key, else the entity's game on that date."""
    rows = rows.reset_index(drop=True)
    if "name" not in rows.columns:
        rows = rows.assign(name=rows["entity_id"])
    rows = rows.assign(normalized_name=rows["name"].map(normalize))
    games = results.drop_duplicates(["game_date", "entity_id"]).set_index(["game_date", "entity_id"])
    at = pd.MultiIndex.from_frame(rows[["game_date", "entity_id"]])
    if "game_id" not in rows.columns:
        rows = rows.assign(game_id=games["game_id"].reindex(at).to_numpy())
    if "entity_name" not in rows.columns:
        rows = rows.assign(entity_name=games["entity_name"].reindex(at).to_numpy())
    known = rows["game_id"].notna()
    return Matched(rows[known], rows[~known].assign(reason=NO_GAME_OF_ENTITY))
