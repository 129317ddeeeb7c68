import datetime as dt

import pandas as pd
import pytest

from shared.contract import schemas
from shared.contract.rows import RowError

DAY = dt.date(2026, 2, 1)


def outcome(entity: str, actual: float | None, status: str = "played") -> dict:
    return {
        "market": "nba_points",
        "game_date": DAY,
        "game_id": "g1",
        "entity_id": entity,
        "status": status,
        "actual": actual,
        "home": True,
        "updated_at": dt.datetime(2026, 2, 2, 3, 4, 5),
    }


def test_every_table_and_view_exists(backend):
    warehouse = backend.warehouse
    for name in [*schemas.tables(), *schemas.view_names()]:
        assert warehouse.sql(f"SELECT COUNT(*) AS n FROM propflow.{name}")["n"].iloc[0] == 0


def test_upsert_replaces_by_key_and_never_doubles(backend):
    warehouse = backend.warehouse
    assert warehouse.upsert("outcomes", [outcome("a", 10.0), outcome("b", 20.0)]) == 2
    assert warehouse.upsert("outcomes", [outcome("a", 12.0)]) == 1
    assert warehouse.upsert("outcomes", [outcome("a", 12.0)]) == 1
    rows = warehouse.sql("SELECT entity_id, actual FROM propflow.outcomes ORDER BY entity_id")
    assert rows.to_dict("records") == [{"entity_id": "a", "actual": 12.0}, {"entity_id": "b", "actual": 20.0}]


def test_values_round_trip_with_their_types(backend):
    warehouse = backend.warehouse
    warehouse.upsert(
        "predictions",
        [
            {
                "run_id": "r",
                "market": "nba_points",
                "game_date": DAY,
                "game_id": "g",
                "system_id": "s",
                "entity_id": "e",
                "status": "scored",
                "mean": 21.5,
                "red_flags": ["short_history", "missing_line"],
                "over_price": -115,
                "scored_at": dt.datetime(2026, 2, 1, 16, 0, 1),
            }
        ],
    )
    row = warehouse.sql("SELECT * FROM propflow.predictions").iloc[0]
    assert row["mean"] == 21.5 and row["over_price"] == -115
    assert list(row["red_flags"]) == ["short_history", "missing_line"]
    assert row["game_date"].date() == DAY and row["scored_at"].to_pydatetime() == dt.datetime(2026, 2, 1, 16, 0, 1)


def test_named_queries_take_exactly_their_parameters(backend):
    warehouse = backend.warehouse
    warehouse.upsert("outcomes", [outcome("a", 10.0), outcome("b", None, status="dnp")])
    rows = warehouse.query("game_outcomes", market="nba_points", game_date=DAY, game_id="g1")
    assert sorted(rows["entity_id"]) == ["a", "b"]
    with pytest.raises(ValueError, match="missing"):
        warehouse.query("game_outcomes", market="nba_points", game_date=DAY)


def test_bad_rows_write_nothing(backend):
    warehouse = backend.warehouse
    with pytest.raises(RowError):
        warehouse.upsert("outcomes", [outcome("a", 10.0), {**outcome("b", 1.0), "status": None}])
    assert warehouse.sql("SELECT COUNT(*) AS n FROM propflow.outcomes")["n"].iloc[0] == 0


def test_views_compute_from_tables(backend):
    warehouse = backend.warehouse
    base = {
        "run_id": "r",
        "market": "nba_points",
        "game_date": DAY,
        "game_id": "g",
        "system_id": "s",
        "abs_error": 2.0,
        "line_abs_error": 3.0,
        "actual": 10.0,
    }
    warehouse.upsert(
        "grades",
        [
            {**base, "entity_id": "a", "result": "WIN", "profit_units": 0.9091},
            {**base, "entity_id": "b", "result": "LOSS", "profit_units": -1.0},
            {**base, "entity_id": "c", "result": "PUSH", "profit_units": 0.0, "abs_error": 4.0},
            {**base, "entity_id": "d", "result": None, "profit_units": None},
        ],
    )
    board = warehouse.sql("SELECT * FROM propflow.model_leaderboard").iloc[0]
    assert (board["predictions"], board["picks"], board["wins"], board["losses"], board["pushes"]) == (4, 3, 1, 1, 1)
    assert board["hit_rate"] == pytest.approx(0.5)
    assert board["mae"] == pytest.approx(2.5) and board["line_mae"] == pytest.approx(3.0)
    assert board["roi"] == pytest.approx((0.9091 - 1.0) / 3)


def test_racing_queries_each_get_their_own_columns(tmp_path):
    """Racing deliveries share the embedded default's one connection: a query's result must be its own."""
    from concurrent.futures import ThreadPoolExecutor

    from shared.adapters.local.duckdb_warehouse import DuckDBWarehouse

    warehouse = DuckDBWarehouse(tmp_path / "race.duckdb")
    texts = {f"n{i}": f"SELECT COUNTIF(x > {i}) AS n{i} FROM UNNEST(GENERATE_ARRAY(1, 50)) AS x" for i in range(4)}

    def run(column: str) -> tuple[str, list[str], int]:
        frame = warehouse.sql(texts[column])
        return column, list(frame.columns), int(frame.iloc[0, 0])

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, [f"n{i % 4}" for i in range(400)]))
    for column, columns, count in results:
        assert columns == [column]
        assert count == 50 - int(column[1:])
    warehouse.close()


def test_a_column_the_schema_gained_joins_a_warehouse_made_before_it(tmp_path):
    """An embedded warehouse file outlives a schema change (as a BigQuery table does, where Terraform adds it)."""
    from shared.adapters.local.duckdb_warehouse import DuckDBWarehouse

    warehouse = DuckDBWarehouse(tmp_path / "old.duckdb")
    warehouse.ensure_schema()
    row = {"game_date": dt.date(2026, 1, 2), "market": "nba_points", "system_id": "a", "hit_rate_7d": 55.0}
    warehouse.upsert("diagnostics_daily", [row])
    warehouse.sql("ALTER TABLE propflow.diagnostics_daily DROP COLUMN intervals_30d_json")  # as made before it existed
    warehouse.ensure_schema()
    warehouse.upsert("diagnostics_daily", [{**row, "system_id": "b", "intervals_30d_json": "{}"}])
    kept = warehouse.sql("SELECT system_id, hit_rate_7d, intervals_30d_json FROM propflow.diagnostics_daily ORDER BY 1")
    assert kept["system_id"].tolist() == ["a", "b"] and kept["hit_rate_7d"].tolist() == [55.0, 55.0]
    assert pd.isna(kept["intervals_30d_json"][0]) and kept["intervals_30d_json"][1] == "{}"
    warehouse.close()
