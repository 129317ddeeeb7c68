"""The feed spec language on small files the tests write: formats, timestamps, maps, filters, ladders, the
reject rules, matching (aliases, unmatched, lines before results), the dry run and malformed files."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from shared.cli.main import main
from shared.domain.feeds import rules
from shared.domain.feeds import spec as feed_spec
from shared.errors import Invalid, NotFound
from shared.handlers.feeds import FeedError, add_alias, load_feed

# A box-score feed of our own invention: JSON lines, vendor ids, the game keyed by date and teams.
BOX = {
    "feed": "acme_box",
    "kind": "results",
    "read": {"format": "jsonl"},
    "fields": {
        "game_date": {"column": "date", "date": "iso"},
        "pid": {"column": "pid"},
        "entity_id": {"template": "nba-{pid}"},
        "entity_name": {"column": "player"},
        "team": {"column": "team"},
        "opponent": {"column": "opp"},
        "home": {"column": "venue", "matches": "^home$"},
        "workload": {"column": "min", "type": "number"},
    },
    "game_key": "nba-{game_date:%Y%m%d}-{away_team}-{home_team}",
    "markets": {"nba_points": {"actual": {"column": "pts"}}, "nba_pra": {"actual": {"sum": ["pts", "reb", "ast"]}}},
    "details": {"pts": "pts", "reb": "reb", "ast": "ast", "fgm": "fgm", "fga": "fga"},
    "checks": {"at_most": {"fgm": "fga"}},
}

# A "foreign" sportsbook feed: one row per outcome, alternate-line ladders per book, the snapshot time only in
# a file-name column (Eastern, no zone), vendor market names, team nicknames or full names, book keys, float odds.
FOREIGN = {
    "feed": "acme_odds",
    "kind": "prop_lines",
    "read": {"format": "csv"},
    "filter": [{"column": "market_key", "in": ["player_points", "player_points_rebounds_assists"]}],
    "maps": {
        "markets": {"player_points": "nba_points", "player_points_rebounds_assists": "nba_pra"},
        "teams": {"Nuggets": "DEN", "Denver Nuggets": "DEN", "Lakers": "LAL", "Los Angeles Lakers": "LAL"},
        "books": {"draftkings": "DraftKings", "fanduel": "FanDuel"},
    },
    "fields": {
        "market": {"column": "market_key", "map": "markets"},
        "name": {"column": "outcome_description"},
        "book": {"column": "bookmaker_key", "map": "books", "unmapped": "keep"},
        "snapshot_at": {
            "column": "file",
            "regex": r"(\d{8}T\d{4})",
            "time": "%Y%m%dT%H%M",
            "tz": "America/New_York",
        },
        "game_start": {"column": "commence_time", "time": "iso"},
        "game_date": {"field": "game_start", "local_date": "America/New_York"},
        "home_team": {"column": "home_team", "map": "teams"},
        "away_team": {"column": "away_team", "map": "teams"},
        "side": {"column": "outcome_name"},
        "line": {"column": "outcome_point", "type": "number"},
        "price": {"column": "outcome_price", "type": "number"},
    },
    "sides": {"field": "side", "over": "Over", "under": "Under"},
    "game_key": "nba-{game_date:%Y%m%d}-{away_team}-{home_team}",
    "checks": {"line_grid": 0.5},
    "match": {"by": "name"},
}
TIP = "2025-01-11T02:00:00Z"  # 21:00 ET on 2025-01-10: the local game date is the 10th
GAME = "nba-20250110-LAL-DEN"


def spec_of(doc: dict, tmp_path: Path | None = None) -> feed_spec.FeedSpec:
    return feed_spec.parse(json.loads(json.dumps(doc)), "test")


def box_rows(date: str = "2025-01-10", **extra) -> list[dict]:
    jokic = {"pid": 203999, "player": "Nikola Jokić", "team": "DEN", "opp": "LAL", "venue": "home", "min": 35}
    james = {"pid": 2544, "player": "LeBron James", "team": "LAL", "opp": "DEN", "venue": "away", "min": 36}
    stats = {"pts": 30, "reb": 12, "ast": 10, "fgm": 11, "fga": 20}
    return [{"date": date, **jokic, **stats, **extra}, {"date": date, **james, **stats, "pts": 25, **extra}]


def jsonl(rows: list[dict]) -> io.BytesIO:
    return io.BytesIO("\n".join(json.dumps(r) for r in rows).encode())


def outcome_rows(file: str, book: str, ladder: dict[float, tuple[float, float]], **extra) -> list[dict]:
    base = {
        "file": f"snaps/odds_{file}.csv",
        "commence_time": TIP,
        "home_team": "Nuggets",
        "away_team": "Los Angeles Lakers",
        "bookmaker_key": book,
        "market_key": "player_points",
        "outcome_description": "Nikola Jokic",
    }
    return [
        {**base, "outcome_name": side, "outcome_point": point, "outcome_price": price, **extra}
        for point, prices in ladder.items()
        for side, price in zip(("Over", "Under"), prices, strict=True)
    ]


def csv_bytes(rows: list[dict], gz: bool = False) -> io.BytesIO:
    data = pd.DataFrame(rows).to_csv(index=False).encode()
    return io.BytesIO(gzip.compress(data) if gz else data)


LADDER = {29.5: (-112.0, -108.5), 27.5: (-160.0, 130.0), 31.5: (140.0, -170.0)}


def foreign_rows() -> list[dict]:
    rows = []
    for file in ("20250110T1200", "20250110T1800"):
        rows += outcome_rows(file, "draftkings", LADDER) + outcome_rows(file, "fanduel", {30.5: (-105.5, -114.5)})
    return rows


def table(ctx, name: str) -> pd.DataFrame:
    return ctx.warehouse.sql(f"SELECT * FROM propflow.{name}")


def test_a_results_feed_makes_several_markets_and_rejects_impossible_stats(ctx):
    rows = [*box_rows(), {**box_rows()[0], "pid": 1, "player": "Bad Row", "fgm": 30}]
    report = load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl(rows))], source_object="gs://l/acme_box/1#7")
    assert (report.rows_read, report.rows_kept, report.rejected) == (3, 2, {"impossible stat (fgm above fga)": 1})
    outcomes = table(ctx, "outcomes").set_index(["market", "entity_id"])
    assert outcomes.loc[("nba_pra", "nba-203999"), "actual"] == 30 + 12 + 10
    assert outcomes.loc[("nba_points", "nba-2544"), "actual"] == 25
    assert set(outcomes["game_id"]) == {GAME} and set(outcomes["source_object"]) == {"gs://l/acme_box/1#7"}
    assert json.loads(outcomes.loc[("nba_points", "nba-203999"), "details_json"])["fga"] == 20
    assert [(f.market, f.game_id, len(f.stat_lines)) for f in report.finals] == [
        ("nba_points", GAME, 2),
        ("nba_pra", GAME, 2),
    ]
    pra_lines = {line["entity_id"]: line["actual"] for line in report.finals[1].stat_lines}
    assert pra_lines == {"nba-203999": 52.0, "nba-2544": 47.0} and report.written == {"outcomes": 4}


def test_the_foreign_feed_loads_by_spec_alone_each_book_keeping_its_main_line(ctx):
    load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl(box_rows()))])
    report = load_feed(ctx, spec_of(FOREIGN), [("odds.csv", csv_bytes(foreign_rows()))])
    assert report.rows_read == 16 and report.rows_kept == 4 and report.join_rate == 1.0
    assert report.rejected == {rules.ALTERNATE: 4}
    assert report.books == ("DraftKings", "FanDuel") and report.slates == (("nba_points", dt.date(2025, 1, 10)),)
    lines = table(ctx, "prop_lines").sort_values(["book", "snapshot_at"])
    # The most even rung of DraftKings' ladder; FanDuel's own line kept beside it, never averaged.
    assert lines[["book", "line", "over_price", "under_price"]].values.tolist() == [
        ["DraftKings", 29.5, -112, -108],
        ["DraftKings", 29.5, -112, -108],
        ["FanDuel", 30.5, -106, -114],
        ["FanDuel", 30.5, -106, -114],
    ]
    # 12:00 and 18:00 Eastern, from the file-name column, stored in UTC.
    assert lines["snapshot_at"].drop_duplicates().tolist() == [
        pd.Timestamp("2025-01-10 17:00"),
        pd.Timestamp("2025-01-10 23:00"),
    ]
    assert set(lines["game_id"]) == {GAME} and set(lines["entity_id"]) == {"nba-203999"}


def test_each_books_opening_and_closing_span_every_load(ctx):
    """In production each snapshot lands in a file of its own: the opening of one and the closing of another."""
    load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl(box_rows()))])
    rows = pd.DataFrame(foreign_rows())
    for name, snapshot in rows.groupby("file", sort=True):
        load_feed(ctx, spec_of(FOREIGN), [(name, csv_bytes(snapshot.to_dict("records")))])
    ends = table(ctx, "book_lines").sort_values("book")
    assert ends[["book", "snapshots", "opening_at", "closing_at", "line_move"]].values.tolist() == [
        ["DraftKings", 2, pd.Timestamp("2025-01-10 17:00"), pd.Timestamp("2025-01-10 23:00"), 0.0],
        ["FanDuel", 2, pd.Timestamp("2025-01-10 17:00"), pd.Timestamp("2025-01-10 23:00"), 0.0],
    ]


def test_every_reject_reason_is_counted_and_nothing_rejected_is_loaded(ctx):
    load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl(box_rows()))])
    good = outcome_rows("20250110T1200", "draftkings", {29.5: (-110.0, -110.0)})
    rows = [
        *good,
        *good,  # the same two rows again
        *outcome_rows("20250110T2200", "fanduel", {29.5: (-110.0, -110.0)}),  # 22:00 ET: after the 21:00 tip
        *outcome_rows("20250110T1200", "fanduel", {29.5: (-110.0, 50.0)}),  # +50 is no American price
        *outcome_rows("20250110T1200", "betmgm", {29.3: (-110.0, -110.0)}),  # off the half-point grid
        *outcome_rows("20250110T1200", "caesars", {29.5: (-110.0, -110.0)}, market_key="player_assists"),
    ]
    report = load_feed(ctx, spec_of(FOREIGN), [("odds.csv", csv_bytes(rows))])
    assert report.rejected == {
        rules.FILTERED: 2,
        rules.AFTER_START: 1,
        rules.DUPLICATE: 2,  # rows, the Over and the Under, as read; the others are lines (a pair after the pivot)
        rules.EVEN_PRICE: 1,
        rules.OFF_GRID.format(grid=0.5): 1,
    }
    assert report.rows_kept == 1 and table(ctx, "prop_lines")["book"].tolist() == ["DraftKings"]


def test_negative_stats_are_rejected(ctx):
    report = load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl([{**box_rows()[0], "reb": -1}, box_rows()[1]]))])
    assert report.rejected == {rules.NEGATIVE: 1} and len(table(ctx, "outcomes")) == 2


def test_formats_parquet_gzip_csv_and_delimiters_read_the_same_rows(ctx, tmp_path):
    frame = pd.DataFrame(box_rows())
    parquet = io.BytesIO()
    frame.to_parquet(parquet)
    semicolon = io.BytesIO(gzip.compress(frame.to_csv(index=False, sep=";").encode()))
    for fmt, stream, extra in (("parquet", parquet, {}), ("csv", semicolon, {"delimiter": ";"})):
        parquet.seek(0)
        spec = spec_of({**BOX, "read": {"format": fmt, **extra}})
        report = load_feed(ctx, spec, [(f"box.{fmt}", stream)], write=False)
        assert (report.rows_kept, report.markets, report.first_date) == (
            2,
            ("nba_points", "nba_pra"),
            dt.date(2025, 1, 10),
        )


def test_value_maps_filters_and_negation_in_a_game_lines_feed(ctx):
    doc = {
        "feed": "acme_games",
        "kind": "game_lines",
        "read": {"format": "csv"},
        "filter": [{"column": "season", "at_least": 2015}, {"column": "league", "not_in": ["wnba"]}],
        "maps": {"codes": {"GS": "GSW", "NO": "NOP"}},
        "fields": {
            "sport": {"value": "nba"},
            "game_date": {"column": "day", "date": "%m/%d/%Y"},
            "home_team": {"column": "home", "case": "upper", "map": "codes", "unmapped": "keep"},
            "away_team": {"column": "away", "case": "upper", "map": "codes", "unmapped": "keep"},
            "spread": {"column": "spread", "type": "number", "negate_if": {"column": "fav", "equals": "home"}},
            "total": {"column": "total", "type": "number"},
            "home_moneyline": {"column": "ml_home", "type": "number"},
        },
        "game_key": "nba-{game_date:%Y%m%d}-{away_team}-{home_team}",
    }
    rows = [
        {"season": 2016, "league": "nba", "day": "01/05/2016", "home": "gs", "away": "no", "fav": "home"},
        {"season": 2016, "league": "nba", "day": "01/06/2016", "home": "den", "away": "gs", "fav": "away"},
        {"season": 2014, "league": "nba", "day": "01/06/2014", "home": "den", "away": "gs", "fav": "away"},
        {"season": 2016, "league": "wnba", "day": "07/06/2016", "home": "sea", "away": "ny", "fav": "away"},
    ]
    rows = [{**r, "spread": 4.5, "total": 220.5, "ml_home": -180.4} for r in rows]
    report = load_feed(ctx, spec_of(doc), [("g.csv", csv_bytes(rows))])
    assert report.rejected == {rules.FILTERED: 2}
    games = table(ctx, "game_lines").sort_values("game_date")
    assert games["game_id"].tolist() == ["nba-20160105-NOP-GSW", "nba-20160106-GSW-DEN"]
    assert games["spread"].tolist() == [-4.5, 4.5] and games["home_moneyline"].tolist() == [-180, -180]


def test_a_daily_files_snapshot_from_its_first_start_and_a_ladder_without_prices(ctx):
    """A pick'em layout: no time of day, placeholder prices; two lines of one book keep the higher."""
    load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl(box_rows()))])
    fields = {k: v for k, v in FOREIGN["fields"].items() if k != "snapshot_at"}
    fields.update(
        daily={"column": "file"},
        snapshot_at={"first_start": {"field": "game_start", "per": "daily", "hour_utc": 21}},
        price={"value": None},
    )
    rows = outcome_rows("day1", "draftkings", {29.5: (-137, -137), 0.5: (-137, -137)})
    report = load_feed(ctx, spec_of({**FOREIGN, "fields": fields}), [("d.csv", csv_bytes(rows))])
    lines = table(ctx, "prop_lines")
    # First tip 02:00 UTC on the 11th: the last 21:00 UTC at or before it is the 10th's.
    assert lines[["line", "snapshot_at"]].values.tolist() == [[29.5, pd.Timestamp("2025-01-10 21:00")]]
    assert lines["over_price"].isna().all() and report.rejected == {rules.ALTERNATE: 1}


