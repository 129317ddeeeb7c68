"""grading handlers: game-final -> outcomes recorded -> every system and the ensemble graded.

Each pick gets its result (shared/domain/grading.py): a player who did not play
(DNP, scratched, not starting, or absent from the box score) voids it. PASS rows
are graded for error but get no result. Each row also gets whether it beat the
line and the baseline system, the book's de-vigged P(over) at the pick (for
Brier and log loss against the market), and closing line value.

A game-final's stat lines are written to outcomes, except a load's (it names the
object generation, `source_object`, that stored them): those rows are graded as
stored, so they keep the source_object a corrected file replaces them by.

A second game-final for the same game (a stat correction) regrades it and
records what changed in grade_corrections. A game-final that arrives before
any prediction keeps its outcomes; `grade_late`, on ensemble-scored, grades
such games once their predictions land. One that cannot be true (a player
listed twice, a played line without an actual, a game the book's lines date
elsewhere or give to another sport, a player whose line is in another game
that day) is rejected before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import numpy as np
import pandas as pd

from shared import clock
from shared.contract import markets
from shared.contract.events import EnsembleScored, GameFinal, PoisonEvent
from shared.domain import odds
from shared.domain.decision import OVER, UNDER
from shared.domain.grading import profit_units, result
from shared.ports import Context

log = logging.getLogger(__name__)

DEFAULT_PRICE = -110
PREDICTION_COLUMNS = ["run_id", "market", "game_date", "game_id", "system_id", "entity_id", "model_id",
                      "model_version", "line", "mean", "p_over", "p_push", "recommendation"]  # fmt: skip


def _closing_value(rows: pd.DataFrame, joined: pd.DataFrame) -> None:
    """Closing line value of the side picked: in line units, and in de-vigged probability on an unchanged line."""
    side = np.select([rows["recommendation"] == OVER, rows["recommendation"] == UNDER], [1.0, -1.0], np.nan)
    closing = joined["closing_line"].astype(float)
    rows["closing_line"] = closing
    rows["clv_line"] = side * (closing - joined["line"])
    rows["closing_p_over"] = odds.devig_over(joined["closing_over_price"], joined["closing_under_price"])
    same_line = closing == joined["line"]
    moved = (rows["closing_p_over"] - rows["market_p_over"]) * side
    rows["clv_prob"] = moved.where(same_line)


def grade(
    predictions: pd.DataFrame,
    outcomes: pd.DataFrame,
    closing: pd.DataFrame | None = None,
    baseline_system: str | None = None,
) -> pd.DataFrame:
    """One grade row per prediction row, joined to the entity's outcome and closing line."""
    results = outcomes[["entity_id", "status", "actual"]].rename(columns={"status": "outcome_status"})
    joined = predictions.drop(columns=["actual", "outcome_status"], errors="ignore").merge(
        results, on="entity_id", how="left"
    )
    if closing is None or closing.empty:
        closing = pd.DataFrame(columns=["entity_id", "closing_line", "closing_over_price", "closing_under_price"])
    joined = joined.merge(closing, on="entity_id", how="left")
    played = joined["outcome_status"] == "played"
    actual = joined["actual"].where(played).astype(float)
    rows = joined[PREDICTION_COLUMNS].copy()
    rows["outcome_status"] = joined["outcome_status"].fillna("missing")
    rows["actual"] = actual
    rows["error"] = joined["mean"] - actual
    rows["abs_error"] = rows["error"].abs()
    rows["line_abs_error"] = (joined["line"] - actual).abs()
    known = rows["abs_error"].notna() & rows["line_abs_error"].notna()
    rows["beat_line"] = (rows["abs_error"] < rows["line_abs_error"]).where(known)
    baseline = rows.loc[rows["system_id"] == baseline_system, ["run_id", "entity_id", "abs_error"]]
    baseline_error = rows[["run_id", "entity_id"]].merge(baseline, how="left", on=["run_id", "entity_id"])["abs_error"]
    versus = rows["abs_error"].notna() & baseline_error.notna().to_numpy() & (rows["system_id"] != baseline_system)
    rows["beat_baseline"] = (rows["abs_error"] < baseline_error.to_numpy()).where(versus)
    rows["went_over"] = (actual > joined["line"]).where(played & (actual != joined["line"]) & joined["line"].notna())
    rows["market_p_over"] = odds.devig_over(joined["over_price"], joined["under_price"])
    _closing_value(rows, joined)
    rows["result"] = [
        result(r, ln, a, s)
        for r, ln, a, s in zip(joined["recommendation"], joined["line"], actual, joined["outcome_status"], strict=True)
    ]
    side_price = np.where(joined["recommendation"] == OVER, joined["over_price"], joined["under_price"])
    rows["price"] = pd.Series(side_price, index=rows.index).astype("Float64").fillna(DEFAULT_PRICE).astype(int)
    rows["profit_units"] = [profit_units(r, p) for r, p in zip(rows["result"], rows["price"], strict=True)]
    rows.loc[rows["result"].isna(), "price"] = None
    rows["graded_at"] = clock.now()
    return rows


