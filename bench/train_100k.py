"""Training time on 100k feature rows (issue 3: XGBoost under 60 s on this machine).

Builds as-of training rows from the synthetic NBA league (no warehouse in the
way), then fits each system's framework with its markets.yaml settings.

    python bench/train_100k.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from machine import describe

from shared.contract import markets
from shared.domain.features import build, spec
from shared.sources.league import generate
from shared.systems import loader
from shared.systems.training import recency_weights

MARKET = "nba_points"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    began = time.perf_counter()
    days = int(args.rows / 125) + 60  # the league plays about 130 player-games a day
    league = generate(MARKET, seed=3, days=days)
    frame = build.training_frame(spec.load(MARKET), league.outcomes).head(args.rows)
    print(f"machine: {describe()}")
    print(f"built {len(frame):,} as-of feature rows in {time.perf_counter() - began:.1f} s")
    train_end = frame["game_date"].max().date()
    for system_id in ("xgb_core", "cat_rolling"):
        system = markets.market(MARKET).systems[system_id]
        features = spec.load(MARKET).names(system.feature_set)
        weight = recency_weights(frame["game_date"], train_end, system.half_life_days)
        for framework in (system.framework, "lightgbm") if system_id == "xgb_core" else (system.framework,):
            params = system.params if framework == system.framework else {"n_estimators": 300, "learning_rate": 0.05}
            started = time.perf_counter()
            loader.framework(framework).fit(frame[features], frame["actual"].to_numpy(), weight, dict(params))
            seconds = time.perf_counter() - started
            rounds = params.get("n_estimators") or params.get("iterations")
            print(
                f"{framework:9s} {len(features)} features x {len(frame):,} rows, {rounds} rounds: "
                f"{seconds:6.1f} s ({len(frame) / seconds:,.0f} rows/s)"
            )
    print(f"total {time.perf_counter() - began:.1f} s, {dt.datetime.now():%Y-%m-%d %H:%M}")


if __name__ == "__main__":
    main()
