"""Build as-of feature rows: for a live slate, and for training over history.

Both go through `compute`, so what a model is trained on is what it is
scored on, and neither sees a stat from its own game date or later.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pandas as pd

from shared.domain.features.kinds import DERIVED, KINDS, game_count
from shared.domain.features.spec import FeatureSpec

IDS = ["entity_id", "entity_name", "game_id", "game_date", "team", "opponent", "home"]
# Known before the game: the line at prediction time and the game's spread and total.
LINE_COLUMNS = ["line", "opening_line", "over_price", "under_price"]
GAME_COLUMNS = ["game_total_line", "home_spread_line"]


def _played(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Played games only, with their box-score details as `details.<stat>` columns."""
    played = outcomes.loc[outcomes["status"] == "played", [*IDS, "actual", "workload"]].copy()
    played["game_date"] = pd.to_datetime(played["game_date"])
    played["is_target"] = False
    if "details_json" in outcomes and len(played):
        details = pd.DataFrame(
            [json.loads(text or "{}") for text in outcomes.loc[played.index, "details_json"]], index=played.index
        )
        played = played.join(details.add_prefix("details.").apply(pd.to_numeric, errors="coerce"))
    return played


def _with_game_lines(frame: pd.DataFrame, game_lines: pd.DataFrame | None) -> pd.DataFrame:
    if game_lines is None or game_lines.empty:
        return frame.assign(**dict.fromkeys(GAME_COLUMNS, np.nan))
    games = game_lines[["game_id", "total", "spread"]].rename(
        columns=dict(zip(["total", "spread"], GAME_COLUMNS, strict=True))
    )
    return frame.merge(games.drop_duplicates("game_id"), on="game_id", how="left")


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["entity_id", "game_date", "is_target"], kind="stable").reset_index(drop=True)


def compute(spec: FeatureSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """Features for every row of `frame` (sorted by entity, date), plus defaulted, history and quality."""
    for column in [*LINE_COLUMNS, *GAME_COLUMNS]:
        if column not in frame:
            frame = frame.assign(**{column: np.nan})
    for stat in {f.params[k] for f in spec.features for k in ("column", "per") if k in f.params}:
        if stat not in frame:  # a box-score stat this source does not report: the feature defaults
            frame = frame.assign(**{stat: np.nan})
    computed: dict[str, pd.Series] = {}
    for f in sorted(spec.features, key=lambda f: f.kind in DERIVED):
        extra = {"features": computed} if f.kind in DERIVED else {}
        computed[f.name] = KINDS[f.kind](frame, **f.params, **extra)
    values = pd.DataFrame({f.name: computed[f.name] for f in spec.features}, index=frame.index)
    missing = values.isna()
    filled = values.fillna({f.name: f.default for f in spec.features})
    history = game_count(frame)
    # Quality 0-100: share of features computed (not defaulted), scaled down
    # while the entity has fewer than min_history prior games.
    completeness = 1.0 - missing.mean(axis=1)
    depth = np.minimum(1.0, history / spec.min_history)
    filled["quality_score"] = (100 * completeness * depth).round().astype(int)
    filled["history_games"] = history.astype(int)
    filled["defaulted"] = [list(missing.columns[row]) for row in missing.to_numpy()]
    return filled


def training_frame(
    spec: FeatureSpec,
    outcomes: pd.DataFrame,
    lines: pd.DataFrame | None = None,
    game_lines: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every played entity-game with its as-of features and its actual stat.

    `lines` (one row per entity-game: the line at prediction time, its opening,
    prices, and the closing line for evaluation only) and `game_lines` are
    joined on the game; the closing line is never a feature.
    """
    frame = _played(outcomes)
    if lines is not None and not lines.empty:
        frame = frame.merge(lines.drop_duplicates(["entity_id", "game_id"]), on=["entity_id", "game_id"], how="left")
    frame = _sorted(_with_game_lines(frame, game_lines))
    return pd.concat([frame, compute(spec, frame)], axis=1)


def _targets(lines: pd.DataFrame, played: pd.DataFrame, game_date: dt.date) -> pd.DataFrame:
    """One row per entity on the slate; its team is its latest team, if that team plays in this game."""
    latest_team = played.sort_values("game_date").groupby("entity_id")["team"].last()
    targets = lines[["entity_id", "entity_name", "game_id", "home_team", "away_team"]].copy()
    team = targets["entity_id"].map(latest_team)
    in_game = (team == targets["home_team"]) | (team == targets["away_team"])
    targets["team"] = team.where(in_game)
    targets["home"] = (targets["team"] == targets["home_team"]).where(in_game)
    targets["opponent"] = targets["away_team"].where(targets["home"] == True, targets["home_team"])  # noqa: E712
    targets["opponent"] = targets["opponent"].where(in_game)
    targets["game_date"] = pd.Timestamp(game_date)
    targets["actual"] = np.nan
    targets["workload"] = np.nan
    targets["is_target"] = True
    return targets.drop(columns=["home_team", "away_team"])


def slate_rows(
    spec: FeatureSpec,
    history: pd.DataFrame,
    lines: pd.DataFrame,
    *,
    game_date: dt.date,
    run_id: str,
    as_of: dt.datetime,
    created_at: dt.datetime,
    game_lines: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """Feature rows (table `features`) for every entity with a line on the slate."""
    played = _played(history)
    if (played["game_date"] >= pd.Timestamp(game_date)).any():
        raise ValueError(f"history for a {game_date} slate must end before {game_date}")
    targets = _targets(lines, played, game_date).merge(lines[["entity_id", *LINE_COLUMNS]], on="entity_id")
    frame = _sorted(_with_game_lines(pd.concat([played, targets], ignore_index=True), game_lines))
    targets = pd.concat([frame, compute(spec, frame)], axis=1)
    targets = targets[targets["is_target"]].merge(lines[["entity_id", "snapshot_at"]], on="entity_id")
    names = spec.names()
    rows = []
    for row in targets.to_dict("records"):
        rows.append(
            {
                "market": spec.market,
                "game_date": game_date,
                "run_id": run_id,
                "entity_id": row["entity_id"],
                "entity_name": row["entity_name"],
                "game_id": row["game_id"],
                "team": row["team"],
                "opponent": row["opponent"],
                "home": None if pd.isna(row["home"]) else bool(row["home"]),
                "as_of": as_of,
                "line": row["line"],
                "over_price": row["over_price"],
                "under_price": row["under_price"],
                "opening_line": row["opening_line"],
                "line_at": row["snapshot_at"],
                "history_games": row["history_games"],
                "features_json": json.dumps({n: round(float(row[n]), 6) for n in names}),
                "defaulted": row["defaulted"],
                "quality_score": row["quality_score"],
                "created_at": created_at,
            }
        )
    return rows


def feature_matrix(rows: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Feature columns from the features_json of stored feature rows, in `names` order."""
    parsed = pd.DataFrame([json.loads(text) for text in rows["features_json"]], index=rows.index)
    missing = [n for n in names if n not in parsed.columns]
    if missing:
        raise KeyError(f"feature rows lack {missing}")
    return parsed[names].astype(float)
