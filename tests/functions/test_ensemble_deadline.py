"""The ensemble join: waits for every active system, the deadline sweep, late reports, a raising system."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from support import pubsub_event

from shared import clock, runtime
from shared.contract import markets, topology
from shared.handlers import scoring
from shared.sources import feed

MARKET = "mlb_strikeouts"
SYSTEMS = markets.market(MARKET).active_systems()


def features_ready(ctx, post, league, day: dt.date) -> dict:
    """Lines and features for the league's slate of the day; returns the features-ready payload."""
    feed.post_lines(ctx, league, day)
    post("schedule", pubsub_event(topology.SLATES_DUE, ctx.bus.queue.popleft().data))
    message = ctx.bus.queue.popleft()
    post("feature_store", pubsub_event(topology.LINES_POSTED, message.data))
    ready = json.loads(ctx.bus.queue.popleft().data)
    ctx.bus.queue.clear()
    return ready


@pytest.fixture
def ready(seeded, post):
    """Lines and features for the first live day; returns (ctx, features-ready payload)."""
    ctx = runtime.context()
    return ctx, features_ready(ctx, post, seeded.leagues[MARKET], seeded.first_live)


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


def clock_tick(ctx, post, at: dt.datetime) -> list[dict]:
    """The hourly slates-due tick at `at`; the ensemble-deadline it sent, each delivered to the sweep."""
    with clock.frozen(at):
        post("schedule", pubsub_event(topology.SLATES_DUE, {}))
        sent = [json.loads(m.data) for m in ctx.bus.queue if m.topic == topology.ENSEMBLE_DEADLINE]
        ctx.bus.queue.clear()
        for payload in sent:
            assert post("ensemble_sweep", pubsub_event(topology.ENSEMBLE_DEADLINE, payload)).status_code == 200
    ctx.bus.queue.clear()
    return sent


def expected_ensemble(ctx, market_id: str) -> dict[str, tuple[float, float, float]]:
    """Entity -> (mean, p_over, confidence) from its systems' stored rows: markets.yaml weights renormalised over
    the systems that scored, confidence times the agreement factor."""
    market = markets.market(market_id)
    rows = ctx.warehouse.sql(
        "SELECT entity_id, system_id, mean, p_over, confidence FROM propflow.predictions "
        "WHERE market = @m AND system_id != 'ensemble' AND status = 'scored'",
        m=market_id,
    )
    out = {}
    for entity, systems in rows.groupby("entity_id"):
        weights = systems["system_id"].map(lambda s: market.systems[s].weight)
        share = weights / weights.sum()
        spread = systems["mean"].max() - systems["mean"].min()
        factor = 0.8 if len(systems) == 1 else 1.10 if spread < market.agreement_bonus_below else 1.0
        factor = 0.85 if len(systems) > 1 and spread > market.agreement_penalty_above else factor
        confidence = min(100.0, float((systems["confidence"] * share).sum()) * factor)
        out[entity] = (float((systems["mean"] * share).sum()), float((systems["p_over"] * share).sum()), confidence)
    return out


def test_each_market_is_swept_at_its_own_deadline_with_the_systems_that_reported(seeded, post):
    """MLB is scored at 16:00 and NBA at 22:00 (after the old fixed 18:30 sweep): each is swept an hour after its
    own prediction hour, cat_rolling having never reported, and not before."""
    ctx = runtime.context()
    day = seeded.first_live
    reported = ("baseline_l10", "xgb_core")
    entities = {}
    for market_id in ("mlb_strikeouts", "nba_points"):
        payload = features_ready(ctx, post, seeded.leagues[market_id], day)
        for system_id in reported:
            score(post, payload, system_id)
        report(ctx, post)
        entities[market_id] = payload["entities"]
    assert ensemble_rows(ctx).empty  # both wait for cat_rolling

    def at(hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute))

    assert markets.market("mlb_strikeouts").ensemble_deadline(day) == at(17)  # the default: 60 minutes after
    assert markets.market("nba_points").ensemble_deadline(day) == at(23)
    swept = {"game_date": day.isoformat()}
    assert clock_tick(ctx, post, at(16, 59)) == []
    assert clock_tick(ctx, post, at(17)) == [{**swept, "markets": ["mlb_strikeouts"]}]
    assert set(ensemble_rows(ctx)["market"]) == {"mlb_strikeouts"}
    assert clock_tick(ctx, post, at(18, 30)) == []  # the old fixed deadline: the NBA slate still waits
    assert clock_tick(ctx, post, at(22)) == []
    assert set(ensemble_rows(ctx)["market"]) == {"mlb_strikeouts"}
    assert clock_tick(ctx, post, at(23)) == [{**swept, "markets": ["nba_points"]}]
    assert clock_tick(ctx, post, at(23) + dt.timedelta(hours=1)) == []  # nothing left to sweep

    rows = ensemble_rows(ctx)
    for market_id, count in entities.items():
        mine = rows[rows["market"] == market_id].set_index("entity_id")
        assert len(mine) == count and (mine["status"] == "scored").all()
        assert all(set(json.loads(c)["systems"]) <= set(reported) for c in mine["components_json"])
        expected = expected_ensemble(ctx, market_id)
        assert set(expected) == set(mine.index)
        for entity, (mean, p_over, confidence) in expected.items():
            row = mine.loc[entity]
            assert (row["mean"], row["p_over"], row["confidence"]) == pytest.approx((mean, p_over, confidence))
