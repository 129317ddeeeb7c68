"""Warehouse on BigQuery, through google-cloud-bigquery.

Writes are idempotent: rows are loaded (a load job, never streamed, since
streamed rows cannot be MERGEd for a while) into a staging table, then
MERGEd into the target on its key. Every value reaches SQL as a query
parameter; SQL comes from schemas/ with the project and dataset put in.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import uuid
from collections.abc import Iterable
from typing import Any

import pandas as pd
import pyarrow.compute as pc
from google.api_core import exceptions as google_exceptions
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

from shared.contract import schemas, sql
from shared.contract.rows import to_arrow
from shared.ports import Row, WarehouseError

STAGING_TTL = dt.timedelta(hours=1)
# Set by `propflow emulators up` (shared/ops/emulators.py): talk to bqemulator instead of Google.
EMULATOR_HOST = "BIGQUERY_EMULATOR_HOST"


def default_client(project: str) -> bigquery.Client:
    """The BigQuery client: application default credentials, or the emulator when one is set."""
    endpoint = os.environ.get(EMULATOR_HOST)
    if not endpoint:
        return bigquery.Client(project=project)
    return bigquery.Client(
        project=project, credentials=AnonymousCredentials(), client_options=ClientOptions(api_endpoint=endpoint)
    )


def _scalar_type(value: Any) -> str:
    # bool before int: bool is an int in Python.
    for kind, name in (
        (bool, "BOOL"),
        (int, "INT64"),
        (float, "FLOAT64"),
        (dt.datetime, "TIMESTAMP"),
        (dt.date, "DATE"),
        (str, "STRING"),
    ):
        if isinstance(value, kind):
            return name
    raise TypeError(f"no BigQuery parameter type for {type(value).__name__}")


def query_parameter(name: str, value: Any) -> bigquery.ScalarQueryParameter | bigquery.ArrayQueryParameter:
    if value is None:
        return bigquery.ScalarQueryParameter(name, "STRING", None)  # every nullable parameter here is a STRING
    if isinstance(value, list | tuple | set):
        items = list(value)
        return bigquery.ArrayQueryParameter(name, _scalar_type(items[0]) if items else "STRING", items)
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)  # naive datetimes in Propflow are UTC
    return bigquery.ScalarQueryParameter(name, _scalar_type(value), value)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


class BigQueryWarehouse:
    def __init__(self, project: str, dataset: str, client: bigquery.Client | None = None) -> None:
        self.project = project
        self.dataset = dataset
        self.client = client or default_client(project)

    def _table_id(self, name: str) -> str:
        return f"{self.project}.{self.dataset}.{name}"

    def ensure_schema(self) -> None:
        """Create the dataset, tables and views if missing (Terraform does this in production)."""
        self.client.create_dataset(f"{self.project}.{self.dataset}", exists_ok=True)
        for spec in schemas.tables().values():
            table = bigquery.Table(self._table_id(spec.name), schema=self._schema(spec.name))
            if spec.partition:
                table.time_partitioning = bigquery.TimePartitioning(field=spec.partition)
            self.client.create_table(table, exists_ok=True)
        for name in schemas.view_names():
            body = sql.for_bigquery(schemas.sql_text("views", name), self.project, self.dataset)
            self.client.query_and_wait(f"CREATE OR REPLACE VIEW `{self._table_id(name)}` AS {body}")

    def _schema(self, table: str) -> list[bigquery.SchemaField]:
        fields = json.loads((schemas.schemas_dir() / "tables" / f"{table}.json").read_text())
        return [bigquery.SchemaField.from_api_repr(f) for f in fields]

    def upsert(self, table: str, rows: Iterable[Row] | pd.DataFrame) -> int:
        spec = schemas.table(table)
        arrow = to_arrow(spec, rows)
        if arrow.num_rows == 0:
            return 0
        staging = f"_staging_{table}_{uuid.uuid4().hex[:12]}"
        lines = "\n".join(json.dumps({k: _json_value(v) for k, v in r.items()}) for r in arrow.to_pylist())
        config = bigquery.LoadJobConfig(
            schema=self._schema(table),
            source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
            write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
        )
        staging_id = self._table_id(staging)
        merge = sql.merge_sql(spec, f"{sql.DATASET_IN_SQL}.{staging}", pruned=True)
        params = []
        if sql.prunable(spec):
            bounds = pc.min_max(arrow.column(spec.partition)).as_py()
            params = [
                query_parameter(sql.PARTITION_LOW, bounds["min"]),
                query_parameter(sql.PARTITION_HIGH, bounds["max"]),
            ]
        staged = bigquery.Table(staging_id, schema=self._schema(table))
        # Dropped by BigQuery if this process dies first. Real time, not shared.clock: BigQuery expires the
        # table by its own wall clock, so a test that sets the clock must not make it expire on creation.
        staged.expires = dt.datetime.now(dt.UTC) + STAGING_TTL
        try:
            self.client.create_table(staged)
            self.client.load_table_from_file(io.BytesIO(lines.encode()), staging_id, job_config=config).result()
            self.client.query_and_wait(
                sql.for_bigquery(merge, self.project, self.dataset),
                job_config=bigquery.QueryJobConfig(query_parameters=params),
            )
        except google_exceptions.GoogleAPIError as exc:
            raise WarehouseError(f"upsert into {table} failed: {exc}") from exc
        finally:
            self.client.delete_table(staging_id, not_found_ok=True)
        return arrow.num_rows

    def query(self, name: str, **params: Any) -> pd.DataFrame:
        return self.sql(schemas.sql_text("queries", name), **params)

    def execute(self, name: str, **params: Any) -> int:
        text = schemas.sql_text("queries", name)
        sql.check_parameters(text, params)
        config = bigquery.QueryJobConfig(query_parameters=[query_parameter(k, v) for k, v in params.items()])
        try:
            job = self.client.query(sql.for_bigquery(text, self.project, self.dataset), job_config=config)
            job.result()
        except google_exceptions.GoogleAPIError as exc:
            raise WarehouseError(f"{name} failed: {exc}") from exc
        return int(job.num_dml_affected_rows or 0)

    def delete_rows(self, table: str, column: str, value: Any) -> int:
        text = sql.for_bigquery(sql.delete_sql(schemas.table(table), column), self.project, self.dataset)
        config = bigquery.QueryJobConfig(query_parameters=[query_parameter("value", value)])
        try:
            job = self.client.query(text, job_config=config)
            job.result()
        except google_exceptions.GoogleAPIError as exc:
            raise WarehouseError(f"delete from {table} failed: {exc}") from exc
        return int(job.num_dml_affected_rows or 0)

    def sql(self, text: str, **params: Any) -> pd.DataFrame:
        sql.check_parameters(text, params)
        config = bigquery.QueryJobConfig(query_parameters=[query_parameter(k, v) for k, v in params.items()])
        try:
            result = self.client.query_and_wait(sql.for_bigquery(text, self.project, self.dataset), job_config=config)
        except google_exceptions.GoogleAPIError as exc:
            raise WarehouseError(f"query failed: {exc}") from exc
        columns = [f.name for f in result.schema]
        frame = pd.DataFrame([dict(row.items()) for row in result], columns=columns)
        # Same shapes as the DuckDB adapter: dates and timestamps as naive datetime64.
        for field in result.schema:
            if field.field_type in ("DATE", "TIMESTAMP", "DATETIME") and field.mode != "REPEATED":
                frame[field.name] = pd.to_datetime(frame[field.name], utc=True).dt.tz_localize(None)
        return frame
