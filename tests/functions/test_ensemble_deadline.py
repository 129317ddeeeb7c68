"""The ensemble join: waits for every active system, the deadline sweep, late reports, a raising system."""

from __future__ import annotations

import json

import pytest
from support import pubsub_event

from shared import runtime
from shared.contract import markets, topology
from shared.handlers import scoring
from shared.sources import feed

MARKET = "mlb_strikeouts"
SYSTEMS = markets.market(MARKET).active_systems()


@pytest.fixture
def ready(seeded, post):
    """Lines and features for the first live day; returns (ctx, features-ready payload)."""
    ctx = runtime.context()
    feed.post_lines(ctx, seeded.leagues[MARKET], seeded.first_live)
    post("schedule", pubsub_event(topology.SLATES_DUE, ctx.bus.queue.popleft().data))
    message = ctx.bus.queue.popleft()
    post("feature_store", pubsub_event(topology.LINES_POSTED, message.data))
    ready = json.loads(ctx.bus.queue.popleft().data)
    ctx.bus.queue.clear()
    return ctx, ready


def score(post, payload, system_id: str):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SYSTEM_ID", system_id)
        return post("scorer", pubsub_event(topology.FEATURES_READY, payload))


def report(ctx, post) -> None:
    """Deliver the queued predictions-scored reports to the ensemble."""
    while ctx.bus.queue:
        message = ctx.bus.queue.popleft()
        if message.topic == topology.PREDICTIONS_SCORED:
            post("ensemble", pubsub_event(topology.PREDICTIONS_SCORED, message.data))


def ensemble_rows(ctx):
    return ctx.warehouse.sql("SELECT * FROM propflow.predictions WHERE system_id = 'ensemble' ORDER BY entity_id")


def test_the_sweep_combines_what_reported_and_a_late_report_completes_it(ready, post):
    ctx, payload = ready
    for system_id in SYSTEMS[:2]:
        score(post, payload, system_id)
    report(ctx, post)
    assert ensemble_rows(ctx).empty  # still waiting for the third system
    sweep = {"game_date": payload["game_date"], "markets": [MARKET]}
    assert post("ensemble_sweep", pubsub_event(topology.ENSEMBLE_DEADLINE, sweep)).status_code == 200
    swept = ensemble_rows(ctx)
    assert len(swept) == payload["entities"]
    assert {frozenset(json.loads(c)["systems"]) for c in swept["components_json"]} == {frozenset(SYSTEMS[:2])}
    published = [json.loads(m.data) for m in ctx.bus.queue if m.topic == topology.ENSEMBLE_SCORED]
    assert published[0]["systems"] == sorted(SYSTEMS[:2])
    ctx.bus.queue.clear()
    # A second sweep finds nothing left to do.
    post("ensemble_sweep", pubsub_event(topology.ENSEMBLE_DEADLINE, sweep))
    assert not ctx.bus.queue
    # The late system reports: the ensemble is recomputed with every system, rows replaced, none doubled.
    score(post, payload, SYSTEMS[2])
    report(ctx, post)
    complete = ensemble_rows(ctx)
    assert len(complete) == payload["entities"]
    assert {frozenset(json.loads(c)["systems"]) for c in complete["components_json"]} == {frozenset(SYSTEMS)}


def test_a_system_that_raises_fails_alone_and_the_sweep_goes_ahead(ready, post, monkeypatch):
    ctx, payload = ready
    real_predict = scoring.predict

    def predict(slate, model, market):
        if model.model_id.endswith("cat_rolling"):
            raise RuntimeError("injected fault in cat_rolling")
        return real_predict(slate, model, market)

    monkeypatch.setattr(scoring, "predict", predict)
    statuses = {s: score(post, payload, s).status_code for s in SYSTEMS}
    assert statuses == {"baseline_l10": 200, "xgb_core": 200, "cat_rolling": 500}  # 500: the trigger retries it
    report(ctx, post)
    assert ensemble_rows(ctx).empty
    post("ensemble_sweep", pubsub_event(topology.ENSEMBLE_DEADLINE, {"game_date": payload["game_date"]}))
    rows = ensemble_rows(ctx)
    assert len(rows) == payload["entities"] and (rows["status"] == "scored").all()
    written = ctx.warehouse.sql("SELECT system_id, COUNT(*) AS n FROM propflow.predictions GROUP BY 1 ORDER BY 1")
    assert dict(zip(written["system_id"], written["n"], strict=True)) == {
        "baseline_l10": payload["entities"],
        "ensemble": payload["entities"],
        "xgb_core": payload["entities"],
    }


def test_the_sweep_without_a_date_uses_today_and_is_harmless(seeded, post):
    assert post("ensemble_sweep", pubsub_event(topology.ENSEMBLE_DEADLINE, {})).status_code == 200
    ledger = runtime.context().warehouse.sql("SELECT function, status FROM propflow.processed_events")
    assert ledger.values.tolist() == [["ensemble-sweep", "done"]]
