"""The synthetic sportsbook: noisy views of the truth turned into lines and American prices.

The book sees true_mean with relative noise that shrinks towards the close, so
the closing line is the sharpest, and it shades its estimate slightly towards
the over. The line is the half (or whole) number that splits the book's own
distribution closest to 50/50; prices carry the rest, plus the vig.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

BOOK = "synthbook"
VIG = 0.045  # total overround: -110/-110 is about 4.8%
PROB_FLOOR = 0.03  # no side is priced beyond about -3200/+3200


@dataclass(frozen=True)
class Snapshot:
    name: str
    offset: pd.Timedelta  # from midnight of game day
    noise: float  # relative sd of the book's estimate at this time


SNAPSHOTS: tuple[Snapshot, ...] = (
    Snapshot("opening", pd.Timedelta(hours=-2), 0.10),  # 22:00 the day before
    Snapshot("midday", pd.Timedelta(hours=15), 0.07),
    Snapshot("closing", pd.Timedelta(hours=23, minutes=30), 0.05),
)


@dataclass(frozen=True)
class BookSpec:
    bias: float  # added to the estimate: books shade towards the popular over
    dispersion: float | None  # negative binomial size of the book's view; None means Poisson
    integer_share: float = 0.0  # share of whole-number lines (pushes possible)
    vig: float = VIG
    # Multiplies the snapshots' noise. The healthy synthetic book is soft, as the lines
    # models are built against are: a fitted system competes with it, and a book that
    # sharpens shows in diagnostics.
    softness: float = 1.0


def _result(value: np.ndarray) -> float | np.ndarray:
    return value.item() if value.ndim == 0 else value


def american_from_prob(prob: ArrayLike) -> int | np.ndarray:
    """Nearest whole American price for a probability in (0, 1): 0.5238 -> -110, 0.4 -> +150."""
    p = np.asarray(prob, dtype=float)
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("probability must be strictly between 0 and 1")
    with np.errstate(divide="ignore"):
        raw = np.where(p >= 0.5, -100.0 * p / (1 - p), 100.0 * (1 - p) / p)
    # Even money is written +100; nothing lies strictly between -100 and +100.
    price = np.rint(raw).astype(np.int64)
    price = np.where(np.abs(price) <= 100, 100, price)
    return _result(price)


def round_line(value: ArrayLike, integer: ArrayLike = False) -> float | np.ndarray:
    """Nearest x.5 (or nearest whole number where `integer`), never below the smallest line."""
    v = np.asarray(value, dtype=float)
    whole = np.asarray(integer, dtype=bool)
    line = np.where(whole, np.maximum(np.floor(v + 0.5), 1.0), np.maximum(np.floor(v) + 0.5, 0.5))
    return _result(line)


def over_under_probs(mean: ArrayLike, line: ArrayLike, dispersion: float | None) -> tuple[np.ndarray, np.ndarray]:
    """P(stat > line) and P(stat < line) under a Poisson or negative binomial with this mean."""
    mu = np.maximum(np.asarray(mean, dtype=float), 1e-9)
    ln = np.asarray(line, dtype=float)
    dist = stats.poisson(mu) if dispersion is None else stats.nbinom(dispersion, dispersion / (dispersion + mu))
    over = dist.sf(np.floor(ln))
    under = dist.cdf(np.ceil(ln) - 1)
    return over, under


def fair_over_prob(mean: ArrayLike, line: ArrayLike, dispersion: float | None) -> np.ndarray:
    """Over probability given no push: what a fair price on the over reflects."""
    over, under = over_under_probs(mean, line, dispersion)
    return over / (over + under)


def pick_line(mean: ArrayLike, dispersion: float | None, integer: ArrayLike = False) -> np.ndarray:
    """The line next to `mean` whose fair over probability is closest to one half."""
    base = np.asarray(round_line(mean, integer))
    whole = np.asarray(integer, dtype=bool)
    floor = np.where(whole, 1.0, 0.5)
    candidates = np.stack([np.maximum(base + step, floor) for step in (-1.0, 0.0, 1.0)])
    distance = np.abs(fair_over_prob(mean, candidates, dispersion) - 0.5)
    return np.take_along_axis(candidates, distance.argmin(axis=0)[None], axis=0)[0]


def prices(fair_over: ArrayLike, vig: float = VIG) -> tuple[np.ndarray, np.ndarray]:
    """Over and under American prices: fair probabilities scaled up so they sum to 1 + vig."""
    p = np.clip(np.asarray(fair_over, dtype=float), PROB_FLOOR, 1 - PROB_FLOOR)
    scale = 1.0 + vig
    return (
        np.asarray(american_from_prob(np.minimum(p * scale, 0.99))),
        np.asarray(american_from_prob(np.minimum((1 - p) * scale, 0.99))),
    )


def nested_noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """Relative errors per snapshot, shape (n, snapshots).

    Each earlier snapshot is the later one plus independent extra noise, so
    lines move towards the truth and early moves carry information.
    """
    sds = np.array([s.noise for s in SNAPSHOTS])
    extra = np.sqrt(np.maximum(sds**2 - np.append(sds[1:], 0.0) ** 2, 0.0))
    steps = rng.standard_normal((n, len(SNAPSHOTS))) * extra
    return np.cumsum(steps[:, ::-1], axis=1)[:, ::-1]


LINE_COLUMNS: tuple[str, ...] = (
    "market",
    "game_date",
    "game_id",
    "entity_id",
    "entity_name",
    "book",
    "snapshot_at",
    "line",
    "over_price",
    "under_price",
    "source",
)


def post_lines(
    slate: pd.DataFrame, rng: np.random.Generator, spec: BookSpec, noise_scale: np.ndarray | None = None
) -> pd.DataFrame:
    """Opening, midday and closing lines for every row of `slate` (needs the keys and true_mean).

    `noise_scale` (one factor per row) makes the book sharper or duller for those games.
    """
    n, k = len(slate), len(SNAPSHOTS)
    truth = slate["true_mean"].to_numpy(dtype=float)
    noise = nested_noise(rng, n) * spec.softness
    if noise_scale is not None:
        noise = noise * np.asarray(noise_scale, dtype=float)[:, None]
    estimate = np.maximum(truth[:, None] * (1.0 + noise) + spec.bias, 0.3).ravel()
    integer = rng.random(n * k) < spec.integer_share
    line = pick_line(estimate, spec.dispersion, integer)
    over_price, under_price = prices(fair_over_prob(estimate, line, spec.dispersion), spec.vig)

    midnight = pd.to_datetime(pd.Series(slate["game_date"].to_numpy()).repeat(k).to_numpy())
    offsets = pd.to_timedelta(np.tile([s.offset for s in SNAPSHOTS], n))
    repeat = {c: slate[c].to_numpy().repeat(k) for c in ("market", "game_date", "game_id", "entity_id")}
    frame = pd.DataFrame(
        {
            **repeat,
            "entity_name": slate["entity_name"].to_numpy().repeat(k),
            "book": BOOK,
            "snapshot_at": midnight + offsets,
            "line": line,
            "over_price": over_price.astype(np.int64),
            "under_price": under_price.astype(np.int64),
            "source": "synthetic",
        }
    )
    return frame.loc[:, list(LINE_COLUMNS)]
