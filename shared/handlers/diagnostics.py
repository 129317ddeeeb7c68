"""diagnostics handler: diagnostics-daily -> one row per market and system, and the alerts it raises.

It reads a market's day (default: yesterday) of the production run from the warehouse and the registry,
scores it with shared/domain/diagnostics.py (metrics, alert levels, root cause), writes diagnostics_daily
and publishes alert-raised for every row whose level is not NONE. Alert levels follow markets.yaml
`diagnostics:` (see DiagnosticsRules).
"""

from __future__ import annotations

import datetime as dt
import json

from shared import clock
from shared.contract import markets, topology
from shared.contract.events import LIVE_RUN, AlertRaised, DiagnosticsDaily
from shared.contract.markets import Market
from shared.domain import diagnostics
from shared.ports import Context
from shared.systems import registry


def _coverage(ctx: Context, market: str, day: dt.date) -> dict[str, float]:
    rows = ctx.warehouse.query("slate_coverage", market=market, game_date=day, run_id=LIVE_RUN)
    rows = rows[rows["system_id"].notna()]
    return {r.system_id: 100.0 * r.scored / r.entities for r in rows.itertuples() if r.entities}


def _served_models(ctx: Context, market: Market) -> dict[str, diagnostics.ServedModel]:
    models = {}
    for system_id in market.systems:
        record = registry.serving(ctx, market.market_id, system_id, LIVE_RUN)
        if record is not None:
            models[system_id] = diagnostics.ServedModel(
                features=list(record.features),
                feature_reference=record.metrics.get("feature_reference", {}),
                line_reference=record.metrics.get("line_reference") or {},
            )
    return models


def diagnose_market(ctx: Context, market: Market, day: dt.date) -> list[dict]:
    grades = ctx.warehouse.query("diagnostics_grades", market=market.market_id, game_date=day, days=30, run_id=LIVE_RUN)
    served = ctx.warehouse.query("served_features", market=market.market_id, game_date=day, days=7, run_id=LIVE_RUN)
    coverage = _coverage(ctx, market.market_id, day)
    if grades.empty and served.empty and not coverage:
        return []  # nothing served or graded in 30 days: the market is not live on this deployment
    completeness = ctx.warehouse.query("grading_completeness", market=market.market_id, game_date=day, run_id=LIVE_RUN)
    seen = diagnostics.MarketDay(
        day=day,
        grades=grades,
        served=served,
        coverage=coverage,
        final_predictions=int(completeness["final_predictions"].iloc[0]),
        graded=int(completeness["graded"].iloc[0]),
        recent=ctx.warehouse.query("recent_diagnostics", market=market.market_id, game_date=day, days=6),
        models=_served_models(ctx, market),
        active_systems=list(market.active_systems(ctx.settings)),
    )
    computed_at = clock.now()
    return [{**row, "computed_at": computed_at} for row in diagnostics.diagnose(market, seen)]


def diagnose_day(event: DiagnosticsDaily, ctx: Context) -> None:
    day = event.game_date or clock.today() - dt.timedelta(days=1)
    for market_id in event.markets or sorted(markets.all_markets()):
        rows = diagnose_market(ctx, markets.market(market_id), day)
        ctx.warehouse.upsert("diagnostics_daily", rows)
        for row in rows:
            if row["alert_level"] == "NONE":
                continue
            reasons = json.loads(row["factors_json"])["reasons"]
            cause = f" Likely cause: {row['primary_cause']}." if row["primary_cause"] != "none" else ""
            alert = AlertRaised(
                alert_id=f"{day}:{market_id}:{row['system_id']}:{row['alert_level']}",
                game_date=day,
                market=market_id,
                system_id=row["system_id"],
                level=row["alert_level"],
                title=f"{row['alert_level']} {market_id} / {row['system_id']} on {day}",
                message="; ".join(reasons) + cause,
            )
            ctx.bus.publish(topology.ALERT_RAISED, alert, {"market": market_id, "level": row["alert_level"]})
