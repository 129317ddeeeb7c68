"""The CloudEvent Eventarc delivers when a Cloud Storage object is finalized: built (the local bus, tests) and decoded.

Its attributes name the bucket (`source`) and the object (`subject`); its `data` is the object resource of the
Cloud Storage JSON API (kind, id, selfLink, name, bucket, generation, size, md5Hash, crc32c...; int64 fields are
decimal strings). `decode` checks both and raises PoisonEvent with the reason for anything else. Its event id is
the object's own id (bucket/name/generation), not the CloudEvent's: the same object delivered twice, even under
two event ids, is one event.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from cloudevents.http import CloudEvent

from shared.contract import envelope
from shared.contract.codec import json_value
from shared.contract.envelope import Envelope
from shared.contract.events import PoisonEvent
from shared.contract.topology import OBJECT_FINALIZED

SOURCE_PREFIX = "//storage.googleapis.com/projects/_/buckets/"
SUBJECT_PREFIX = "objects/"


@dataclass(frozen=True)
class StoredObject:
    """One generation of one object, as its finalized event describes it."""

    bucket: str
    name: str
    generation: int
    size: int
    md5_hash: str | None = None
    crc32c: str | None = None
    content_type: str | None = None
    time_created: dt.datetime | None = None

    @property
    def uri(self) -> str:
        """gs://bucket/name: every generation of the name shares it (rows carry it as source_object)."""
        return f"gs://{self.bucket}/{self.name}"

    @property
    def id(self) -> str:
        """The object resource's id: bucket/name/generation."""
        return f"{self.bucket}/{self.name}/{self.generation}"


def object_resource(stored: StoredObject, *, updated: dt.datetime | None = None) -> dict[str, Any]:
    """The JSON API object resource of a stored object (what Eventarc puts in `data`)."""
    created = json_value(stored.time_created) if stored.time_created else None
    link = f"{quote(stored.bucket, safe='')}/o/{quote(stored.name, safe='')}"
    resource = {
        "kind": "storage#object",
        "id": stored.id,
        "selfLink": f"https://www.googleapis.com/storage/v1/b/{link}",
        "mediaLink": f"https://storage.googleapis.com/download/storage/v1/b/{link}?generation={stored.generation}&alt=media",
        "name": stored.name,
        "bucket": stored.bucket,
        "generation": str(stored.generation),
        "metageneration": "1",
        "contentType": stored.content_type or "application/octet-stream",
        "timeCreated": created,
        "updated": json_value(updated) if updated else created,
        "storageClass": "STANDARD",
        "timeStorageClassUpdated": created,
        "size": str(stored.size),
        "md5Hash": stored.md5_hash,
        "crc32c": stored.crc32c,
        "etag": f"{stored.generation:x}",
    }
    return {k: v for k, v in resource.items() if v is not None}


def encode(resource: Mapping[str, Any], *, event_id: str, time: dt.datetime | None = None) -> CloudEvent:
    """The CloudEvent Eventarc builds for an object-finalized notification of `resource`."""
    headers = {
        "id": event_id,
        "type": OBJECT_FINALIZED,
        "source": f"{SOURCE_PREFIX}{resource['bucket']}",
        "subject": f"{SUBJECT_PREFIX}{resource['name']}",
        "specversion": "1.0",
        "time": json_value(time) if time else resource.get("updated") or resource.get("timeCreated"),
        "datacontenttype": "application/json",
    }
    return CloudEvent({k: v for k, v in headers.items() if v is not None}, dict(resource))


def _data(cloud_event: CloudEvent) -> tuple[Mapping[str, Any], bytes]:
    data = envelope.json_data(cloud_event)
    if not isinstance(data, Mapping):
        raise PoisonEvent("CloudEvent data is not a Cloud Storage object resource (a JSON object)")
    return data, json.dumps(data, default=str).encode()


def _text(data: Mapping[str, Any], field: str, raw: bytes) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not value:
        raise PoisonEvent(f"object resource has no {field}", raw)
    return value


def _count(data: Mapping[str, Any], field: str, raw: bytes, *, minimum: int) -> int:
    value = data.get(field)
    # The JSON API sends int64 as a decimal string; accept a JSON integer too, never a float or a bool.
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).isdigit():
        raise PoisonEvent(f"object resource {field} must be a whole number, got {value!r}", raw)
    if int(value) < minimum:
        raise PoisonEvent(f"object resource {field} must be at least {minimum}, got {value}", raw)
    return int(value)


def _created(data: Mapping[str, Any], raw: bytes) -> dt.datetime | None:
    value = data.get("timeCreated")
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise PoisonEvent(f"object resource timeCreated is not an RFC 3339 time: {value!r}", raw) from None


def event_id(cloud_event: CloudEvent) -> str:
    """The object's id (bucket/name/generation) when the data names it, else the CloudEvent id."""
    data = cloud_event.data
    if isinstance(data, Mapping) and all(isinstance(data.get(k), str | int) for k in ("bucket", "name", "generation")):
        return f"{data['bucket']}/{data['name']}/{data['generation']}"
    return str(cloud_event["id"])


def decode(cloud_event: CloudEvent, trigger: str) -> Envelope:
    """Turn a delivered object-finalized CloudEvent into a checked Envelope of a StoredObject, or raise PoisonEvent."""
    if cloud_event["type"] != OBJECT_FINALIZED:
        raise PoisonEvent(f"unexpected CloudEvent type {cloud_event['type']!r}; expected {OBJECT_FINALIZED}")
    data, raw = _data(cloud_event)
    if data.get("kind", "storage#object") != "storage#object":
        raise PoisonEvent(f"object resource kind is {data.get('kind')!r}, not storage#object", raw)
    bucket, name = _text(data, "bucket", raw), _text(data, "name", raw)
    if cloud_event["source"] != f"{SOURCE_PREFIX}{bucket}":
        raise PoisonEvent(f"CloudEvent source {cloud_event['source']!r} is not bucket {bucket!r}'s", raw)
    subject = cloud_event.get("subject")
    if subject is not None and subject != f"{SUBJECT_PREFIX}{name}":
        raise PoisonEvent(f"CloudEvent subject {subject!r} is not object {name!r}", raw)
    stored = StoredObject(
        bucket=bucket,
        name=name,
        generation=_count(data, "generation", raw, minimum=1),
        size=_count(data, "size", raw, minimum=0),
        md5_hash=data.get("md5Hash"),
        crc32c=data.get("crc32c"),
        content_type=data.get("contentType"),
        time_created=_created(data, raw),
    )
    return Envelope(stored.id, trigger, stored, {}, raw)
