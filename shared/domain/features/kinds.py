"""How each kind of feature is computed.

Every function takes the frame of one market's rows sorted by entity and
date (played history plus the rows to predict, whose stats are NaN) and
returns one value per row computed only from that entity's earlier rows:
every window ends at the row before, which is what keeps the game itself out.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from shared.domain import odds

Kind = Callable[..., pd.Series]

# Kinds computed from other features of the same row; they get `features=` and come last.
DERIVED = frozenset({"line_minus"})


def _group_starts(frame: pd.DataFrame) -> np.ndarray:
    """For each row, the position of its entity's first row (frame is sorted by entity)."""
    entity = frame["entity_id"].to_numpy()
    first = np.r_[True, entity[1:] != entity[:-1]]
    return np.maximum.accumulate(np.where(first, np.arange(len(entity)), 0))


def _prior_window_sum(frame: pd.DataFrame, column: str, window: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Sum and count of the non-missing values in the entity's previous `window` rows (None: all)."""
    values = frame[column].to_numpy(dtype=float)
    present = ~np.isnan(values)
    sums = np.r_[0.0, np.cumsum(np.where(present, values, 0.0))]
    counts = np.r_[0, np.cumsum(present)]
    rows = np.arange(len(values))
    lo = _group_starts(frame)
    if window is not None:
        lo = np.maximum(lo, rows - window)
    return sums[rows] - sums[lo], (counts[rows] - counts[lo]).astype(float)


def rolling_mean(frame: pd.DataFrame, column: str, window: int) -> pd.Series:
    total, n = _prior_window_sum(frame, column, window)
    return pd.Series(np.where(n > 0, total / np.maximum(n, 1), np.nan), index=frame.index)


def ewm_mean(frame: pd.DataFrame, column: str, half_life: float) -> pd.Series:
    prior = frame.groupby("entity_id", sort=False)[column].shift(1)
    smoothed = prior.groupby(frame["entity_id"], sort=False).ewm(halflife=half_life, ignore_na=True).mean()
    return smoothed.reset_index(level=0, drop=True).reindex(frame.index)


def expanding_mean(frame: pd.DataFrame, column: str) -> pd.Series:
    total, n = _prior_window_sum(frame, column, None)
    return pd.Series(np.where(n > 0, total / np.maximum(n, 1), np.nan), index=frame.index)


def rolling_rate(frame: pd.DataFrame, column: str, per: str, window: int) -> pd.Series:
    total, n = _prior_window_sum(frame, column, window)
    exposure, _ = _prior_window_sum(frame, per, window)
    ok = (n > 0) & (exposure > 0)  # no numerator data is missing, not a rate of zero
    return pd.Series(np.where(ok, total / np.where(ok, exposure, 1), np.nan), index=frame.index)


def _prior_series(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame.groupby("entity_id", sort=False)[column].shift(1)


def rolling_std(frame: pd.DataFrame, column: str, window: int) -> pd.Series:
    total, n = _prior_window_sum(frame, column, window)
    squares, _ = _prior_window_sum(frame.assign(_sq=frame[column] ** 2), "_sq", window)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = (squares - total**2 / n) / (n - 1)
    return pd.Series(np.where(n >= 2, np.sqrt(np.clip(variance, 0, None)), np.nan), index=frame.index)


def rolling_max(frame: pd.DataFrame, column: str, window: int) -> pd.Series:
    prior = _prior_series(frame, column)
    peak = prior.groupby(frame["entity_id"], sort=False).rolling(window, min_periods=1).max()
    return peak.reset_index(level=0, drop=True).reindex(frame.index)


def ewm_rate(frame: pd.DataFrame, column: str, per: str, half_life: float) -> pd.Series:
    return ewm_mean(frame, column, half_life) / ewm_mean(frame, per, half_life).where(lambda s: s > 0)


def back_to_back(frame: pd.DataFrame) -> pd.Series:
    return (rest_days(frame, cap=2) == 1).astype(float).where(rest_days(frame, cap=2).notna())


def line(frame: pd.DataFrame) -> pd.Series:
    """The line at prediction time (its own row's, never a later snapshot)."""
    return frame["line"].astype(float)


def line_move(frame: pd.DataFrame) -> pd.Series:
    """How far the line moved from its opening to prediction time."""
    return (frame["line"] - frame["opening_line"]).astype(float)


def implied_over(frame: pd.DataFrame) -> pd.Series:
    """The book's de-vigged probability of the over, from its two prices."""
    return pd.Series(odds.devig_over(frame["over_price"], frame["under_price"]), index=frame.index)


def game_total(frame: pd.DataFrame) -> pd.Series:
    return frame["game_total_line"].astype(float)


def team_spread(frame: pd.DataFrame) -> pd.Series:
    """The entity's team's spread (negative when favoured)."""
    spread = frame["home_spread_line"].astype(float)
    return spread.where(frame["home"] == True, -spread).where(frame["home"].notna())  # noqa: E712


def line_minus(frame: pd.DataFrame, of: str, features: dict[str, pd.Series]) -> pd.Series:
    """The line minus another feature of the row (e.g. its rolling mean)."""
    return frame["line"].astype(float) - features[of]


def game_count(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(np.arange(len(frame)) - _group_starts(frame), index=frame.index, dtype=float)


def rest_days(frame: pd.DataFrame, cap: float) -> pd.Series:
    previous = frame.groupby("entity_id", sort=False)["game_date"].shift(1)
    return ((frame["game_date"] - previous).dt.days).clip(upper=cap).astype(float)


def home(frame: pd.DataFrame) -> pd.Series:
    return frame["home"].astype("float64")


def opponent_allowed(
    frame: pd.DataFrame, column: str, window_days: int, min_games: int, per: str | None = None
) -> pd.Series:
    """The stat entities made against this row's opponent over the window, relative to the league.

    With `per`, a rate: the stat per unit of `per` (e.g. strikeouts per batter faced).
    """
    if per is not None:
        made = opponent_allowed(frame, column, window_days, min_games)
        return made / opponent_allowed(frame, per, window_days, min_games)
    played = frame[~frame["is_target"] & frame[column].notna()]
    dates = frame["game_date"].to_numpy()
    start = dates - np.timedelta64(window_days, "D")

    def window_totals(rows: pd.DataFrame, at: np.ndarray, since: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        daily = rows.groupby("game_date")[column].agg(["sum", "count"]).sort_index()
        days = daily.index.to_numpy()
        sums = np.concatenate([[0.0], daily["sum"].cumsum().to_numpy()])
        counts = np.concatenate([[0.0], daily["count"].cumsum().to_numpy()])
        hi, lo = np.searchsorted(days, at, "left"), np.searchsorted(days, since, "left")
        return sums[hi] - sums[lo], counts[hi] - counts[lo]

    league_sum, league_n = window_totals(played, dates, start)
    opp_sum, opp_n = np.zeros(len(frame)), np.zeros(len(frame))
    positions = {opp: np.flatnonzero(frame["opponent"].to_numpy() == opp) for opp in played["opponent"].unique()}
    by_opponent = dict(tuple(played.groupby("opponent")))
    for opponent, where in positions.items():
        opp_sum[where], opp_n[where] = window_totals(by_opponent[opponent], dates[where], start[where])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (opp_sum / opp_n) / (league_sum / league_n)
    ratio[(opp_n < min_games) | ~np.isfinite(ratio)] = np.nan
    return pd.Series(ratio, index=frame.index)


KINDS: dict[str, Kind] = {
    "rolling_std": rolling_std,
    "rolling_max": rolling_max,
    "ewm_rate": ewm_rate,
    "back_to_back": back_to_back,
    "line": line,
    "line_move": line_move,
    "implied_over": implied_over,
    "game_total": game_total,
    "team_spread": team_spread,
    "line_minus": line_minus,
    "rolling_mean": rolling_mean,
    "ewm_mean": ewm_mean,
    "expanding_mean": expanding_mean,
    "rolling_rate": rolling_rate,
    "game_count": game_count,
    "rest_days": rest_days,
    "home": home,
    "opponent_allowed": opponent_allowed,
}
