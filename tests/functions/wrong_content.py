"""Deliver one event to an entry point over a played warehouse, and judge everything it did.

For test_wrong_content.py (its explicit cases and its hypothesis fuzz): the names in the warehouse the
cases refer to, the rows each entry point's job may write, and `deliver`, which posts the event over
HTTP and fails the test on anything but "did its job" or "rejected with a reason, nothing else written".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from support import RowChanges, TableRows, pubsub_event, row_changes, warehouse_rows

from shared import ports, runtime
from shared.config import env_overlay
from shared.contract import markets, topology
from shared.entrypoint import deployment_name
from shared.handlers.ensemble import ENSEMBLE

MARKET = "nba_points"
PITCHERS = "mlb_strikeouts"
NO_DATA_MARKET = "nba_pra"  # configured, but the synthetic league posts no lines for it
NO_SLATE_DAY = dt.date(2026, 3, 20)  # after the played day: nothing was built for it
BEFORE_ANY_DATA = dt.date(2019, 6, 1)
UNKNOWN = "nobody"

# What each entry point publishes when it does its job; a rejected event publishes nothing.
PUBLISHES = {
    "schedule": {topology.LINES_POSTED, topology.ENSEMBLE_DEADLINE},
    "feature_store": {topology.FEATURES_READY},
    "scorer": {topology.PREDICTIONS_SCORED},
    "ensemble": {topology.ENSEMBLE_SCORED},
    "ensemble_sweep": {topology.ENSEMBLE_SCORED},
    "grading": set(),
    "grading_late": set(),
    "diagnostics": {topology.ALERT_RAISED},
    "alerting": set(),
    "training": set(),
}


@dataclass(frozen=True)
class World:
    """Names in the played warehouse: its live day and the day's games and players, three days of history."""

    day: dt.date
    history_day: dt.date
    game: str  # a nba_points game of the day, predicted and graded
    players: tuple[str, ...]  # its players with a line, sorted
    other_game: str  # another nba_points game that day
    other_player: str  # a player with a line in other_game
    history_game: str  # a nba_points game of history_day: outcomes and lines, no predictions
    history_player: str
    pitcher_game: str  # a mlb_strikeouts game of the day
    pitcher: str
    entities: Mapping[str, int]  # market -> entities in the day's slate
    alert_id: str  # the alert recorded for the day
    alert_system: str
    alert_level: str

    @classmethod
    def of(cls, ctx: ports.Context, day: dt.date) -> World:
        query = (
            "SELECT DISTINCT game_id, entity_id FROM propflow.prop_lines WHERE market = @market AND game_date = @day "
            "ORDER BY game_id, entity_id"
        )

        def lines(market: str, on: dt.date) -> dict[str, list[str]]:
            rows = ctx.warehouse.sql(query, market=market, day=on)
            return {g: sorted(rows["entity_id"][rows["game_id"] == g]) for g in sorted(set(rows["game_id"]))}

        today, history, pitching = lines(MARKET, day), lines(MARKET, day - dt.timedelta(days=3)), lines(PITCHERS, day)
        (game, players), (other_game, others) = list(today.items())[:2]
        history_game, history_players = next(iter(history.items()))
        pitcher_game, pitchers = next(iter(pitching.items()))
        alert = ctx.warehouse.sql("SELECT alert_id, system_id, level FROM propflow.alerts ORDER BY alert_id").iloc[0]
        return cls(
            day=day,
            history_day=day - dt.timedelta(days=3),
            game=game,
            players=tuple(players),
            other_game=other_game,
            other_player=others[0],
            history_game=history_game,
            history_player=history_players[0],
            pitcher_game=pitcher_game,
            pitcher=pitchers[0],
            entities={MARKET: sum(map(len, today.values())), PITCHERS: sum(map(len, pitching.values()))},
            alert_id=alert["alert_id"],
            alert_system=alert["system_id"],
            alert_level=alert["level"],
        )


def _rows_of(payload: dict, *fields: str) -> Callable[[dict], bool]:
    return lambda row: all(row[f] == str(payload[f]) for f in fields)


