"""ensemble handler: predictions-scored -> (once every active system reported) ensemble rows.

Weighted average of the systems that scored an entity, weights (markets.yaml)
renormalised over the systems present. Confidence is the weighted confidence
x1.10 when the systems agree (spread of means below the market's
`agreement.bonus_below`), x0.85 when they disagree (spread above
`agreement.penalty_above`), and x0.8 when only one of several active systems
scored. When none scored, the ensemble skips that entity with the reasons.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import numpy as np
import pandas as pd

from shared import clock
from shared.contract import markets, topology
from shared.contract.events import EnsembleDeadline, EnsembleScored, PoisonEvent, PredictionsScored
from shared.domain import decision
from shared.ports import Context

log = logging.getLogger(__name__)

ENSEMBLE = "ensemble"
AGREEMENT_BONUS = 1.10
DISAGREEMENT_PENALTY = 0.85
SINGLE_SYSTEM_FALLBACK = 0.8
ENTITY_COLUMNS = ["market", "game_date", "game_id", "entity_name", "line", "over_price", "under_price"]


def _components(scored: pd.DataFrame, spread: pd.Series, factor: pd.Series, weighting: str) -> dict[str, str]:
    """Per entity, the JSON that explains its ensemble row: systems, weights and how set, spread, factor."""
    systems: dict[str, dict] = {}
    for r in scored.itertuples():
        systems.setdefault(r.entity_id, {})[r.system_id] = {
            "mean": round(r.mean, 4),
            "weight": round(r.share, 4),
            "model_version": r.model_version,
        }
    return {
        entity: json.dumps(
            {
                "spread": round(spread[entity], 4),
                "confidence_factor": factor[entity],
                "weighting": weighting,
                "systems": by_system,
            },
            sort_keys=True,
        )
        for entity, by_system in systems.items()
    }


def adaptive_weights(
    market: markets.Market, active: tuple[str, ...], recent: pd.DataFrame
) -> tuple[dict[str, float], str]:
    """Configured weights, or (when enabled) those times 1/recent MAE, renormalised, with a floor.

    A system with fewer than min_graded recent rows keeps its configured share:
    a few lucky days must not move the ensemble. Returns the weights and how they were set.
    """
    configured = {s: market.systems[s].weight if s in market.systems else 1.0 for s in active}
    rules = market.adaptive_weights
    if not rules.enabled:
        return configured, "configured"
    recent = recent.set_index("system_id")
    known = [s for s in active if s in recent.index and recent.loc[s, "graded"] >= rules.min_graded]
    if not known:
        return configured, "configured (too few graded rows)"
    total = sum(configured.values())
    shares = {s: w / total for s, w in configured.items()}
    inverse = {s: shares[s] / float(recent.loc[s, "mae"]) for s in known}
    budget = sum(shares[s] for s in known)  # adaptive systems share what they had between them
    scale = budget / sum(inverse.values())
    weights = {s: max(rules.floor, inverse[s] * scale) if s in inverse else shares[s] for s in active}
    return weights, "adaptive"


def combine(
    predictions: pd.DataFrame,
    market: markets.Market,
    active: tuple[str, ...],
    weights: dict[str, float] | None = None,
    weighting: str = "configured",
) -> pd.DataFrame:
    """Ensemble rows for one slate from its systems' rows (one per entity)."""
    rows = predictions[predictions["system_id"].isin(active)]
    if rows.empty:
        return pd.DataFrame()
    by_entity = rows.groupby("entity_id", sort=True)
    out = by_entity[ENTITY_COLUMNS].first()
    out["quality_score"] = by_entity["quality_score"].min()
    scored = rows[rows["status"] == "scored"].copy()
    weights = weights or {s: market.systems[s].weight for s in active}
    weight = scored["system_id"].map(weights).astype(float)
    scored["share"] = weight / weight.groupby(scored["entity_id"]).transform("sum")
    weighted = scored[["mean", "p_over", "p_push", "confidence"]].mul(scored["share"], axis=0)
    sums = weighted.groupby(scored["entity_id"]).sum()
    stats = scored.groupby("entity_id")["mean"].agg(["size", "min", "max"])
    spread = stats["max"] - stats["min"]
    several = stats["size"] >= 2
    factor = pd.Series(
        np.select(
            [
                several & (spread < market.agreement_bonus_below),
                several & (spread > market.agreement_penalty_above),
                (stats["size"] == 1) & (len(active) >= 2),
            ],
            [AGREEMENT_BONUS, DISAGREEMENT_PENALTY, SINGLE_SYSTEM_FALLBACK],
            1.0,
        ),
        index=stats.index,
    )
    out = out.join(sums)
    out["confidence"] = (out["confidence"] * factor.reindex(out.index)).clip(upper=100.0)
    flags = scored.groupby("entity_id")["red_flags"].agg(lambda s: sorted({f for flags in s for f in flags}))
    out["red_flags"] = [flags.get(e, []) for e in out.index]
    out["components_json"] = pd.Series(_components(scored, spread, factor, weighting))
    out["status"] = np.where(out.index.isin(stats.index), "scored", "skipped")
    out["edge"] = out["mean"] - out["line"]
    out["recommendation"] = decision.PASS
    picked = out["status"] == "scored"
    out.loc[picked, "recommendation"] = decision.recommend(
        out.loc[picked, "edge"].to_numpy(),
        out.loc[picked, "p_over"].to_numpy(),
        out.loc[picked, "p_push"].to_numpy(),
        out.loc[picked, "confidence"].to_numpy(),
        out.loc[picked, "red_flags"].tolist(),
        decision.Thresholds.of(market),
    )
    reasons: dict[str, list[str]] = {}
    for r in rows[~rows["entity_id"].isin(stats.index)].itertuples():
        reasons.setdefault(r.entity_id, []).append(f"{r.system_id}: {r.skip_reason}")
    out["skip_reason"] = pd.Series(
        {e: "all systems skipped; " + "; ".join(sorted(v)) for e, v in reasons.items()}, dtype=object
    )
    out["system_id"] = ENSEMBLE
    out["model_id"] = f"{market.market_id}.{ENSEMBLE}"
    return out.reset_index()


