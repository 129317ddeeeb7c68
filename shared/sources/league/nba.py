"""Synthetic NBA player points: 30 teams of 10 rotation players."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
from scipy.special import ndtr

from shared.sources.league import common
from shared.sources.league.book import BookSpec

MARKET = "nba_points"
SPORT = "nba"
TEAMS = common.NBA_TEAMS
ROTATION = 10
# Base minutes by rotation slot (starters first); each player gets noise on top.
MINUTES_BY_SLOT = np.array([34.0, 33.0, 31.0, 30.0, 28.0, 23.0, 20.0, 17.0, 15.0, 14.0])
MINUTES_SD = 4.0
BACK_TO_BACK_MINUTES = 0.95
HOME_EDGE = 1.02  # home scoring multiplier; away gets 2 - HOME_EDGE
DNP_RATE = 0.03
# Gamma-Poisson size: shooting nights vary more than Poisson allows.
POINTS_DISPERSION = 10.0
TALENT_PHI, TALENT_STEP_SD = 0.97, 0.02  # stationary sd of the drift is about 8%

# The book's single distribution must also absorb the minutes noise, so it is wider.
BOOK = BookSpec(bias=0.2, dispersion=8.0, integer_share=0.15, softness=2.0)


def _games_per_day(rng: np.random.Generator) -> int:
    return int(rng.integers(5, 9))


def _rest_weight(rest: np.ndarray, streak: np.ndarray) -> np.ndarray:
    # Rested teams are likelier to play, yet back-to-backs still happen.
    return np.minimum(rest, 4).astype(float) ** 1.5


def simulate(
    rng: np.random.Generator, names: list[str], start: datetime.date, days: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(games, slate): the schedule and one row per expected player-game with true_mean."""
    roster = common.roster("nba-p", TEAMS, ROTATION, names)
    n_teams, n_players = len(TEAMS), len(roster)

    base_minutes = np.clip(np.tile(MINUTES_BY_SLOT, n_teams) + rng.normal(0, 1.5, n_players), 14, 36)
    minutes_z = (base_minutes - base_minutes.mean()) / base_minutes.std()
    # Points per minute in 0.25..0.75, better players play more.
    ppm = 0.25 + 0.5 * ndtr(0.6 * minutes_z + 0.8 * rng.standard_normal(n_players))
    rebounds_per_min = rng.uniform(0.08, 0.33, n_players)
    assists_per_min = rng.uniform(0.04, 0.28, n_players)
    defence = rng.normal(1.0, 0.05, n_teams)  # points allowed multiplier
    pace = rng.normal(1.0, 0.04, n_teams)
    drift = common.drift_paths(rng, days, n_players, TALENT_PHI, TALENT_STEP_SD)

    schedule = common.draw_schedule(rng, n_teams, days, lambda: _games_per_day(rng), _rest_weight)
    games = common.game_labels(SPORT, TEAMS, start, schedule)

    sides = common.appearances(schedule, ROTATION)
    game, is_home, team, opponent, rest = sides
    player = team * ROTATION + np.tile(np.arange(ROTATION), 2 * len(schedule.day))
    day = schedule.day[game]
    n = len(game)

    minutes_mean = base_minutes[player] * np.where(rest == 1, BACK_TO_BACK_MINUTES, 1.0)
    points_per_minute = (
        ppm[player]
        * np.exp(drift[day, player])
        * defence[opponent]
        * (pace[team] + pace[opponent])
        / 2
        * np.where(is_home, HOME_EDGE, 2 - HOME_EDGE)
    )
    true_mean = points_per_minute * common.clipped_normal_mean(minutes_mean, MINUTES_SD, 0.0, 48.0)

    dnp = rng.random(n) < DNP_RATE
    minutes = np.round(np.clip(rng.normal(minutes_mean, MINUTES_SD), 0.0, 48.0), 1)
    mu = points_per_minute * minutes
    points = rng.poisson(rng.gamma(POINTS_DISPERSION, mu / POINTS_DISPERSION))
    details = _box_score(rng, points, minutes, rebounds_per_min[player], assists_per_min[player])

    slate = common.slate_frame(
        MARKET,
        games,
        roster,
        sides,
        player,
        status=np.where(dnp, "dnp", "played"),
        actual=points,
        workload=minutes,
        details_json=details,
        true_mean=true_mean,
    )
    return games, slate


def _box_score(
    rng: np.random.Generator,
    points: np.ndarray,
    minutes: np.ndarray,
    rebounds_per_min: np.ndarray,
    assists_per_min: np.ndarray,
) -> np.ndarray:
    fta = rng.poisson(0.25 * points)
    # Enough field-goal attempts to make the points possible (at most 3 a shot).
    fga = np.maximum(rng.poisson(np.maximum(points - 0.78 * fta, 0) / 1.05), np.ceil((points - fta) / 3))
    reb = rng.poisson(rebounds_per_min * minutes)
    ast = rng.poisson(assists_per_min * minutes)
    return common.box_scores(fga=fga, fta=fta, reb=reb, ast=ast)
