"""From files landing to grades with nothing typed: puts into the landing bucket, the clock and the scheduler's
events only (the synthetic league's day, written as a vendor's files and read through feed specs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import functions_framework
import pandas as pd
import pytest
from cloudevents.conversion import to_structured

from shared import clock, paths, runtime
from shared.contract import markets, storage_event, topology
from shared.contract.events import DiagnosticsDaily, SlatesDue
from shared.ops import demo
from shared.ports import Chain, Context
from shared.sources import feed
from shared.sources.league import League, generate

pytestmark = pytest.mark.pipeline
MARKET = "nba_points"

LINES_SPEC = """
feed: synth_lines
kind: prop_lines
read: {format: csv}
fields:
  market: {value: nba_points}
  entity_id: {column: player_id}
  name: {column: player}
  book: {column: book}
  snapshot_at: {column: taken_at, time: "%Y-%m-%d %H:%M:%S"}
  game_date: {column: day, date: iso}
  home_team: {column: home}
  away_team: {column: away}
  line: {column: line, type: number}
  over_price: {column: over, type: number}
  under_price: {column: under, type: number}
game_key: "nba-{game_date:%Y%m%d}-{away_team}-{home_team}"
match: {by: id}
"""

RESULTS_SPEC = """
feed: synth_box
kind: results
read: {format: csv}
fields:
  game_date: {column: day, date: iso}
  entity_id: {column: player_id}
  entity_name: {column: player}
  team: {column: team}
  opponent: {column: opponent}
  home: {column: at_home, type: boolean}
  home_team: {column: home}
  away_team: {column: away}
  workload: {column: minutes, type: number}
game_key: "nba-{game_date:%Y%m%d}-{away_team}-{home_team}"
markets:
  nba_points: {actual: {column: pts}}
"""


def line_file(league, day: dt.date, snapshots: pd.Series) -> bytes:
    games = league.games[["game_id", "home_team", "away_team"]]
    rows = league.lines[(pd.to_datetime(league.lines["game_date"]).dt.date == day) & snapshots].merge(games)
    out = pd.DataFrame(
        {
            "player_id": rows["entity_id"],
            "player": rows["entity_name"],
            "book": rows["book"],
            "taken_at": rows["snapshot_at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
            "day": day.isoformat(),
            "home": rows["home_team"],
            "away": rows["away_team"],
            "line": rows["line"],
            "over": rows["over_price"],
            "under": rows["under_price"],
        }
    )
    return out.to_csv(index=False).encode()


def box_file(league, day: dt.date) -> bytes:
    games = league.games[["game_id", "home_team", "away_team"]]
    played = league.outcomes[
        (pd.to_datetime(league.outcomes["game_date"]).dt.date == day) & (league.outcomes["status"] == "played")
    ].merge(games)
    out = pd.DataFrame(
        {
            "day": day.isoformat(),
            "player_id": played["entity_id"],
            "player": played["entity_name"],
            "team": played["team"],
            "opponent": played["opponent"],
            "at_home": played["home"].map({True: "true", False: "false"}),
            "home": played["home_team"],
            "away": played["away_team"],
            "minutes": played["workload"],
            "pts": played["actual"],
        }
    )
    return out.to_csv(index=False).encode()


def count(ctx, sql: str, **params) -> int:
    return int(ctx.warehouse.sql(sql, **params).iloc[0, 0])


def write_specs(folder: Path) -> Path:
    folder.mkdir()
    (folder / "synth_lines.yaml").write_text(LINES_SPEC)
    (folder / "synth_box.yaml").write_text(RESULTS_SPEC)
    return folder


Put = Callable[[str, bytes], None]  # a file put into the landing bucket (<feed>/<name>), and its chain drained


def tick(ctx: Context, chain: Chain, topic: str, payload: object) -> None:
    """What a scheduler job sends, delivered."""
    ctx.bus.publish(topic, payload)
    chain.drain()


def play_day(ctx: Context, chain: Chain, put: Put, league: League, day: dt.date) -> None:
    """One live day with only files landing, the clock and the scheduler's events; checks each step."""
    hour = markets.market(MARKET).prediction_time(day)
    snapshot = league.lines["snapshot_at"]
    entities = league.lines[pd.to_datetime(league.lines["game_date"]).dt.date == day]["entity_id"].nunique()
    predicted = "SELECT COUNT(*) FROM propflow.predictions WHERE system_id = 'ensemble' AND game_date = @d"

    # Morning: the vendor's file of the opening and mid-day lines lands; the prediction hour has not come.
    with clock.frozen(hour - dt.timedelta(hours=6)):
        put("synth_lines/morning.csv", line_file(league, day, snapshot <= hour))
    loaded = ctx.warehouse.sql(
        "SELECT source_object, COUNT(*) AS n FROM propflow.prop_lines WHERE game_date = @d GROUP BY 1", d=day
    )
    assert loaded["source_object"].str.match(r"gs://.+/synth_lines/morning\.csv#\d+$").all()
    assert int(loaded["n"].sum()) > entities > 10
    with clock.frozen(hour - dt.timedelta(hours=1)):
        tick(ctx, chain, topology.SLATES_DUE, SlatesDue())
    assert count(ctx, predicted, d=day) == 0

    # The hourly tick at the prediction hour scores the slate; the next tick changes nothing.
    with clock.frozen(hour):
        tick(ctx, chain, topology.SLATES_DUE, SlatesDue())
    assert count(ctx, predicted, d=day) == entities
    with clock.frozen(hour + dt.timedelta(hours=1)):
        tick(ctx, chain, topology.SLATES_DUE, SlatesDue())
    features = ctx.warehouse.sql("SELECT DISTINCT as_of, run_id FROM propflow.features WHERE game_date = @d", d=day)
    as_of = pd.to_datetime(features["as_of"], utc=True).dt.tz_localize(None)  # BigQuery's are aware
    assert list(zip(as_of, features["run_id"], strict=True)) == [(pd.Timestamp(hour), "live")]
    assert count(ctx, "SELECT COUNT(*) FROM propflow.slate_posts") == 1

    # The closing lines land after the hour: nothing is re-scored; picks whose line moved show stale.
    with clock.frozen(hour + dt.timedelta(hours=1, minutes=35)):
        put("synth_lines/closing.csv", line_file(league, day, snapshot > hour))
    assert count(ctx, "SELECT COUNT(*) FROM propflow.slate_posts") == 1
    picks = ctx.warehouse.sql("SELECT line, current_line, stale FROM propflow.todays_picks")
    assert len(picks) > 0 and picks["stale"].any()
    assert ((picks["current_line"] != picks["line"]) <= picks["stale"]).all()

    # Next morning the box scores land: every predicted game gets its game-final and is graded.
    with clock.frozen(hour + dt.timedelta(hours=10)):
        put("synth_box/box.csv", box_file(league, day))
    graded = ctx.warehouse.sql(
        "SELECT COUNT(*) AS n, COUNTIF(result IS NOT NULL) AS results FROM propflow.grades "
        "WHERE system_id = 'ensemble' AND game_date = @d",
        d=day,
    )
    assert int(graded["n"].iloc[0]) == entities and int(graded["results"].iloc[0]) > 0
    with clock.frozen(hour + dt.timedelta(hours=11)):
        tick(ctx, chain, topology.DIAGNOSTICS_DAILY, DiagnosticsDaily())
    assert count(ctx, "SELECT COUNT(*) FROM propflow.diagnostics_daily WHERE game_date = @d", d=day) > 0
    assert len(chain.dead_letters) == 0