def test_the_dry_run_writes_nothing(ctx):
    load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl(box_rows()))])
    before = {t: len(table(ctx, t)) for t in ("prop_lines", "ingest_unmatched", "outcomes")}
    rows = [*foreign_rows(), *outcome_rows("20250110T1200", "draftkings", LADDER)[:0]]
    rows += [{**r, "outcome_description": "Nobody Atall"} for r in outcome_rows("20250110T1200", "fanduel", LADDER)]
    report = load_feed(ctx, spec_of(FOREIGN), [("odds.csv", csv_bytes(rows))], write=False)
    assert report.written == {} and report.unmatched == {"Nobody Atall": 1} and report.rows_matched == 4
    assert {t: len(table(ctx, t)) for t in before} == before


def test_unmatched_names_are_kept_and_an_alias_matches_them_next_time(ctx):
    load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl(box_rows()))])
    rows = [{**r, "outcome_description": "The Joker"} for r in outcome_rows("20250110T1200", "fanduel", LADDER)]
    first = load_feed(ctx, spec_of(FOREIGN), [("odds.csv", csv_bytes(rows))])
    assert first.unmatched == {"The Joker": 1} and first.rows_matched == 0
    unmatched = table(ctx, "ingest_unmatched")
    assert unmatched[["name", "rows", "market"]].values.tolist() == [["The Joker", 1, "nba_points"]]
    with pytest.raises(NotFound, match="no entity 'nba-0'"):
        add_alias(ctx, "nba_points", "The Joker", "nba-0")
    assert add_alias(ctx, "nba_points", "The Joker", "nba-203999") == "Nikola Jokić"
    again = load_feed(ctx, spec_of(FOREIGN), [("odds.csv", csv_bytes(rows))])
    assert again.rows_matched == 1 and table(ctx, "prop_lines")["entity_id"].tolist() == ["nba-203999"]


