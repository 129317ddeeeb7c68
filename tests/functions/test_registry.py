"""Model registry: promote, rollback, racing promotes, tampered / missing / corrupt artifacts."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

import pytest

from shared import runtime
from shared.systems import loader, registry, training
from shared.systems.base import ModelUnavailable
from shared.systems.registry import AliasConflict

MARKET, SYSTEM = "mlb_strikeouts", "xgb_core"


def second_version(ctx, seeded, days_back: int = 8) -> registry.ModelRecord:
    """Another xgb_core version, trained to an earlier date (so its bytes, and version, differ)."""
    config = training.TrainConfig.for_system(
        MARKET, SYSTEM, seeded.first_live - dt.timedelta(days=days_back), validation_days=0, params={"n_estimators": 5}
    )
    return training.train(ctx, config, registered_by="tests").record


def test_a_version_folder_holds_model_features_metrics_and_sha256(seeded):
    ctx = runtime.context()
    record = registry.resolve(ctx, MARKET, SYSTEM)
    folder = record.uri.rsplit("/", 1)[0]
    assert folder.endswith(f"models/{MARKET}/{SYSTEM}/{record.version}")
    blob = ctx.blobs.get(record.uri)
    assert ctx.blobs.get(f"{folder}/sha256").decode() == hashlib.sha256(blob).hexdigest() == record.sha256
    assert len(record.features) == 25 and (record.size is None or record.size > 0)
    assert "validation" in record.metrics and record.metrics["config"]["framework"] == "xgboost"
    assert ctx.blobs.exists(f"{folder}/features.json") and ctx.blobs.exists(f"{folder}/metrics.json")


def test_promote_then_rollback_with_history(seeded):
    ctx = runtime.context()
    first = registry.resolve(ctx, MARKET, SYSTEM)
    newer = second_version(ctx, seeded)
    assert registry.set_alias(ctx, MARKET, SYSTEM, "champion", newer.version, set_by="ana") == first.version
    assert registry.resolve(ctx, MARKET, SYSTEM).version == newer.version
    assert registry.rollback(ctx, MARKET, SYSTEM, set_by="bo") == first.version
    assert registry.resolve(ctx, MARKET, SYSTEM).version == first.version
    history = ctx.warehouse.query("alias_history", market=MARKET)
    history = history[(history["system_id"] == SYSTEM) & (history["alias"] == "champion")]
    assert history[["version", "previous_version", "set_by"]].values.tolist()[:2] == [
        [first.version, newer.version, "bo"],
        [newer.version, first.version, "ana"],
    ]


def test_two_racing_promotes_exactly_one_wins(seeded):
    ctx = runtime.context()
    current = registry.resolve(ctx, MARKET, SYSTEM).version
    newer, other = second_version(ctx, seeded, 8).version, second_version(ctx, seeded, 9).version
    barrier, outcomes = threading.Barrier(2), []

    def promote(who: str, target: str) -> None:
        barrier.wait()
        try:
            registry.set_alias(ctx, MARKET, SYSTEM, "champion", target, set_by=who, expected=current)
            outcomes.append(("won", who))
        except AliasConflict:
            outcomes.append(("lost", who))

    threads = [threading.Thread(target=promote, args=(w, t)) for w, t in (("a", newer), ("b", other))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o for o, _ in outcomes) == ["lost", "won"]
    winner = next(w for o, w in outcomes if o == "won")
    assert registry.resolve(ctx, MARKET, SYSTEM).version == (newer if winner == "a" else other)
    history = ctx.warehouse.query("alias_history", market=MARKET)
    assert (history["previous_version"] == current).sum() == 1  # one row written, by the winner


def test_a_stale_expectation_is_a_conflict_and_writes_nothing(seeded):
    ctx = runtime.context()
    before = len(ctx.warehouse.query("alias_history", market=MARKET))
    with pytest.raises(AliasConflict):
        registry.set_alias(
            ctx,
            MARKET,
            SYSTEM,
            "champion",
            registry.resolve(ctx, MARKET, SYSTEM).version,
            set_by="x",
            expected="not-the-current-version",
        )
    assert len(ctx.warehouse.query("alias_history", market=MARKET)) == before


def test_unknown_or_disabled_versions_cannot_be_promoted(seeded):
    ctx = runtime.context()
    with pytest.raises(KeyError, match="no registered version"):
        registry.set_alias(ctx, MARKET, SYSTEM, "champion", "19990101-deadbeef", set_by="x")
    newer = second_version(ctx, seeded)
    registry.set_enabled(ctx, MARKET, SYSTEM, newer.version, False)
    with pytest.raises(ValueError, match="disabled"):
        registry.set_alias(ctx, MARKET, SYSTEM, "challenger", newer.version, set_by="x")


def test_a_tampered_artifact_is_refused(seeded):
    ctx = runtime.context()
    record = registry.resolve(ctx, MARKET, SYSTEM)
    ctx.blobs.put(record.uri, ctx.blobs.get(record.uri) + b" ")
    with pytest.raises(ModelUnavailable, match="sha256 mismatch"):
        registry.fetch(ctx, record)


def test_a_missing_artifact_is_refused(seeded):
    ctx = runtime.context()
    record = registry.resolve(ctx, MARKET, SYSTEM)
    ctx.blobs.path(record.uri).unlink()
    with pytest.raises(ModelUnavailable, match="missing"):
        registry.fetch(ctx, record)


def test_other_uri_schemes_and_disabled_versions_are_refused(seeded):
    ctx = runtime.context()
    record = registry.resolve(ctx, MARKET, SYSTEM)
    for uri in ("https://evil.example/model", f"file://{ctx.blobs.path(record.uri)}"):
        with pytest.raises(ModelUnavailable, match="only gs://"):
            registry.fetch(ctx, registry.ModelRecord(**{**record.__dict__, "uri": uri}))
    with pytest.raises(ModelUnavailable, match="disabled"):
        registry.fetch(ctx, registry.ModelRecord(**{**record.__dict__, "enabled": False}))


@pytest.mark.parametrize("system_id", ["xgb_core", "cat_rolling", "baseline_l10"])
def test_a_corrupt_model_file_with_a_matching_sha256_fails_to_load_cleanly(seeded, system_id):
    ctx = runtime.context()
    record = registry.resolve(ctx, MARKET, system_id)
    garbage = b"\x00not a model\xff"
    with pytest.raises(ModelUnavailable, match="corrupt"):
        loader.load(registry.ModelRecord(**{**record.__dict__, "sha256": hashlib.sha256(garbage).hexdigest()}), garbage)
