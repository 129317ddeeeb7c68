"""Warehouse on a DuckDB file: the tables of schemas/ and the same BigQuery SQL, transpiled."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from shared.contract import schemas, sql
from shared.contract.rows import to_arrow
from shared.contract.schemas import Column, TableSpec
from shared.ports import Row, WarehouseError

_DUCK = {
    "STRING": "VARCHAR",
    "INTEGER": "BIGINT",
    "FLOAT": "DOUBLE",
    "BOOLEAN": "BOOLEAN",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP",
}


def _column_ddl(column: Column) -> str:
    duck = _DUCK[column.type] + ("[]" if column.mode == "REPEATED" else "")
    return f"{column.name} {duck}" + (" NOT NULL" if column.mode == "REQUIRED" else "")


def _table_ddl(spec: TableSpec, dataset: str) -> str:
    columns = ", ".join(_column_ddl(c) for c in spec.columns)
    return f"CREATE TABLE IF NOT EXISTS {dataset}.{spec.name} ({columns})"


class DuckDBWarehouse:
    def __init__(self, path: Path, dataset: str = sql.DATASET_IN_SQL) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.dataset = dataset
        self._con = duckdb.connect(str(path))
        # One connection shared by every function of this process; racing
        # deliveries take turns, as they would on BigQuery's MERGE.
        self._lock = threading.RLock()

    def ensure_schema(self) -> None:
        with self._lock:
            self._con.execute(f"CREATE SCHEMA IF NOT EXISTS {self.dataset}")
            for spec in schemas.tables().values():
                self._con.execute(_table_ddl(spec, self.dataset))
            self._add_new_columns()
            self._create_views()

    def _add_new_columns(self) -> None:
        """Columns a table's schema gained after this file was created: added, as Terraform adds them on BigQuery
        (nullable only: neither can add a required column to a table with rows)."""
        query = "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ?"
        had = set(self._con.execute(query, [self.dataset]).fetchall())
        for spec in schemas.tables().values():
            for column in spec.columns:
                if (spec.name, column.name) not in had and column.mode != "REQUIRED":
                    self._con.execute(f"ALTER TABLE {self.dataset}.{spec.name} ADD COLUMN {_column_ddl(column)}")

    def _create_views(self) -> None:
        for name in schemas.view_names():  # each after the views it reads
            body = sql.for_duckdb(schemas.sql_text("views", name), self.dataset)
            try:
                self._con.execute(f"CREATE OR REPLACE VIEW {self.dataset}.{name} AS {body}")
            except duckdb.Error as exc:
                raise WarehouseError(f"view {name} cannot be created: {exc}") from exc

    def upsert(self, table: str, rows: Iterable[Row] | pd.DataFrame) -> int:
        spec = schemas.table(table)
        arrow = to_arrow(spec, rows)
        if arrow.num_rows == 0:
            return 0
        # A fixed staging name per table keeps the transpiled MERGE cached; the lock serialises its use.
        staging = f"staging_{spec.name}"
        merge = sql.for_duckdb(sql.merge_sql(spec, staging), self.dataset)
        with self._lock:
            self._con.register(staging, arrow)
            try:
                self._con.execute("BEGIN TRANSACTION")
                self._con.execute(merge)
                self._con.execute("COMMIT")
            except duckdb.Error as exc:
                self._con.execute("ROLLBACK")
                raise WarehouseError(f"upsert into {table} failed: {exc}") from exc
            finally:
                self._con.unregister(staging)
        return arrow.num_rows

    def query(self, name: str, **params: Any) -> pd.DataFrame:
        return self.sql(schemas.sql_text("queries", name), **params)

    def sql(self, text: str, **params: Any) -> pd.DataFrame:
        sql.check_parameters(text, params)
        duck = sql.for_duckdb(text, self.dataset)
        with self._lock:
            try:
                result = self._con.execute(duck, params or None)
                frame = result.df()
            except duckdb.Error as exc:
                raise WarehouseError(f"query failed: {exc}") from exc
            # The description is the connection's: read it before another thread's query replaces it.
            description = result.description
        # DuckDB's COUNT_IF and SUM of integers are HUGEINT, which pandas gets as float;
        # BigQuery returns INT64 for both.
        for name, type_code, *_ in description:
            if str(type_code) == "HUGEINT":
                frame[name] = frame[name].astype("Int64")
        return frame

    def execute(self, name: str, **params: Any) -> int:
        text = schemas.sql_text("queries", name)
        sql.check_parameters(text, params)
        with self._lock:
            try:
                row = self._con.execute(sql.for_duckdb(text, self.dataset), params or None).fetchone()
            except duckdb.Error as exc:
                raise WarehouseError(f"{name} failed: {exc}") from exc
        return int(row[0]) if row else 0

    def delete_rows(self, table: str, column: str, value: Any) -> int:
        text = sql.for_duckdb(sql.delete_sql(schemas.table(table), column), self.dataset)
        with self._lock:
            try:
                row = self._con.execute(text, {"value": value}).fetchone()
            except duckdb.Error as exc:
                raise WarehouseError(f"delete from {table} failed: {exc}") from exc
        return int(row[0]) if row else 0

    def close(self) -> None:
        with self._lock:
            self._con.close()
