"""`propflow demo --backend gcp` (real push subscriptions, bqemulator, the GCS emulator) against the local demo."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from shared import runtime
from shared.cli.main import main
from shared.ops import chaos

pytestmark = [pytest.mark.pipeline, pytest.mark.gcp]
DAYS = "3"
# What the chain writes, and the model versions (content hashes) it writes them with.
COMPARED = ("predictions", "grades", "features", "model_registry")


def _demo(monkeypatch: pytest.MonkeyPatch, home, *backend: str) -> dict[str, pd.DataFrame]:
    monkeypatch.setenv("PROPFLOW_HOME", str(home))
    result = CliRunner().invoke(main, ["demo", "--days", DAYS, *backend])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert " 0 dead-lettered" in result.output
    if backend:  # the demo sets the backend for its run only; read its warehouse the same way
        monkeypatch.setenv("PROPFLOW_BACKEND", "gcp")
    warehouse = runtime.context().warehouse
    tables = {t: chaos.comparable(warehouse, t) for t in COMPARED}
    runtime.reset()
    return tables


def test_gcp_demo_makes_the_same_predictions_and_grades_as_the_local_one(gcp_env, tmp_path, monkeypatch):
    local = _demo(monkeypatch, tmp_path / "local")
    monkeypatch.setenv("PROPFLOW_GCP_PROJECT", "propflow-demo-test")
    gcp = _demo(monkeypatch, tmp_path / "gcp", "--backend", "gcp")
    for table in COMPARED:
        assert list(gcp[table].columns) == list(local[table].columns), table
        assert len(gcp[table]) == len(local[table]) > 0, table
        assert chaos.differing_rows(gcp[table], local[table]) == 0, table
