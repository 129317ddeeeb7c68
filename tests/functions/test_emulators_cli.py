"""`propflow emulators up|env|down`: start them once, find them again, stop them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from shared.cli.main import main
from shared.ops import emulators

pytestmark = pytest.mark.gcp


def test_up_env_down(gcp_emulators, tmp_path, monkeypatch):
    monkeypatch.delenv("PROPFLOW_GCP_PROJECT", raising=False)
    home = str(tmp_path / "state")
    runner = CliRunner()
    up = runner.invoke(main, ["emulators", "up", "--home", home])
    assert up.exit_code == 0, up.output
    started = emulators.running(tmp_path / "state")
    assert started is not None
    exports = runner.invoke(main, ["emulators", "env", "--home", home]).output
    for name, value in started.env().items():
        assert f"export {name}={value}" in exports
    assert "export PROPFLOW_BACKEND=gcp" in exports and f"export PROPFLOW_GCP_PROJECT={emulators.PROJECT}" in exports
    again = runner.invoke(main, ["emulators", "up", "--home", home])  # finds them instead of starting twice
    assert emulators.running(tmp_path / "state") == started and again.exit_code == 0
    assert "emulators stopped" in runner.invoke(main, ["emulators", "down", "--home", home]).output
    assert emulators.running(tmp_path / "state") is None
    assert runner.invoke(main, ["emulators", "env", "--home", home]).exit_code != 0
