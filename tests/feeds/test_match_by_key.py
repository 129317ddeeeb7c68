"""The matcher works on each distinct (name, date, game) once and hands the answer back to every row of it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from shared.domain.feeds import match, tables
from shared.domain.feeds.names import normalize

DAY = dt.date(2025, 3, 1)


def _rows(names: list[object], home: str = "DEN", away: str = "GSW", day: dt.date = DAY) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": names,
            "game_date": [day] * len(names),
            "home_team": home,
            "away_team": away,
            "game_id": f"nba-{day:%Y%m%d}-{away}-{home}",
            "book": [f"book{i}" for i in range(len(names))],
        }
    )


def _results(rows: list[tuple[dt.date, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"game_date": d, "game_id": f"g-{d}-{team}", "entity_id": e, "entity_name": n, "team": team}
         for d, e, n, team in rows]
    )  # fmt: skip


def test_each_distinct_name_is_normalised_once_and_a_missing_one_matches_nothing():
    names = pd.Series(["Nikola Jokić", None, "Nikola Jokic", np.nan, "Kelly Oubre Jr."], dtype=object)
    assert match.normalized(names).tolist() == [normalize(n) for n in names]
    assert match.normalized(names).tolist() == ["nikola jokic", "", "nikola jokic", "", "kelly oubre"]


def test_rows_of_one_name_date_and_game_all_get_the_same_entity_and_the_others_their_reason():
    results = _results(
        [
            (DAY, "nba-1", "Nikola Jokic", "DEN"),
            (DAY, "nba-2", "Jalen Williams", "OKC"),  # a namesake's game is another one
            (DAY, "nba-3", "Jalen Williams", "DEN"),
        ]
    )
    rows = pd.concat(
        [_rows(["Nikola Jokić", "Jalen Williams", "Zach Edey", None] * 50), _rows(["Jalen Williams"], "MIA", "BOS")]
    )
    found = match.by_name(rows, results, pd.DataFrame(columns=["entity_id", "name"]), pending_from=None)
    assert len(found.matched) == 100 and len(found.unmatched) == 101
    by_name = found.matched.groupby("name")["entity_id"].unique().map(list).to_dict()
    assert by_name == {"Jalen Williams": ["nba-3"], "Nikola Jokić": ["nba-1"]}
    assert set(found.matched["game_id"]) == {f"g-{DAY}-DEN"}  # the results' game, not the feed's key
    reasons = found.unmatched.groupby("name", dropna=False)["reason"].unique().map(list).to_dict()
    assert reasons == {"Jalen Williams": [match.NOT_IN_GAME], "Zach Edey": [match.NO_ENTITY], np.nan: [match.NO_ENTITY]}


def test_a_game_without_results_takes_the_entity_whose_latest_team_plays_in_it():
    before = DAY - dt.timedelta(days=1)
    results = _results(
        [
            (before - dt.timedelta(days=30), "nba-1", "Jalen Williams", "DEN"),  # traded since
            (before, "nba-1", "Jalen Williams", "OKC"),
            (before, "nba-2", "Jalen Williams", "DEN"),
        ]
    )
    rows = _rows(["Jalen Williams"] * 20 + ["Zach Edey"] * 5)
    found = match.by_name(rows, results, pd.DataFrame(columns=["entity_id", "name"]), pending_from=before)
    assert found.matched["entity_id"].tolist() == ["nba-2"] * 20
    assert found.matched["game_id"].tolist() == [f"nba-{DAY:%Y%m%d}-GSW-DEN"] * 20  # the spec's key, kept
    assert found.unmatched["reason"].tolist() == [match.NO_KNOWN] * 5


def test_box_scores_leave_out_the_stats_not_reported_and_round_the_rest():
    rows = pd.DataFrame({"stat:pts": [31.0, 12.4, np.nan], "stat:reb": [np.nan, 9.6, np.nan]})
    assert tables.box_scores(rows) == [{"pts": 31}, {"pts": 12, "reb": 10}, {}]
    assert all(type(v) is int for box in tables.box_scores(rows) for v in box.values())
