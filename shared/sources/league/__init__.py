"""A deterministic synthetic league: games, prop lines and outcomes for the demo and the tests.

Same market and seed give identical frames, byte for byte. The world (talent,
schedule, box scores) and the book draw from separate random streams, so the
outcomes do not change when only the book is retuned.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from shared.sources.league import book, common, mlb, nba

MARKETS = {nba.MARKET: nba, mlb.MARKET: mlb}
# A distinct random stream per market, so adding a market never shifts another's data.
_STREAM = {nba.MARKET: 1, mlb.MARKET: 2}
TRUTH_COLUMNS = ("market", "game_id", "entity_id", "true_mean")


@dataclass(frozen=True)
class Faults:
    """Ways the world can turn on the models, for diagnostics to catch (issue 6's fault scenarios).

    sharp_book_from: from this day the book's estimate carries a sixth of its usual noise.
    scoring_drift_from: from this day true scoring rises, reaching +scoring_drift after
    drift_ramp_days; the book follows the truth, so only stale models fall behind.
    """

    sharp_book_from: datetime.date | None = None
    scoring_drift_from: datetime.date | None = None
    scoring_drift: float = 0.3
    drift_ramp_days: int = 5


def _drift_scoring(slate: pd.DataFrame, faults: Faults, rng: np.random.Generator) -> pd.DataFrame:
    """Raise true means from the drift date on, and add the extra points or strikeouts to the results."""
    days = (pd.to_datetime(slate["game_date"]) - pd.Timestamp(faults.scoring_drift_from)).dt.days.to_numpy()
    lift = faults.scoring_drift * np.clip((days + 1) / faults.drift_ramp_days, 0, 1) * (days >= 0)
    extra_mean = slate["true_mean"].to_numpy() * lift
    played = slate["status"] == "played"
    # Independent Poisson extras keep the stat a count and leave the rest of the world untouched.
    extra = np.where(played, rng.poisson(extra_mean), 0)
    return slate.assign(true_mean=slate["true_mean"] + extra_mean, actual=slate["actual"] + extra)


@dataclass(frozen=True)
class League:
    market: str
    games: pd.DataFrame  # one row per game: game_id, game_date (datetime.date), home_team, away_team
    lines: pd.DataFrame  # prop line snapshots, see book.LINE_COLUMNS
    outcomes: pd.DataFrame  # one row per entity-game, see common.OUTCOME_COLUMNS
    truth: pd.DataFrame  # market, game_id, entity_id, true_mean (the expected stat), for tests

    def __eq__(self, other: object) -> bool:
        # Frames have no truth value, so compare them with DataFrame.equals.
        if not isinstance(other, League):
            return NotImplemented
        return all(
            (a.equals(b) if isinstance(a, pd.DataFrame) else a == b)
            for a, b in ((getattr(self, f.name), getattr(other, f.name)) for f in fields(self))
        )


def generate(
    market: str,
    seed: int = 7,
    start: datetime.date = datetime.date(2026, 1, 5),
    days: int = 90,
    faults: Faults | None = None,
) -> League:
    """Simulate `days` calendar days from `start` of one market (optionally with fault scenarios)."""
    if market not in MARKETS:
        raise ValueError(f"unknown market {market!r}; known: {sorted(MARKETS)}")
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    sport = MARKETS[market]
    # The fault stream comes last, so a healthy league is the same with or without this feature.
    names_seq, world_seq, book_seq, fault_seq = np.random.SeedSequence(seed, spawn_key=(_STREAM[market],)).spawn(4)
    n_entities = len(sport.TEAMS) * sport.ROTATION
    names = common.player_names(np.random.default_rng(names_seq), n_entities)

    games, slate = sport.simulate(np.random.default_rng(world_seq), names, start, days)
    faults = faults or Faults()
    if faults.scoring_drift_from:
        slate = _drift_scoring(slate, faults, np.random.default_rng(fault_seq))
    noise_scale = None
    if faults.sharp_book_from:
        sharp = pd.to_datetime(slate["game_date"]) >= pd.Timestamp(faults.sharp_book_from)
        noise_scale = np.where(sharp, 1 / 6, 1.0)
    lines = book.post_lines(slate, np.random.default_rng(book_seq), sport.BOOK, noise_scale)
    return League(
        market=market,
        games=games.sort_values(["game_date", "game_id"], kind="stable").reset_index(drop=True),
        lines=lines,
        outcomes=slate.loc[:, list(common.OUTCOME_COLUMNS)],
        truth=slate.loc[:, list(TRUTH_COLUMNS)],
    )


__all__ = ["Faults", "League", "generate"]
