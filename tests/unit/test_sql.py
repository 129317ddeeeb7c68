import pytest
import sqlglot
from sqlglot import exp

from shared.contract import schemas, sql


def test_parameters_are_found_and_checked():
    text = "SELECT * FROM propflow.features WHERE market = @market AND game_date < @game_date"
    assert sql.parameters(text) == {"market", "game_date"}
    sql.check_parameters(text, {"market": "m", "game_date": "d"})
    with pytest.raises(ValueError, match=r"missing \['game_date'\], unexpected \['extra'\]"):
        sql.check_parameters(text, {"market": "m", "extra": 1})


def test_duckdb_transpile_requalifies_the_dataset_and_params():
    out = sql.for_duckdb("SELECT COUNTIF(x > 1) FROM propflow.grades WHERE d = @d", "other")
    assert out == "SELECT COALESCE(COUNT_IF(x > 1), 0) FROM other.grades WHERE d = $d"


def test_countif_over_only_nulls_is_zero_as_in_bigquery():
    import duckdb

    rows = duckdb.sql(sql.for_duckdb("SELECT COUNTIF(r = 'WIN') AS n FROM (SELECT CAST(NULL AS STRING) AS r)"))
    assert rows.fetchall() == [(0,)]
    empty = duckdb.sql(sql.for_duckdb("SELECT COUNTIF(r = 'WIN') AS n FROM (SELECT 'WIN' AS r) WHERE FALSE"))
    assert empty.fetchall() == [(0,)]


def test_bigquery_sql_gets_project_and_dataset():
    out = sql.for_bigquery("SELECT 1 FROM propflow.grades", "proj", "prod_ds")
    assert out == "SELECT 1 FROM proj.prod_ds.grades"


def test_merge_matches_on_the_table_key():
    merge = sql.merge_sql(schemas.table("outcomes"), "propflow.stage")
    assert "ON T.market = S.market AND T.game_id = S.game_id AND T.entity_id = S.entity_id" in merge
    update = merge.split("UPDATE SET ")[1].split(" WHEN")[0]
    assert update.startswith("game_date = S.game_date, entity_name = S.entity_name")
    assert "market =" not in update and "entity_id =" not in update  # keys are matched, never updated


@pytest.mark.parametrize("kind", ["views", "queries"])
def test_every_sql_file_transpiles(kind):
    names = schemas.view_names() if kind == "views" else [p.stem for p in (schemas.schemas_dir() / kind).glob("*.sql")]
    assert names
    for name in names:
        assert sql.for_duckdb(schemas.sql_text(kind, name))


def test_a_pruned_merge_bounds_the_partition_only_where_it_is_part_of_the_key():
    predictions = sql.merge_sql(schemas.table("predictions"), "propflow.stage", pruned=True)
    assert "AND T.game_date BETWEEN @partition_low AND @partition_high" in predictions
    # An outcome's game_date may be corrected; bounding it would miss the row and insert a twin.
    assert "BETWEEN" not in sql.merge_sql(schemas.table("outcomes"), "propflow.stage", pruned=True)


# Reports over a whole run: a run spans every date it covers, so they read every partition of it by design.
WHOLE_RUN_QUERIES = {"backtest_report", "report_agreement", "report_calibration", "report_daily",
                     "report_edge_buckets", "report_markets", "report_monthly", "run_grades"}  # fmt: skip
# Lookups by an id that names one thing on any date (a game's stored outcomes, an alert's id, an entity an alias
# points at), the latest results date of a market (MAX of the partition column), and the operator's listing of
# every unmatched name.
ANY_DATE_LOOKUPS = {"game_stored_dates", "alert_record", "known_entity", "feed_last_result", "top_unmatched"}


def _partitions() -> dict[str, str]:
    """Partitioned tables and their partition column; a view over one counts as it (it reads its partitions)."""
    partitions = {n: s.partition for n, s in schemas.tables().items() if s.partition}
    for view in schemas.view_names():  # each after the views it reads
        read = {t.name for t in sqlglot.parse_one(schemas.sql_text("views", view), read="bigquery").find_all(exp.Table)}
        columns = {partitions[name] for name in read if name in partitions}
        if len(columns) == 1:
            partitions[view] = columns.pop()
    return partitions


def _reads_without_partition_filter(text: str) -> set[str]:
    partitions = _partitions()
    missing = set()
    for statement in filter(None, sqlglot.parse(text, read="bigquery")):
        for select in statement.find_all(exp.Select):
            filters = [select.args.get("where"), *(j.args.get("on") for j in select.args.get("joins") or [])]
            columns = {c.name for f in filters if f for c in f.find_all(exp.Column)}
            own = (t for t in select.find_all(exp.Table) if t.find_ancestor(exp.Select) is select)
            missing |= {t.name for t in own if t.name in partitions and partitions[t.name] not in columns}
    return missing


def test_named_queries_filter_partitioned_tables_on_game_date():
    names = [p.stem for p in (schemas.schemas_dir() / "queries").glob("*.sql")]
    unfiltered = {n: t for n in names if (t := _reads_without_partition_filter(schemas.sql_text("queries", n)))}
    assert set(unfiltered) == WHOLE_RUN_QUERIES | ANY_DATE_LOOKUPS, unfiltered


def _views_read(view: str) -> set[str]:
    tables = sqlglot.parse_one(schemas.sql_text("views", view), read="bigquery").find_all(exp.Table)
    return {t.name for t in tables} & set(schemas.view_names())


def test_views_come_after_the_views_they_read_which_read_only_tables():
    # Terraform creates the views other views read first, in one step (modules/bigquery: read_by_views).
    order = schemas.view_names()
    read = {name for view in order for name in _views_read(view)}
    for view in order:
        assert all(order.index(name) < order.index(view) for name in _views_read(view)), view
    assert all(not _views_read(name) for name in read), read
