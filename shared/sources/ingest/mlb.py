"""MLB: Statcast starts (outcomes) and strikeout prop snapshots (prop_lines), joined on name + local date.

Starts come with MLBAM pitcher ids; the line feed has only names and full team
names. A line row is matched to the start of the pitcher with that normalised
name on that local (ET) game date, and kept only if the start's teams are the
line's teams. Unmatched rows go to ingest_unmatched with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from shared import clock
from shared.ports import Context
from shared.sources.ingest.common import (
    IngestReport,
    details_json,
    join_on_name_and_date,
    local_date,
    most_even,
    store_lines,
    store_unmatched,
    utc,
)

MARKET = "mlb_strikeouts"
STARTS = "mlb_pitcher_starts_statcast_2024_26"
PROPS = "mlb_pitcher_k_props_oddsapi_2025_26"
FOLDERS = (STARTS, PROPS)  # what `ingest` reads under the data folder
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


CROSSWALK = "pitcher_id_name_crosswalk.csv"
# The crosswalk's other spellings of a pitcher (e.g. Matthew / Matt Boyd, Michael / Mike King).
SPELLINGS = ["name_chadwick_register", "name_matched_from_cbkaplinger_starts", "name_inferred_from_k_props"]


def spellings(data_dir: Path) -> pd.DataFrame:
    names = pd.read_csv(data_dir / STARTS / CROSSWALK)
    other = names.melt(id_vars="pitcher_mlbam_id", value_vars=SPELLINGS, value_name="name").dropna(subset=["name"])
    return other.assign(entity_id="mlb-" + other["pitcher_mlbam_id"].astype(str))[["entity_id", "name"]]


def outcomes(data_dir: Path) -> pd.DataFrame:
    starts = pd.read_csv(data_dir / STARTS / "outs_starts.csv.gz")
    names = pd.read_csv(data_dir / STARTS / CROSSWALK)
    starts = starts.merge(
        names[["pitcher_mlbam_id", "name_best"]], left_on="pitcher", right_on="pitcher_mlbam_id", how="left"
    )
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
            "details_json": details_json(starts[["pitches", "outs", "walks", "hits"]]),
            "source": STARTS,
            "updated_at": clock.now(),
        }
    )


def _snapshots(data_dir: Path) -> pd.DataFrame:
    raw = pd.read_csv(data_dir / PROPS / "k_props_snapshots.csv.gz")
    raw = raw[raw["is_pregame"].astype(bool)]
    raw["snapshot_at"] = utc(raw["snapshot_generated_at"])
    # A feed's date can list the next day's games too: the game's own time says its date.
    raw["game_date"] = local_date(raw["game_time"])
    raw["home_team"], raw["away_team"] = raw["home_team"].map(TEAMS), raw["away_team"].map(TEAMS)
    # A snapshot lists alternate lines too; the main line is the one most books post, then the most even.
    keys = ["snapshot_generated_at", "event_id", "pitcher_name"]
    return most_even(raw, keys, "consensus_over", "consensus_under", first=["sportsbook_count"])


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
    return pd.concat([consensus, books], ignore_index=True)


def ingest(ctx: Context, data_dir: Path) -> list[IngestReport]:
    starts = outcomes(data_dir)
    ctx.warehouse.upsert("outcomes", starts)
    join = join_on_name_and_date(_snapshots(data_dir), starts, "pitcher_name", "start", spellings(data_dir))
    lines = store_lines(ctx, _books(join.matched), MARKET, PROPS)
    store_unmatched(ctx, join, "pitcher_name", PROPS, MARKET)
    return [join.report(PROPS, len(starts), lines)]
