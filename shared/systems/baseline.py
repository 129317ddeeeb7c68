"""Naive baselines: the mean is one of the entity's own rolling features."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shared.systems.base import Model


@dataclass(frozen=True)
class RollingMean(Model):
    def predict_mean(self, features: pd.DataFrame) -> np.ndarray:
        return features[self.features[0]].to_numpy(dtype=float)
