"""The dependencies of a function instance, built lazily once and passed in.

No module-level clients: `context()` builds the adapters chosen by
PROPFLOW_BACKEND on first use and caches them per backend and location. The
gcp adapters are imported only here and only when chosen.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from shared.config import Settings
from shared.ports import BlobStore, Context, EventBus, Warehouse


@dataclass(frozen=True)
class Resources:
    warehouse: Warehouse
    blobs: BlobStore
    bus: EventBus


_resources: dict[tuple, Resources] = {}
_lock = threading.Lock()


def _key(settings: Settings) -> tuple:
    return (
        settings.backend,
        str(Path(settings.home).resolve()),
        settings.project,
        settings.dataset,
        settings.bucket,
    )


def _build(settings: Settings) -> Resources:
    if settings.backend == "gcp":
        from shared.adapters.gcp.bigquery_warehouse import BigQueryWarehouse
        from shared.adapters.gcp.gcs_blobs import GCSBlobStore
        from shared.adapters.gcp.pubsub_bus import PubSubBus

        return Resources(
            BigQueryWarehouse(settings.project, settings.dataset),
            GCSBlobStore(settings.project),
            PubSubBus(settings.project),
        )
    from shared.adapters.local.duckdb_warehouse import DuckDBWarehouse
    from shared.adapters.local.folder_blobs import FolderBlobStore
    from shared.adapters.local.local_bus import LocalBus

    home = Path(settings.home)
    warehouse = DuckDBWarehouse(home / "warehouse.duckdb", settings.dataset)
    warehouse.ensure_schema()
    return Resources(warehouse, FolderBlobStore(home), LocalBus(settings.project))


def resources(settings: Settings) -> Resources:
    with _lock:
        key = _key(settings)
        if key not in _resources:
            _resources[key] = _build(settings)
        return _resources[key]


def install(settings: Settings, replacement: Resources) -> None:
    """Use these adapters for this backend and location (fault injection, chaos runs)."""
    with _lock:
        _resources[_key(settings)] = replacement


def context(settings: Settings | None = None) -> Context:
    settings = settings or Settings.from_env()
    res = resources(settings)
    return Context(settings, res.warehouse, res.blobs, res.bus)


def reset() -> None:
    """Forget every cached instance (tests, and the CLI between runs)."""
    with _lock:
        for res in _resources.values():
            close = getattr(res.warehouse, "close", None)
            if close:
                close()
        _resources.clear()
