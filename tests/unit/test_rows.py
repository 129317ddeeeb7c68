import datetime as dt

import pytest

from shared.contract import schemas
from shared.contract.rows import RowError, to_arrow

ROW = {"market": "m", "game_date": dt.date(2026, 1, 1), "game_id": "g", "entity_id": "e", "status": "played"}


def test_unknown_columns_are_refused():
    with pytest.raises(RowError, match=r"outcomes: unknown columns \['actaul'\]"):
        to_arrow(schemas.table("outcomes"), [{**ROW, "actaul": 3}])


def test_required_nulls_are_refused_with_the_column():
    with pytest.raises(RowError, match="REQUIRED column status is null in 1 row"):
        to_arrow(schemas.table("outcomes"), [{**ROW, "status": None}])


def test_duplicate_keys_keep_the_last_row_and_nan_becomes_null():
    table = to_arrow(schemas.table("outcomes"), [{**ROW, "actual": 1.0}, {**ROW, "actual": float("nan")}])
    assert table.num_rows == 1
    assert table.column("actual").to_pylist() == [None]
    assert table.column("home").to_pylist() == [None]  # absent columns are null


def test_bad_types_fail_before_writing():
    with pytest.raises(RowError, match="outcomes"):
        to_arrow(schemas.table("outcomes"), [{**ROW, "actual": "many"}])
