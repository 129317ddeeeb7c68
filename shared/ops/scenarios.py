"""Fault scenarios for the synthetic league: what diagnostics must catch and name.

- book_sharpens: the book's estimates get much sharper (line_sharpness);
- scoring_drift: true scoring rises while the models stay as trained (model_drift);
- feature_missing: the lines feed stops sending prices, so the de-vigged price
  feature defaults for the systems that use it (data_quality);
- system_down: one system's model file disappears, so it skips (data_quality).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from shared.ports import Context
from shared.sources.league import Faults, League
from shared.systems import registry

SCENARIOS = ("book_sharpens", "scoring_drift", "feature_missing", "system_down")
DOWN_SYSTEM = "cat_rolling"


def league_faults(scenario: str | None, from_day: dt.date) -> Faults | None:
    """The generator flags of a scenario (None for the platform-side ones)."""
    if scenario is not None and scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; known: {SCENARIOS}")
    if scenario == "book_sharpens":
        return Faults(sharp_book_from=from_day)
    if scenario == "scoring_drift":
        return Faults(scoring_drift_from=from_day)
    return None


def without_prices(league: League, from_day: dt.date) -> League:
    """The lines feed loses its prices from `from_day` on."""
    lines = league.lines.copy()
    late = pd.to_datetime(lines["game_date"]) >= pd.Timestamp(from_day)
    lines[["over_price", "under_price"]] = lines[["over_price", "under_price"]].astype("Int64")
    lines.loc[late, ["over_price", "under_price"]] = pd.NA
    return dataclasses.replace(league, lines=lines)


def take_down(ctx: Context, market: str, system_id: str = DOWN_SYSTEM) -> None:
    """Delete the serving model's file from the bucket: the system can only skip from now on."""
    record = registry.resolve(ctx, market, system_id)
    if record is not None and ctx.blobs.exists(record.uri):
        ctx.blobs.path(record.uri).unlink()


def apply(ctx: Context, scenario: str | None, leagues: list[League], from_day: dt.date) -> list[League]:
    """Apply a scenario's platform-side fault once history is loaded and the systems are trained."""
    if scenario == "feature_missing":
        return [without_prices(league, from_day) for league in leagues]
    if scenario == "system_down":
        for league in leagues:
            take_down(ctx, league.market)
    return leagues
