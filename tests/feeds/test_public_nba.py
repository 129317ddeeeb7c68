"""NBA through the shipped specs: hand-built files in the real formats, and one month of the real data (skipped
without it)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from shared import paths
from shared.domain.features import spec as feature_spec
from shared.domain.feeds import match
from shared.domain.feeds.names import normalize
from shared.ops import public_data
from shared.systems import training

DATA = paths.DATA_DIR
LOGS, LOGS_2024, PICKEM, PRA_LINES, GAME_LINES = (folder for _, folder, _ in public_data.PLANS["nba"])


def _nba_com_row(player_id, name, team, date, matchup, pts, season_type="Regular Season", **stats):
    box = {"MIN": 34.5, "FGA": 20, "FTA": 6, "REB": 10, "AST": 8, **{k.upper(): v for k, v in stats.items()}}
    year = int(date[:4]) if int(date[5:7]) >= 8 else int(date[:4]) - 1
    row = {"SEASON_YEAR": f"{year}-{(year + 1) % 100:02d}", "PLAYER_ID": player_id, "PLAYER_NAME": name}
    row |= {"TEAM_ABBREVIATION": team, "GAME_DATE": f"{date}T00:00:00"}
    return {**row, "MATCHUP": matchup, "PTS": pts, "SEASON_TYPE": season_type, **box}


def _player_row(player_id, name, date, matchup, pts, reb=5, ast=3):
    box = {"minutes": 30.0, "fgm": 7, "fga": 15, "threes_made": 2, "threes_attempted": 5, "ftm": 3, "fta": 4}
    row = {"source_file": name.replace(" ", "_") + ".csv", "player": name, "player_id": player_id, "date": date}
    return {**row, "matchup": matchup, "pts": pts, "reb": reb, "ast": ast, **box}


def _pickem_row(file, player, line, home, away, tip, book="PrizePicks"):
    game = {"home_team": home, "away_team": away, "game_id": f"odds-{home[:3]}", "commence_time": tip}
    return [
        {"source_file": file, "player": player, "market": "player_points", "bookmaker": book, "side": side}
        | {"line": line, "price": -137, **game}
        for side in ("Over", "Under")
    ]


def _write(frame_rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(frame_rows).to_csv(path, index=False)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Two seasons of logs in both formats, two pick'em files, a PRA file and game lines."""
    root = tmp_path / "data"
    logs = root / LOGS
    _write(
        [
            _nba_com_row(203999, "Nikola Jokic", "DEN", "2024-04-10", "DEN vs. SAS", 31),
            _nba_com_row(203999, "Nikola Jokic", "DEN", "2024-04-10", "DEN vs. SAS", 31),  # the source's duplicate
            _nba_com_row(203999, "Nikola Jokic", "DEN", "2023-10-10", "DEN @ PHX", 12, season_type="Pre Season"),
        ],
        logs / "nba_player_gamelogs_2023-24.csv.gz",
    )
    _write(
        [_nba_com_row(1, "Old Timer", "SEA", "2008-01-02", "SEA vs. POR", 20)],
        logs / "nba_player_gamelogs_2007-08.csv.gz",
    )
    _write(
        [
            # Late tip: 22:30 ET on 2024-11-01 is 02:30 UTC on 2024-11-02.
            _player_row(203999, "Nikola Jokic", "2024-11-01", "DEN vs. GSW", 35, reb=12, ast=11),
            _player_row(1628384, "Kelly Oubre Jr.", "2024-11-01", "PHI @ BOS", 18),
            _player_row(1627742, "Herbert Jones", "2024-11-01", "NOP vs. ORL", 9),
            _player_row(1630000, "Jalen Williams", "2024-11-01", "OKC @ LAC", 21),
        ],
        root / LOGS_2024 / "nba_player_gamelogs_2024_25.csv.gz",
    )
    late, early = "2024-11-02T02:30:00Z", "2024-11-01T23:10:00Z"
    _write(
        [
            # The day before: first tip 23:10 UTC on 2024-10-31 (snapshot 21:00 UTC that day) and Jokic's game.
            *_pickem_row("10_31_2024.csv", "Nikola Jokić", 28.5, "Denver Nuggets", "Golden State Warriors", late),
            *_pickem_row(
                "10_31_2024.csv", "Kelly Oubre Jr", 14.5, "Boston Celtics", "Philadelphia 76ers", "2024-10-31T23:10:00Z"
            ),
            *_pickem_row("11_01_2024.csv", "Nikola Jokić", 29.5, "Denver Nuggets", "Golden State Warriors", late),
            *_pickem_row("11_01_2024.csv", "Nikola Jokić", 0.5, "Denver Nuggets", "Golden State Warriors", late),
            *_pickem_row(
                "11_01_2024.csv", "Nikola Jokic", 30.5, "Denver Nuggets", "Golden State Warriors", late, "Underdog"
            ),
            *_pickem_row("11_01_2024.csv", "Kelly Oubre Jr", 15.0, "Boston Celtics", "Philadelphia 76ers", early),
            *_pickem_row("11_01_2024.csv", "Herb Jones", 9.5, "New Orleans Pelicans", "Orlando Magic", early),
            *_pickem_row("11_01_2024.csv", "Jalen Williams", 19.5, "Denver Nuggets", "Golden State Warriors", late),
            *_pickem_row("11_01_2024.csv", "Zach Edey", 10.5, "Memphis Grizzlies", "Utah Jazz", early),
        ],
        root / PICKEM / "nba_dfs_lines.csv.gz",
    )
    pra = {
        "event_id": "e1",
        "event_date": "2024-11-02",
        "home_team": "Denver Nuggets",
        "away_team": "Golden State Warriors",
    }
    _write(
        [
            {
                "player_name": "Nikola Jokic",
                **pra,
                "bookmaker": "FanDuel",
                "line": 52.5,
                "timestamp": "2024-11-02T02:00:00Z",
            }
            | {"over_price": -115, "under_price": -105},
            {
                "player_name": "Nikola Jokic",
                **pra,
                "bookmaker": "FanDuel",
                "line": 60.5,
                "timestamp": "2024-11-02T02:00:00Z",
            }
            | {"over_price": 250, "under_price": -400},
        ],
        root / PRA_LINES / "pra_odds_2024-25.csv.gz",
    )
    game = {"regular": True, "playoffs": False, "moneyline_away": None, "moneyline_home": None}
    _write(
        [
            {"season": 2025, "date": "2024-11-01", "away": "gs", "home": "den", "whos_favored": "home"}
            | {"spread": 4.5, "total": 231.5, **game},
            {"season": 2025, "date": "2024-11-01", "away": "phi", "home": "bos", "whos_favored": "away"}
            | {"spread": 2.0, "total": 220.0, **game},
            {"season": 2025, "date": "2024-11-01", "away": "utah", "home": "mem", "whos_favored": "home"}
            | {"spread": 9.0, "total": 228.0, **game},
            {"season": 2010, "date": "2010-01-02", "away": "sa", "home": "ny", "whos_favored": "home"}
            | {"spread": 1.0, "total": 200.0, **game},
        ],
        root / GAME_LINES / "nba_2008-2025_raw.csv.gz",
    )
    return root


