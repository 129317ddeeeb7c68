"""From files landing to grades with nothing typed: puts into the landing bucket, the clock and the scheduler's
events only (the synthetic league's day, written as a vendor's files and read through feed specs)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import functions_framework
import pandas as pd
import pytest
from cloudevents.conversion import to_structured

from shared import clock, paths, runtime
from shared.contract import events, markets, storage_event, topology
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


def box_rows(league, day: dt.date) -> pd.DataFrame:
    """The box-score file's rows: the day's players who played."""
    games = league.games[["game_id", "home_team", "away_team"]]
    played = league.outcomes[
        (pd.to_datetime(league.outcomes["game_date"]).dt.date == day) & (league.outcomes["status"] == "played")
    ].merge(games)
    return pd.DataFrame(
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


def stat_lines(rows: pd.DataFrame) -> dict[str, list[dict]]:
    """Game id (the spec's game key) -> the stat lines a game-final of these box-score rows carries."""
    games: dict[str, list[dict]] = {}
    for r in rows.sort_values("player_id").itertuples():
        line = {"entity_id": r.player_id, "entity_name": r.player, "team": r.team, "opponent": r.opponent,
                "status": "played", "workload": float(r.minutes), "home": r.at_home == "true",
                "actual": float(r.pts), "details": {}}  # fmt: skip
        games.setdefault(f"nba-{r.day.replace('-', '')}-{r.away}-{r.home}", []).append(line)
    return games


@contextlib.contextmanager
def published(ctx: Context, topic: str) -> Iterator[list[dict]]:
    """The payloads published on `topic` in the block, as the wire carries them."""
    sent: list[dict] = []
    publish = ctx.bus.publish

    def recorded(to: str, payload: object, attributes: dict[str, str] | None = None) -> str:
        if to == topic:
            sent.append(json.loads(events.message_data(to, payload)))
        return publish(to, payload, attributes)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ctx.bus, "publish", recorded)
        yield sent


def actuals(ctx: Context, day: dt.date) -> dict[str, tuple[float | None, str]]:
    """Entity -> (actual, outcome status) of the day's ensemble grades."""
    rows = ctx.warehouse.sql(
        "SELECT entity_id, actual, outcome_status FROM propflow.grades WHERE system_id = 'ensemble' AND game_date = @d",
        d=day,
    )
    return {r.entity_id: (None if pd.isna(r.actual) else r.actual, r.outcome_status) for r in rows.itertuples()}


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
    box = box_rows(league, day)
    with clock.frozen(hour + dt.timedelta(hours=10)), published(ctx, topology.GAME_FINAL) as finals:
        put("synth_box/box.csv", box.to_csv(index=False).encode())
    graded = ctx.warehouse.sql(
        "SELECT COUNT(*) AS n, COUNTIF(result IS NOT NULL) AS results FROM propflow.grades "
        "WHERE system_id = 'ensemble' AND game_date = @d",
        d=day,
    )
    assert int(graded["n"].iloc[0]) == entities and int(graded["results"].iloc[0]) > 0
    morning = league.lines[(pd.to_datetime(league.lines["game_date"]).dt.date == day) & (snapshot <= hour)]
    teams = morning.merge(league.games[["game_id", "home_team", "away_team"]])[["away_team", "home_team"]]
    predicted_games = {f"nba-{day:%Y%m%d}-{away}-{home}" for away, home in teams.itertuples(index=False)}
    assert {f["game_id"]: f["stat_lines"] for f in finals} == {
        g: lines for g, lines in stat_lines(box).items() if g in predicted_games
    }

    # The vendor corrects the file (a new generation of the name): one predicted player's points, another's row
    # dropped. The game-finals carry the corrected rows, the grades follow, the first generation's rows are gone.
    before = actuals(ctx, day)
    fixed, dropped = sorted(set(box["player_id"]) & set(before))[:2]
    corrected = box[box["player_id"] != dropped].assign(pts=lambda b: b["pts"] + 5 * (b["player_id"] == fixed))
    with clock.frozen(hour + dt.timedelta(hours=12)), published(ctx, topology.GAME_FINAL) as finals:
        put("synth_box/box.csv", corrected.to_csv(index=False).encode())
    assert {f["game_id"]: f["stat_lines"] for f in finals} == {
        g: lines for g, lines in stat_lines(corrected).items() if g in predicted_games
    }
    after = actuals(ctx, day)
    scored = float(box.loc[box["player_id"] == fixed, "pts"].item())
    assert before[fixed] == (scored, "played") and after[fixed] == (scored + 5, "played")
    assert after[dropped] == (None, "missing")
    assert {e: v for e, v in after.items() if e not in (fixed, dropped)} == {
        e: v for e, v in before.items() if e not in (fixed, dropped)
    }
    sources = ctx.warehouse.sql("SELECT DISTINCT source_object FROM propflow.outcomes WHERE game_date = @d", d=day)
    (source,) = sources["source_object"]
    assert (
        source.startswith(f"gs://{ctx.settings.landing_bucket}/synth_box/box.csv#")
        and source == finals[0]["source_object"]
    )
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
