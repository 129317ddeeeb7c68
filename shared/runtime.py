"""The dependencies of a function instance, built lazily once and passed in.

No module-level clients: `context()` builds the adapters chosen by
PROPFLOW_BACKEND on first use and caches them per backend and location. The
gcp adapters are imported only here and only when chosen; nothing else
imports an adapter.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from shared.config import PREFIX, ConfigError, Settings
from shared.contract import topology
from shared.ports import BlobStore, Chain, Context, EventBus, PushSubscriptions, Secrets, Warehouse


@dataclass(frozen=True)
class Resources:
    warehouse: Warehouse
    blobs: BlobStore
    bus: EventBus
    chain: Chain
    secrets: Secrets


_resources: dict[tuple, Resources] = {}
_lock = threading.Lock()


def _key(settings: Settings) -> tuple:
    return (
        settings.backend,
        str(Path(settings.home).resolve()),
        settings.project,
        settings.dataset,
        settings.bucket,
        settings.landing_bucket,
    )


def _build(settings: Settings) -> Resources:
    if settings.backend == "gcp":
        from shared.adapters.gcp.bigquery_warehouse import BigQueryWarehouse
        from shared.adapters.gcp.gcs_blobs import GCSBlobStore
        from shared.adapters.gcp.pubsub_bus import PubSubBus, TriggerChain
        from shared.adapters.gcp.secret_manager import SecretManagerSecrets

        return Resources(
            BigQueryWarehouse(settings.project, settings.dataset),
            GCSBlobStore(settings.project),
            PubSubBus(settings.project),
            TriggerChain(),
            SecretManagerSecrets(settings.project),  # its client is made on the first read
        )
    from shared.adapters.local.duckdb_warehouse import DuckDBWarehouse
    from shared.adapters.local.folder_blobs import FolderBlobStore
    from shared.adapters.local.folder_secrets import FolderSecrets
    from shared.adapters.local.local_bus import LocalBus

    home = Path(settings.home)
    warehouse = DuckDBWarehouse(home / "warehouse.duckdb", settings.dataset)
    warehouse.ensure_schema()
    # Objects finalized in the landing bucket notify the bus, which delivers them to the ingest function.
    bus = LocalBus(settings.project, buckets={settings.landing_bucket: topology.LANDING})
    blobs = FolderBlobStore(home, on_finalized=bus.object_finalized)
    return Resources(warehouse, blobs, bus, bus, FolderSecrets(home / "secrets"))


def resources(settings: Settings) -> Resources:
    with _lock:
        key = _key(settings)
        if key not in _resources:
            _resources[key] = _build(settings)
        return _resources[key]


def install(settings: Settings, replacement: Resources) -> None:
    """Use these adapters for this backend and location (fault injection, chaos runs).

    A bus that delivers what it queued (the local bus, a ChaosBus) is the chain too: replace both."""
    with _lock:
        _resources[_key(settings)] = replacement


def context(settings: Settings | None = None) -> Context:
    settings = settings or Settings.from_env()
    res = resources(settings)
    return Context(settings, res.warehouse, res.blobs, res.bus, res.chain, res.secrets)


def push_subscriptions(ctx: Context) -> PushSubscriptions:
    """Push subscriptions on ctx's Pub/Sub bus, for the emulator chain (shared/ops/push_chain.py)."""
    if ctx.settings.backend != "gcp":
        raise ConfigError(PREFIX + "BACKEND", "push subscriptions are Pub/Sub's: they need the gcp backend")
    from shared.adapters.gcp.push_subscriptions import PubSubPushSubscriptions

    return PubSubPushSubscriptions(ctx.bus)  # on the gcp backend, a PubSubBus


def reset() -> None:
    """Forget every cached instance (tests, and the CLI between runs)."""
    with _lock:
        for res in _resources.values():
            close = getattr(res.warehouse, "close", None)
            if close:
                close()
        _resources.clear()