def test_names_normalise_accents_punctuation_suffixes_and_nicknames():
    assert normalize("Nikola Jokić") == normalize("Nikola Jokic") == "nikola jokic"
    assert normalize("Kelly Oubre Jr.") == normalize("Kelly Oubre Jr") == "kelly oubre"
    assert normalize("Isaiah Stewart II") == "isaiah stewart"
    assert normalize("D'Angelo Russell") == "dangelo russell"
    assert normalize("P.J. Washington") == normalize("PJ Washington") == "pj washington"
    assert normalize("Herb Jones") == normalize("Herbert Jones") == "herbert jones"
    assert normalize("Nicolas Claxton") == normalize("Nic Claxton")


def test_game_logs_keep_played_games_from_the_first_season_once(data_dir, ctx):
    public_data.ingest(ctx, "nba", data_dir)
    logs = ctx.warehouse.sql("SELECT * FROM propflow.outcomes WHERE market = 'nba_points'")
    jokic = logs[logs["entity_id"] == "nba-203999"].sort_values("game_date")
    # Pre Season, the duplicate and the 2007-08 season are gone.
    assert len(logs) == 5 and jokic["game_date"].dt.date.tolist() == [dt.date(2024, 4, 10), dt.date(2024, 11, 1)]
    assert jokic["game_id"].tolist() == ["nba-20240410-SAS-DEN", "nba-20241101-GSW-DEN"]
    oubre = logs[logs["entity_name"] == "Kelly Oubre Jr."].iloc[0]
    assert (oubre["team"], oubre["opponent"], bool(oubre["home"])) == ("PHI", "BOS", False)


