"""`propflow demo --backend gcp` (real push subscriptions, bqemulator, the GCS emulator) against the local demo."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from shared import runtime, schemas
from shared.cli import main

pytestmark = [pytest.mark.pipeline, pytest.mark.gcp]
DAYS = "3"
COMPARED = ("predictions", "grades", "features", "model_registry")
# Set when a row is written (wall clock, the message id that wrote it), so never equal across two runs.
VOLATILE = {"event_id", "scored_at", "graded_at", "registered_at", "completed_at", "created_at", "updated_at"}
TOLERANCE = 1e-9


def _same(a: Any, b: Any) -> bool:
    """Equal, floats within TOLERANCE, JSON text compared as the values it holds."""
    if isinstance(a, str) and isinstance(b, str) and a[:1] in "[{" and a != b:
        try:
            return _same(json.loads(a), json.loads(b))
        except ValueError:
            return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple | np.ndarray) and isinstance(b, list | tuple | np.ndarray):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if pd.isna(a) if np.isscalar(a) or a is None else False:
        return b is None or (np.isscalar(b) and pd.isna(b))
    if isinstance(a, float | np.floating) or isinstance(b, float | np.floating):
        return isinstance(b, int | float | np.number) and math.isclose(a, b, rel_tol=0, abs_tol=TOLERANCE)
    return a == b


def _rows(table: str) -> list[dict[str, Any]]:
    frame = runtime.context().warehouse.sql(f"SELECT * FROM propflow.{table}")
    frame = frame.drop(columns=[c for c in frame.columns if c in VOLATILE])
    key = [k for k in schemas.table(table).key if k in frame.columns]
    return frame.sort_values(key).to_dict("records")


def _demo(monkeypatch: pytest.MonkeyPatch, home, *backend: str) -> dict[str, list[dict[str, Any]]]:
    monkeypatch.setenv("PROPFLOW_HOME", str(home))
    result = CliRunner().invoke(main, ["demo", "--days", DAYS, *backend])
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert " 0 dead-lettered" in result.output
    tables = {t: _rows(t) for t in COMPARED}
    runtime.reset()
    return tables


def test_gcp_demo_makes_the_same_predictions_and_grades_as_the_local_one(gcp_env, tmp_path, monkeypatch):
    local = _demo(monkeypatch, tmp_path / "local")
    monkeypatch.setenv("PROPFLOW_GCP_PROJECT", "propflow-demo-test")
    gcp = _demo(monkeypatch, tmp_path / "gcp", "--backend", "gcp")
    differ: dict[str, list] = {}
    for table in COMPARED:
        assert len(gcp[table]) == len(local[table]) > 0, table
        for ours, theirs in zip(gcp[table], local[table], strict=True):
            assert ours.keys() == theirs.keys()
            for column in (c for c in ours if not _same(ours[c], theirs[c])):
                differ.setdefault(f"{table}.{column}", []).append((ours[column], theirs[column]))
    assert not differ, {column: (len(pairs), pairs[0]) for column, pairs in differ.items()}
