"""Naive baseline: the mean is one of the entity's own rolling features (e.g. its last-10 average)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from shared.systems.base import Model


@dataclass(frozen=True)
class RollingMean(Model):
    def predict_mean(self, features: pd.DataFrame) -> np.ndarray:
        return features[self.features[0]].to_numpy(dtype=float)


def fit(x: pd.DataFrame, y: np.ndarray, weight: np.ndarray | None, params: dict[str, Any]) -> bytes:
    """Nothing to learn: the artifact records which feature is the mean."""
    return json.dumps({"framework": "baseline", "feature": x.columns[0]}, sort_keys=True).encode()


def load(blob: bytes, model_id: str, version: str, features: tuple[str, ...], size: float | None) -> Model:
    spec = json.loads(blob)
    if tuple(features) != (spec["feature"],):
        raise ValueError(f"baseline artifact reads {spec['feature']!r}, registry says {features}")
    return RollingMean(model_id, version, features, size)