def test_ingest_joins_on_local_date_keeps_the_unmatched_and_reports_the_rate(data_dir, ctx):
    _, _, pickem, pra, games = public_data.ingest(ctx, "nba", data_dir)
    # Rows (book x player x game x file): Jokic and Oubre on 10-31 (Oubre has no log that day: did not play),
    # then Jokic PrizePicks, Jokic Underdog, Oubre, Jones, Williams (another team's game) and Edey (no log).
    assert (pickem.rows_kept, pickem.rows_matched, len(pickem.unmatched)) == (8, 5, 3)
    assert pickem.join_rate == pytest.approx(5 / 8)
    lines = ctx.warehouse.sql(
        "SELECT * FROM propflow.prop_lines WHERE market = 'nba_points' ORDER BY book, snapshot_at"
    )
    jokic = lines[lines["entity_id"] == "nba-203999"]
    # The late tip is dated by its local day, 2024-11-01, not its UTC day; the 0.5 alternate is dropped.
    assert set(jokic["game_date"].dt.date) == {dt.date(2024, 11, 1)}
    assert set(jokic["game_id"]) == {"nba-20241101-GSW-DEN"}
    prize = jokic[jokic["book"] == "PrizePicks"]
    assert prize["line"].tolist() == [28.5, 29.5]
    assert prize["snapshot_at"].tolist() == [pd.Timestamp("2024-10-31 21:00"), pd.Timestamp("2024-11-01 21:00")]
    ends = ctx.warehouse.sql(
        "SELECT opening_line, closing_line, snapshots FROM propflow.book_lines "
        "WHERE entity_id = 'nba-203999' AND book = 'PrizePicks' AND market = 'nba_points'"
    )
    assert ends.values.tolist() == [[28.5, 29.5, 2]]
    assert jokic["over_price"].isna().all()  # pick'em prices are placeholders, not odds
    assert set(lines["entity_name"]) == {"Nikola Jokic", "Kelly Oubre Jr.", "Herbert Jones"}

    unmatched = ctx.warehouse.sql(
        "SELECT name, reason, `rows` FROM propflow.ingest_unmatched WHERE source = @s ORDER BY name", s=PICKEM
    )
    assert unmatched.to_dict("records") == [
        {"name": "Jalen Williams", "reason": match.NOT_IN_GAME, "rows": 1},
        {"name": "Kelly Oubre Jr", "reason": match.NO_ENTITY, "rows": 1},
        # His game (MEM-UTA) has no box scores, on the logs' last date: its results may still come.
        {"name": "Zach Edey", "reason": match.NO_KNOWN, "rows": 1},
    ]
    assert int(unmatched["rows"].sum()) == pickem.rows_kept - pickem.rows_matched

    # PRA: the most even of a book's two lines, against points + rebounds + assists.
    assert (pra.rows_kept, pra.rows_matched) == (1, 1)
    pra_line = ctx.warehouse.sql(
        "SELECT l.line, l.over_price, o.actual FROM propflow.prop_lines l JOIN propflow.outcomes o "
        "USING (market, game_id, entity_id) WHERE l.market = 'nba_pra'"
    )
    assert pra_line.to_dict("records") == [{"line": 52.5, "over_price": -115, "actual": 58.0}]

    # Game lines: the home spread is negative when home is favoured; a game without logs stays visible.
    assert (games.rows_kept, games.rows_matched) == (3, 2)
    spreads = ctx.warehouse.sql("SELECT game_id, spread, total FROM propflow.game_lines ORDER BY game_id")
    assert spreads["spread"].tolist() == [-4.5, 2.0, -9.0]
    missing = ctx.warehouse.sql("SELECT name FROM propflow.ingest_unmatched WHERE source = @s", s=GAME_LINES)
    assert missing["name"].tolist() == ["UTA @ MEM"]


