"""One slate of 450 entities scored end to end on the embedded default (issue 4: under 1 s).

From the features-ready event in to the ensemble rows written: three scorer
deployments (baseline, XGBoost, CatBoost) and the ensemble, through the
in-process bus, DuckDB and the model registry. Printed next to the raw
inference time of the same three models on the same rows, measured in the
same run.

    python bench/slate_scoring.py [--entities 450] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
from machine import describe

from shared import ports, runtime
from shared.contract import topology
from shared.contract.events import FeaturesReady
from shared.domain.features.build import feature_matrix
from shared.ops import demo
from shared.sources import feed
from shared.sources.league import generate
from shared.systems import loader, registry

MARKET = "nba_points"
START = dt.date(2026, 1, 5)
HISTORY = 45


def prepare(home: Path, entities: int) -> tuple[ports.Context, dt.date, dt.datetime]:
    """History, trained champions, and one slate's feature rows copied up to `entities` entities."""
    os.environ["PROPFLOW_HOME"] = str(home)  # the functions the bus calls build their context from the env
    ctx = runtime.context()
    league = generate(MARKET, seed=5, start=START, days=HISTORY + 1)
    day = START + dt.timedelta(days=HISTORY)
    feed.load_history(ctx, league, day)
    demo.train_systems(ctx, MARKET, day - dt.timedelta(days=1))
    feed.post_lines(ctx, league, day)
    ctx.bus.drain()  # the real feature store builds the day's slate
    rows = ctx.warehouse.sql("SELECT * FROM propflow.features WHERE market = @m AND game_date = @d", m=MARKET, d=day)
    copies = [
        rows.assign(entity_id=rows["entity_id"] + f"-{i}", run_id="bench") for i in range(-(-entities // len(rows)))
    ]
    slate = pd.concat(copies).head(entities)
    ctx.warehouse.upsert("features", slate.assign(game_date=day))
    return ctx, day, rows["as_of"].iloc[0].to_pydatetime()


def raw_inference(ctx: ports.Context, day: dt.date) -> float:
    slate = ctx.warehouse.query("slate_features", market=MARKET, game_date=day, run_id="bench")
    models = []
    for system_id in ("baseline_l10", "xgb_core", "cat_rolling"):
        record = registry.resolve(ctx, MARKET, system_id)
        models.append(loader.load(record, registry.fetch(ctx, record)))
    matrices = [feature_matrix(slate, list(m.features)) for m in models]
    started = time.perf_counter()
    for model, x in zip(models, matrices, strict=True):
        model.predict_mean(x)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=450)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ctx, day, as_of = prepare(Path(tmp), args.entities)
        walls = []
        for attempt in range(args.repeat + 1):  # the first run warms imports and model caches
            run_id = f"bench-{attempt}"
            ctx.warehouse.upsert(
                "features",
                ctx.warehouse.query("slate_features", market=MARKET, game_date=day, run_id="bench").assign(
                    run_id=run_id
                ),
            )
            started = time.perf_counter()
            ctx.bus.publish(topology.FEATURES_READY, FeaturesReady(MARKET, day, run_id, as_of, args.entities))
            ctx.bus.drain()
            wall = time.perf_counter() - started
            written = ctx.warehouse.sql(
                "SELECT COUNT(*) AS n FROM propflow.predictions WHERE run_id = @r AND system_id = 'ensemble'", r=run_id
            )["n"][0]
            assert written == args.entities, f"{written} ensemble rows for {args.entities} entities"
            if attempt:
                walls.append(wall)
        inference = statistics.median(raw_inference(ctx, day) for _ in range(args.repeat))
        wall = statistics.median(walls)
        rows = args.entities * 4  # three systems and the ensemble
        print(f"machine: {describe()}")
        print(f"slate: {args.entities} entities, 3 systems + ensemble = {rows} prediction rows, median of {len(walls)}")
        print(
            f"end to end, features-ready in -> ensemble rows written: {wall * 1000:7.1f} ms ({rows / wall:,.0f} rows/s)"
        )
        print(f"raw inference of the 3 models on the same rows:         {inference * 1000:7.1f} ms")
        print(f"end to end / raw inference: {wall / inference:.1f}x")
        print(json.dumps({"entities": args.entities, "wall_s": wall, "inference_s": inference}))
        runtime.reset()


if __name__ == "__main__":
    main()
