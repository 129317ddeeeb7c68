"""Pieces both synthetic sports share: teams, names, schedules, talent drift."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.special import ndtr

NBA_TEAMS: tuple[str, ...] = (
    "ATL",
    "BOS",
    "BKN",
    "CHA",
    "CHI",
    "CLE",
    "DAL",
    "DEN",
    "DET",
    "GSW",
    "HOU",
    "IND",
    "LAC",
    "LAL",
    "MEM",
    "MIA",
    "MIL",
    "MIN",
    "NOP",
    "NYK",
    "OKC",
    "ORL",
    "PHI",
    "PHX",
    "POR",
    "SAC",
    "SAS",
    "TOR",
    "UTA",
    "WAS",
)
MLB_TEAMS: tuple[str, ...] = (
    "ARI",
    "ATL",
    "BAL",
    "BOS",
    "CHC",
    "CWS",
    "CIN",
    "CLE",
    "COL",
    "DET",
    "HOU",
    "KCR",
    "LAA",
    "LAD",
    "MIA",
    "MIL",
    "MIN",
    "NYM",
    "NYY",
    "OAK",
    "PHI",
    "PIT",
    "SDP",
    "SFG",
    "SEA",
    "STL",
    "TBR",
    "TEX",
    "TOR",
    "WSN",
)

# Accents, apostrophes, hyphens and suffixes are deliberate: they exercise the
# name normalisation that matching real feeds needs.
FIRST_NAMES: tuple[str, ...] = (
    "Aaron",
    "André",
    "Bojan",
    "Caleb",
    "Darius",
    "Derrick",
    "Élie",
    "Félix",
    "Gary",
    "Héctor",
    "Isaiah",
    "Jalen",
    "José",
    "Kevin",
    "Luka",
    "Marcus",
    "Nikola",
    "Óscar",
    "Paul",
    "Ramón",
    "Sergio",
    "Tyrese",
    "Víctor",
    "Walker",
    "Zach",
)
LAST_NAMES: tuple[str, ...] = (
    "Adams",
    "Bridges",
    "Castillo",
    "Dončić",
    "Ellis",
    "Fernández",
    "Green",
    "Hernández",
    "Ivanović",
    "Johnson",
    "Kowalski",
    "López",
    "Martin",
    "Müller",
    "Núñez",
    "O'Brien",
    "Peña",
    "Quinn",
    "Rodríguez",
    "Smith-Jones",
    "Thompson",
    "Urquidy",
    "Valdés",
    "Walker",
    "Young",
)
SUFFIXES: tuple[str, ...] = ("Jr.", "Sr.", "II", "III")
SUFFIX_SHARE = 0.08


@dataclass(frozen=True)
class Schedule:
    """Games in date order; rest is days since the team's previous game (99 if none)."""

    day: np.ndarray  # day index from the start
    away: np.ndarray  # team index
    home: np.ndarray
    away_rest: np.ndarray
    home_rest: np.ndarray


def player_names(rng: np.random.Generator, n: int) -> list[str]:
    """n distinct "First Last" names, a few with a suffix."""
    n_combos = len(FIRST_NAMES) * len(LAST_NAMES)
    if n > n_combos:
        raise ValueError(f"only {n_combos} distinct names, asked for {n}")
    picks = rng.choice(n_combos, size=n, replace=False)
    suffixed = rng.random(n) < SUFFIX_SHARE
    suffix = rng.integers(len(SUFFIXES), size=n)
    names = []
    for pick, has_suffix, s in zip(picks, suffixed, suffix, strict=True):
        name = f"{FIRST_NAMES[pick // len(LAST_NAMES)]} {LAST_NAMES[pick % len(LAST_NAMES)]}"
        names.append(f"{name} {SUFFIXES[s]}" if has_suffix else name)
    return names


@dataclass(frozen=True)
class Roster:
    """Every entity of a sport, team by team: entity i plays for team i // per_team."""

    teams: tuple[str, ...]
    ids: np.ndarray
    names: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def roster(prefix: str, teams: tuple[str, ...], per_team: int, names: list[str]) -> Roster:
    """Ids `<prefix>0001`... and the drawn names, `per_team` entities a team."""
    n = len(teams) * per_team
    if len(names) != n:
        raise ValueError(f"{len(teams)} teams of {per_team} need {n} names, got {len(names)}")
    ids = np.array([f"{prefix}{i:04d}" for i in range(1, n + 1)], dtype=object)
    return Roster(teams, ids, np.array(names, dtype=object))


