"""The CloudEvent Eventarc delivers for a Pub/Sub message: built (the local bus, tests) and decoded.

`decode` is the one place a delivered event is opened and checked: CloudEvent type, the Pub/Sub
`message` object, base64 `message.data`, JSON, then the payload checks of `events.parse_payload`.
Anything else raises PoisonEvent with the reason.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cloudevents.http import CloudEvent

from shared import clock
from shared.contract.codec import json_value
from shared.contract.events import PoisonEvent, parse_payload

PUBSUB_EVENT_TYPE = "google.cloud.pubsub.topic.v1.messagePublished"


@dataclass(frozen=True)
class Envelope:
    event_id: str
    topic: str
    payload: Any
    attributes: dict[str, str]
    raw: bytes


def json_data(cloud_event: CloudEvent) -> Any:
    """The CloudEvent's data as JSON: functions-framework may hand it over parsed or as bytes."""
    data = cloud_event.data
    if not isinstance(data, bytes | str):
        return data
    try:
        return json.loads(data)
    except ValueError as exc:
        raise PoisonEvent(f"CloudEvent data is not JSON: {exc}") from exc


def _message(cloud_event: CloudEvent) -> Mapping[str, Any]:
    data = json_data(cloud_event)
    message = data.get("message") if isinstance(data, Mapping) else None
    if not isinstance(message, Mapping):
        raise PoisonEvent("CloudEvent data has no Pub/Sub 'message' object")
    return message


def event_id(cloud_event: CloudEvent) -> str:
    """The Pub/Sub messageId (stable across redeliveries), else the CloudEvent id."""
    data = cloud_event.data
    message = data.get("message") if isinstance(data, Mapping) else None
    if isinstance(message, Mapping) and (message.get("messageId") or message.get("message_id")):
        return str(message.get("messageId") or message.get("message_id"))
    return str(cloud_event["id"])


def decode(cloud_event: CloudEvent, topic: str) -> Envelope:
    """Turn a delivered CloudEvent into a checked Envelope, or raise PoisonEvent."""
    if cloud_event["type"] != PUBSUB_EVENT_TYPE:
        raise PoisonEvent(f"unexpected CloudEvent type {cloud_event['type']!r}; expected {PUBSUB_EVENT_TYPE}")
    message = _message(cloud_event)
    encoded = message.get("data")
    if not isinstance(encoded, str) or not encoded:
        raise PoisonEvent("Pub/Sub message has no data")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PoisonEvent(f"message.data is not valid base64: {exc}") from exc
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise PoisonEvent(f"message.data is not JSON: {exc}", raw) from exc
    if not isinstance(data, dict):
        raise PoisonEvent(f"message.data must be a JSON object, got {type(data).__name__}", raw)
    try:
        payload = parse_payload(topic, data)
    except PoisonEvent as exc:
        raise PoisonEvent(exc.reason, raw) from exc
    attributes = {str(k): str(v) for k, v in (message.get("attributes") or {}).items()}
    return Envelope(event_id(cloud_event), topic, payload, attributes, raw)


def encode(
    topic: str,
    data: bytes,
    *,
    message_id: str,
    attributes: Mapping[str, str] | None = None,
    publish_time: dt.datetime | None = None,
    project: str = "propflow-local",
    subscription: str | None = None,
) -> CloudEvent:
    """The CloudEvent Eventarc builds for a Pub/Sub message (type messagePublished)."""
    published = json_value(publish_time or clock.now_utc())
    message = {
        "data": base64.b64encode(data).decode(),
        "attributes": dict(attributes or {}),
        "messageId": message_id,
        "message_id": message_id,
        "publishTime": published,
        "publish_time": published,
    }
    body: dict[str, Any] = {"message": message}
    if subscription:
        body["subscription"] = f"projects/{project}/subscriptions/{subscription}"
    headers = {
        "id": message_id,
        "type": PUBSUB_EVENT_TYPE,
        "source": f"//pubsub.googleapis.com/projects/{project}/topics/{topic}",
        "specversion": "1.0",
        "time": published,
        "datacontenttype": "application/json",
    }
    return CloudEvent(headers, body)
