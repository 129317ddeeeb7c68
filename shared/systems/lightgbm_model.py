"""LightGBM regressor; the artifact is the booster's text dump."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from shared.systems.base import Model


@dataclass(frozen=True)
class LightGBMModel(Model):
    def predict_mean(self, features: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.native.predict(features.to_numpy(dtype=float)), dtype=float)

    def importance(self) -> dict[str, float]:
        gains = self.native.feature_importance(importance_type="gain")
        return dict(zip(self.features, map(float, gains), strict=True))


def fit(x: pd.DataFrame, y: np.ndarray, weight: np.ndarray | None, params: dict[str, Any]) -> bytes:
    params = {"objective": "poisson", "num_threads": 2, "verbose": -1, **params}
    rounds = int(params.pop("n_estimators", params.pop("num_boost_round", 300)))
    booster = lgb.train(params, lgb.Dataset(x.to_numpy(dtype=float), y, weight=weight), num_boost_round=rounds)
    return booster.model_to_string().encode()


def load(blob: bytes, model_id: str, version: str, features: tuple[str, ...], size: float | None) -> Model:
    booster = lgb.Booster(model_str=blob.decode())
    if booster.num_feature() != len(features):
        raise ValueError(f"booster has {booster.num_feature()} features, registry lists {len(features)}")
    return LightGBMModel(model_id, version, features, size, booster)
