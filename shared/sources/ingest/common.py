"""What every line feed's ingestion shares: local dates, main lines, the name + date join, and the writes.

A feed's rows carry a player's name as the feed spells it and the game's
teams; the box scores carry ids. A row is matched to the entity-game with the
same normalised name on the same local game date whose team plays in the
row's game. What does not match goes to ingest_unmatched with the reason:
visible, never silently dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shared import clock
from shared.contract import schemas
from shared.domain import odds
from shared.ports import Context
from shared.sources.ingest.names import normalize

# US leagues date a game by its local (Eastern) day; a UTC timestamp can fall on the next day.
LOCAL_TZ = "America/New_York"


@dataclass(frozen=True)
class IngestReport:
    source: str
    rows_read: int
    rows_matched: int
    unmatched_names: int
    outcomes: int
    lines: int

    @property
    def join_rate(self) -> float:
        return self.rows_matched / self.rows_read if self.rows_read else 0.0


def utc(timestamps: pd.Series) -> pd.Series:
    """Naive UTC timestamps (the warehouse's TIMESTAMP) from ISO strings with any offset."""
    return pd.to_datetime(timestamps, utc=True, format="ISO8601").dt.tz_localize(None)


def local_date(timestamps: pd.Series) -> pd.Series:
    """The local (Eastern) calendar date of ISO timestamps with any offset."""
    return pd.to_datetime(timestamps, utc=True, format="ISO8601").dt.tz_convert(LOCAL_TZ).dt.date


def details_json(stats: pd.DataFrame) -> list[str]:
    """Box-score stats as one JSON object per row; missing stats are left out, not zero."""
    stats = stats.astype("Int64")
    return [json.dumps({k: int(v) for k, v in row.items() if pd.notna(v)}) for row in stats.to_dict("records")]


def most_even(
    frame: pd.DataFrame, keys: list[str], over: str, under: str, first: list[str] | None = None
) -> pd.DataFrame:
    """One row per key: a snapshot can list alternate lines; the main one is the most even (after `first`, desc)."""
    evenness = np.abs(odds.devig_over(frame[over], frame[under]) - 0.5)
    ranked = frame.assign(_evenness=evenness).sort_values(
        [*(first or []), "_evenness"], ascending=[*([False] * len(first or [])), True], kind="stable"
    )
    return ranked.drop_duplicates(keys).drop(columns="_evenness")


@dataclass(frozen=True)
class Join:
    matched: pd.DataFrame  # the feed's rows with game_id, entity_id, entity_name and team of their entity-game
    unmatched: pd.DataFrame  # the feed's rows that found none, with a `reason`
    rows_read: int

    def report(self, source: str, outcomes: int, lines: int) -> IngestReport:
        names = self.unmatched["normalized_name"].nunique()
        return IngestReport(source, self.rows_read, len(self.matched), names, outcomes, lines)


def join_on_name_and_date(
    rows: pd.DataFrame, outcomes: pd.DataFrame, name: str, noun: str, spellings: pd.DataFrame | None = None
) -> Join:
    """Match each feed row (`name`, game_date, home_team, away_team) to an entity-game of `outcomes`.

    Every candidate of that normalised name and date is tried, so two players
    who share a name are told apart by their teams. `spellings` (entity_id,
    name) adds other names an entity is known by, e.g. from an id crosswalk.
    """
    rows = rows.reset_index(drop=True).assign(normalized_name=lambda f: f[name].map(normalize))
    known = outcomes[["entity_id", "entity_name"]].rename(columns={"entity_name": "name"})
    if spellings is not None:
        known = pd.concat([known, spellings[["entity_id", "name"]]])
    known = known.assign(normalized_name=known["name"].map(normalize))[["entity_id", "normalized_name"]]
    entities = outcomes[["game_date", "game_id", "entity_id", "entity_name", "team"]].merge(
        known[known["normalized_name"] != ""].drop_duplicates(), on="entity_id"
    )
    candidates = rows.reset_index(names="_row").merge(entities, on=["game_date", "normalized_name"], how="left")
    in_game = (candidates["team"] == candidates["home_team"]) | (candidates["team"] == candidates["away_team"])
    matched = candidates[in_game].drop_duplicates("_row")
    missed = rows.loc[~rows.index.isin(matched["_row"])]
    named = missed.index.isin(candidates.loc[candidates["entity_id"].notna(), "_row"])
    reason = np.where(
        named, f"a {noun} of that name on that date, but not in this game", f"no {noun} of that name on that date"
    )
    return Join(matched.drop(columns="_row"), missed.assign(reason=reason), len(rows))


def store_unmatched(ctx: Context, join: Join, name: str, source: str, market: str) -> None:
    """One ingest_unmatched row per name, date and reason, with how many feed rows it stands for."""
    summary = (
        join.unmatched.groupby(["game_date", name, "normalized_name", "reason"], as_index=False)
        .size()
        .rename(columns={name: "name", "size": "rows"})
        .assign(source=source, market=market, ingested_at=clock.now())
    )
    ctx.warehouse.upsert("ingest_unmatched", summary)


def store_lines(ctx: Context, lines: pd.DataFrame, market: str, source: str) -> int:
    """Write line snapshots (one row per book and snapshot) to prop_lines, flagging each book's opening and closing."""
    lines = lines.assign(market=market, source=source, ingested_at=clock.now())
    lines[["over_price", "under_price"]] = lines[["over_price", "under_price"]].round().astype("Int64")
    group = lines.groupby(["game_id", "entity_id", "book"])["snapshot_at"]
    lines["is_opening"] = lines["snapshot_at"] == group.transform("min")
    lines["is_closing"] = lines["snapshot_at"] == group.transform("max")
    ctx.warehouse.upsert("prop_lines", lines[list(schemas.table("prop_lines").column_names)])
    return len(lines)
