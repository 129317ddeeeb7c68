"""One loader: a registry record and its verified bytes become a Model."""

from __future__ import annotations

import json
from functools import lru_cache

from shared.registry import ModelRecord
from shared.systems.base import Model, ModelUnavailable
from shared.systems.baseline import RollingMean


@lru_cache(maxsize=64)
def _load(model_id: str, version: str, framework: str, artifact: bytes) -> Model:
    if framework != "baseline":
        raise ModelUnavailable(f"no loader for framework {framework!r}")
    try:
        spec = json.loads(artifact)
        size = spec["distribution"]["size"]
        return RollingMean(model_id, version, (spec["feature"],), None if size is None else float(size))
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelUnavailable(f"corrupt {framework} artifact for {model_id} {version}: {exc}") from exc


def load(record: ModelRecord, artifact: bytes) -> Model:
    return _load(record.model_id, record.version, record.framework, artifact)
