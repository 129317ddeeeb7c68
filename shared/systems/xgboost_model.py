"""XGBoost regressor (xgboost-cpu); the artifact is the booster's JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

from shared.systems.base import Model


@dataclass(frozen=True)
class XGBoostModel(Model):
    def predict_mean(self, features: pd.DataFrame) -> np.ndarray:
        return self.native.inplace_predict(features.to_numpy(dtype=np.float32))

    def importance(self) -> dict[str, float]:
        gain = self.native.get_score(importance_type="gain")
        return {name: float(gain.get(f"f{i}", gain.get(name, 0.0))) for i, name in enumerate(self.features)}


def fit(x: pd.DataFrame, y: np.ndarray, weight: np.ndarray | None, params: dict[str, Any]) -> bytes:
    # The native API: the sklearn wrapper would pull in scikit-learn for nothing.
    params = {"nthread": 2, "tree_method": "hist", **params}
    rounds = int(params.pop("n_estimators", params.pop("num_boost_round", 300)))
    data = xgb.DMatrix(x.to_numpy(dtype=np.float32), label=y, weight=weight)
    booster = xgb.train(params, data, num_boost_round=rounds)
    return bytes(booster.save_raw(raw_format="json"))


def load(blob: bytes, model_id: str, version: str, features: tuple[str, ...], size: float | None) -> Model:
    booster = xgb.Booster()
    booster.load_model(bytearray(blob))
    if booster.num_features() != len(features):
        raise ValueError(f"booster has {booster.num_features()} features, registry lists {len(features)}")
    return XGBoostModel(model_id, version, features, size, booster)
