"""Every framework markets.yaml may name has one module, which the import graph sees, that fits and loads it."""

from __future__ import annotations

import grimp
import numpy as np
import pandas as pd
import pytest
from support import register_version

from shared.contract import markets
from shared.systems import loader, registry
from shared.systems.base import ModelUnavailable

# The stored layout of a registry version: changing a name would strand every registered model.
ARTIFACTS = {
    "baseline": "model.json",
    "xgboost": "model.xgb.json",
    "catboost": "model.cbm",
    "lightgbm": "model.lgb.txt",
}
TINY = {
    "baseline": {},
    "xgboost": {"n_estimators": 30, "max_depth": 2},
    "catboost": {"iterations": 30, "depth": 2},
    "lightgbm": {"n_estimators": 30, "num_leaves": 4, "min_data_in_leaf": 3},
}


def test_the_frameworks_and_their_stored_file_names() -> None:
    assert markets.FRAMEWORKS == ARTIFACTS
    assert {s.framework for m in markets.all_markets().values() for s in m.systems.values()} <= set(ARTIFACTS)


@pytest.mark.parametrize("name", markets.FRAMEWORKS)
def test_every_framework_fits_and_loads_a_model_that_learns(name: str) -> None:
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"pts_l10": rng.uniform(5, 30, 200)})
    y = rng.poisson(x["pts_l10"].to_numpy()).astype(float)
    module = loader.framework(name)
    blob = module.fit(x, y, None, dict(TINY[name]))
    model = module.load(blob, "m", "v1", ("pts_l10",), None)
    predicted = model.predict_mean(x)
    assert (model.model_id, model.version, predicted.shape) == ("m", "v1", (200,))
    if name == "baseline":
        assert np.array_equal(predicted, x["pts_l10"].to_numpy())
    else:  # a fitted model beats always guessing the mean
        assert np.mean(np.abs(predicted - y)) < 0.8 * np.mean(np.abs(y.mean() - y))


def test_the_loader_imports_every_framework_module_where_the_import_graph_sees_it() -> None:
    # Per-function packaging follows the static import graph: a module named in a string would be left out.
    graph = grimp.build_graph("shared", cache_dir=None)
    imported = graph.find_modules_directly_imported_by("shared.systems.loader")
    assert {loader.framework(name).__name__ for name in markets.FRAMEWORKS} <= imported


def test_an_unknown_framework_is_refused_naming_the_known_ones(ctx) -> None:
    with pytest.raises(ModelUnavailable, match="'sklearn'; known: baseline, xgboost, catboost, lightgbm"):
        loader.framework("sklearn")
    with pytest.raises(ModelUnavailable, match="sklearn"):
        register_version(ctx, "sklearn", b"{}")
    assert registry.versions(ctx, "nba_points", "baseline_l10") == []


@pytest.mark.parametrize("name", markets.FRAMEWORKS)
def test_a_version_is_stored_under_its_frameworks_file_name(ctx, name: str) -> None:
    artifact = f"bytes of a {name} model".encode()
    record = register_version(ctx, name, artifact)
    assert record.uri.endswith(f"/models/nba_points/baseline_l10/{record.version}/{ARTIFACTS[name]}")
    assert registry.fetch(ctx, record) == artifact
