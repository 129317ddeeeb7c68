"""One loader: a registry record and its verified bytes become a Model, whatever the framework.

A framework is a module of shared/systems with `fit` and `load`. The names (and
the file each is stored as) are shared/contract/markets.FRAMEWORKS; each maps to
its module here.
"""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType

from shared.contract import markets
from shared.systems.base import Model, ModelUnavailable
from shared.systems.registry import ModelRecord


def framework(name: str) -> ModuleType:
    """The module that fits and loads models of this framework."""
    # Imported on first use, so a baseline scorer never pays for importing xgboost or catboost at cold start;
    # written as import statements (not names for importlib) so the import graph, and each archive, has them.
    if name == "baseline":
        from shared.systems import baseline as module
    elif name == "xgboost":
        from shared.systems import xgboost_model as module
    elif name == "catboost":
        from shared.systems import catboost_model as module
    elif name == "lightgbm":
        from shared.systems import lightgbm_model as module
    else:
        raise ModelUnavailable(f"no loader for framework {name!r}; known: {', '.join(markets.FRAMEWORKS)}")
    return module


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
