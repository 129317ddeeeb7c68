"""MLB: Statcast starts (outcomes) and strikeout prop snapshots (prop_lines), joined on name + local date.

Starts come with MLBAM pitcher ids; the line feed has only names and full team
names. A line row is matched to the start of the pitcher with that normalised
name on that local (ET) game date, and kept only if the start's teams are the
line's teams. Unmatched rows go to ingest_unmatched with the reason.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from shared import odds
from shared.ingest.names import normalize
from shared.runtime import Context

MARKET = "mlb_strikeouts"
STARTS = "mlb_pitcher_starts_statcast_2024_26"
PROPS = "mlb_pitcher_k_props_oddsapi_2025_26"
# Full team names in the odds feed -> the Statcast codes of the starts table.
TEAMS = {
    "Arizona Diamondbacks": "AZ",
    "Athletics": "ATH",
    "Oakland Athletics": "ATH",
    "Atlanta Braves": "ATL",
    "Baltimore Orioles": "BAL",
    "Boston Red Sox": "BOS",
    "Chicago Cubs": "CHC",
    "Chicago White Sox": "CWS",
    "Cincinnati Reds": "CIN",
    "Cleveland Guardians": "CLE",
    "Colorado Rockies": "COL",
    "Detroit Tigers": "DET",
    "Houston Astros": "HOU",
    "Kansas City Royals": "KC",
    "Los Angeles Angels": "LAA",
    "Los Angeles Dodgers": "LAD",
    "Miami Marlins": "MIA",
    "Milwaukee Brewers": "MIL",
    "Minnesota Twins": "MIN",
    "New York Mets": "NYM",
    "New York Yankees": "NYY",
    "Philadelphia Phillies": "PHI",
    "Pittsburgh Pirates": "PIT",
    "San Diego Padres": "SD",
    "San Francisco Giants": "SF",
    "Seattle Mariners": "SEA",
    "St. Louis Cardinals": "STL",
    "Tampa Bay Rays": "TB",
    "Texas Rangers": "TEX",
    "Toronto Blue Jays": "TOR",
    "Washington Nationals": "WSH",
}


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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def outcomes(data_dir: Path) -> pd.DataFrame:
    starts = pd.read_csv(data_dir / STARTS / "outs_starts.csv.gz")
    names = pd.read_csv(data_dir / STARTS / "pitcher_id_name_crosswalk.csv")
    starts = starts.merge(
        names[["pitcher_mlbam_id", "name_best"]], left_on="pitcher", right_on="pitcher_mlbam_id", how="left"
    )
    details = starts[["pitches", "outs", "walks", "hits"]].astype("Int64")
    return pd.DataFrame(
        {
            "market": MARKET,
            "game_date": pd.to_datetime(starts["game_date"]).dt.date,
            "game_id": "mlb-" + starts["game_pk"].astype(str),
            "entity_id": "mlb-" + starts["pitcher"].astype(str),
            "entity_name": starts["name_best"],
            "team": starts["pitcher_team"],
            "opponent": starts["opponent_team"],
            "home": starts["is_home"].astype(bool),
            "status": "played",
            "actual": starts["strikeouts"].astype(float),
            "workload": starts["bf"].astype(float),
            "details_json": [
                json.dumps({k: int(v) for k, v in row.items() if pd.notna(v)}) for row in details.to_dict("records")
            ],
            "source": STARTS,
            "updated_at": _now(),
        }
    )


def _snapshots(data_dir: Path) -> pd.DataFrame:
    raw = pd.read_csv(data_dir / PROPS / "k_props_snapshots.csv.gz")
    raw = raw[raw["is_pregame"].astype(bool)]
    raw["snapshot_at"] = pd.to_datetime(raw["snapshot_generated_at"], utc=True, format="ISO8601").dt.tz_localize(None)
    # The game's local (Eastern) date; a feed's date can list the next day's games too.
    raw["game_date"] = (
        pd.to_datetime(raw["game_time"], utc=True, format="ISO8601").dt.tz_convert("America/New_York").dt.date
    )
    raw["home_team"], raw["away_team"] = raw["home_team"].map(TEAMS), raw["away_team"].map(TEAMS)
    raw["normalized_name"] = raw["pitcher_name"].map(normalize)
    # A snapshot lists alternate lines too; the main line is the one most books post, then the most even.
    raw["evenness"] = np.abs(odds.devig_over(raw["consensus_over"], raw["consensus_under"]) - 0.5)
    raw = raw.sort_values(["sportsbook_count", "evenness"], ascending=[False, True], kind="stable")
    return raw.drop_duplicates(["snapshot_generated_at", "event_id", "pitcher_name"])


def _books(matched: pd.DataFrame) -> pd.DataFrame:
    """One row per book per snapshot: the consensus and each book's own prices."""
    consensus = matched.assign(
        book="consensus", over_price=matched["consensus_over"], under_price=matched["consensus_under"]
    )
    per_book = []
    for row in matched.itertuples():
        for book, prices in json.loads(row.individual_odds or "{}").items():
            per_book.append(
                {"index": row.Index, "book": book, "over_price": prices.get("over"), "under_price": prices.get("under")}
            )
    books = pd.DataFrame(per_book).set_index("index")
    books = matched.drop(columns=["over_price", "under_price"], errors="ignore").join(books, how="inner")
    lines = pd.concat([consensus, books], ignore_index=True)
    lines[["over_price", "under_price"]] = lines[["over_price", "under_price"]].round().astype("Int64")
    group = lines.groupby(["game_id", "entity_id", "book"])["snapshot_at"]
    lines["is_opening"] = lines["snapshot_at"] == group.transform("min")
    lines["is_closing"] = lines["snapshot_at"] == group.transform("max")
    return lines


