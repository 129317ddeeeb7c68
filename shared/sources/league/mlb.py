"""Synthetic MLB starting pitcher strikeouts: 30 teams with a fixed 5-man rotation."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from shared.sources.league import common
from shared.sources.league.book import BookSpec

MARKET = "mlb_strikeouts"
SPORT = "mlb"
TEAMS = common.MLB_TEAMS
ROTATION = 5
BATTERS_SD = 3.5
BATTERS_MIN, BATTERS_MAX = 3, 33
HOOK_RATE = 0.05  # early exits: injury, blow-up, rain
HOOK_MIN, HOOK_MAX = 3, 12
HOME_EDGE = 1.015  # home strikeout multiplier; away gets 2 - HOME_EDGE
SCRATCH_RATE = 0.02
K_PHI, K_STEP_SD = 0.97, 0.015  # stationary sd of the drift is about 6%
WALK_RATE, HIT_RATE = 0.085, 0.31  # per non-strikeout PA, per ball in play

# Strikeouts are close to Poisson once batters faced vary, so the book uses Poisson.
BOOK = BookSpec(bias=0.05, dispersion=None, integer_share=0.0, softness=2.5)


def _games_per_day(rng: np.random.Generator) -> int:
    return int(rng.choice([13, 14, 15], p=[0.3, 0.4, 0.3]))


def _streak_weight(rest: np.ndarray, streak: np.ndarray) -> np.ndarray:
    # Long runs of consecutive games make an off day likelier.
    return 1.0 / (1.0 + 0.25 * streak)


def simulate(
    rng: np.random.Generator, names: list[str], start: datetime.date, days: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(games, slate): the schedule and one row per probable starter with true_mean."""
    roster = common.roster("mlb-sp", TEAMS, ROTATION, names)
    n_teams, n_pitchers = len(TEAMS), len(roster)

    k_rate = np.clip(rng.normal(0.22, 0.04, n_pitchers), 0.12, 0.36)
    stamina = rng.normal(23.0, 2.5, n_pitchers)  # mean batters faced
    opp_k = rng.normal(1.0, 0.07, n_teams)  # how often a lineup strikes out
    drift = common.drift_paths(rng, days, n_pitchers, K_PHI, K_STEP_SD)
    next_slot = rng.integers(ROTATION, size=n_teams)

    schedule = common.draw_schedule(rng, n_teams, days, lambda: _games_per_day(rng), _streak_weight)
    games = common.game_labels(SPORT, TEAMS, start, schedule)

    sides = common.appearances(schedule, 1)
    game, is_home, team, opponent, _ = sides
    # Each time a team plays, the next man in its rotation starts.
    slot = np.empty(len(game), dtype=np.int64)
    for i, t in enumerate(team):
        slot[i] = next_slot[t]
        next_slot[t] = (next_slot[t] + 1) % ROTATION
    pitcher = team * ROTATION + slot
    day = schedule.day[game]
    n = len(game)

    k_per_bf = np.clip(
        k_rate[pitcher] * np.exp(drift[day, pitcher]) * opp_k[opponent] * np.where(is_home, HOME_EDGE, 2 - HOME_EDGE),
        0.02,
        0.6,
    )
    full_outing = common.clipped_normal_mean(stamina[pitcher], BATTERS_SD, BATTERS_MIN, BATTERS_MAX)
    expected_bf = (1 - HOOK_RATE) * full_outing + HOOK_RATE * (HOOK_MIN + HOOK_MAX) / 2
    true_mean = k_per_bf * expected_bf

    scratched = rng.random(n) < SCRATCH_RATE
    hooked = rng.random(n) < HOOK_RATE
    full = np.clip(np.rint(rng.normal(stamina[pitcher], BATTERS_SD)), BATTERS_MIN, BATTERS_MAX)
    batters = np.where(hooked, rng.integers(HOOK_MIN, HOOK_MAX + 1, size=n), full).astype(np.int64)
    strikeouts = rng.binomial(batters, k_per_bf)
    details = _box_score(rng, batters, strikeouts)

    slate = common.slate_frame(
        MARKET,
        games,
        roster,
        sides,
        pitcher,
        status=np.where(scratched, "scratched", "played"),
        actual=strikeouts,
        workload=batters,
        details_json=details,
        true_mean=true_mean,
    )
    return games, slate


def _box_score(rng: np.random.Generator, batters: np.ndarray, strikeouts: np.ndarray) -> np.ndarray:
    walks = rng.binomial(batters - strikeouts, WALK_RATE)
    hits = rng.binomial(batters - strikeouts - walks, HIT_RATE)
    outs = np.minimum(batters - walks - hits, 27)
    pitches = np.maximum(np.rint(batters * 3.85 + rng.normal(0, 6, len(batters))), batters)
    return common.box_scores(pitches=pitches, outs=outs, walks=walks)
