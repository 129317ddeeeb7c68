"""The weekly retrain: retrain-requested -> new versions trained to the date, promoted, old ones kept."""

from __future__ import annotations

import datetime as dt

from support import pubsub_event

from shared import runtime
from shared.contract import topology
from shared.systems import registry

MARKET = "mlb_strikeouts"


def test_retrain_requested_promotes_fresh_versions_and_keeps_the_old(seeded, post):
    ctx = runtime.context()
    before = {s: registry.resolve(ctx, MARKET, s).version for s in ("baseline_l10", "xgb_core", "cat_rolling")}
    train_end = seeded.first_live - dt.timedelta(days=4)
    payload = {"market": MARKET, "train_end": train_end.isoformat(), "system_id": "xgb_core"}
    assert post("training", pubsub_event(topology.RETRAIN_REQUESTED, payload)).status_code == 200
    after = registry.resolve(ctx, MARKET, "xgb_core")
    assert after.version.startswith(f"{train_end:%Y%m%d}-") and after.version != before["xgb_core"]
    assert registry.resolve(ctx, MARKET, "cat_rolling").version == before["cat_rolling"]  # only the one asked for
    assert {r.version for r in registry.versions(ctx, MARKET, "xgb_core")} >= {before["xgb_core"], after.version}
    assert registry.rollback(ctx, MARKET, "xgb_core", set_by="ops") == before["xgb_core"]


def test_an_unknown_system_is_rejected_and_nothing_changes(seeded, post):
    ctx = runtime.context()
    payload = {"market": MARKET, "train_end": "2026-01-30", "system_id": "nope"}
    assert post("training", pubsub_event(topology.RETRAIN_REQUESTED, payload, message_id="r-1")).status_code == 200
    reason = ctx.warehouse.sql("SELECT reason FROM propflow.processed_events WHERE event_id = 'r-1'")["reason"][0]
    assert "has no systems ['nope']" in reason
    assert registry.resolve(ctx, MARKET, "xgb_core").version.startswith(
        f"{seeded.first_live - dt.timedelta(days=1):%Y%m%d}"
    )
