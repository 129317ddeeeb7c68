"""NBA: NBA.com player game logs (outcomes), pick'em points lines and sportsbook PRA lines
(prop_lines), and game spreads and totals (game_lines).

Game logs carry NBA.com player ids; the line feeds carry names and full team
names, the game-lines file its own team codes. Games are keyed by local date
and teams (`nba-YYYYMMDD-AWAY-HOME`), since one log source has no game id.
Points+rebounds+assists lines are kept under their own market id, `nba_pra`
(with outcomes whose actual is PTS + REB + AST), for that market to use.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
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

POINTS, PRA = "nba_points", "nba_pra"
LOGS = "nba_player_gamelogs_nbaapi_1996_2025"
LOGS_2024 = "nba_player_gamelogs_nbaapi_2024_26"
PICKEM = "nba_player_props_dfs_prizepicks_underdog_2024_25"
PRA_LINES = "nba_pra_props_oddsapi_2023_25"
GAME_LINES = "nba_game_lines_2008_2025"
FOLDERS = (LOGS, LOGS_2024, PICKEM, PRA_LINES, GAME_LINES)  # what `ingest` reads under the data folder
# Seasons before hold only the players the source chose (survivorship); from here on ~90-100 % of the league.
FIRST_SEASON = 2015  # the season ending in 2015, 2014-15
SEASON_TYPES = ("Regular Season", "Playoffs", "PlayIn")  # not Pre Season (exhibition teams, rested starters)
# The pick'em snapshots were requested at 21:00 UTC (the source notebook); which day is not recorded.
PICKEM_SNAPSHOT_HOUR = 21
STATS = ["fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "reb", "ast", "stl", "blk", "tov", "pf"]
TEAMS = {
    "Atlanta Hawks": "ATL",
    "Boston Celtics": "BOS",
    "Brooklyn Nets": "BKN",
    "Charlotte Hornets": "CHA",
    "Chicago Bulls": "CHI",
    "Cleveland Cavaliers": "CLE",
    "Dallas Mavericks": "DAL",
    "Denver Nuggets": "DEN",
    "Detroit Pistons": "DET",
    "Golden State Warriors": "GSW",
    "Houston Rockets": "HOU",
    "Indiana Pacers": "IND",
    "Los Angeles Clippers": "LAC",
    "LA Clippers": "LAC",
    "Los Angeles Lakers": "LAL",
    "Memphis Grizzlies": "MEM",
    "Miami Heat": "MIA",
    "Milwaukee Bucks": "MIL",
    "Minnesota Timberwolves": "MIN",
    "New Orleans Pelicans": "NOP",
    "New York Knicks": "NYK",
    "Oklahoma City Thunder": "OKC",
    "Orlando Magic": "ORL",
    "Philadelphia 76ers": "PHI",
    "Phoenix Suns": "PHX",
    "Portland Trail Blazers": "POR",
    "Sacramento Kings": "SAC",
    "San Antonio Spurs": "SAS",
    "Toronto Raptors": "TOR",
    "Utah Jazz": "UTA",
    "Washington Wizards": "WAS",
}
# The game-lines file's codes that are not the NBA.com abbreviation in lower case.
GAME_LINE_CODES = {"gs": "GSW", "no": "NOP", "ny": "NYK", "sa": "SAS", "utah": "UTA", "wsh": "WAS"}


def game_id(dates: pd.Series, away: pd.Series, home: pd.Series) -> pd.Series:
    return "nba-" + pd.to_datetime(dates).dt.strftime("%Y%m%d") + "-" + away + "-" + home


def _nba_com_logs(path: Path) -> pd.DataFrame:
    """A season file of NBA.com PlayerGameLogs, in the columns of the per-player logs."""
    raw = pd.read_csv(path)
    raw = raw[raw["SEASON_TYPE"].isin(SEASON_TYPES)]
    columns = {"player_name": "player", "game_date": "date", "min": "minutes", "team_abbreviation": "team"}
    return raw.rename(columns=str.lower).rename(columns=columns).assign(source=LOGS)


def _player_logs(path: Path) -> pd.DataFrame:
    """The 2024-25 per-player logs (regular season, more players than the NBA.com season file)."""
    raw = pd.read_csv(path).rename(columns={"threes_made": "fg3m", "threes_attempted": "fg3a"})
    return raw.assign(team=raw["matchup"].str.split().str[0], source=LOGS_2024)


def game_logs(data_dir: Path) -> pd.DataFrame:
    """Every played player-game from FIRST_SEASON on, one row each, with team, opponent and home."""
    files = sorted((data_dir / LOGS).glob("nba_player_gamelogs_*.csv.gz"))
    seasons = [f for f in files if int(re.search(r"(\d{4})-\d\d", f.name).group(1)) + 1 >= FIRST_SEASON]
    # The per-player 2024-25 logs first: the NBA.com file of that season is partial (playoffs only add rows).
    frames = [_player_logs(p) for p in sorted((data_dir / LOGS_2024).glob("*.csv.gz"))]
    logs = pd.concat([*frames, *map(_nba_com_logs, seasons)], ignore_index=True)
    logs["game_date"] = pd.to_datetime(logs["date"].str[:10]).dt.date
    logs = logs.drop_duplicates(["player_id", "game_date"])
    logs["home"] = logs["matchup"].str.contains(" vs. ", regex=False)
    logs["opponent"] = logs["matchup"].str.split().str[-1]
    away, home = logs["opponent"].where(logs["home"], logs["team"]), logs["team"].where(logs["home"], logs["opponent"])
    logs["game_id"] = game_id(logs["game_date"], away, home)
    return logs.reset_index(drop=True)


def outcomes(logs: pd.DataFrame, market: str, actual: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "market": market,
            "game_date": logs["game_date"],
            "game_id": logs["game_id"],
            "entity_id": "nba-" + logs["player_id"].astype(str),
            "entity_name": logs["player"],
            "team": logs["team"],
            "opponent": logs["opponent"],
            "home": logs["home"],
            "status": "played",  # the logs have no row for a player who did not play
            "actual": actual.astype(float),
            "workload": logs["minutes"].astype(float),
            "details_json": details_json(logs.reindex(columns=["pts", *STATS])),  # a stat not reported is left out
            "source": logs["source"],
            "updated_at": clock.now(),
        }
    )


def _with_teams(raw: pd.DataFrame) -> pd.DataFrame:
    return raw.assign(home_team=raw["home_team"].map(TEAMS), away_team=raw["away_team"].map(TEAMS))


def pickem_snapshots(data_dir: Path) -> pd.DataFrame:
    """PrizePicks / Underdog points lines: one row per book, player, game and daily file.

    A daily file's snapshot time is taken as the last 21:00 UTC at or before its
    first tip-off: never later than any game it lists had started. Prices are
    a pick'em placeholder (-137 on both sides), so none is stored.
    """
    raw = pd.concat(map(pd.read_csv, sorted((data_dir / PICKEM).glob("*.csv.gz"))), ignore_index=True)
    raw = _with_teams(raw[raw["market"] == "player_points"].rename(columns={"game_id": "event_id"}))
    tip = utc(raw["commence_time"])
    first_tip = tip.groupby(raw["source_file"]).transform("min")
    hour = pd.Timedelta(hours=PICKEM_SNAPSHOT_HOUR)
    raw["snapshot_at"] = (first_tip - hour).dt.floor("D") + hour
    raw["game_date"] = local_date(raw["commence_time"])
    raw = raw.assign(book=raw["bookmaker"], over_price=pd.NA, under_price=pd.NA)
    # A few snapshots post two lines for one player and book (one of them e.g. 0.5): keep the larger.
    raw = raw.sort_values("line", ascending=False, kind="stable")
    return raw.drop_duplicates(["snapshot_at", "event_id", "player", "book"])


def pra_snapshots(data_dir: Path) -> pd.DataFrame:
    """Sportsbook PRA lines, one row per book, player, game and snapshot (the most even where a book lists two)."""
    raw = pd.concat(map(pd.read_csv, sorted((data_dir / PRA_LINES).glob("*.csv.gz"))), ignore_index=True)
    raw = _with_teams(raw).assign(snapshot_at=utc(raw["timestamp"]), book=raw["bookmaker"])
    # event_date is the UTC date of the tip (late games fall on the next day); snapshots are taken shortly before it.
    raw["game_date"] = local_date(raw["timestamp"])
    return most_even(raw, ["snapshot_at", "event_id", "player_name", "book"], "over_price", "under_price")


def game_lines(data_dir: Path) -> pd.DataFrame:
    """Closing spread (the home team's, negative when favoured) and total per game, from FIRST_SEASON on."""
    raw = pd.read_csv(data_dir / GAME_LINES / "nba_2008-2025_raw.csv.gz")
    raw = raw[raw["season"] >= FIRST_SEASON]
    away, home = (raw[side].map(lambda code: GAME_LINE_CODES.get(code, code.upper())) for side in ("away", "home"))
    return pd.DataFrame(
        {
            "sport": "nba",
            "game_date": pd.to_datetime(raw["date"]).dt.date,
            "game_id": game_id(raw["date"], away, home),
            "home_team": home,
            "away_team": away,
            "spread": np.where(raw["whos_favored"] == "home", -raw["spread"], raw["spread"]),
            "total": raw["total"],
            "home_moneyline": raw["moneyline_home"].round().astype("Int64"),
            "away_moneyline": raw["moneyline_away"].round().astype("Int64"),
            "source": GAME_LINES,
            "ingested_at": clock.now(),
        }
    )


def _ingest_games(ctx: Context, data_dir: Path, logs: pd.DataFrame) -> IngestReport:
    """Game lines, with the games no player log is found for kept visible in ingest_unmatched."""
    games = game_lines(data_dir)
    ctx.warehouse.upsert("game_lines", games)
    missed = games[~games["game_id"].isin(logs["game_id"])]
    ctx.warehouse.upsert(
        "ingest_unmatched",
        pd.DataFrame(
            {
                "source": GAME_LINES,
                "market": POINTS,
                "game_date": missed["game_date"],
                "name": missed["away_team"] + " @ " + missed["home_team"],
                "normalized_name": None,
                "reason": "no player game log of this game",
                "rows": 1,
                "ingested_at": clock.now(),
            }
        ),
    )
    return IngestReport(GAME_LINES, len(games), len(games) - len(missed), len(missed), len(logs), len(games))


def _ingest_lines(ctx: Context, snapshots: pd.DataFrame, results: pd.DataFrame, name: str, source: str) -> IngestReport:
    market = results["market"].iloc[0]
    join = join_on_name_and_date(snapshots, results, name, noun="game log")
    lines = store_lines(ctx, join.matched, market, source)
    store_unmatched(ctx, join, name, source, market)
    return join.report(source, len(results), lines)


def ingest(ctx: Context, data_dir: Path) -> list[IngestReport]:
    logs = game_logs(data_dir)
    points = outcomes(logs, POINTS, logs["pts"])
    pra = outcomes(logs, PRA, logs["pts"] + logs["reb"] + logs["ast"])
    ctx.warehouse.upsert("outcomes", pd.concat([points, pra], ignore_index=True))
    return [
        _ingest_lines(ctx, pickem_snapshots(data_dir), points, "player", PICKEM),
        _ingest_lines(ctx, pra_snapshots(data_dir), pra, "player_name", PRA_LINES),
        _ingest_games(ctx, data_dir, logs),
    ]
