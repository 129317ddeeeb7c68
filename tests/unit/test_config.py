from pathlib import Path

import pytest

from shared.config import ConfigError, Settings, env_overlay


def test_defaults_are_the_embedded_backend():
    settings = Settings.from_env({})
    assert settings.backend == "local"
    assert settings.home == Path(".propflow")
    assert settings.system_id is None and settings.active_systems is None


def test_invalid_backend_names_the_variable():
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"PROPFLOW_BACKEND": "aws"})
    assert caught.value.variable == "PROPFLOW_BACKEND"


def test_gcp_backend_requires_a_project():
    with pytest.raises(ConfigError, match="PROPFLOW_GCP_PROJECT"):
        Settings.from_env({"PROPFLOW_BACKEND": "gcp"})
    assert Settings.from_env({"PROPFLOW_BACKEND": "gcp", "GOOGLE_CLOUD_PROJECT": "p"}).project == "p"


def test_scorer_needs_system_id():
    with pytest.raises(ConfigError, match="SYSTEM_ID"):
        Settings.from_env({}).require_system_id()


def test_active_systems_override_is_parsed_per_market():
    settings = Settings.from_env({"PROPFLOW_ACTIVE_SYSTEMS": "nba_points=a, b; mlb_strikeouts=c"})
    assert settings.active_systems == {"nba_points": ("a", "b"), "mlb_strikeouts": ("c",)}
    with pytest.raises(ConfigError, match="PROPFLOW_ACTIVE_SYSTEMS"):
        Settings.from_env({"PROPFLOW_ACTIVE_SYSTEMS": "nonsense"})


def test_env_overlay_wins_inside_the_block_only(monkeypatch):
    monkeypatch.setenv("SYSTEM_ID", "outer")
    with env_overlay({"SYSTEM_ID": "inner"}):
        assert Settings.from_env().system_id == "inner"
    assert Settings.from_env().system_id == "outer"


def test_the_alert_sink_is_the_home_file_locally_none_on_gcp_unless_set():
    assert Settings.from_env({"PROPFLOW_HOME": "/h"}).alert_sink == Path("/h/alerts.jsonl")
    gcp = {"PROPFLOW_BACKEND": "gcp", "PROPFLOW_GCP_PROJECT": "p"}
    assert Settings.from_env(gcp).alert_sink is None
    assert Settings.from_env({**gcp, "PROPFLOW_ALERT_SINK": "/tmp/a.jsonl"}).alert_sink == Path("/tmp/a.jsonl")
    assert Settings.from_env({"PROPFLOW_ALERT_SINK": "None"}).alert_sink is None


def test_invalid_log_level_names_the_variable():
    assert Settings.from_env({"PROPFLOW_LOG_LEVEL": "warning"}).log_level == "WARNING"
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"PROPFLOW_LOG_LEVEL": "loud"})
    assert caught.value.variable == "PROPFLOW_LOG_LEVEL"
