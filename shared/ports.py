"""The three outside things every function talks to, one interface each.

Adapters: shared/adapters/local/duckdb_warehouse.py | bigquery_warehouse.py,
folder_blobs.py | gcs_blobs.py, local_bus.py | pubsub_bus.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from shared.config import Settings

Row = Mapping[str, Any]


class WarehouseError(RuntimeError):
    """A warehouse call failed; transient unless the message says otherwise."""


class BlobNotFound(FileNotFoundError):
    pass


class BlobExists(FileExistsError):
    """A write asked for a new object (if_absent) and one is already stored there."""


class Warehouse(Protocol):
    def ensure_schema(self) -> None:
        """Create every table in schemas/tables and every view in schemas/views."""

    def upsert(self, table: str, rows: Iterable[Row] | pd.DataFrame) -> int:
        """Insert or replace rows by the table's key; returns the rows written."""

    def query(self, name: str, **params: Any) -> pd.DataFrame:
        """Run schemas/queries/<name>.sql with named parameters (@name)."""

    def sql(self, text: str, **params: Any) -> pd.DataFrame:
        """Run ad-hoc BigQuery Standard SQL (CLI, tests, views)."""

    def execute(self, name: str, **params: Any) -> int:
        """Run the DML statement schemas/queries/<name>.sql; returns the rows it affected."""


class BlobStore(Protocol):
    def put(self, uri: str, data: bytes, *, if_absent: bool = False) -> None:
        """Store data at uri; with if_absent, raise BlobExists rather than replace an object."""

    def get(self, uri: str) -> bytes:
        """Raises BlobNotFound when nothing is stored at uri."""

    def exists(self, uri: str) -> bool: ...

    def list(self, prefix: str) -> list[str]: ...


class EventBus(Protocol):
    def publish(self, topic: str, payload: Mapping[str, Any], attributes: Mapping[str, str] | None = None) -> str:
        """Publish one message and return its id once the bus acknowledged it."""


@dataclass(frozen=True)
class Context:
    """What a handler gets: this deployment's settings and the shared resources."""

    settings: Settings
    warehouse: Warehouse
    blobs: BlobStore
    bus: EventBus
    event_id: str | None = None  # the event being handled, stamped on the rows it writes