def test_a_day_from_files_landing_to_grades_with_only_the_clock(seeded, tmp_path, monkeypatch):
    monkeypatch.setenv("PROPFLOW_FEEDS_DIR", str(write_specs(tmp_path / "feeds")))
    runtime.reset()
    ctx = runtime.context()

    def put(name: str, data: bytes) -> None:  # the folder blob store tells the bus; the bus delivers the event
        ctx.blobs.put(f"gs://{ctx.settings.landing_bucket}/{name}", data)
        ctx.chain.drain()

    play_day(ctx, ctx.chain, put, seeded.leagues[MARKET], seeded.first_live)


@pytest.mark.gcp
def test_on_gcp_the_same_day_through_the_emulators(gcp_env, tmp_path, monkeypatch):
    from shared.ops.push_chain import PushChain  # google-cloud-pubsub: only on this path

    for name, value in {"PROPFLOW_BACKEND": "gcp", "PROPFLOW_GCP_PROJECT": "propflow-clock",
                        "PROPFLOW_DATASET": "clock", "PROPFLOW_LANDING_BUCKET": "landing-clock",
                        "PROPFLOW_FEEDS_DIR": str(write_specs(tmp_path / "feeds"))}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    ctx = runtime.context()
    ctx.warehouse.ensure_schema()
    for bucket in (ctx.settings.bucket, ctx.settings.landing_bucket):
        ctx.blobs.ensure_bucket(bucket)
    start, history = dt.date(2026, 1, 5), 21
    first_live = start + dt.timedelta(days=history)
    league = generate(MARKET, seed=11, start=start, days=history + 1)
    feed.load_history(ctx, league, first_live)
    demo.train_systems(ctx, MARKET, first_live - dt.timedelta(days=1))
    ingest = functions_framework.create_app("ingest", str(paths.beside("functions") / "ingest" / "main.py"))

    with PushChain(ctx, markets.all_system_ids()) as chain:

        def put(name: str, data: bytes) -> None:  # the storage emulator sends no notification: build Eventarc's
            ctx.blobs.put(f"gs://{ctx.settings.landing_bucket}/{name}", data)
            resource = ctx.blobs.client.bucket(ctx.settings.landing_bucket).get_blob(name)._properties
            headers, body = to_structured(storage_event.encode(resource, event_id=f"{name}#{resource['generation']}"))
            assert ingest.test_client().post("/", headers=headers, data=body).status_code == 200
            chain.drain()

        play_day(ctx, chain, put, league, first_live)