def test_lines_before_results_match_by_latest_team_and_the_results_grade_them_later(ctx):
    """Production order: the day's lines land before its box scores."""
    load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl(box_rows(date="2025-01-08")))])  # an earlier game
    lines = load_feed(ctx, spec_of(FOREIGN), [("odds.csv", csv_bytes(foreign_rows()))])
    assert lines.rows_matched == lines.rows_kept == 4  # matched with no results of the 10th yet
    assert set(table(ctx, "prop_lines")["game_id"]) == {GAME}
    load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl(box_rows()))])
    joined = ctx.warehouse.sql(
        "SELECT l.book, o.actual FROM propflow.book_lines l JOIN propflow.outcomes o "
        "USING (market, game_id, entity_id) ORDER BY l.book"
    )
    assert joined.values.tolist() == [["DraftKings", 30.0], ["FanDuel", 30.0]]


def test_a_game_before_the_markets_latest_results_without_any_never_had_them(ctx):
    load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl(box_rows(date="2025-01-08")))])
    load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl(box_rows(date="2025-01-12")))])
    report = load_feed(ctx, spec_of(FOREIGN), [("odds.csv", csv_bytes(foreign_rows()))], write=False)
    assert report.rows_matched == 0 and report.unmatched == {"Nikola Jokic": 4}


