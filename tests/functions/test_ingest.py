"""The ingest function: a file put into the landing bucket is delivered as Eventarc's storage event and loaded once.

The feed here is the shipped nba_player_logs spec (box scores -> outcomes of nba_points and nba_pra) on small
files the tests write, so every expected row is computed here from the test's own players.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import random

import google_crc32c
import pandas as pd
import pytest
from click.testing import CliRunner
from support import table_counts

from shared import runtime
from shared.adapters.local.chaos_bus import ChaosBus
from shared.adapters.local.folder_blobs import FolderBlobStore
from shared.cli.main import main
from shared.config import Settings
from shared.contract import storage_event, topology
from shared.contract.events import PoisonEvent
from shared.contract.storage_event import StoredObject
from shared.handlers import ingest as ingest_handler
from shared.ports import Context

HEADER = (
    "source_file,player,player_id,date,matchup,result,minutes,fgm,fga,fg_pct,threes_made,threes_attempted,"
    "three_pct,ftm,fta,ft_pct,oreb,dreb,reb,ast,stl,blk,tov,pf,pts,plus_minus,opponent,home_away,"
    "player_normalized,game_id\n"
)
DAY = dt.date(2025, 4, 13)
GAME = "nba-20250413-DET-MIL"  # DET @ MIL: the spec's game key
LEDGERS = ("processed_events", "ingest_objects")


def box(player: str, player_id: int, pts: int, *, home: bool = True, game: tuple[str, str] = ("DET", "MIL")) -> str:
    """One box-score row of a player in game (away, home) on DAY, 3 rebounds and 4 assists."""
    away, at_home = game
    team, opponent = (at_home, away) if home else (away, at_home)
    matchup = f"{team} vs. {opponent}" if home else f"{team} @ {opponent}"
    return (
        f"x.csv,{player},{player_id},{DAY},{matchup},W,20.0,2,5,0.4,1,3,0.3,1,2,0.5,0,3,3,4,"
        f"0,0,0,1,{pts},5,{opponent},{'HOME' if home else 'AWAY'},{player},\n"
    )


def logs(*rows: str) -> bytes:
    return (HEADER + "".join(rows)).encode()


def uri(ctx: Context, name: str) -> str:
    return f"gs://{ctx.settings.landing_bucket}/{name}"


def points(ctx: Context) -> dict[str, float]:
    """entity -> actual points, from what the warehouse holds."""
    rows = ctx.warehouse.sql("SELECT entity_id, actual FROM propflow.outcomes WHERE market = 'nba_points'")
    return dict(zip(rows["entity_id"], rows["actual"], strict=True))


def ledger(ctx: Context) -> list[tuple]:
    rows = ctx.warehouse.sql("SELECT name, generation, status, reason FROM propflow.ingest_objects ORDER BY generation")
    return list(rows.itertuples(index=False, name=None))


def take(ctx: Context):
    """The one notification queued, out of the queue (so a test can deliver it when it likes)."""
    (notification,) = ctx.bus.queue
    ctx.bus.queue.clear()
    return notification


def ingest(ctx: Context, notification) -> None:
    (deployment,) = topology.bucket_subscribers(topology.LANDING)
    assert ctx.bus.deliver(notification, deployment)


# --- the event


def test_a_put_is_delivered_as_the_cloud_event_eventarc_builds(ctx):
    content = logs(box("AJ Green", 1, 6))
    ctx.blobs.put(uri(ctx, "nba_player_logs/2025-04-13.csv"), content)
    ctx.blobs.put("gs://models/other/file.csv", content)  # a bucket no function listens to sends nothing
    notification = take(ctx)
    (deployment,) = topology.bucket_subscribers(topology.LANDING)
    event = ctx.bus.cloud_event(notification, deployment)
    bucket, name = ctx.settings.landing_bucket, "nba_player_logs/2025-04-13.csv"
    generation = ctx.blobs.path(uri(ctx, name)).stat().st_mtime_ns // 1000
    assert event["specversion"] == "1.0" and event["type"] == "google.cloud.storage.object.v1.finalized"
    assert event["source"] == f"//storage.googleapis.com/projects/_/buckets/{bucket}"
    assert event["subject"] == f"objects/{name}" and event["datacontenttype"] == "application/json"
    assert event["id"] and event["time"]
    data = event.data
    assert data["kind"] == "storage#object" and data["id"] == f"{bucket}/{name}/{generation}"
    assert (data["bucket"], data["name"], data["generation"], data["metageneration"]) == (
        bucket,
        name,
        str(generation),
        "1",
    )
    assert data["size"] == str(len(content)) and data["contentType"] == "text/csv"
    assert data["md5Hash"] == base64.b64encode(hashlib.md5(content).digest()).decode()
    assert data["crc32c"] == base64.b64encode(google_crc32c.value(content).to_bytes(4, "big")).decode()
    assert data["selfLink"] == f"https://www.googleapis.com/storage/v1/b/{bucket}/o/nba_player_logs%2F2025-04-13.csv"
    assert {"timeCreated", "updated", "storageClass", "etag", "mediaLink"} <= set(data)
    opened = storage_event.decode(event, topology.LANDING)
    assert opened.event_id == data["id"] and opened.payload.uri == uri(ctx, name)
    assert opened.payload.generation == generation and opened.payload.size == len(content)


def _event(**data_changes) -> object:
    stored = StoredObject("landing", "feed/a.csv", 7, 10, time_created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    resource = {**storage_event.object_resource(stored), **data_changes}
    return storage_event.encode({k: v for k, v in resource.items() if v is not None}, event_id="e1")


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        (_event(generation="7.5"), "generation must be a whole number"),
        (_event(generation=None), "generation must be a whole number"),
        (_event(size="-1"), "size must be a whole number"),
        (_event(name=""), "has no name"),
        (_event(kind="storage#bucket"), "not storage#object"),
        (_event(timeCreated="yesterday"), "timeCreated is not an RFC 3339 time"),
    ],
)
def test_a_malformed_storage_event_is_poison_with_its_reason(event, reason):
    with pytest.raises(PoisonEvent, match=reason):
        storage_event.decode(event, topology.LANDING)


def test_a_storage_event_must_name_one_object_consistently():
    event = _event()
    event["subject"] = "objects/feed/other.csv"
    with pytest.raises(PoisonEvent, match=r"is not object 'feed/a\.csv'"):
        storage_event.decode(event, topology.LANDING)
    event = _event()
    event["source"] = "//storage.googleapis.com/projects/_/buckets/elsewhere"
    with pytest.raises(PoisonEvent, match="is not bucket 'landing'"):
        storage_event.decode(event, topology.LANDING)
    event = _event()
    event["type"] = "google.cloud.storage.object.v1.deleted"
    with pytest.raises(PoisonEvent, match="unexpected CloudEvent type"):
        storage_event.decode(event, topology.LANDING)


# --- delivery and the ledger


def test_a_put_delivers_exactly_one_ingest_which_loads_the_file(ctx):
    ctx.blobs.put(uri(ctx, "nba_player_logs/day.csv"), logs(box("AJ Green", 1, 6), box("Cade", 2, 22, home=False)))
    assert len(ctx.bus.queue) == 1
    ctx.chain.drain()
    assert ctx.bus.delivered == 1 and not ctx.bus.dead_letters
    assert points(ctx) == {"nba-1": 6.0, "nba-2": 22.0}
    pra = ctx.warehouse.sql("SELECT entity_id, actual FROM propflow.outcomes WHERE market = 'nba_pra'")
    assert dict(zip(pra["entity_id"], pra["actual"], strict=True)) == {"nba-1": 6.0 + 3 + 4, "nba-2": 22.0 + 3 + 4}
    ((name, generation, status, reason),) = ledger(ctx)
    assert (name, status, reason) == ("nba_player_logs/day.csv", "loaded", None)
    row = ctx.warehouse.sql("SELECT * FROM propflow.ingest_objects").iloc[0]
    assert json.loads(row["written"]) == {"outcomes": 4}
    report = ingest_handler.report_from_json(row["report"])
    assert (report.feed, report.rows_read, report.rows_kept, report.first_date) == ("nba_player_logs", 2, 2, DAY)
    assert report.markets == ("nba_points", "nba_pra") and report.written == {"outcomes": 4}
    sources = set(ctx.warehouse.sql("SELECT source_object FROM propflow.outcomes")["source_object"])
    assert sources == {f"{uri(ctx, 'nba_player_logs/day.csv')}#{generation}"}


def test_the_same_object_twice_even_under_two_event_ids_changes_nothing(ctx, post):
    ctx.blobs.put(uri(ctx, "nba_player_logs/day.csv"), logs(box("AJ Green", 1, 6)))
    notification = take(ctx)
    ingest(ctx, notification)
    before = table_counts(ctx)
    ingest(ctx, notification)  # a redelivery
    (deployment,) = topology.bucket_subscribers(topology.LANDING)
    again = ctx.bus.cloud_event(notification, deployment)
    again["id"] = "another-event-id"  # Eventarc may notify one generation twice, under two ids
    assert post("ingest", again).status_code == 200
    assert table_counts(ctx) == before
    assert len(ledger(ctx)) == 1
    handled = ctx.warehouse.sql("SELECT event_id, status FROM propflow.processed_events WHERE function = 'ingest'")
    assert handled.values.tolist() == [[notification.stored.id, "done"]]


def test_a_new_generation_replaces_exactly_what_the_old_one_wrote(ctx):
    ctx.blobs.put(uri(ctx, "nba_player_logs/other.csv"), logs(box("Other Player", 9, 30)))
    ctx.blobs.put(uri(ctx, "nba_player_logs/day.csv"), logs(box("AJ Green", 1, 6), box("Cade", 2, 22, home=False)))
    ctx.chain.drain()
    assert points(ctx) == {"nba-9": 30.0, "nba-1": 6.0, "nba-2": 22.0}
    # The corrected file: AJ Green's points fixed, Cade gone, a player added.
    ctx.blobs.put(uri(ctx, "nba_player_logs/day.csv"), logs(box("AJ Green", 1, 8), box("Jaden", 3, 11)))
    ctx.chain.drain()
    assert points(ctx) == {"nba-9": 30.0, "nba-1": 8.0, "nba-3": 11.0}
    rows = ctx.warehouse.sql("SELECT * FROM propflow.ingest_objects WHERE name = 'nba_player_logs/day.csv'")
    newest = rows.sort_values("generation").iloc[-1]
    # The new generation's upsert took over AJ Green's rows; what the old one still held was Cade's, in two markets.
    assert json.loads(newest["replaced"]) == {"outcomes": 2}
    assert [r[2] for r in ledger(ctx)] == ["loaded"] * 3


def test_an_older_generation_arriving_after_a_newer_changes_nothing(ctx):
    ctx.blobs.put(uri(ctx, "nba_player_logs/day.csv"), logs(box("AJ Green", 1, 6)))
    old = take(ctx)
    ctx.blobs.put(uri(ctx, "nba_player_logs/day.csv"), logs(box("AJ Green", 1, 8)))
    ctx.chain.drain()
    before = points(ctx)
    ingest(ctx, old)
    assert points(ctx) == before == {"nba-1": 8.0}
    statuses = {generation: status for _, generation, status, _ in ledger(ctx)}
    assert statuses[old.stored.generation] == "stale" and sorted(statuses.values()) == ["loaded", "stale"]


# --- rejected files


def rejected(ctx: Context) -> list[tuple[str, str]]:
    dead = ctx.warehouse.sql("SELECT event_id, reason FROM propflow.processed_events WHERE status = 'rejected'")
    return list(dead.itertuples(index=False, name=None))


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("no_such_feed/day.csv", logs(box("AJ Green", 1, 6)), "unknown feed 'no_such_feed'"),
        ("day.csv", logs(box("AJ Green", 1, 6)), "not under a feed's folder"),
        ("nba_player_logs/empty.csv", b"", "empty object"),
        ("nba_player_logs/bad.csv", b"player,points\nAJ Green,6\n", "feed 'nba_player_logs'"),
    ],
)
def test_a_bad_file_is_rejected_with_its_reason_and_writes_nothing(ctx, name, content, reason):
    before = table_counts(ctx, exclude=LEDGERS)
    ctx.blobs.put(uri(ctx, name), content)
    ctx.chain.drain()
    assert not ctx.bus.dead_letters  # acknowledged: a bad file is never retried
    assert table_counts(ctx, exclude=LEDGERS) == before
    ((event_id, why),) = rejected(ctx)
    assert reason in why and event_id.startswith(f"{ctx.settings.landing_bucket}/{name}/")
    ((_, _, status, recorded),) = ledger(ctx)
    assert status == "rejected" and reason in recorded


def test_a_malformed_correction_leaves_the_old_rows_standing(ctx):
    ctx.blobs.put(uri(ctx, "nba_player_logs/day.csv"), logs(box("AJ Green", 1, 6)))
    ctx.chain.drain()
    ctx.blobs.put(uri(ctx, "nba_player_logs/day.csv"), b"player,points\nAJ Green,8\n")
    ctx.chain.drain()
    assert points(ctx) == {"nba-1": 6.0}
    assert [r[2] for r in ledger(ctx)] == ["loaded", "rejected"]


# --- after a load


def predict(ctx: Context, *entities: str, line: float = 10.5) -> None:
    """An OVER pick at `line` on nba_points for each entity in GAME."""
    pick = {"run_id": "live", "market": "nba_points", "game_date": DAY, "game_id": GAME, "system_id": "s",
            "line": line, "mean": line + 2, "recommendation": "OVER", "status": "scored",
            "scored_at": dt.datetime(2025, 4, 13, 16)}  # fmt: skip
    ctx.warehouse.upsert("predictions", [{**pick, "entity_id": entity} for entity in entities])


def stat_line(player: str, player_id: int, pts: int, *, home: bool = True) -> dict:
    """The nba_points stat line a game-final carries for box(player, player_id, pts, home=home) in GAME."""
    team, opponent = ("MIL", "DET") if home else ("DET", "MIL")
    details = {"pts": pts, "fgm": 2, "fga": 5, "fg3m": 1, "fg3a": 3, "ftm": 1, "fta": 2, "reb": 3, "ast": 4,
               "stl": 0, "blk": 0, "tov": 0, "pf": 1}  # fmt: skip
    described = {"entity_id": f"nba-{player_id}", "entity_name": player, "team": team, "opponent": opponent}
    return described | {"home": home, "status": "played", "workload": 20.0, "actual": float(pts), "details": details}


def finals(ctx: Context) -> list[dict]:
    return [json.loads(m.data) for m in ctx.bus.queue if m.topic == topology.GAME_FINAL]


def test_game_final_is_published_for_the_games_with_predictions_only(ctx):
    predict(ctx, "nba-1")
    other_game = box("Far Away", 4, 9, game=("NYK", "BOS"))
    ctx.blobs.put(uri(ctx, "nba_player_logs/day.csv"), logs(box("AJ Green", 1, 6), other_game))
    notification = take(ctx)
    ingest(ctx, notification)
    # One game-final: the game with a prediction, not the other; its stat lines, and the object they came from.
    loaded_from = f"{uri(ctx, 'nba_player_logs/day.csv')}#{notification.stored.generation}"
    game = {"market": "nba_points", "game_id": GAME, "game_date": str(DAY)}
    assert finals(ctx) == [game | {"stat_lines": [stat_line("AJ Green", 1, 6)], "source_object": loaded_from}]


def grades(ctx: Context) -> dict[str, tuple]:
    rows = ctx.warehouse.sql("SELECT entity_id, actual, result, outcome_status FROM propflow.grades")
    return {
        r.entity_id: (None if pd.isna(r.actual) else r.actual, r.result, r.outcome_status) for r in rows.itertuples()
    }


def test_a_corrected_results_file_regrades_from_its_rows_and_keeps_their_source(ctx):
    predict(ctx, "nba-1", "nba-2")
    name = "nba_player_logs/day.csv"
    ctx.blobs.put(uri(ctx, name), logs(box("AJ Green", 1, 6), box("Cade", 2, 22, home=False)))
    first = take(ctx)
    ingest(ctx, first)
    (first_final,) = finals(ctx)
    assert first_final["stat_lines"] == [stat_line("AJ Green", 1, 6), stat_line("Cade", 2, 22, home=False)]
    ctx.chain.drain()
    assert grades(ctx) == {"nba-1": (6.0, "LOSS", "played"), "nba-2": (22.0, "WIN", "played")}  # OVER 10.5
    # Grading wrote nothing over the loaded rows: they still name the generation that stored them.
    stored = ctx.warehouse.sql(
        "SELECT entity_id, source, source_object FROM propflow.outcomes WHERE market = 'nba_points'"
    )
    assert set(stored["source_object"]) == {f"{uri(ctx, name)}#{first.stored.generation}"}
    assert set(stored["source"]) == {"nba_player_gamelogs_nbaapi_2024_26"}

    # The corrected file: AJ Green scored 12, Cade's row was wrong (he did not play in it), Jaden added.
    ctx.blobs.put(uri(ctx, name), logs(box("AJ Green", 1, 12), box("Jaden", 3, 11)))
    second = take(ctx)
    ingest(ctx, second)
    assert finals(ctx)[0]["stat_lines"] == [stat_line("AJ Green", 1, 12), stat_line("Jaden", 3, 11)]
    ctx.chain.drain()
    assert points(ctx) == {"nba-1": 12.0, "nba-3": 11.0}
    sources = ctx.warehouse.sql("SELECT DISTINCT source_object FROM propflow.outcomes")["source_object"]
    assert list(sources) == [f"{uri(ctx, name)}#{second.stored.generation}"]  # the old generation's rows are gone
    # Grades follow the correction: AJ Green's pick wins now; Cade, no longer in the box score, is void.
    assert grades(ctx) == {"nba-1": (12.0, "WIN", "played"), "nba-2": (None, "VOID", "missing")}
    changed = ctx.warehouse.sql("SELECT entity_id, old_result, new_result FROM propflow.grade_corrections")
    assert sorted(changed.itertuples(index=False, name=None)) == [("nba-1", "LOSS", "WIN"), ("nba-2", "WIN", "VOID")]

    # The first load's game-final once more, after the correction (at-least-once): it grades the stored rows.
    ctx.bus.publish(topology.GAME_FINAL, first_final)
    ctx.chain.drain()
    assert grades(ctx)["nba-1"] == (12.0, "WIN", "played") and points(ctx) == {"nba-1": 12.0, "nba-3": 11.0}
    # A game-final sent by hand (no source object) still stores its stat lines, and regrades.
    by_hand = {**first_final, "stat_lines": [stat_line("AJ Green", 1, 9)]}
    del by_hand["source_object"]
    ctx.bus.publish(topology.GAME_FINAL, by_hand)
    ctx.chain.drain()
    assert points(ctx) == {"nba-1": 9.0, "nba-3": 11.0} and grades(ctx)["nba-1"] == (9.0, "LOSS", "played")


def test_under_chaos_the_landed_files_load_as_in_a_clean_run():
    """Notifications reordered, duplicated and raced (ChaosBus): the newest generation of each name wins."""
    settings = Settings.from_env()  # the functions' own settings: they build their context from the env
    base = runtime.resources(settings)
    bus = ChaosBus(
        random.Random(7), duplicate_rate=1.0, race_rate=1.0, buckets={settings.landing_bucket: topology.LANDING}
    )
    blobs = FolderBlobStore(settings.home, on_finalized=bus.object_finalized)
    runtime.install(settings, dataclasses.replace(base, blobs=blobs, bus=bus, chain=bus))
    ctx = runtime.context(settings)
    ctx.blobs.put(uri(ctx, "nba_player_logs/a.csv"), logs(box("AJ Green", 1, 6)))
    ctx.blobs.put(uri(ctx, "nba_player_logs/b.csv"), logs(box("Cade", 2, 22, home=False)))
    ctx.blobs.put(uri(ctx, "nba_player_logs/a.csv"), logs(box("AJ Green", 1, 8), box("Jaden", 3, 11)))
    ctx.chain.drain()
    assert bus.stats["duplicated"] == 3 and not bus.dead_letters
    assert points(ctx) == {"nba-1": 8.0, "nba-2": 22.0, "nba-3": 11.0}


# --- gcp: the storage emulator sends no notifications, so the test builds the event from the stored object


@pytest.mark.gcp
def test_on_gcp_the_function_reads_the_object_from_cloud_storage(gcp_env, monkeypatch, post):
    for name, value in {"PROPFLOW_BACKEND": "gcp", "PROPFLOW_GCP_PROJECT": "propflow-ingest",
                        "PROPFLOW_DATASET": "ingest", "PROPFLOW_LANDING_BUCKET": "landing-ingest"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    ctx = runtime.context()
    ctx.warehouse.ensure_schema()
    ctx.blobs.ensure_bucket("landing-ingest")
    name = "nba_player_logs/day.csv"

    def land(content: bytes) -> object:
        ctx.blobs.put(uri(ctx, name), content)
        resource = ctx.blobs.client.bucket("landing-ingest").get_blob(name)._properties  # the JSON API resource
        return storage_event.encode(resource, event_id=f"evt-{resource['generation']}")

    first = land(logs(box("AJ Green", 1, 6), box("Cade", 2, 22, home=False)))
    assert post("ingest", first).status_code == 200
    assert points(ctx) == {"nba-1": 6.0, "nba-2": 22.0}
    late = land(logs(box("AJ Green", 1, 7)))  # its event is delivered only after the next generation's
    third = land(logs(box("AJ Green", 1, 8)))
    assert post("ingest", third).status_code == 200
    assert post("ingest", late).status_code == 200 and post("ingest", first).status_code == 200
    assert points(ctx) == {"nba-1": 8.0}  # the correction replaced both players' rows; the late one changed nothing
    assert [r[2] for r in ledger(ctx)] == ["loaded", "stale", "loaded"]


def test_propflow_ingest_is_a_put_into_the_landing_bucket(ctx, tmp_path):
    good, bad = tmp_path / "day.csv", tmp_path / "bad.csv"
    good.write_bytes(logs(box("AJ Green", 1, 6)))
    bad.write_bytes(b"player,points\nAJ Green,6\n")
    result = CliRunner().invoke(main, ["ingest", "--feed", "nba_player_logs", str(good), str(bad)])
    assert result.exit_code == 2 and "1 of 2 files rejected" in result.output and "no column" in result.output
    assert ctx.blobs.exists(uri(ctx, "nba_player_logs/day.csv")) and points(ctx) == {"nba-1": 6.0}
    assert sorted((n, s) for n, _, s, _ in ledger(ctx)) == [
        ("nba_player_logs/bad.csv", "rejected"),
        ("nba_player_logs/day.csv", "loaded"),
    ]
    good.write_bytes(logs(box("AJ Green", 1, 8)))  # the corrected file, landed again: a new generation
    again = CliRunner().invoke(main, ["ingest", "--feed", "nba_player_logs", str(good)])
    assert again.exit_code == 0 and "loaded" in again.output and points(ctx) == {"nba-1": 8.0}
    unknown = CliRunner().invoke(main, ["ingest", "--feed", "no_such_feed", str(good)])
    assert unknown.exit_code == 2 and "no feed 'no_such_feed'" in unknown.output
