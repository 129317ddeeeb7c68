"""Every function through HTTP with structured and binary CloudEvents, on a seeded warehouse."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from support import pubsub_event

from shared import runtime
from shared.adapters.local.local_bus import LocalBus
from shared.contract import markets, topology
from shared.sources import feed

MARKET = "mlb_strikeouts"
SYSTEMS = markets.market(MARKET).active_systems()


def slate_payload(day: dt.date) -> dict:
    return {"market": MARKET, "game_date": day.isoformat(), "run_id": "live", "as_of": f"{day.isoformat()}T16:00:00Z"}


def queued(bus: LocalBus, topic: str) -> list[dict]:
    return [json.loads(m.data) for m in bus.queue if m.topic == topic]


@pytest.fixture
def slate(seeded):
    """Today's lines in the warehouse, and the slate's payload."""
    ctx = runtime.context()
    feed.post_lines(ctx, seeded.leagues[MARKET], seeded.first_live)
    ctx.bus.queue.clear()
    return ctx, slate_payload(seeded.first_live)


@pytest.mark.parametrize("mode", ["structured", "binary"])
def test_feature_store_writes_the_slate_and_publishes_features_ready(slate, post, mode):
    ctx, payload = slate
    response = post("feature_store", pubsub_event(topology.LINES_POSTED, payload), mode)
    assert response.status_code == 200
    lines = ctx.warehouse.sql(
        "SELECT COUNT(DISTINCT entity_id) AS n FROM propflow.prop_lines WHERE game_date = @d",
        d=dt.date.fromisoformat(payload["game_date"]),
    )["n"].iloc[0]
    features = ctx.warehouse.sql("SELECT * FROM propflow.features")
    assert len(features) == lines > 10
    assert (features["as_of"] == dt.datetime.fromisoformat(payload["as_of"][:-1])).all()
    assert set(json.loads(features["features_json"].iloc[0])) >= {"k_l10", "k_ewm", "opp_k_ratio"}
    assert queued(ctx.bus, topology.FEATURES_READY) == [{**payload, "entities": lines}]


def run_scorers(post, ctx, payload, systems=SYSTEMS, mode="structured"):
    post("feature_store", pubsub_event(topology.LINES_POSTED, payload), mode)
    ready = queued(ctx.bus, topology.FEATURES_READY)[0]
    for system_id in systems:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("SYSTEM_ID", system_id)
            assert post("scorer", pubsub_event(topology.FEATURES_READY, ready), mode).status_code == 200
    return ready


@pytest.mark.parametrize("mode", ["structured", "binary"])
def test_scorers_write_one_row_per_entity_and_report(slate, post, mode):
    ctx, payload = slate
    ready = run_scorers(post, ctx, payload, mode=mode)
    rows = ctx.warehouse.sql("SELECT * FROM propflow.predictions")
    assert rows.groupby("system_id").size().to_dict() == dict.fromkeys(SYSTEMS, ready["entities"])
    assert (rows["status"] == "scored").all()
    assert rows["model_version"].notna().all() and rows["p_over"].between(0, 1).all()
    assert (rows["edge"] - (rows["mean"] - rows["line"])).abs().max() < 1e-9
    reports = queued(ctx.bus, topology.PREDICTIONS_SCORED)
    assert sorted(r["system_id"] for r in reports) == sorted(SYSTEMS)
    assert all(r["rows"] == ready["entities"] and r["status"] == "scored" for r in reports)


def test_a_system_whose_model_is_missing_skips_and_the_other_is_unaffected(slate, post, seeded):
    ctx, payload = slate
    query = "SELECT uri FROM propflow.model_registry WHERE market = @m AND system_id = 'baseline_l10'"
    record = ctx.warehouse.sql(query, m=MARKET)["uri"].iloc[0]
    ctx.blobs.path(record).unlink()
    run_scorers(post, ctx, payload)
    rows = ctx.warehouse.sql("SELECT system_id, status, skip_reason FROM propflow.predictions")
    l10 = rows[rows["system_id"] == "baseline_l10"]
    assert (l10["status"] == "skipped").all() and l10["skip_reason"].str.contains("model artifact missing").all()
    assert (rows[rows["system_id"] != "baseline_l10"]["status"] == "scored").all()


def test_ensemble_waits_for_every_active_system_then_combines(slate, post):
    ctx, payload = slate
    run_scorers(post, ctx, payload, systems=("baseline_l10",))
    first = queued(ctx.bus, topology.PREDICTIONS_SCORED)[0]
    post("ensemble", pubsub_event(topology.PREDICTIONS_SCORED, first))
    assert ctx.warehouse.sql("SELECT COUNT(*) AS n FROM propflow.predictions WHERE system_id = 'ensemble'")["n"][0] == 0
    ctx.bus.queue.clear()
    run_scorers(post, ctx, payload, systems=SYSTEMS[1:])
    second = queued(ctx.bus, topology.PREDICTIONS_SCORED)[-1]
    assert post("ensemble", pubsub_event(topology.PREDICTIONS_SCORED, second), "binary").status_code == 200
    rows = ctx.warehouse.sql("SELECT * FROM propflow.predictions WHERE system_id = 'ensemble'")
    assert len(rows) == first["rows"]
    components = json.loads(rows["components_json"].iloc[0])
    assert set(components["systems"]) == set(SYSTEMS)
    assert queued(ctx.bus, topology.ENSEMBLE_SCORED)[0]["rows"] == len(rows)


def test_grading_then_diagnostics_then_alerting(slate, post, seeded):
    ctx, payload = slate
    run_scorers(post, ctx, payload)
    league = seeded.leagues[MARKET]
    ctx.bus.queue.clear()
    feed.finish_day(ctx, league, seeded.first_live)
    finals = [m for m in ctx.bus.queue if m.topic == topology.GAME_FINAL]
    for message in finals:
        assert post("grading", pubsub_event(topology.GAME_FINAL, message.data)).status_code == 200
    grades = ctx.warehouse.sql("SELECT * FROM propflow.grades")
    predictions = ctx.warehouse.sql("SELECT COUNT(*) AS n FROM propflow.predictions")["n"][0]
    assert len(grades) == predictions
    voided = grades[grades["outcome_status"] != "played"]
    assert voided["actual"].isna().all() and set(voided["result"].dropna()) <= {"VOID"}
    assert grades.loc[grades["outcome_status"] == "played", "actual"].notna().all()
    day = seeded.first_live.isoformat()
    assert post("diagnostics", pubsub_event(topology.DIAGNOSTICS_DAILY, {"game_date": day})).status_code == 200
    diag = ctx.warehouse.sql("SELECT * FROM propflow.diagnostics_daily WHERE market = @m", m=MARKET)
    assert set(diag["system_id"]) == set(SYSTEMS)
    assert (diag["coverage_pct"] == 100.0).all()
    assert diag["model_mae_7d"].notna().all() and diag["line_mae_7d"].notna().all()
    idle = ctx.warehouse.sql("SELECT coverage_pct FROM propflow.diagnostics_daily WHERE market = 'nba_points'")
    assert idle["coverage_pct"].isna().all()  # no NBA slate that day: no coverage to judge
    alert = {
        "alert_id": "a1",
        "game_date": day,
        "market": MARKET,
        "system_id": "baseline_l10",
        "level": "WARNING",
        "title": "t",
        "message": "m",
    }
    assert post("alerting", pubsub_event(topology.ALERT_RAISED, alert)).status_code == 200
    stored = ctx.warehouse.sql("SELECT * FROM propflow.alerts")
    assert stored[["alert_id", "level", "delivery_status"]].values.tolist() == [["a1", "WARNING", "logged"]]
    sink = (seeded.home / "alerts.jsonl").read_text().splitlines()
    assert [json.loads(line)["alert_id"] for line in sink] == ["a1"]


def test_a_duplicate_delivery_is_acknowledged_without_new_rows(slate, post, counts):
    ctx, payload = slate
    event = pubsub_event(topology.LINES_POSTED, payload, message_id="dup-1")
    post("feature_store", event)
    before = counts(ctx)
    ctx.bus.queue.clear()
    assert post("feature_store", event, "binary").status_code == 200
    assert counts(ctx) == before
    assert ctx.bus.queue == type(ctx.bus.queue)()  # nothing published twice
    ledger = ctx.warehouse.sql("SELECT function, status FROM propflow.processed_events WHERE event_id = 'dup-1'")
    assert ledger.values.tolist() == [["feature-store", "done"]]


def test_the_scorer_refuses_to_start_without_system_id(slate, post):
    ctx, payload = slate
    post("feature_store", pubsub_event(topology.LINES_POSTED, payload))
    ready = queued(ctx.bus, topology.FEATURES_READY)[0]
    assert post("scorer", pubsub_event(topology.FEATURES_READY, ready)).status_code == 500
    assert ctx.warehouse.sql("SELECT COUNT(*) AS n FROM propflow.predictions")["n"][0] == 0


def test_announced_scratches_are_flagged_and_passed(seeded, post):
    ctx = runtime.context()
    league = seeded.leagues["nba_points"]
    news = feed.availability(league, seeded.first_live)
    assert len(news) > 0 and set(news["status"]) <= {"out", "not_starting"}
    feed.post_lines(ctx, league, seeded.first_live)
    ctx.bus.drain()
    flagged = ctx.warehouse.sql(
        "SELECT entity_id, recommendation, red_flags FROM propflow.predictions WHERE entity_id IN UNNEST(@ids)",
        ids=list(news["entity_id"]),
    )
    assert len(flagged) and (flagged["recommendation"] == "PASS").all()
    assert all("unavailable" in list(flags) for flags in flagged["red_flags"])
    late = league.outcomes[
        (feed.game_dates(league.outcomes) == seeded.first_live) & (league.outcomes["status"] != "played")
    ]
    assert len(late) > len(news)  # the rest were late scratches, unknown at prediction time
