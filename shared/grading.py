"""grading handler: game-final -> outcomes recorded -> grades for every system and the ensemble.

A pick (OVER / UNDER) is WIN, LOSS or PUSH against its line, PUSH only when
the actual equals an (integer) line; a player who did not play (DNP,
scratched, not starting, or absent from the box score) voids it. PASS rows
are graded for error but get no result.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import numpy as np
import pandas as pd

from shared.decision import OVER, UNDER
from shared.events import GameFinal, PoisonEvent
from shared.runtime import Context

log = logging.getLogger(__name__)

WIN, LOSS, PUSH, VOID = "WIN", "LOSS", "PUSH", "VOID"
DEFAULT_PRICE = -110


def result(recommendation: str | None, line: float, actual: float, status: str | None) -> str | None:
    if recommendation not in (OVER, UNDER):
        return None
    if status != "played" or actual is None or np.isnan(actual):
        return VOID
    if actual == line:
        return PUSH
    won = actual > line if recommendation == OVER else actual < line
    return WIN if won else LOSS


def profit_units(result: str | None, price: float) -> float | None:
    """Units won staking one unit at American odds `price`."""
    if result == WIN:
        return price / 100.0 if price > 0 else 100.0 / -price
    if result == LOSS:
        return -1.0
    return 0.0 if result in (PUSH, VOID) else None


def grade(predictions: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """One grade row per prediction row, joined to the entity's outcome."""
    results = outcomes[["entity_id", "status", "actual"]].rename(columns={"status": "outcome_status"})
    joined = predictions.drop(columns=["actual", "outcome_status"], errors="ignore").merge(
        results, on="entity_id", how="left"
    )
    played = joined["outcome_status"] == "played"
    actual = joined["actual"].where(played)
    rows = joined[
        [
            "run_id",
            "market",
            "game_date",
            "game_id",
            "system_id",
            "entity_id",
            "model_id",
            "model_version",
            "line",
            "mean",
            "p_over",
            "recommendation",
        ]
    ].copy()
    rows["outcome_status"] = joined["outcome_status"].fillna("missing")
    rows["actual"] = actual
    rows["error"] = joined["mean"] - actual
    rows["abs_error"] = rows["error"].abs()
    rows["line_abs_error"] = (joined["line"] - actual).abs()
    rows["beat_line"] = (rows["abs_error"] < rows["line_abs_error"]).where(
        rows["abs_error"].notna() & rows["line_abs_error"].notna()
    )
    rows["result"] = [
        result(r, ln, a, s)
        for r, ln, a, s in zip(joined["recommendation"], joined["line"], actual, joined["outcome_status"], strict=True)
    ]
    side_price = np.where(joined["recommendation"] == OVER, joined["over_price"], joined["under_price"])
    rows["price"] = pd.Series(side_price, index=rows.index).astype("Float64").fillna(DEFAULT_PRICE).astype(int)
    rows["profit_units"] = [profit_units(r, p) for r, p in zip(rows["result"], rows["price"], strict=True)]
    rows.loc[rows["result"].isna(), "price"] = None
    rows["graded_at"] = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return rows


def outcome_rows(event: GameFinal) -> list[dict]:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return [
        {
            "market": event.market,
            "game_date": event.game_date,
            "game_id": event.game_id,
            "entity_id": line["entity_id"],
            "entity_name": line.get("entity_name"),
            "team": line.get("team"),
            "opponent": line.get("opponent"),
            "home": line.get("home"),
            "status": line["status"],
            "actual": line.get("actual") if line["status"] == "played" else None,
            "workload": line.get("workload") if line["status"] == "played" else None,
            "details_json": json.dumps(line.get("details") or {}, sort_keys=True),
            "source": "game-final",
            "updated_at": now,
        }
        for line in event.stat_lines or []
    ]


def grade_game(event: GameFinal, ctx: Context) -> None:
    key = {"market": event.market, "game_date": event.game_date, "game_id": event.game_id}
    bad = [
        line["entity_id"]
        for line in event.stat_lines or []
        if line["status"] == "played" and line.get("actual") is None
    ]
    if bad:
        raise PoisonEvent(f"game-final {event.game_id}: played stat lines without an actual for {bad}")
    ctx.warehouse.upsert("outcomes", outcome_rows(event))
    outcomes = ctx.warehouse.query("game_outcomes", **key)
    if outcomes.empty:
        raise PoisonEvent(f"game-final {event.game_id} carries no stat lines and the warehouse has none for it")
    predictions = ctx.warehouse.query("game_predictions", **key)
    if predictions.empty:
        log.warning("%s %s: final before any prediction; outcomes kept for later grading", event.market, event.game_id)
        return
    written = ctx.warehouse.upsert("grades", grade(predictions, outcomes))
    log.info("%s %s: %d rows graded", event.market, event.game_id, written)
