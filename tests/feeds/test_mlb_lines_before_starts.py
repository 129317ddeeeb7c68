"""The shipped MLB specs in production order: a day's strikeout lines land before its box scores, match the
pitcher by his latest team, and the starts that arrive later join them on the same game key."""

from __future__ import annotations

import io
import json

import pandas as pd

from shared.domain.feeds import spec as feed_spec
from shared.handlers.feeds import load_feed

SPECS = feed_spec.all_specs(None)
KIRBY, SUGANO = 669923, 608372


def csv_bytes(rows: list[dict]) -> io.BytesIO:
    return io.BytesIO(pd.DataFrame(rows).to_csv(index=False).encode())


def crosswalk() -> io.BytesIO:
    names = {"name_chadwick_register": "", "name_matched_from_cbkaplinger_starts": "", "name_inferred_from_k_props": ""}
    return csv_bytes(
        [
            {"pitcher_mlbam_id": KIRBY, "name_best": "George Kirby", **names},
            {"pitcher_mlbam_id": SUGANO, "name_best": "Tomoyuki Sugano", **names},
        ]
    )


def starts(day: str, strikeouts: tuple[int, int]) -> io.BytesIO:
    """Kirby pitches at home for SEA, Sugano away for BAL."""
    base = {"game_pk": 777001 if day.endswith("03") else 776000, "game_date": day, "outs": 18, "bf": 24}
    base |= {"pitches": 90, "walks": 2, "hits": 5}
    return csv_bytes(
        [
            {**base, "pitcher": KIRBY, "pitcher_team": "SEA", "opponent_team": "BAL", "is_home": True,
             "strikeouts": strikeouts[0]},
            {**base, "pitcher": SUGANO, "pitcher_team": "BAL", "opponent_team": "SEA", "is_home": False,
             "strikeouts": strikeouts[1]},
        ]
    )  # fmt: skip


def lines() -> io.BytesIO:
    """Two snapshots of the game of 2025-06-03 (21:40 ET), each pitcher's main line at two books."""
    rows = []
    for at in ("2025-06-03T13:00:00-04:00", "2025-06-03T19:00:00-04:00"):
        for name, line in (("George Kirby", 6.5), ("Tomoyuki Sugano", 3.5)):
            books = {"DraftKings": {"over": -115, "under": -105}, "FanDuel": {"over": -110, "under": -110}}
            rows.append(
                {"snapshot_generated_at": at, "event_id": "e1", "away_team": "Baltimore Orioles",
                 "home_team": "Seattle Mariners", "game_time": "2025-06-03T21:40:00-04:00", "pitcher_name": name,
                 "line": line, "consensus_over": -112, "consensus_under": -108, "sportsbook_count": 2,
                 "individual_odds": json.dumps(books), "is_pregame": True}
            )  # fmt: skip
    return csv_bytes(rows)


def test_lines_match_before_the_box_scores_and_the_starts_join_them(ctx):
    load_feed(ctx, SPECS["mlb_pitcher_names"], [("names.csv", crosswalk())])
    load_feed(ctx, SPECS["mlb_pitcher_starts"], [("starts.csv", starts("2025-05-28", (5, 4)))])  # their last start
    report = load_feed(ctx, SPECS["mlb_strikeout_lines"], [("props.csv", lines())])
    assert report.rows_kept == report.rows_matched == 4
    game = "mlb-20250603-BAL-SEA"
    stored = ctx.warehouse.sql("SELECT DISTINCT game_id, entity_id, book FROM propflow.prop_lines ORDER BY 2, 3")
    assert stored.values.tolist() == [
        [game, f"mlb-{pitcher}", book] for pitcher in (SUGANO, KIRBY) for book in ("DraftKings", "FanDuel", "consensus")
    ]
    load_feed(ctx, SPECS["mlb_pitcher_starts"], [("starts.csv", starts("2025-06-03", (8, 2)))])
    joined = ctx.warehouse.sql(
        "SELECT l.entity_name, l.closing_line, o.actual FROM propflow.book_lines l JOIN propflow.outcomes o "
        "USING (market, game_id, entity_id) WHERE l.book = 'consensus' ORDER BY 1"
    )
    assert joined.values.tolist() == [["George Kirby", 6.5, 8.0], ["Tomoyuki Sugano", 3.5, 2.0]]
