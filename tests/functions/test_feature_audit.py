"""The leakage audit and the train/serve parity check, through the real queries on a seeded warehouse.

- Parity: the features the feature store serves for a slate equal the features
  training computes for the same entity-games (lines and game lines included).
- Leakage: a slate's features do not change when anything dated on or after its
  game date changes (outcomes), nor when a line snapshot after its as_of changes.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from shared import runtime
from shared.contract import markets
from shared.contract.events import LinesPosted
from shared.domain.features import spec
from shared.handlers.feature_store import build_slate
from shared.sources import feed
from shared.systems import training


def served(ctx, market: str, day: dt.date, run_id: str) -> dict[str, dict[str, float]]:
    build_slate(LinesPosted(market, day, run_id, markets.market(market).prediction_time(day)), ctx)
    rows = ctx.warehouse.sql(
        "SELECT entity_id, features_json FROM propflow.features WHERE market = @m AND game_date = @d AND run_id = @r",
        m=market,
        d=day,
        r=run_id,
    )
    return {r.entity_id: json.loads(r.features_json) for r in rows.itertuples()}


@pytest.mark.parametrize("market", ["nba_points", "mlb_strikeouts"])
def test_serving_features_equal_training_features(market, seeded):
    ctx = runtime.context()
    day = seeded.first_live
    league = seeded.leagues[market]
    feed.post_lines(ctx, league, day)
    feed.finish_day(ctx, league, day)  # closing lines and outcomes of the day: training needs them
    ctx.bus.queue.clear()
    ctx.warehouse.upsert("outcomes", league.outcomes[feed.game_dates(league.outcomes) == day])
    features = served(ctx, market, day, "audit")
    trained = training.training_data(ctx, market, day)
    trained = trained[trained["game_date"].dt.date == day].set_index("entity_id")
    compared = 0
    for entity_id, values in features.items():
        if entity_id not in trained.index:  # did not play: no training row
            continue
        compared += 1
        expected = {n: round(float(trained.loc[entity_id, n]), 6) for n in spec.load(market).names()}
        assert values == pytest.approx(expected, abs=1e-6), entity_id
    assert compared >= 0.9 * len(features) > 10
    assert {"current_line", "implied_over"} <= set(values) and values["current_line"] > 0


@pytest.mark.parametrize("market", ["nba_points", "mlb_strikeouts"])
def test_nothing_on_or_after_the_slate_leaks_into_its_features(market, seeded):
    ctx = runtime.context()
    day = seeded.first_live
    league = seeded.leagues[market]
    feed.post_lines(ctx, league, day)
    before = served(ctx, market, day, "before")
    # Everything the future could tell: the day's results, later days' results and a wild closing line.
    later = league.outcomes[feed.game_dates(league.outcomes) >= day].assign(actual=99.0, workload=40.0)
    ctx.warehouse.upsert("outcomes", later.assign(status="played"))
    closing = feed.lines_with_teams(league)
    last = closing["snapshot_at"] == closing.groupby(["game_id", "entity_id"])["snapshot_at"].transform("max")
    closing = closing[(feed.game_dates(closing) == day) & last].assign(line=0.5, over_price=-900)
    ctx.warehouse.upsert("prop_lines", closing)
    after = served(ctx, market, day, "after")
    assert after == before
    assert len(before) > 10
