import ast

import pytest

from shared.adapters.local.local_bus import FUNCTIONS_DIR
from shared.contract import markets, topology


def test_one_scorer_per_system_and_one_deployment_per_other_function():
    deployments = topology.deployments(["baseline_l10", "xgb_core"])
    scorers = {d.name: d.env for d in deployments if d.function == "scorer"}
    assert scorers == {
        "scorer-baseline-l10": {"SYSTEM_ID": "baseline_l10"},
        "scorer-xgb-core": {"SYSTEM_ID": "xgb_core"},
    }
    assert {d.name for d in deployments if d.function != "scorer"} == {
        "schedule",
        "feature-store",
        "ensemble",
        "ensemble-sweep",
        "grading",
        "grading-late",
        "diagnostics",
        "alerting",
        "training",
        "ingest",
    }


def test_every_trigger_topic_is_a_topic_and_every_function_folder_is_wired():
    assert set(topology.TRIGGERS.values()) <= set(topology.TOPICS)
    assert set(topology.BUCKET_TRIGGERS.values()) <= set(topology.BUCKETS)
    assert not set(topology.TRIGGERS) & set(topology.BUCKET_TRIGGERS)  # one trigger each
    folders = {p.name for p in FUNCTIONS_DIR.iterdir() if (p / "main.py").is_file()}
    assert folders == {topology.source(f) for f in topology.functions()}


def test_a_trigger_is_a_topic_or_a_bucket():
    (ingest,) = topology.bucket_subscribers(topology.LANDING)
    assert (ingest.name, ingest.topic, ingest.bucket) == ("ingest", None, topology.LANDING)
    assert ingest.event_type == "google.cloud.storage.object.v1.finalized"
    (grading,) = topology.subscribers(topology.GAME_FINAL, [])
    assert grading.event_type == "google.cloud.pubsub.topic.v1.messagePublished" and grading.bucket is None
    with pytest.raises(ValueError, match="one topic or one bucket"):
        topology.Deployment("both", "ingest", topology.GAME_FINAL, topology.LANDING)


def test_entry_points_are_thin_cloud_event_functions():
    for folder in {topology.source(f) for f in topology.functions()}:
        source = (FUNCTIONS_DIR / folder / "main.py").read_text()
        defs = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]
        assert sorted(d.name for d in defs) == sorted(f for f in topology.functions() if topology.source(f) == folder)
        assert all(ast.unparse(d.decorator_list[0]) == "functions_framework.cloud_event" for d in defs)
        assert len(source.splitlines()) < 40


def test_every_market_system_is_scored_by_a_deployment():
    names = {d.env.get("SYSTEM_ID") for d in topology.deployments(markets.all_system_ids())}
    assert markets.all_system_ids() <= names
