"""What every prediction system gives the scorer: a Model with one predict, whatever its framework."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from shared.domain import distributions


class ModelUnavailable(RuntimeError):
    """The system cannot score now (no model, bad artifact): it skips, with this reason."""


@dataclass(frozen=True)
class Forecast:
    mean: np.ndarray
    p_over: np.ndarray
    p_push: np.ndarray


@dataclass(frozen=True)
class Model:
    """A loaded model: where it came from, the features it reads, how it predicts, its spread."""

    model_id: str
    version: str
    features: tuple[str, ...]
    size: float | None  # negative binomial size; None is Poisson
    native: Any = None  # the framework's own model object

    def predict_mean(self, features: pd.DataFrame) -> np.ndarray:
        raise NotImplementedError

    def importance(self) -> dict[str, float]:
        return {}

    def forecast(self, features: pd.DataFrame, line: np.ndarray) -> Forecast:
        mean = np.clip(self.predict_mean(features[list(self.features)]), 0.0, None)
        p_over, p_push = distributions.over_push(mean, line, self.size)
        return Forecast(mean, p_over, p_push)