def draw_schedule(
    rng: np.random.Generator,
    n_teams: int,
    days: int,
    games_per_day: Callable[[], int],
    weight: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> Schedule:
    """Each day pick teams (by `weight` of rest and playing streak) and pair them at random."""
    last = np.full(n_teams, -99)
    streak = np.zeros(n_teams, dtype=int)
    rows: list[tuple[int, int, int, int, int]] = []
    for day in range(days):
        rest = day - last
        w = weight(rest, streak)
        n_games = min(games_per_day(), n_teams // 2)
        teams = rng.choice(n_teams, size=2 * n_games, replace=False, p=w / w.sum())
        away, home = teams[0::2], teams[1::2]
        rows.extend((day, a, h, min(rest[a], 99), min(rest[h], 99)) for a, h in zip(away, home, strict=True))
        playing = np.zeros(n_teams, dtype=bool)
        playing[teams] = True
        streak = np.where(playing, streak + 1, 0)
        last[playing] = day
    cols = np.array(rows, dtype=np.int64).reshape(-1, 5).T
    return Schedule(*cols)


def drift_paths(rng: np.random.Generator, days: int, n: int, phi: float, step_sd: float) -> np.ndarray:
    """Mean-reverting log-multipliers of talent, shape (days, n), started from the stationary law."""
    stationary_sd = step_sd / np.sqrt(1.0 - phi**2)
    paths = np.empty((days, n))
    current = rng.normal(0.0, stationary_sd, n)
    for day in range(days):
        paths[day] = current
        current = phi * current + rng.normal(0.0, step_sd, n)
    return paths


def clipped_normal_mean(mu: np.ndarray, sigma: float, lo: float, hi: float) -> np.ndarray:
    """E[clip(X, lo, hi)] for X ~ N(mu, sigma): the exact expectation behind true_mean."""
    a = (lo - mu) / sigma
    b = (hi - mu) / sigma
    pdf_a = np.exp(-0.5 * a**2) / np.sqrt(2 * np.pi)
    pdf_b = np.exp(-0.5 * b**2) / np.sqrt(2 * np.pi)
    inside = ndtr(b) - ndtr(a)
    return lo * ndtr(a) + hi * (1 - ndtr(b)) + mu * inside + sigma * (pdf_a - pdf_b)


def game_labels(sport: str, teams: tuple[str, ...], start: datetime.date, schedule: Schedule) -> pd.DataFrame:
    """The games frame, in schedule order (row i is schedule game i)."""
    codes = np.array(teams, dtype=object)
    calendar = [start + datetime.timedelta(days=d) for d in range(int(schedule.day.max(initial=-1)) + 1)]
    dates = [calendar[d] for d in schedule.day]
    away, home = codes[schedule.away], codes[schedule.home]
    ids = [f"{sport}-{d:%Y%m%d}-{a}-{h}" for d, a, h in zip(dates, away, home, strict=True)]
    return pd.DataFrame({"game_id": ids, "game_date": dates, "home_team": home, "away_team": away})


class Sides(NamedTuple):
    """Games expanded to team sides, one row per expected participant."""

    game: np.ndarray  # index into the schedule (and the games frame)
    is_home: np.ndarray
    team: np.ndarray  # team index
    opponent: np.ndarray
    rest: np.ndarray  # the team's days since its previous game


def appearances(schedule: Schedule, per_team: int) -> Sides:
    """Expand games to team sides, `per_team` rows a side."""
    n_games = len(schedule.day)
    game = np.repeat(np.arange(n_games), 2 * per_team)
    is_home = np.tile(np.repeat([False, True], per_team), n_games)
    team = np.where(is_home, schedule.home[game], schedule.away[game])
    opponent = np.where(is_home, schedule.away[game], schedule.home[game])
    rest = np.where(is_home, schedule.home_rest[game], schedule.away_rest[game])
    return Sides(game, is_home, team, opponent, rest)


def box_scores(**stats: np.ndarray) -> np.ndarray:
    """details_json of each row: the named whole-number stats as one JSON object, in the order given."""
    return np.array(
        [json.dumps(dict(zip(stats, map(int, row), strict=True))) for row in zip(*stats.values(), strict=True)],
        dtype=object,
    )


OUTCOME_COLUMNS: tuple[str, ...] = (
    "market",
    "game_date",
    "game_id",
    "entity_id",
    "entity_name",
    "team",
    "opponent",
    "home",
    "status",
    "actual",
    "workload",
    "details_json",
    "source",
)


def slate_frame(
    market: str,
    games: pd.DataFrame,
    roster: Roster,
    sides: Sides,
    entity: np.ndarray,
    *,
    status: np.ndarray,
    actual: np.ndarray,
    workload: np.ndarray,
    details_json: np.ndarray,
    true_mean: np.ndarray,
) -> pd.DataFrame:
    """Outcome columns plus true_mean, one row per side's participant (`entity`, a roster index);
    unplayed rows blanked."""
    codes = np.array(roster.teams, dtype=object)
    played = status == "played"
    frame = pd.DataFrame(
        {
            "market": market,
            "game_date": games["game_date"].to_numpy()[sides.game],
            "game_id": games["game_id"].to_numpy()[sides.game],
            "entity_id": roster.ids[entity],
            "entity_name": roster.names[entity],
            "team": codes[sides.team],
            "opponent": codes[sides.opponent],
            "home": sides.is_home.astype(bool),
            "status": status,
            "actual": np.where(played, actual.astype(float), np.nan),
            "workload": np.where(played, workload.astype(float), np.nan),
            "details_json": np.where(played, details_json, "{}"),
            "source": "synthetic",
            "true_mean": true_mean.astype(float),
        }
    )
    return frame.sort_values(["game_date", "game_id", "entity_id"], kind="stable").reset_index(drop=True)
