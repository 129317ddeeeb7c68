"""One loader: a registry record and its verified bytes become a Model, whatever the framework.

Framework modules are imported on first use, so a baseline scorer never pays
for importing xgboost or catboost at cold start.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from types import ModuleType

from shared.systems.base import Model, ModelUnavailable
from shared.systems.registry import ModelRecord

MODULES = {
    "baseline": "shared.systems.baseline",
    "xgboost": "shared.systems.xgboost_model",
    "catboost": "shared.systems.catboost_model",
    "lightgbm": "shared.systems.lightgbm_model",
}


def framework(name: str) -> ModuleType:
    """The module that fits and loads models of this framework."""
    if name not in MODULES:
        raise ModelUnavailable(f"no loader for framework {name!r}; known: {sorted(MODULES)}")
    return importlib.import_module(MODULES[name])


@lru_cache(maxsize=64)
def _load(
    framework_name: str, model_id: str, version: str, features: tuple[str, ...], size: float | None, blob: bytes
) -> Model:
    try:
        return framework(framework_name).load(blob, model_id, version, features, size)
    except ModelUnavailable:
        raise
    except Exception as exc:  # a corrupt artifact fails inside the framework's own parser
        raise ModelUnavailable(f"corrupt {framework_name} artifact for {model_id} {version}: {exc}") from exc


def load(record: ModelRecord, blob: bytes) -> Model:
    return _load(record.framework, record.model_id, record.version, record.features, record.size, blob)
