"""One copy of every query, in BigQuery Standard SQL; each backend adapts it.

SQL in schemas/ names tables as `propflow.<table>`. BigQuery runs it with the
configured project and dataset put in; DuckDB runs it transpiled by sqlglot,
with the dataset as its schema.
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp

from shared.contract.schemas import DATASET_IN_SQL, TableSpec


def _requalify(sql: str, dataset: str, project: str | None) -> list[exp.Expression]:
    statements = [e for e in sqlglot.parse(sql, read="bigquery") if e is not None]
    for statement in statements:
        for table in statement.find_all(exp.Table):
            if table.db == DATASET_IN_SQL:
                table.set("db", exp.to_identifier(dataset))
                if project:
                    table.set("catalog", exp.to_identifier(project))
    return statements


def _bigquery_semantics(statement: exp.Expression) -> exp.Expression:
    """Where DuckDB's meaning differs from BigQuery's, rewrite to BigQuery's.

    COUNTIF counts rows where the condition is TRUE, so it is 0 over no rows or
    when every condition is NULL; DuckDB's COUNT_IF returns NULL then.
    """

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.CountIf) and not isinstance(node.parent, exp.Coalesce):
            return exp.Coalesce(this=node.copy(), expressions=[exp.Literal.number(0)])
        return node

    return statement.transform(rewrite)


@lru_cache(maxsize=1024)
def for_duckdb(sql: str, dataset: str = DATASET_IN_SQL) -> str:
    return ";\n".join(_bigquery_semantics(s).sql(dialect="duckdb") for s in _requalify(sql, dataset, None))


@lru_cache(maxsize=1024)
def for_bigquery(sql: str, project: str, dataset: str) -> str:
    # Without comments: bqemulator substitutes @parameters inside them too, and then matches no rows.
    return ";\n".join(s.sql(dialect="bigquery", comments=False) for s in _requalify(sql, dataset, project))


# Parameters of a pruned MERGE: the lowest and highest partition value among the staged rows.
PARTITION_LOW, PARTITION_HIGH = "partition_low", "partition_high"


def prunable(spec: TableSpec) -> bool:
    """A MERGE may bound the partition column only where it is part of the key: a row never changes partition."""
    return bool(spec.partition) and spec.partition in spec.key


def merge_sql(spec: TableSpec, staging: str, *, pruned: bool = False) -> str:
    """Keyed upsert of `staging` into the table: replaying rows never doubles them.

    `pruned` (for a prunable table) bounds the target's partition column by @partition_low and
    @partition_high, so BigQuery reads only the partitions the staged rows fall in.
    """
    columns = spec.column_names
    on = " AND ".join(f"T.{k} = S.{k}" for k in spec.key)
    if pruned and prunable(spec):
        on += f" AND T.{spec.partition} BETWEEN @{PARTITION_LOW} AND @{PARTITION_HIGH}"
    update = ", ".join(f"{c} = S.{c}" for c in columns if c not in spec.key)
    names = ", ".join(columns)
    values = ", ".join(f"S.{c}" for c in columns)
    return (
        f"MERGE {DATASET_IN_SQL}.{spec.name} T USING {staging} S ON {on} "
        f"WHEN MATCHED THEN UPDATE SET {update} "
        f"WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({values})"
    )


def delete_sql(spec: TableSpec, column: str) -> str:
    """Delete the table's rows whose `column` equals @value."""
    if column not in spec.column_names:
        raise ValueError(f"table {spec.name} has no column {column!r}")
    return f"DELETE FROM {DATASET_IN_SQL}.{spec.name} WHERE {column} = @value"


@lru_cache(maxsize=1024)
def parameters(sql: str) -> frozenset[str]:
    """Names of the @parameters a BigQuery SQL text uses."""
    found: set[str] = set()
    for statement in sqlglot.parse(sql, read="bigquery"):
        if statement is not None:
            found |= {p.name for p in statement.find_all(exp.Parameter)}
    return frozenset(found)


def check_parameters(sql: str, params: dict) -> None:
    """Both backends take exactly the parameters a query names, no more, no fewer."""
    wanted = parameters(sql)
    missing, extra = wanted - params.keys(), params.keys() - wanted
    if missing or extra:
        raise ValueError(f"query parameters: missing {sorted(missing)}, unexpected {sorted(extra)}")
