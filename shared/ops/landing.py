"""`propflow ingest --feed NAME FILE...`: land files in the landing bucket as production does, and read back
what the ingest function made of each from its ledger.

There is no second loader: each file is put at gs://<landing>/<feed>/<file name>, its object-finalized event
runs the ingest function, and the ledger (ingest_objects) says what came of it. On the embedded default the
chain delivers the event and waits; on gcp the real trigger does, and the outcome is in the ledger later.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared.domain.feeds import spec as feed_specs
from shared.errors import Invalid, NotFound
from shared.handlers import ingest
from shared.handlers.feeds import FeedReport
from shared.ports import Context

PENDING = "pending"  # landed; the trigger has not reported on it yet (gcp: Eventarc delivers on its own)


@dataclass(frozen=True)
class Landed:
    """One landed file and what the ingest function made of it."""

    uri: str
    generation: int | None
    status: str  # loaded | rejected | stale | pending
    reason: str | None
    report: FeedReport | None


def land(ctx: Context, feed: str, files: list[Path]) -> list[Landed]:
    """Put each file under the feed's folder of the landing bucket, let the chain ingest them, read the ledger."""
    specs = feed_specs.all_specs(ctx.settings.feeds_dir)
    if feed not in specs:
        raise NotFound(f"no feed {feed!r} to land files for; feeds: {', '.join(sorted(specs))}")
    names = [f"{feed}/{f.name}" for f in files]
    if len(set(names)) < len(names):
        raise Invalid("two files with one name would land as one object: rename one")
    bucket = ctx.settings.landing_bucket
    for file, name in zip(files, names, strict=True):
        ctx.blobs.put(f"gs://{bucket}/{name}", Path(file).read_bytes())
    ctx.chain.drain()
    return [_outcome(ctx, bucket, name) for name in names]


def _outcome(ctx: Context, bucket: str, name: str) -> Landed:
    uri = f"gs://{bucket}/{name}"
    recorded = ingest.history(ctx, bucket, name)
    if recorded.empty or not ctx.chain.waits:  # nothing here waited for the trigger: its outcome comes later
        return Landed(uri, None, PENDING, "the storage trigger ingests it; see the ingest_objects table", None)
    newest = recorded.iloc[-1]
    report = ingest.report_from_json(newest["report"]) if newest["report"] else None
    return Landed(uri, int(newest["generation"]), str(newest["status"]), newest["reason"], report)