def test_a_malformed_file_writes_nothing_and_says_why(ctx):
    good, bad = csv_bytes(foreign_rows()), csv_bytes([{"file": "x", "wrong": 1}])
    with pytest.raises(FeedError, match=r"bad\.csv: no column 'away_team', 'bookmaker_key'"):
        load_feed(ctx, spec_of(FOREIGN), [("good.csv", good), ("bad.csv", bad)])
    unparseable = [{**r, "commence_time": "soon"} for r in foreign_rows()]
    with pytest.raises(FeedError, match="'soon' does not parse as iso"):
        load_feed(ctx, spec_of(FOREIGN), [("odds.csv", csv_bytes(unparseable))])
    with pytest.raises(FeedError, match="not a readable parquet file"):
        load_feed(ctx, spec_of({**BOX, "read": {"format": "parquet"}}), [("b.parquet", io.BytesIO(b"nope"))])
    assert table(ctx, "prop_lines").empty and table(ctx, "outcomes").empty


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "odds"}, r"feed 'acme_odds' \(test\): kind: 'odds' is not one of"),
        ({"read": {"format": "xml"}}, r"read\.format: 'xml' is not one of"),
        ({"fields": {**FOREIGN["fields"], "line": {"colum": "x"}}}, r"fields\.line: Additional properties"),
        (
            {"fields": {**FOREIGN["fields"], "snapshot_at": {"column": "file", "regex": "(x"}}},
            r"fields\.snapshot_at\.regex",
        ),
        (
            {"fields": {**FOREIGN["fields"], "book": {"column": "b", "map": "nope"}}},
            r"fields\.book\.map: no map 'nope'",
        ),
        ({"fields": {**FOREIGN["fields"], "game_start": {"column": "c", "time": "iso", "tz": "Mars/Base"}}}, "tz"),
        ({"fields": {k: v for k, v in FOREIGN["fields"].items() if k != "line"}}, "needs field 'line'"),
        ({"game_key": "nba-{nope}"}, r"game_key: uses field 'nope'"),
    ],
)
def test_a_bad_spec_is_refused_naming_the_key(change, message):
    with pytest.raises(Invalid, match=message):
        spec_of({**FOREIGN, **change})


