"""A 250,000-row line file ingested on the embedded default through the production path (issue 19: <= 20 s, <= 512 MiB).

The file is generated here in the layout of the shipped `nba_pra_lines` spec (sportsbook rows: player, event,
teams by full name, book, ISO snapshot time, line, both prices): 450 players in 15 games, 10 books, a snapshot
every 10 minutes. A box-score file of the day before lands first (not timed), so the names match entities whose
latest team plays in the game, as in production where lines come before their results. Then the line file is
put into the landing bucket, and the in-process bus delivers its object-finalized event to the ingest function,
which streams it through the loader: the time is from the put to the chain settled. The ingest runs in a child
process, whose peak resident memory (VmHWM: imports and all) is the memory figure.

    python bench/ingest_lines.py [--rows 250000]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import multiprocessing
import os
import tempfile
import time
from pathlib import Path

from machine import describe

TEAMS = {
    "ATL": "Atlanta Hawks", "BOS": "Boston Celtics", "BKN": "Brooklyn Nets", "CHA": "Charlotte Hornets",
    "CHI": "Chicago Bulls", "CLE": "Cleveland Cavaliers", "DAL": "Dallas Mavericks", "DEN": "Denver Nuggets",
    "DET": "Detroit Pistons", "GSW": "Golden State Warriors", "HOU": "Houston Rockets", "IND": "Indiana Pacers",
    "LAC": "Los Angeles Clippers", "LAL": "Los Angeles Lakers", "MEM": "Memphis Grizzlies", "MIA": "Miami Heat",
    "MIL": "Milwaukee Bucks", "MIN": "Minnesota Timberwolves", "NOP": "New Orleans Pelicans",
    "NYK": "New York Knicks", "OKC": "Oklahoma City Thunder", "ORL": "Orlando Magic", "PHI": "Philadelphia 76ers",
    "PHX": "Phoenix Suns", "POR": "Portland Trail Blazers", "SAC": "Sacramento Kings", "SAS": "San Antonio Spurs",
    "TOR": "Toronto Raptors", "UTA": "Utah Jazz", "WAS": "Washington Wizards",
}  # fmt: skip
BOOKS = ["DraftKings", "FanDuel", "BetMGM", "Caesars", "PointsBet", "BetRivers", "Unibet", "WynnBET", "Bovada",
         "BetOnline"]  # fmt: skip
PLAYERS_PER_TEAM = 15
DAY = dt.date(2025, 3, 1)  # a closed slate: the clock posts nothing, so the figure is the ingest alone
LOG_HEADER = ["source_file", "player", "player_id", "date", "matchup", "result", "minutes", "fgm", "fga", "fg_pct",
              "threes_made", "threes_attempted", "three_pct", "ftm", "fta", "ft_pct", "oreb", "dreb", "reb", "ast",
              "stl", "blk", "tov", "pf", "pts", "plus_minus", "opponent", "home_away", "player_normalized",
              "game_id"]  # fmt: skip


def games() -> list[tuple[str, str]]:
    """(away, home) abbreviations: 15 games, every team once."""
    teams = sorted(TEAMS)
    return list(zip(teams[::2], teams[1::2], strict=True))


def player(team: str, i: int) -> tuple[int, str]:
    number = sorted(TEAMS).index(team) * 100 + i
    return 1_000_000 + number, f"Player{number:04d} {team.title()}son"


def write_box_scores(path: Path) -> None:
    """The day before: each team's players in the same pairings (their latest team, for the name match)."""
    before = DAY - dt.timedelta(days=1)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(LOG_HEADER)
        for away, home in games():
            for team, opponent, at_home in ((away, home, False), (home, away, True)):
                for i in range(PLAYERS_PER_TEAM):
                    pid, name = player(team, i)
                    matchup = f"{team} vs. {opponent}" if at_home else f"{team} @ {opponent}"
                    side = "HOME" if at_home else "AWAY"
                    out.writerow(["b.csv", name, pid, before, matchup, "W", 24.0, 4, 9, 0.44, 1, 3, 0.33, 2, 2, 1.0,
                                  1, 4, 5, 3, 1, 0, 2, 2, 11, 3, opponent, side, name, ""])  # fmt: skip


def write_lines(path: Path, rows: int) -> int:
    """Snapshots every 10 minutes from 13:00 UTC (before any tip) until `rows` rows are written."""
    per_snapshot = len(games()) * 2 * PLAYERS_PER_TEAM * len(BOOKS)
    snapshots = -(-rows // per_snapshot)
    written = 0
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["player_name", "event_id", "event_date", "home_team", "away_team", "bookmaker", "line",
                      "timestamp", "over_price", "under_price"])  # fmt: skip
        for s in range(snapshots):
            stamp = (dt.datetime(DAY.year, DAY.month, DAY.day, 13) + dt.timedelta(minutes=10 * s)).isoformat() + "Z"
            for g, (away, home) in enumerate(games()):
                for team in (away, home):
                    for i in range(PLAYERS_PER_TEAM):
                        _, name = player(team, i)
                        for b, book in enumerate(BOOKS):
                            if written == rows:
                                return written
                            line = 18.5 + i + (s % 3) * 0.5
                            over = -105 - (b % 4) * 5
                            out.writerow([name, f"evt{g:02d}", DAY, TEAMS[home], TEAMS[away], book, line, stamp,
                                          float(over), float(-225 - over)])  # fmt: skip
                            written += 1
    return written


def peak_mib() -> float:
    with open("/proc/self/status") as handle:
        line = next(x for x in handle if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def ingest(home: Path, box: Path, lines: Path, out: multiprocessing.Queue) -> None:
    os.environ["PROPFLOW_HOME"] = str(home)  # the functions the bus calls build their context from the env
    from shared import runtime

    ctx = runtime.context()
    landing = f"gs://{ctx.settings.landing_bucket}"
    ctx.blobs.put(f"{landing}/nba_player_logs/{box.name}", box.read_bytes())
    ctx.chain.drain()
    before = peak_mib()
    began = time.perf_counter()
    ctx.blobs.put(f"{landing}/nba_pra_lines/{lines.name}", lines.read_bytes())
    ctx.chain.drain()
    seconds = time.perf_counter() - began
    ledger = ctx.warehouse.sql(
        "SELECT status, reason, report FROM propflow.ingest_objects WHERE name = @n", n=f"nba_pra_lines/{lines.name}"
    )
    out.put((seconds, before, peak_mib(), ledger.to_dict("records"), len(ctx.bus.dead_letters)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=250_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        box, lines = Path(tmp) / "box-2025-02-28.csv", Path(tmp) / "lines-2025-03-01.csv"
        write_box_scores(box)
        rows = write_lines(lines, args.rows)
        size = lines.stat().st_size / 2**20
        queue: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
        child = multiprocessing.get_context("spawn").Process(
            target=ingest, args=(Path(tmp) / "home", box, lines, queue)
        )
        child.start()
        seconds, before, peak, ledger, dead = queue.get()
        child.join()
    print(describe())
    print(f"line file: {rows:,} rows, {size:.1f} MiB of CSV in the nba_pra_lines layout")
    print(f"ledger: {ledger}, dead letters: {dead}")
    print(f"put -> object-finalized event -> ingest -> chain settled: {seconds:.1f} s")
    print(f"peak resident memory of the ingesting process: {peak:.0f} MiB ({before:.0f} MiB before the line file)")


if __name__ == "__main__":
    main()
