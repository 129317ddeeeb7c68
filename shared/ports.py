"""The outside things the functions and the operator tools talk to, one interface each.

Adapters (shared/adapters/local | shared/adapters/gcp): duckdb_warehouse.py | bigquery_warehouse.py,
folder_blobs.py | gcs_blobs.py, local_bus.py | pubsub_bus.py (the event bus, and the chain),
folder_secrets.py | secret_manager.py, and on gcp only push_subscriptions.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sized
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

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

    def delete_rows(self, table: str, column: str, value: Any) -> int:
        """Delete the table's rows whose column equals value; returns the rows deleted."""


class BlobStore(Protocol):
    def put(self, uri: str, data: bytes, *, if_absent: bool = False) -> None:
        """Store data at uri; with if_absent, raise BlobExists rather than replace an object."""

    def get(self, uri: str) -> bytes:
        """Raises BlobNotFound when nothing is stored at uri."""

    def open(self, uri: str, *, generation: int | None = None) -> BinaryIO:
        """A stream of the object (of that generation: a file too big to hold is read in chunks).

        Raises BlobNotFound when nothing is stored at uri, or that generation is no longer readable."""

    def exists(self, uri: str) -> bool: ...

    def list(self, prefix: str) -> list[str]: ...


class EventBus(Protocol):
    def publish(self, topic: str, payload: Mapping[str, Any], attributes: Mapping[str, str] | None = None) -> str:
        """Publish one message and return its id once the bus acknowledged it."""


class Chain(Protocol):
    """Delivers what was published on the bus and waits until the cascade it set off has settled.

    The operator tools (demo, backtest, replay) drive a day through it. Where the real triggers deliver on
    their own (gcp in production) nothing in this process can tell when a cascade is over: such a chain
    does not wait, and says so.
    """

    @property
    def waits(self) -> bool:
        """Whether drain() waits for the cascade; False: it returns 0 at once and the triggers deliver."""

    @property
    def delivered(self) -> int:
        """Successful function invocations so far (one message may reach several deployments)."""

    @property
    def dead_letters(self) -> Sized:
        """Deliveries given up on, so far."""

    def drain(self) -> int:
        """Deliver what was published, and what that publishes, until nothing is left; returns messages handled."""


class SecretNotFound(LookupError):
    """No secret stored under that name; the message says where it was looked for."""


class Secrets(Protocol):
    def get(self, name: str) -> str:
        """The secret's value; raises SecretNotFound when none is stored, ValueError for a malformed name."""


class PushSubscriptions(Protocol):
    """Pub/Sub push subscriptions with dead-letter topics: what Terraform makes per deployment in a project,
    made by the emulator chain (shared/ops/push_chain.py) on the emulator."""

    def ensure_topics(self) -> None:
        """Create every topic of the contract that is missing."""

    def subscribe(
        self,
        subscription: str,
        topic: str,
        endpoint: str,
        dead_letter_topic: str,
        *,
        max_delivery_attempts: int,
        ack_deadline_s: int,
    ) -> None:
        """(Re)create a push subscription of topic into endpoint, dead-lettering after max_delivery_attempts."""

    def unsubscribe(self, subscription: str) -> None:
        """Delete the subscription; one already gone is fine."""

    def published(self) -> Mapping[str, int]:
        """Messages this process published and Pub/Sub acknowledged, per topic, so far."""


@dataclass(frozen=True)
class Context:
    """What a handler or an operator tool gets: this deployment's settings and the outside things, by port."""

    settings: Settings
    warehouse: Warehouse
    blobs: BlobStore
    bus: EventBus
    chain: Chain
    secrets: Secrets
    event_id: str | None = None  # the event being handled, stamped on the rows it writes