def ingest(ctx: Context, data_dir: Path) -> IngestReport:
    starts = outcomes(data_dir)
    ctx.warehouse.upsert("outcomes", starts)
    snapshots = _snapshots(data_dir)
    keys = starts.assign(normalized_name=starts["entity_name"].map(normalize))[
        ["game_date", "normalized_name", "game_id", "entity_id", "entity_name", "team"]
    ].drop_duplicates(["game_date", "normalized_name"])
    joined = snapshots.merge(keys, on=["game_date", "normalized_name"], how="left", suffixes=("", "_start"))
    in_game = (joined["team"] == joined["home_team"]) | (joined["team"] == joined["away_team"])
    matched = joined[joined["entity_id"].notna() & in_game]
    lines = _books(matched)
    lines = lines.assign(market=MARKET, source=PROPS, ingested_at=_now(), entity_name=lines["entity_name"])
    columns = [
        "market",
        "game_date",
        "game_id",
        "entity_id",
        "entity_name",
        "home_team",
        "away_team",
        "book",
        "snapshot_at",
        "line",
        "over_price",
        "under_price",
        "is_opening",
        "is_closing",
        "source",
        "ingested_at",
    ]
    ctx.warehouse.upsert("prop_lines", lines[columns])
    missed = joined[~(joined["entity_id"].notna() & in_game)]
    reason = pd.Series("no start of that name on that date", index=missed.index)
    reason[missed["entity_id"].notna()] = "a start of that name, but not in this game"
    unmatched = (
        missed.assign(reason=reason)
        .groupby(["game_date", "pitcher_name", "normalized_name", "reason"], as_index=False)
        .size()
        .rename(columns={"pitcher_name": "name", "size": "rows"})
        .assign(source=PROPS, market=MARKET, ingested_at=_now())
    )
    ctx.warehouse.upsert("ingest_unmatched", unmatched)
    return IngestReport(PROPS, len(joined), len(matched), unmatched["name"].nunique(), len(starts), len(lines))