def job(function: str, payload: dict, system_id: str) -> dict[str, Callable[[dict], bool]]:
    """The rows (dicts of JSON values) an entry point's job may write for this payload; any other is a defect."""
    slate = _rows_of(payload, "market", "game_date", "run_id")
    if function == "schedule":  # a tick without a date looks at open slates: none, this far from the demo's days
        due = payload.get("markets") or list(markets.all_markets())
        return {"slate_posts": lambda r: r["game_date"] == payload.get("game_date") and r["market"] in due}
    if function == "feature_store":
        return {"features": slate}
    if function == "scorer":
        return {"predictions": lambda r: slate(r) and r["system_id"] == system_id}
    if function == "ensemble":
        return {"predictions": lambda r: slate(r) and r["system_id"] == ENSEMBLE}
    if function == "ensemble_sweep":
        day = payload.get("game_date", dt.datetime.now(dt.UTC).date().isoformat())
        swept = payload.get("markets") or list(markets.all_markets())
        return {"predictions": lambda r: r["system_id"] == ENSEMBLE and r["game_date"] == day and r["market"] in swept}
    if function == "grading":
        game = _rows_of(payload, "market", "game_id")
        listed = {line["entity_id"] for line in payload.get("stat_lines") or []}
        return {
            "outcomes": lambda r: game(r) and r["entity_id"] in listed,
            "grades": lambda r: game(r) and r["game_date"] == payload["game_date"],
            "grade_corrections": lambda r: game(r) and r["game_date"] == payload["game_date"],
        }
    if function == "grading_late":
        slate_day = _rows_of(payload, "market", "game_date")
        return {"grades": slate_day, "grade_corrections": slate_day}
    if function == "diagnostics":
        day = payload.get("game_date", (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)).isoformat())
        diagnosed = payload.get("markets") or list(markets.all_markets())
        return {"diagnostics_daily": lambda r: r["game_date"] == day and r["market"] in diagnosed}
    if function == "alerting":
        return {"alerts": _rows_of(payload, "alert_id")}
    if function == "training":
        named = payload.get("system_id")
        system = (lambda r: r["system_id"] == named) if named else (lambda r: True)
        market = _rows_of(payload, "market")
        return {
            "model_registry": lambda r: market(r) and system(r),
            "model_alias_history": lambda r: market(r) and system(r),
        }
    raise KeyError(function)


@dataclass(frozen=True)
class Handled:
    """What one delivery did, once `deliver` has checked it stayed within its job."""

    status: str  # the processed_events status: done or rejected
    reason: str | None
    changed: dict[str, int]  # table -> rows whose content the job added or changed
    published: list[dict]  # every message it published, in order: its payload and its topic
    after: dict[str, TableRows]  # warehouse_rows() once it was done


def deliver(
    post: Callable,
    ctx: ports.Context,
    before: dict[str, TableRows],
    function: str,
    payload: dict,
    env: Mapping[str, str] | None = None,
) -> Handled:
    """Post one event (over HTTP, as Eventarc would) and check what it did against `job`.

    Fails the test when the function answers anything but 200 (a raise is a retry, wrong for content that
    can never succeed), when its ledger row is missing or wrong, when a rejected event wrote or published
    anything, when any table ends up holding a key twice, or when a row outside the job was written, a
    row moved to another date or any row removed. `before` is warehouse_rows() of the warehouse as it stands.
    """
    topic = topology.TRIGGERS[function]
    env = {"SYSTEM_ID": "xgb_core", **(env or {})}
    event = pubsub_event(topic, payload)
    ctx.bus.queue.clear()
    with env_overlay(env):
        response = post(function, event)
        deployment = deployment_name(function, runtime.context())
    assert response.status_code == 200, f"{function} answered {response.status_code}: {response.get_data(True)[-800:]}"
    after = warehouse_rows(ctx)
    changes = row_changes(before, after)
    status, reason = _ledger(changes.pop("processed_events", None), deployment, event["id"], payload)
    published = [{"topic": m.topic, **json.loads(m.data)} for m in ctx.bus.queue]
    if status == "rejected":
        assert not changes, f"rejected, yet wrote {_summary(changes)}"
        assert not published, f"rejected, yet published {published}"
    else:
        scope = job(function, payload, env["SYSTEM_ID"])
        for table, change in changes.items():
            assert not change.removed, f"{function} removed {table} rows: {change.removed[:2]}"
            moved = [(old, new) for old, new in change.replaced if old.get("game_date") != new.get("game_date")]
            assert not moved, f"{function} moved {table} rows to another date: {moved[:1]}"
            allowed = scope.get(table, lambda r: False)
            outside = [r for r in change.written if not allowed(r)]
            assert not outside, f"{function} wrote {len(outside)} {table} rows outside its job: {outside[:2]}"
        assert {m["topic"] for m in published} <= PUBLISHES[function]
    changed = {table: len(c.changed) for table, c in changes.items() if c.changed}
    return Handled(status, reason, changed, published, after)


def _ledger(change: RowChanges | None, deployment: str, event_id: str, payload: dict) -> tuple[str, str | None]:
    """The one processed_events row the delivery wrote: done, or rejected with a reason and the raw payload."""
    assert change is not None and len(change.written) == 1, f"the ledger must record the event once: {change}"
    row = change.written[0]
    assert (row["function"], row["event_id"]) == (deployment, event_id)
    if row["status"] == "rejected":
        assert row["reason"], "a rejection must say why"
        assert json.loads(row["payload"]) == payload, "the dead-letter record keeps the raw payload"
    else:
        assert row["status"] == "done" and row["reason"] is None, row
    return row["status"], row["reason"]


def _summary(changes: dict[str, RowChanges]) -> dict[str, int]:
    return {table: len(c.written) + len(c.removed) for table, c in changes.items()}