def test_user_specs_come_from_the_feeds_dir_and_may_not_take_a_shipped_name(tmp_path, monkeypatch):
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "acme.yaml").write_text(yaml.safe_dump(FOREIGN, sort_keys=False))
    specs = feed_spec.all_specs(folder)
    assert specs["acme_odds"].origin == str(folder / "acme.yaml") and "nba_pra_lines" in specs
    (folder / "clash.yaml").write_text(yaml.safe_dump({**FOREIGN, "feed": "nba_pra_lines"}, sort_keys=False))
    with pytest.raises(Invalid, match=r"feed 'nba_pra_lines' is defined twice: shipped:nba_pra_lines\.yaml and"):
        feed_spec.all_specs(folder)


def test_feeds_check_and_ingest_on_the_command_line(tmp_path, monkeypatch):
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "box.yaml").write_text(yaml.safe_dump(BOX, sort_keys=False))
    monkeypatch.setenv("PROPFLOW_FEEDS_DIR", str(folder))
    box, odds = tmp_path / "box.jsonl", tmp_path / "odds.csv.gz"
    box.write_bytes(jsonl(box_rows()).getvalue())
    odds.write_bytes(csv_bytes(foreign_rows(), gz=True).getvalue())
    (tmp_path / "odds.yaml").write_text(yaml.safe_dump(FOREIGN, sort_keys=False))
    runner = CliRunner()
    listed = runner.invoke(main, ["feeds", "list"])
    assert listed.exit_code == 0 and "acme_box" in listed.output and "nba_game_logs" in listed.output
    assert runner.invoke(main, ["ingest", "--feed", "acme_box", str(box)]).exit_code == 0
    checked = runner.invoke(main, ["feeds", "check", str(tmp_path / "odds.yaml"), str(odds)])
    assert checked.exit_code == 0, checked.output
    assert "nothing written" in checked.output and "1.000" in checked.output and "DraftKings" in checked.output
    bad = runner.invoke(main, ["feeds", "check", "no_such_feed", str(odds)])
    assert bad.exit_code == 2 and "no feed 'no_such_feed'" in bad.output
    alias = runner.invoke(main, ["entities", "alias", "--market", "nba_points", "Joker", "nba-404"])
    assert alias.exit_code == 2 and "no entity 'nba-404'" in alias.output