def corrections(previous: pd.DataFrame, graded: pd.DataFrame, event_id: str | None) -> pd.DataFrame:
    """Rows whose actual, status or result changed between two gradings of a game."""
    if previous.empty:
        return pd.DataFrame()
    key = ["run_id", "system_id", "entity_id"]
    both = previous.merge(graded, on=key, suffixes=("_old", "_new"))

    def differs(column: str) -> pd.Series:
        old, new = both[f"{column}_old"], both[f"{column}_new"]
        return ~((old == new) | (old.isna() & new.isna()))

    changed = both[differs("actual") | differs("result") | differs("outcome_status")]
    return pd.DataFrame(
        {
            "market": changed["market"],
            "game_date": changed["game_date"],
            "game_id": changed["game_id"],
            "entity_id": changed["entity_id"],
            "run_id": changed["run_id"],
            "system_id": changed["system_id"],
            "old_actual": changed["actual_old"],
            "new_actual": changed["actual_new"],
            "old_result": changed["result_old"],
            "new_result": changed["result_new"],
            "old_status": changed["outcome_status_old"],
            "new_status": changed["outcome_status_new"],
            "event_id": event_id or "direct",
            "corrected_at": clock.now(),
        }
    )


def outcome_rows(event: GameFinal) -> list[dict]:
    now = clock.now()
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


def grade_stored_game(ctx: Context, market_id: str, game_date: dt.date, game_id: str) -> int:
    """Grade (or regrade) one game from what the warehouse holds; returns rows graded."""
    key = {"market": market_id, "game_date": game_date, "game_id": game_id}
    predictions = ctx.warehouse.query("game_predictions", **key)
    if predictions.empty:
        return 0
    graded = grade(
        predictions,
        ctx.warehouse.query("game_outcomes", **key),
        ctx.warehouse.query("game_closing_lines", **key),
        markets.market(market_id).baseline_system,
    )
    changed = corrections(ctx.warehouse.query("game_grades", **key), graded, ctx.event_id)
    if not changed.empty:
        log.warning("%s %s: correction changed %d graded rows", market_id, game_id, len(changed))
        ctx.warehouse.upsert("grade_corrections", changed)
    return ctx.warehouse.upsert("grades", graded)


def contradictions(event: GameFinal, lines: pd.DataFrame, stored_on: pd.Series) -> list[str]:
    """What in a game-final cannot be true: a stat line twice or without its actual, a stored game moved to
    another date (`stored_on`: the dates its outcomes are stored on), or what the book's lines of that day
    (`game_final_lines`) deny: a game is of one sport, and a player with a line is in that game.

    Lines on another date do not count against it: a postponed game keeps its id and is played later."""
    stat_lines = event.stat_lines or []
    listed = [line["entity_id"] for line in stat_lines]
    problems = []
    if twice := sorted({e for e in listed if listed.count(e) > 1}):
        problems.append(f"lists {twice} more than once")
    if no_actual := [
        line["entity_id"] for line in stat_lines if line["status"] == "played" and line.get("actual") is None
    ]:
        problems.append(f"played stat lines without an actual for {no_actual}")
    if elsewhere := sorted({str(d) for d in pd.to_datetime(stored_on).dt.date if d != event.game_date}):
        problems.append(f"its outcomes are stored on {elsewhere}: this final would move them")
    game = lines[lines["game_id"] == event.game_id]
    sport = markets.market(event.market).sport
    known = markets.all_markets()
    if sports := sorted({known[m].sport for m in game["market"] if m in known and known[m].sport != sport}):
        problems.append(f"the book's lines make it a {'/'.join(sports)} game, not {sport}")
    other = lines[(lines["market"] == event.market) & (lines["game_id"] != event.game_id)]
    if moved := sorted(f"{r.entity_id} ({r.game_id})" for r in other.itertuples() if r.entity_id in listed):
        problems.append(f"the book's lines put {moved} in other games that day")
    return problems


def grade_game(event: GameFinal, ctx: Context) -> None:
    key = {"market": event.market, "game_date": event.game_date, "game_id": event.game_id}
    lines = ctx.warehouse.query("game_final_lines", **key)
    stored_on = ctx.warehouse.query("game_stored_dates", market=event.market, game_id=event.game_id)["game_date"]
    if problems := contradictions(event, lines, stored_on):  # checked before any write: nothing of it is kept
        raise PoisonEvent(f"game-final {event.game_id} ({event.market}, {event.game_date}): " + "; ".join(problems))
    if event.source_object is None:  # a load's stat lines are stored already: rewritten, they would lose it
        ctx.warehouse.upsert("outcomes", outcome_rows(event))
    if ctx.warehouse.query("game_outcomes", **key).empty:
        if event.source_object is not None:  # a later generation of the file dropped the game
            log.info("%s %s: %s is replaced and the game gone", event.market, event.game_id, event.source_object)
            return
        raise PoisonEvent(f"game-final {event.game_id} carries no stat lines and the warehouse has none for it")
    graded = grade_stored_game(ctx, event.market, event.game_date, event.game_id)
    if not graded:
        log.warning("%s %s: final before any prediction; outcomes kept for later grading", event.market, event.game_id)


def grade_late(event: EnsembleScored, ctx: Context) -> None:
    """Predictions for a slate landed: grade its games that were already final."""
    pending = ctx.warehouse.query("ungraded_finals", market=event.market, game_date=event.game_date)
    for game_id in pending["game_id"]:
        grade_stored_game(ctx, event.market, event.game_date, game_id)
