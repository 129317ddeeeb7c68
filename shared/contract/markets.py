"""Market configuration (shared/contract/markets.yaml), typed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from shared.config import Settings
from shared.errors import NotFound

# The frameworks a system may name in markets.yaml, each with the file a registered version of it is stored as;
# shared/systems/loader.py maps each to the module that fits it. The file names live here, not in those modules,
# so the registry (which diagnostics and training read) names files without importing a model framework.
FRAMEWORKS: dict[str, str] = {
    "baseline": "model.json",
    "xgboost": "model.xgb.json",
    "catboost": "model.cbm",
    "lightgbm": "model.lgb.txt",
}


# game_date is the local (US) date; its latest starts (west-coast evening games, about 7:40 pm Pacific) are
# before 04:00 UTC the next day, so an as_of at 06:00 UTC or later is after every game of its slate began.
SLATE_CLOSES_AFTER = dt.timedelta(days=1, hours=6)
# The hourly tick after the slate is posted: scorers take seconds, and a failing one has had its retries.
DEFAULT_ENSEMBLE_DEADLINE_MINUTES = 60


@dataclass(frozen=True)
class SystemConfig:
    system_id: str
    framework: str
    feature_set: str
    weight: float = 1.0
    active: bool = True
    baseline: bool = False
    half_life_days: float | None = None
    feature: str | None = None  # baseline: the feature that is its mean
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RedFlagRules:
    min_quality: float = 50
    min_history: int = 3
    stale_line_hours: float = 30
    max_line_move: float = 2.0
    workload_feature: str | None = None
    min_workload: float = 0.0


@dataclass(frozen=True)
class AdaptiveWeights:
    enabled: bool = False
    days: int = 14
    min_graded: int = 50
    floor: float = 0.1


@dataclass(frozen=True)
class DiagnosticsRules:
    """Alert thresholds (issue defaults); a market may override any in markets.yaml `diagnostics:`."""

    min_sample: int = 30  # graded rows in 7 days below which performance raises nothing
    min_days: int = 3  # graded days in 7 below which too: one slate is one draw of the schedule
    critical_beats_line_pct: float = 42.0
    critical_hit_rate: float = 50.0
    warning_beats_line_pct: float = 45.0
    warning_drift_score: float = 40.0
    mae_gap: float = 1.0  # model MAE minus line MAE ...
    mae_gap_days: int = 5  # ... above this on this many of the last 7 days
    max_defaulted_share: float = 0.15
    max_line_age_hours: float = 24.0
    min_grading_completeness: float = 0.95
    cause_threshold: float = 0.5  # a cause's score (0-1) needed to be named primary


@dataclass(frozen=True)
class Market:
    market_id: str
    sport: str
    entity: str
    stat: str
    workload: str
    prediction_hour_utc: int
    min_edge: float
    min_confidence: float
    error_scale: float
    agreement_bonus_below: float
    agreement_penalty_above: float
    systems: dict[str, SystemConfig]
    red_flags: RedFlagRules = RedFlagRules()
    adaptive_weights: AdaptiveWeights = AdaptiveWeights()
    diagnostics: DiagnosticsRules = DiagnosticsRules()
    ensemble_deadline_minutes: int = DEFAULT_ENSEMBLE_DEADLINE_MINUTES

    def active_systems(self, settings: Settings | None = None) -> tuple[str, ...]:
        """Systems the ensemble waits for; PROPFLOW_ACTIVE_SYSTEMS overrides the yaml."""
        if settings and settings.active_systems and self.market_id in settings.active_systems:
            return settings.active_systems[self.market_id]
        return tuple(s for s, cfg in self.systems.items() if cfg.active)

    def system(self, system_id: str) -> SystemConfig:
        try:
            return self.systems[system_id]
        except KeyError:
            raise NotFound(f"{self.market_id} has no system {system_id!r}; known: {sorted(self.systems)}") from None

    @property
    def baseline_system(self) -> str | None:
        return next((s for s, cfg in self.systems.items() if cfg.baseline), None)

    def prediction_time(self, game_date: dt.date) -> dt.datetime:
        """When a slate of this market is predicted: its prediction hour (UTC) on game day."""
        return dt.datetime.combine(game_date, dt.time(self.prediction_hour_utc))

    def ensemble_deadline(self, game_date: dt.date) -> dt.datetime:
        """When a slate's ensemble stops waiting for systems that have not reported (UTC)."""
        return self.prediction_time(game_date) + dt.timedelta(minutes=self.ensemble_deadline_minutes)


def _system(market_id: str, system_id: str, raw: dict[str, Any]) -> SystemConfig:
    try:
        system = SystemConfig(system_id=system_id, **raw)
    except TypeError as exc:
        raise ValueError(f"markets.yaml {market_id}.{system_id}: {exc}") from None
    if system.framework not in FRAMEWORKS:
        raise ValueError(f"markets.yaml {market_id}.{system_id}: framework must be one of {FRAMEWORKS}")
    if system.framework == "baseline" and not system.feature:
        raise ValueError(f"markets.yaml {market_id}.{system_id}: a baseline names its `feature`")
    return system


def _deadline_minutes(market_id: str, cfg: dict[str, Any]) -> int:
    """Minutes after the prediction hour, ending at least an hour before the slate closes: the hourly clock
    sweeps open slates only, at its first tick at or after the deadline."""
    minutes = cfg.get("ensemble_deadline_minutes", DEFAULT_ENSEMBLE_DEADLINE_MINUTES)
    latest = (SLATE_CLOSES_AFTER - dt.timedelta(hours=int(cfg["prediction_hour_utc"]) + 1)) // dt.timedelta(minutes=1)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= latest:
        raise ValueError(
            f"markets.yaml {market_id}.ensemble_deadline_minutes: must be a whole number of minutes from 1 to "
            f"{latest} (an hour before the slate closes at 06:00 UTC the next day), got {minutes!r}"
        )
    return minutes


@cache
def all_markets() -> dict[str, Market]:
    return from_config(yaml.safe_load(resources.files(__package__).joinpath("markets.yaml").read_text()))


def from_config(raw: dict[str, Any]) -> dict[str, Market]:
    """The markets of a parsed markets.yaml."""
    result = {}
    for market_id, cfg in raw.items():
        result[market_id] = Market(
            market_id=market_id,
            sport=cfg["sport"],
            entity=cfg["entity"],
            stat=cfg["stat"],
            workload=cfg["workload"],
            prediction_hour_utc=int(cfg["prediction_hour_utc"]),
            min_edge=float(cfg["min_edge"]),
            min_confidence=float(cfg["min_confidence"]),
            error_scale=float(cfg["error_scale"]),
            agreement_bonus_below=float(cfg["agreement"]["bonus_below"]),
            agreement_penalty_above=float(cfg["agreement"]["penalty_above"]),
            systems={s: _system(market_id, s, v) for s, v in cfg["systems"].items()},
            red_flags=RedFlagRules(**cfg.get("red_flags", {})),
            adaptive_weights=AdaptiveWeights(**cfg.get("adaptive_weights", {})),
            diagnostics=DiagnosticsRules(**cfg.get("diagnostics", {})),
            ensemble_deadline_minutes=_deadline_minutes(market_id, cfg),
        )
    return result


def market(market_id: str) -> Market:
    try:
        return all_markets()[market_id]
    except KeyError:
        raise NotFound(f"unknown market {market_id!r}; known: {sorted(all_markets())}") from None


def all_system_ids() -> set[str]:
    return {s for m in all_markets().values() for s in m.systems}