def test_ingested_lines_and_game_lines_reach_the_nba_points_training_rows(data_dir, ctx):
    public_data.ingest(ctx, "nba", data_dir)
    rows = training.training_data(ctx, "nba_points", dt.date(2024, 11, 1)).set_index("entity_id")
    jokic = rows[rows["game_id"] == "nba-20241101-GSW-DEN"].loc["nba-203999"]
    # At the 22:00 UTC prediction time the 21:00 snapshot is the line; it is also the closing one.
    assert (jokic["line"], jokic["opening_line"], jokic["closing_line"]) == (29.5, 28.5, 29.5)
    assert (jokic["game_total"], jokic["team_spread"], jokic["actual"]) == (231.5, -4.5, 35.0)


@pytest.fixture
def real_month(tmp_path: Path) -> Path:
    """November 2024 of the real files (a copy of each, cut to the month) and the 2024-25 logs: a fast subset."""
    if not (DATA / PICKEM).is_dir():
        pytest.skip(f"real data not found at {DATA}")
    root = tmp_path / "real"
    (root / LOGS).mkdir(parents=True)
    shutil.copytree(DATA / LOGS_2024, root / LOGS_2024)
    shutil.copytree(DATA / GAME_LINES, root / GAME_LINES)
    pickem = pd.read_csv(next((DATA / PICKEM).glob("*.csv.gz")))
    _write(pickem[pickem["source_file"].str.startswith("11_")].to_dict("records"), root / PICKEM / "nov.csv.gz")
    pra = pd.read_csv(DATA / PRA_LINES / "pra_odds_2024-25.csv.gz")
    _write(pra[pra["event_date"].str.startswith("2024-11")].to_dict("records"), root / PRA_LINES / "nov.csv.gz")
    return root


def test_a_real_month_joins_about_nine_in_ten_and_a_known_game_reads_right(real_month, ctx):
    _, _, pickem, pra, _ = public_data.ingest(ctx, "nba", real_month)
    assert pickem.rows_kept > 3000 and pickem.join_rate > 0.88
    assert pra.rows_kept > 1500 and pra.join_rate > 0.88
    tatum = ctx.warehouse.sql(
        "SELECT l.book, l.closing_line AS line, o.actual, o.game_id FROM propflow.book_lines l "
        "JOIN propflow.outcomes o USING (market, game_id, entity_id) WHERE l.market = 'nba_points' "
        "AND l.entity_name = 'Jayson Tatum' AND l.game_date = @d ORDER BY l.book",
        d=dt.date(2024, 11, 4),
    )
    # Both books' closing lines of one game, next to his points (the box score's game key: date, away, home).
    assert tatum.to_dict("records") == [
        {"book": "PrizePicks", "line": 31.0, "actual": 28.0, "game_id": "nba-20241104-BOS-ATL"},
        {"book": "Underdog", "line": 30.5, "actual": 28.0, "game_id": "nba-20241104-BOS-ATL"},
    ]


def test_the_nba_pra_market_trains_on_ingested_pra_rows(data_dir, ctx):
    """nba_pra is config plus a feature spec: the ingested PRA outcomes and lines feed it."""
    public_data.ingest(ctx, "nba", data_dir)
    rows = training.training_data(ctx, "nba_pra", dt.date(2024, 11, 1)).set_index("entity_id")
    jokic = rows[rows["game_id"] == "nba-20241101-GSW-DEN"].loc["nba-203999"]
    assert jokic["actual"] == 35 + 12 + 11
    assert jokic["reb_l10"] == 10.0  # the box score's rebounds of his earlier game, not this one's 12
    # The book's only snapshot (02:00 UTC the next day) is after the 23:00 UTC prediction time:
    # no line as of then, so the line features take their defaults.
    assert pd.isna(jokic.get("line")) and jokic["current_line"] == 18.0
    spec = feature_spec.load("nba_pra")
    assert set(spec.names("rolling")) <= set(rows.columns) and len(spec.names("core")) == 25
