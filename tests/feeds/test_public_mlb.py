"""Real MLB data through the shipped specs: starts and strikeout lines joined on name + local date (skipped
without ../shared/data)."""

from __future__ import annotations

import datetime as dt

import pytest
from support import filled_home, reopened

from shared import paths
from shared.domain.feeds.names import normalize
from shared.ops import public_data

DATA = paths.DATA_DIR
PROPS = public_data.PLANS["mlb"][-1][1]
needs_data = pytest.mark.skipif(not (DATA / PROPS).is_dir(), reason=f"real data not found at {DATA}")


def test_names_normalise_accents_punctuation_and_suffixes():
    assert normalize("José Ramírez Jr.") == normalize("Jose Ramirez") == "jose ramirez"
    assert normalize("Lance McCullers Jr.") == "lance mccullers"
    assert normalize("A.J. Minter II") == "aj minter"
    assert normalize("J. T. Ginn") == normalize("JT Ginn") == "jt ginn"
    assert normalize(float("nan")) == "" and normalize(None) == ""


@pytest.fixture(scope="module")
def ingested_home(tmp_path_factory):
    if not (DATA / PROPS).is_dir():
        pytest.skip(f"real data not found at {DATA}")
    return filled_home(tmp_path_factory, "mlb", lambda ctx: public_data.ingest(ctx, "mlb", DATA)[-1])


@pytest.fixture
def ingested(ingested_home, monkeypatch):
    """The ingested warehouse, reopened for this test."""
    home, report = ingested_home
    return reopened(home, monkeypatch), report


@needs_data
def test_join_rate_and_a_known_pitcher_game(ingested):
    ctx, report = ingested
    assert report.join_rate > 0.9
    assert ctx.warehouse.sql("SELECT COUNT(*) AS n FROM propflow.outcomes")["n"][0] == 10_644
    skenes = ctx.warehouse.sql(
        "SELECT l.line, l.snapshot_at, o.actual FROM propflow.prop_lines l JOIN propflow.outcomes o "
        "USING (market, game_id, entity_id) WHERE l.entity_name = 'Paul Skenes' AND l.game_date = @d "
        "AND l.book = 'consensus' ORDER BY l.snapshot_at",
        d=dt.date(2025, 6, 3),
    )
    assert skenes["line"].tolist()[-1] == 6.5 and skenes["actual"].nunique() == 1
    closing = ctx.warehouse.sql(
        "SELECT closing_line, closing_at FROM propflow.book_lines "
        "WHERE entity_name = 'Paul Skenes' AND game_date = @d AND book = 'consensus'",
        d=dt.date(2025, 6, 3),
    )
    assert closing.values.tolist() == [[6.5, skenes["snapshot_at"].iloc[-1]]]


@needs_data
def test_one_opening_and_one_closing_per_pitcher_game_and_book(ingested):
    ctx, _ = ingested
    lines = ctx.warehouse.sql("SELECT game_id, entity_id, book, snapshot_at FROM propflow.prop_lines")
    ends = ctx.warehouse.sql("SELECT * FROM propflow.book_lines")
    at = lines.groupby(["game_id", "entity_id", "book"])["snapshot_at"].agg(["min", "max", "size"])
    mine = ends.set_index(["game_id", "entity_id", "book"]).loc[at.index]
    assert len(ends) == len(at)
    assert (mine["opening_at"] == at["min"]).all() and (mine["closing_at"] == at["max"]).all()
    assert (mine["snapshots"] == at["size"]).all()


@needs_data
def test_unmatched_rows_are_kept_with_a_reason_and_reingest_adds_nothing(ingested):
    ctx, report = ingested
    unmatched = ctx.warehouse.sql("SELECT * FROM propflow.ingest_unmatched")
    assert len(unmatched) > 0 and unmatched["reason"].notna().all()
    # The crosswalk's other spellings match: the feed's "Matthew Boyd" is the starts' "Matt Boyd".
    boyd = ctx.warehouse.sql("SELECT COUNT(*) AS n FROM propflow.prop_lines WHERE entity_name = 'Matt Boyd'")
    assert boyd["n"][0] > 100
    assert int(unmatched["rows"].sum()) == report.rows_kept - report.rows_matched  # nothing silently dropped
    before = ctx.warehouse.sql("SELECT COUNT(*) AS n FROM propflow.prop_lines")["n"][0]
    public_data.ingest(ctx, "mlb", DATA)
    assert ctx.warehouse.sql("SELECT COUNT(*) AS n FROM propflow.prop_lines")["n"][0] == before
