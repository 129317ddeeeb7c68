"""Rows in and out of the warehouse, typed by the table schemas.

Both warehouse adapters write through `to_arrow`, so a bad row fails the same
clear way on either backend, before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pyarrow as pa

from shared.contract.schemas import Column, TableSpec
from shared.ports import Row

_ARROW = {
    "STRING": pa.string(),
    "INTEGER": pa.int64(),
    "FLOAT": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
}


class RowError(ValueError):
    """Rows that do not fit their table; nothing was written."""


def arrow_type(column: Column) -> pa.DataType:
    base = _ARROW[column.type]
    return pa.list_(base) if column.mode == "REPEATED" else base


def arrow_schema(spec: TableSpec) -> pa.Schema:
    return pa.schema([pa.field(c.name, arrow_type(c)) for c in spec.columns])


def to_arrow(spec: TableSpec, rows: Iterable[Row] | pd.DataFrame) -> pa.Table:
    """Validate rows against the table and return them typed, one row per key (last wins)."""
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if frame.empty:
        return arrow_schema(spec).empty_table()
    unknown = sorted(set(frame.columns) - set(spec.column_names))
    if unknown:
        raise RowError(f"{spec.name}: unknown columns {unknown}")
    for column in spec.columns:
        if column.name not in frame.columns:
            frame[column.name] = [[] for _ in range(len(frame))] if column.mode == "REPEATED" else None
    frame = frame[list(spec.column_names)].drop_duplicates(subset=list(spec.key), keep="last")
    try:
        table = pa.Table.from_pandas(frame, schema=arrow_schema(spec), preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as exc:
        raise RowError(f"{spec.name}: {exc}") from exc
    for column in spec.columns:
        if column.mode == "REQUIRED" and table.column(column.name).null_count:
            raise RowError(
                f"{spec.name}: REQUIRED column {column.name} is null in {table.column(column.name).null_count} row(s)"
            )
    return table