# A feed quoting each player's own team and opponent, not the home and away teams; naive Eastern times.
TEAM_SIDE = {
    "feed": "team_side_props",
    "kind": "prop_lines",
    "read": {"format": "jsonl"},
    "fields": {
        "market": {"value": "nba_points"},
        "name": {"column": "Name"},
        "book": {"column": "Sportsbook"},
        "snapshot_at": {"column": "Updated", "time": "iso", "tz": "America/New_York"},
        "game_start": {"column": "DateTime", "time": "iso", "tz": "America/New_York"},
        "game_date": {"field": "game_start", "local_date": "America/New_York"},
        "team": {"column": "Team"},
        "opponent": {"column": "Opponent"},
        "home": {"column": "HomeOrAway", "matches": "^HOME$"},
        "line": {"column": "OverUnder", "type": "number"},
        "over_price": {"column": "OverPayout", "type": "number"},
        "under_price": {"column": "UnderPayout", "type": "number"},
    },
    "game_key": "nba-{game_date:%Y%m%d}-{away_team}-{home_team}",
}


def team_side_rows() -> list[dict]:
    base = {"DateTime": "2025-01-09T21:00:00", "Updated": "2025-01-09T18:00:00", "Sportsbook": "DraftKings"}
    base |= {"OverPayout": -110, "UnderPayout": -110}
    return [
        {**base, "Name": "Nikola Jokic", "Team": "DEN", "Opponent": "LAL", "HomeOrAway": "HOME", "OverUnder": 29.5},
        {**base, "Name": "LeBron James", "Team": "LAL", "Opponent": "DEN", "HomeOrAway": "AWAY", "OverUnder": 24.5},
    ]


