"""Feature specs: the per-market YAML in specs/, typed and checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from shared.domain.features import kinds

SPECS_DIR = Path(__file__).parent / "specs"
# Columns of the frames features are computed from; a feature may not shadow one.
RESERVED = frozenset(
    {
        "entity_id",
        "entity_name",
        "game_id",
        "game_date",
        "team",
        "opponent",
        "home",
        "actual",
        "workload",
        "is_target",
        "line",
        "opening_line",
        "over_price",
        "under_price",
        "closing_line",
        "snapshot_at",
        "game_total_line",
        "home_spread_line",
        "quality_score",
        "history_games",
        "defaulted",
    }
)


@dataclass(frozen=True)
class FeatureDef:
    name: str
    kind: str
    default: float
    sets: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)
    monitor: bool = True  # watched for drift; false for features that trend by design (a season's game count)


@dataclass(frozen=True)
class FeatureSpec:
    market: str
    history_days: int
    min_history: int
    features: tuple[FeatureDef, ...]

    def names(self, feature_set: str | None = None) -> list[str]:
        return [f.name for f in self.features if feature_set is None or feature_set in f.sets]

    def monitored(self) -> set[str]:
        return {f.name for f in self.features if f.monitor}


def _feature(raw: dict[str, Any], market: str) -> FeatureDef:
    raw = dict(raw)
    try:
        name, kind = raw.pop("name"), raw.pop("kind")
    except KeyError as exc:
        raise ValueError(f"{market}: a feature lacks {exc.args[0]!r}") from None
    if kind not in kinds.KINDS:
        raise ValueError(f"{market}: feature {name!r} has unknown kind {kind!r}; known: {sorted(kinds.KINDS)}")
    monitor = bool(raw.pop("monitor", True))
    return FeatureDef(name, kind, float(raw.pop("default")), tuple(raw.pop("sets", ())), raw, monitor)


@cache
def load(market: str) -> FeatureSpec:
    path = SPECS_DIR / f"{market}.yaml"
    if not path.is_file():
        raise KeyError(f"no feature spec for market {market!r} ({path})")
    raw = yaml.safe_load(path.read_text())
    features = tuple(_feature(f, market) for f in raw["features"])
    reserved = {f.name for f in features} & RESERVED
    if reserved:
        raise ValueError(f"{market}: feature names {sorted(reserved)} are frame columns; rename them")
    duplicated = {f.name for f in features if sum(g.name == f.name for g in features) > 1}
    if duplicated:
        raise ValueError(f"{market}: duplicated feature names {sorted(duplicated)}")
    return FeatureSpec(market, int(raw["history_days"]), int(raw["min_history"]), features)