def write(ctx: Context, market: markets.Market, game_date: dt.date, run_id: str, predictions: pd.DataFrame) -> int:
    """Combine a slate's system rows, write the ensemble rows, publish ensemble-scored."""
    active = market.active_systems(ctx.settings)
    recent = pd.DataFrame(columns=["system_id", "graded", "mae"])
    if market.adaptive_weights.enabled:
        recent = ctx.warehouse.query(
            "recent_system_mae", market=market.market_id, game_date=game_date, days=market.adaptive_weights.days
        )
    weights, weighting = adaptive_weights(market, active, recent)
    rows = combine(predictions, market, active, weights, weighting)
    if rows.empty:
        return 0
    rows["run_id"] = run_id
    rows["game_date"] = game_date
    rows["event_id"] = ctx.event_id
    rows["scored_at"] = clock.now()
    ctx.warehouse.upsert("predictions", rows)
    done = EnsembleScored(
        market=market.market_id,
        game_date=game_date,
        run_id=run_id,
        systems=sorted(set(predictions["system_id"]) & set(active)),
        rows=len(rows),
        picks=int(rows["recommendation"].isin([decision.OVER, decision.UNDER]).sum()),
    )
    ctx.bus.publish(topology.ENSEMBLE_SCORED, done)
    return len(rows)


def combine_slate(event: PredictionsScored, ctx: Context) -> None:
    market = markets.market(event.market)
    if event.system_id not in market.systems:
        raise PoisonEvent(f"{event.market} has no system {event.system_id!r}; known: {sorted(market.systems)}")
    active = market.active_systems(ctx.settings)
    if event.system_id not in active:  # switched off since it scored: the ensemble leaves its rows out
        log.info("%s is not active in %s; its report changes no ensemble", event.system_id, event.market)
        return
    predictions = ctx.warehouse.query(
        "slate_predictions", market=event.market, game_date=event.game_date, run_id=event.run_id
    )
    # A scorer writes its rows before it reports, so a report without them can never be combined.
    if event.system_id not in set(predictions["system_id"]):
        raise PoisonEvent(
            f"{event.system_id} reported {event.market} {event.game_date} run {event.run_id}, "
            "but none of its rows are stored"
        )
    waiting = sorted(set(active) - set(predictions["system_id"]))
    if waiting:
        log.info("%s %s run %s: waiting for %s", event.market, event.game_date, event.run_id, waiting)
        return
    write(ctx, market, event.game_date, event.run_id, predictions)


def sweep_deadline(event: EnsembleDeadline, ctx: Context) -> None:
    """At the deadline, combine every slate still missing ensemble rows with whatever systems reported.

    The hourly clock (schedule.sweep) sends it per market and date once that market's deadline has passed; sent
    by hand, it sweeps now (default: today's slates of every market)."""
    day = event.game_date or clock.today()
    for market_id in event.markets or sorted(markets.all_markets()):
        market = markets.market(market_id)
        for run_id in ctx.warehouse.query("slates_without_ensemble", market=market_id, game_date=day)["run_id"]:
            predictions = ctx.warehouse.query("slate_predictions", market=market_id, game_date=day, run_id=run_id)
            missing = sorted(set(market.active_systems(ctx.settings)) - set(predictions["system_id"]))
            written = write(ctx, market, day, run_id, predictions)
            log.warning(
                "%s %s run %s: deadline passed without %s; %d ensemble rows from the rest",
                market_id,
                day,
                run_id,
                missing,
                written,
            )
