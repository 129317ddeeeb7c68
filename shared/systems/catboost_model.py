"""CatBoost regressor; the artifact is the model's .cbm bytes."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from catboost import CatBoostRegressor

from shared.systems.base import Model

# Losses with a log link: predict their exponent, which is the mean.
LOG_LINK = ("Poisson", "Tweedie")


@dataclass(frozen=True)
class CatBoostModel(Model):
    def predict_mean(self, features: pd.DataFrame) -> np.ndarray:
        if features.empty:  # CatBoost prints "No objects info loaded" to stderr on zero rows
            return np.empty(0)
        loss = self.native.get_all_params().get("loss_function", "")
        kind = "Exponent" if loss.startswith(LOG_LINK) else "RawFormulaVal"
        return np.asarray(self.native.predict(features.to_numpy(dtype=float), prediction_type=kind), dtype=float)

    def importance(self) -> dict[str, float]:
        return dict(zip(self.features, map(float, self.native.get_feature_importance()), strict=True))


def fit(x: pd.DataFrame, y: np.ndarray, weight: np.ndarray | None, params: dict[str, Any]) -> bytes:
    model = CatBoostRegressor(**{"thread_count": 2, "verbose": False, "allow_writing_files": False, **params})
    model.fit(x.to_numpy(dtype=float), y, sample_weight=weight)
    # A random GUID and the finish time would make every fit's bytes, and so its version, unique:
    # without them the same data and params give the same version, so a retried training is idempotent.
    metadata = model.get_metadata()
    for volatile in ("model_guid", "train_finish_time"):
        del metadata[volatile]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.cbm"
        model.save_model(str(path))
        return path.read_bytes()


def load(blob: bytes, model_id: str, version: str, features: tuple[str, ...], size: float | None) -> Model:
    model = CatBoostRegressor()
    model.load_model(blob=blob)
    if len(model.feature_names_) != len(features):
        raise ValueError(f"model has {len(model.feature_names_)} features, registry lists {len(features)}")
    return CatBoostModel(model_id, version, features, size, model)