def test_a_feed_quoting_team_and_opponent_keys_the_game_by_home_and_away(ctx):
    dry = load_feed(ctx, spec_of(TEAM_SIDE), [("props.jsonl", jsonl(team_side_rows()))], write=False)
    # Nothing to match yet, and what the file covers is said all the same.
    assert dry.rows_matched == 0 and dry.markets == ("nba_points",) and dry.books == ("DraftKings",)
    load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl(box_rows(date="2025-01-08")))])
    report = load_feed(ctx, spec_of(TEAM_SIDE), [("props.jsonl", jsonl(team_side_rows()))])
    assert report.rows_matched == report.rows_kept == 2
    lines = table(ctx, "prop_lines").sort_values("entity_id")
    assert lines[["entity_id", "game_id", "home_team", "away_team"]].values.tolist() == [
        ["nba-203999", "nba-20250109-LAL-DEN", "DEN", "LAL"],
        ["nba-2544", "nba-20250109-LAL-DEN", "DEN", "LAL"],
    ]


def test_epoch_times_and_decimal_odds_are_read_as_utc_and_american(ctx):
    doc = json.loads(json.dumps(TEAM_SIDE))
    doc["fields"]["snapshot_at"] = {"column": "Updated", "time": "epoch_ms"}
    doc["fields"]["over_price"] |= {"odds": "decimal"}
    doc["fields"]["under_price"] |= {"odds": "decimal"}
    snapshot = dt.datetime(2025, 1, 9, 23, 0)  # 18:00 Eastern, in UTC
    epoch_ms = int(snapshot.replace(tzinfo=dt.UTC).timestamp() * 1000)
    rows = [{**r, "Updated": epoch_ms, "OverPayout": 2.5, "UnderPayout": 1.8} for r in team_side_rows()]
    load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl(box_rows(date="2025-01-08")))])
    load_feed(ctx, spec_of(doc), [("props.jsonl", jsonl(rows))])
    lines = table(ctx, "prop_lines")
    assert set(lines["snapshot_at"]) == {pd.Timestamp(snapshot)}
    # 2.5 pays 1.5 per unit: +150; 1.8 pays 0.8: -100 / 0.8 = -125.
    assert set(zip(lines["over_price"], lines["under_price"], strict=True)) == {(150, -125)}
    rows[0]["OverPayout"] = 1.0  # pays nothing: no price, and the row is rejected, not the file
    report = load_feed(ctx, spec_of(doc), [("props.jsonl", jsonl(rows))], write=False)
    assert report.rows_kept == 1 and report.rejected == {rules.EVEN_PRICE: 1}


def test_a_player_without_a_markets_stat_is_left_out_of_that_market_only(ctx):
    jokic, james = box_rows()
    james["reb"] = None  # his points are known, his PRA is not
    nobody = {**jokic, "pid": 7, "player": "No Stats", "pts": None, "reb": None, "ast": None}
    report = load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl([jokic, james, nobody]))])
    assert report.rows_kept == 2 and report.rejected == {"no actual in any market": 1}
    stored = table(ctx, "outcomes").sort_values(["market", "entity_id"])
    assert stored[["market", "entity_id", "actual"]].values.tolist() == [
        ["nba_points", "nba-203999", 30.0],
        ["nba_points", "nba-2544", 25.0],
        ["nba_pra", "nba-203999", 52.0],  # 30 + 12 + 10; James has no PRA row
    ]
    lines = {(f.market, line["entity_id"]): line["actual"] for f in report.finals for line in f.stat_lines}
    assert lines == {
        ("nba_points", "nba-203999"): 30.0,
        ("nba_points", "nba-2544"): 25.0,
        ("nba_pra", "nba-203999"): 52.0,
    }
