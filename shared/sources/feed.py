"""The upstream side of the demo: a synthetic league's lines and results, fed in as a real feed would.

Lines are written to prop_lines, and the scheduler's slates-due tick for the day
posts the slate (shared/handlers/schedule.py) as it does in production; after
the games, closing lines are written and every game is announced with
game-final carrying its stat lines.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib

import numpy as np
import pandas as pd

from shared.contract import markets, topology
from shared.contract.events import GameFinal, SlatesDue
from shared.ports import Context
from shared.sources.league import League


def lines_with_teams(league: League) -> pd.DataFrame:
    games = league.games[["game_id", "home_team", "away_team"]]
    return league.lines.merge(games, on="game_id", how="left")


def game_dates(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["game_date"]).dt.date


def _half(values: np.ndarray) -> np.ndarray:
    return np.round(values * 2) / 2


def game_lines(league: League) -> pd.DataFrame:
    """A book's game totals and home spreads from the league's true team scoring (NBA only)."""
    if markets.market(league.market).sport != "nba":
        return pd.DataFrame()
    teams = league.outcomes[["game_id", "entity_id", "team"]]
    scoring = league.truth.merge(teams, on=["game_id", "entity_id"]).groupby(["game_id", "team"])["true_mean"].sum()
    games = league.games.copy()
    home = scoring.reindex(list(zip(games["game_id"], games["home_team"], strict=True))).to_numpy()
    away = scoring.reindex(list(zip(games["game_id"], games["away_team"], strict=True))).to_numpy()
    # Deterministic per game: noise seeded from the game id, not from call order.
    noise = np.array([np.random.default_rng(zlib.crc32(g.encode())).normal(0, 3, 2) for g in games["game_id"]])
    games["total"] = _half(home + away + noise[:, 0])
    games["spread"] = _half(away - home + noise[:, 1])
    games["sport"], games["source"] = "nba", "synthetic"
    return games[["sport", "game_date", "game_id", "home_team", "away_team", "spread", "total", "source"]]


def load_history(ctx: Context, league: League, before: dt.date) -> None:
    """Ingest everything dated before `before` as history (no events)."""
    lines = lines_with_teams(league)
    ctx.warehouse.upsert("outcomes", league.outcomes[game_dates(league.outcomes) < before])
    ctx.warehouse.upsert("prop_lines", lines[game_dates(lines) < before])
    games = game_lines(league)
    if not games.empty:
        ctx.warehouse.upsert("game_lines", games[game_dates(games) < before])


def availability(league: League, day: dt.date) -> pd.DataFrame:
    """The day's injury news: about half of the scratches are announced two hours before prediction
    time (the rest come too late to know); the book keeps its line up either way."""
    out = league.outcomes[(game_dates(league.outcomes) == day) & (league.outcomes["status"] != "played")]
    keys = (f"{e}/{g}".encode() for e, g in zip(out["entity_id"], out["game_id"], strict=True))
    announced = out[np.fromiter((zlib.crc32(k) % 2 == 0 for k in keys), dtype=bool, count=len(out))]
    status = np.where(announced["status"] == "scratched", "not_starting", "out")
    reported = markets.market(league.market).prediction_time(day) - dt.timedelta(hours=2)
    return announced[["market", "game_date", "game_id", "entity_id"]].assign(
        status=status, reported_at=reported, source="synthetic"
    )


def post_lines(ctx: Context, league: League, day: dt.date) -> None:
    """Write the day's line snapshots and news known by prediction time, then send the clock's tick for the
    day (dated: the demo's days are past, where the scheduler's body says today)."""
    cutoff = markets.market(league.market).prediction_time(day)
    ctx.warehouse.upsert("availability", availability(league, day))
    lines = lines_with_teams(league)
    today = lines[(game_dates(lines) == day) & (lines["snapshot_at"] <= cutoff)]
    if today.empty:
        return
    ctx.warehouse.upsert("prop_lines", today)
    games = game_lines(league)
    if not games.empty:
        ctx.warehouse.upsert("game_lines", games[game_dates(games) == day])
    ctx.bus.publish(topology.SLATES_DUE, SlatesDue(day, [league.market]))


def _stat_line(row: pd.Series) -> dict:
    played = row["status"] == "played"
    return {
        "entity_id": row["entity_id"],
        "entity_name": row["entity_name"],
        "team": row["team"],
        "opponent": row["opponent"],
        "home": bool(row["home"]),
        "status": row["status"],
        "actual": float(row["actual"]) if played else None,
        "workload": float(row["workload"]) if played else None,
        "details": json.loads(row["details_json"] or "{}"),
    }


CORRECTION_RATE = 50  # about one game in 50 gets a stat correction the next day


def correct_previous_day(ctx: Context, league: League, day: dt.date) -> int:
    """Re-announce a few of yesterday's games with one played stat line changed, as scorers' corrections come."""
    yesterday = day - dt.timedelta(days=1)
    outcomes = league.outcomes[game_dates(league.outcomes) == yesterday]
    corrected = 0
    for game_id, rows in outcomes.groupby("game_id", sort=True):
        played = rows[rows["status"] == "played"]
        if zlib.crc32(str(game_id).encode()) % CORRECTION_RATE or played.empty:
            continue
        lines = [_stat_line(r) for _, r in rows.iterrows()]
        fixed = next(line for line in lines if line["status"] == "played")
        fixed["actual"] += 1.0
        final = GameFinal(league.market, str(game_id), yesterday, lines)
        ctx.bus.publish(topology.GAME_FINAL, final)
        corrected += 1
    return corrected


def finish_day(ctx: Context, league: League, day: dt.date) -> int:
    """Write the closing lines, then announce every game of the day as final. Returns games."""
    lines = lines_with_teams(league)
    cutoff = markets.market(league.market).prediction_time(day)
    late = lines[(game_dates(lines) == day) & (lines["snapshot_at"] > cutoff)]
    ctx.warehouse.upsert("prop_lines", late)
    outcomes = league.outcomes[game_dates(league.outcomes) == day]
    for game_id, rows in outcomes.groupby("game_id", sort=True):
        final = GameFinal(league.market, str(game_id), day, [_stat_line(r) for _, r in rows.iterrows()])
        ctx.bus.publish(topology.GAME_FINAL, final)
    return outcomes["game_id"].nunique()
