"""A file streamed in chunks of 1,000 rows (the minimum) loads the same rows and report as in one chunk, with
ladders, side pairs and duplicates straddling the chunk boundaries."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from shared.domain.feeds import rules
from shared.handlers.feeds import FeedError, load_feed
from tests.feeds.test_feed_language import BOX, FOREIGN, box_rows, csv_bytes, jsonl, outcome_rows, spec_of

SNAPSHOTS = [f"20250110T{h:02d}{m:02d}" for h in range(10, 21) for m in range(0, 60, 10)]  # ET, before the tip
BOOKS = [f"book{b}" for b in range(6)]
LATER_TIP = "2025-01-11T02:30:00Z"
PLAYERS = ["Nikola Jokic", "LeBron James", "Nobody Atall"]


def ladder(s: int, b: int) -> dict[float, tuple[float, float]]:
    """Three rungs, the even one (the main line) first, in the middle or last as the snapshot goes."""
    main, low, high = 20.5 + b, 18.5 + b, 22.5 + b
    rungs = [(low, (-160.0, 130.0)), (high, (140.0, -170.0))]
    rungs.insert(s % 3, (main, (-110.0, -110.0)))
    return dict(rungs)


def line_file() -> tuple[list[dict], dict]:
    """The rows, and what the test expects of them."""
    rows, under_later, again, ties = [], [], [], []
    for s, snapshot in enumerate(SNAPSHOTS):
        for player in PLAYERS:
            for b, book in enumerate(BOOKS):
                sides = outcome_rows(snapshot, book, ladder(s, b), outcome_description=player)
                # The main line as even at -120 for a later tip (another pair): a tie of the ladder, the first
                # row wins. Book 5's comes whole before its main line's Under: it is paired first.
                tie = outcome_rows(snapshot, book, {20.5 + b: (-120.0, -120.0)}, outcome_description=player)
                tie = [{**r, "commence_time": LATER_TIP} for r in tie]
                if book == "book5":  # its Unders come after every Over: each pair straddles chunks
                    rows += sides[::2] + tie
                    under_later += sides[1::2]
                else:
                    rows += sides
                if book == "book1":
                    # The main line's pair again, later prices: the pair is complete, the first prices stay.
                    again += outcome_rows(snapshot, book, {20.5 + b: (-105.0, -115.0)}, outcome_description=player)
                    ties += tie
    rows[9]["outcome_price"] = None  # an alternate pair without its Under price: waits for the file's end, loses
    duplicates = rows[:30]
    rows = rows + under_later + duplicates + again + ties
    ladders = len(SNAPSHOTS) * len(PLAYERS) * len(BOOKS)
    tie_pairs = len(SNAPSHOTS) * len(PLAYERS) * 2  # books 1 and 5
    expected = {
        "rows_read": len(rows),
        "rows_kept": ladders,
        "rejected": {rules.ALTERNATE: ladders * 2 + tie_pairs, rules.DUPLICATE: len(duplicates)},
        "matched": ladders * 2 // 3,
        "unmatched": {"Nobody Atall": ladders // 3},
    }
    return rows, expected


def loaded(ctx, chunk_rows: int | None, rows: list[dict]):
    doc = dict(FOREIGN, read={"format": "csv", **({"chunk_rows": chunk_rows} if chunk_rows else {})})
    report = load_feed(ctx, spec_of(doc), [("odds.csv", csv_bytes(rows))], source_object="gs://landing/odds.csv#1")
    lines = ctx.warehouse.sql("SELECT * FROM propflow.prop_lines").drop(columns=["ingested_at"])
    return report, lines.sort_values(list(lines.columns)).reset_index(drop=True)


def test_chunks_of_a_thousand_rows_load_what_one_chunk_loads(ctx):
    load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl(box_rows()))])
    rows, expected = line_file()
    assert expected["rows_read"] > 5 * 1000
    chunked, chunked_lines = loaded(ctx, 1000, rows)
    whole, whole_lines = loaded(ctx, len(rows) + 1, rows)

    assert dataclasses.asdict(chunked) == dataclasses.asdict(whole)
    pd.testing.assert_frame_equal(chunked_lines, whole_lines)
    assert chunked.rows_read == expected["rows_read"] and chunked.rows_kept == expected["rows_kept"]
    assert chunked.rejected == rules.count_desc(expected["rejected"])
    assert chunked.rows_matched == expected["matched"] and chunked.unmatched == expected["unmatched"]
    assert chunked.written["prop_lines"] == expected["matched"] == len(chunked_lines)
    # Each book's even rung (-110 both ways: the first of a tie with -120, both prices of pairs split apart).
    assert set(zip(chunked_lines["over_price"], chunked_lines["under_price"], strict=True)) == {(-110, -110)}
    assert (chunked_lines["line"] == 20.5 + chunked_lines["book"].str[-1].astype(int)).all()


def box_file() -> list[dict]:
    """1,200 box scores, then 300 of them again with other points (the same game and entity), then 50 exact
    copies: both kinds of duplicate chunks away from the row they repeat."""
    first = [
        {**box_rows(f"2025-01-{1 + d:02d}")[i % 2], "pid": 1000 + i, "pts": d + i} for d in range(30) for i in range(40)
    ]
    return first + [{**r, "pts": 99} for r in first[:300]] + first[500:550]


def test_box_scores_in_chunks_keep_the_first_of_a_game_and_entity(ctx):
    rows = box_file()
    reports, outcomes = [], []
    for chunk_rows in (1000, len(rows) + 1):
        doc = dict(BOX, read={"format": "jsonl", "chunk_rows": chunk_rows})
        reports.append(load_feed(ctx, spec_of(doc), [("box.jsonl", jsonl(rows))], source_object="gs://l/box#1"))
        frame = ctx.warehouse.sql("SELECT entity_id, game_id, market, actual FROM propflow.outcomes")
        outcomes.append(frame.sort_values(list(frame.columns)).reset_index(drop=True))

    assert dataclasses.asdict(reports[0]) == dataclasses.asdict(reports[1])
    pd.testing.assert_frame_equal(outcomes[0], outcomes[1])
    assert reports[0].rows_kept == 1200 and reports[0].rejected == {rules.DUPLICATE: 350}
    points = outcomes[0][outcomes[0]["market"] == "nba_points"]
    assert len(points) == 1200 and 99 not in set(points["actual"])
    assert len(reports[0].finals) == 2 * 30  # a game a day, two markets


def test_a_bad_time_in_a_later_chunk_writes_nothing(ctx):
    load_feed(ctx, spec_of(BOX), [("box.jsonl", jsonl(box_rows()))])
    rows, _ = line_file()
    rows[-10] = {**rows[-10], "commence_time": "soon"}
    doc = dict(FOREIGN, read={"format": "csv", "chunk_rows": 1000})
    with pytest.raises(FeedError, match="'soon' does not parse"):
        load_feed(ctx, spec_of(doc), [("odds.csv", csv_bytes(rows))])
    assert ctx.warehouse.sql("SELECT count(*) AS n FROM propflow.prop_lines")["n"].iloc[0] == 0
