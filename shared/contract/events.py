"""CloudEvents in and out: the envelope Eventarc delivers for a Pub/Sub message.

`decode` is the one place an event is checked: CloudEvent type, base64,
JSON, the topic's JSON Schema in schemas/events/, a known market, real
dates and a slate's as_of before its game day is over. Anything else raises
PoisonEvent with the reason.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema
from cloudevents.http import CloudEvent

from shared.contract import markets, schemas, topology

PUBSUB_EVENT_TYPE = "google.cloud.pubsub.topic.v1.messagePublished"
LIVE_RUN = "live"  # the production run id; backtests and replays use their own
# game_date is the local (US) date; its latest starts (west-coast evening games, about 7:40 pm Pacific) are
# before 04:00 UTC the next day, so an as_of at 06:00 UTC or later is after every game of its slate began.
SLATE_CLOSES_AFTER = dt.timedelta(days=1, hours=6)


class PoisonEvent(ValueError):
    """An event that can never succeed: acknowledged, recorded with its reason, not retried."""

    def __init__(self, reason: str, raw: bytes | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw


# --- payloads: one dataclass per topic, fields as in schemas/events/<topic>.json


@dataclass(frozen=True)
class LinesPosted:
    market: str
    game_date: dt.date
    run_id: str
    as_of: dt.datetime


@dataclass(frozen=True)
class FeaturesReady:
    market: str
    game_date: dt.date
    run_id: str
    as_of: dt.datetime
    entities: int


@dataclass(frozen=True)
class PredictionsScored:
    market: str
    game_date: dt.date
    run_id: str
    system_id: str
    status: str
    rows: int
    picks: int
    skipped: int
    reason: str | None = None


@dataclass(frozen=True)
class EnsembleScored:
    market: str
    game_date: dt.date
    run_id: str
    systems: list[str]
    rows: int
    picks: int


@dataclass(frozen=True)
class GameFinal:
    market: str
    game_id: str
    game_date: dt.date
    stat_lines: list[dict] | None = None


@dataclass(frozen=True)
class DiagnosticsDaily:
    game_date: dt.date | None = None  # None: yesterday (UTC)
    markets: list[str] | None = None


@dataclass(frozen=True)
class EnsembleDeadline:
    game_date: dt.date | None = None  # None: today (UTC)
    markets: list[str] | None = None


@dataclass(frozen=True)
class AlertRaised:
    alert_id: str
    game_date: dt.date
    market: str
    level: str
    title: str
    message: str
    system_id: str | None = None


@dataclass(frozen=True)
class RetrainRequested:
    market: str
    train_end: dt.date
    system_id: str | None = None


PAYLOADS: dict[str, type] = {
    topology.LINES_POSTED: LinesPosted,
    topology.FEATURES_READY: FeaturesReady,
    topology.PREDICTIONS_SCORED: PredictionsScored,
    topology.ENSEMBLE_SCORED: EnsembleScored,
    topology.GAME_FINAL: GameFinal,
    topology.DIAGNOSTICS_DAILY: DiagnosticsDaily,
    topology.ALERT_RAISED: AlertRaised,
    topology.RETRAIN_REQUESTED: RetrainRequested,
    topology.ENSEMBLE_DEADLINE: EnsembleDeadline,
}


@dataclass(frozen=True)
class Envelope:
    event_id: str
    topic: str
    payload: Any
    attributes: dict[str, str]
    raw: bytes


# --- conversions between payload dataclasses and JSON


def _to_json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def payload_dict(payload: Any) -> dict[str, Any]:
    """A payload dataclass (or a plain mapping) as the JSON object that goes on the wire."""
    items = dataclasses.asdict(payload) if dataclasses.is_dataclass(payload) else dict(payload)
    return {k: _to_json_value(v) for k, v in items.items() if v is not None}


def _parse_datetime(text: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


@cache
def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    result = {}
    for name, hint in hints.items():
        if isinstance(hint, types.UnionType):  # X | None
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        result[name] = hint
    return result


def _build(cls: type, data: Mapping[str, Any]) -> Any:
    kwargs = {}
    for name, hint in _field_types(cls).items():
        if name not in data:
            continue
        value = data[name]
        try:
            if hint is dt.date and value is not None:
                value = dt.date.fromisoformat(value)
            elif hint is dt.datetime and value is not None:
                value = _parse_datetime(value)
        except ValueError as exc:
            raise PoisonEvent(f"{name}: {value!r} is not a valid {hint.__name__}: {exc}") from exc
        kwargs[name] = value
    return cls(**kwargs)


@cache
def _validator(topic: str) -> jsonschema.Validator:
    schema = schemas.event_schema(topic)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def parse_payload(topic: str, data: Mapping[str, Any]) -> Any:
    """Check a JSON object against the topic's schema and the market config; return its dataclass."""
    errors = sorted(_validator(topic).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        where = "/".join(map(str, errors[0].absolute_path)) or "payload"
        raise PoisonEvent(f"{topic} payload breaks its schema at {where}: {errors[0].message}")
    named = [data.get("market")] if "market" in data else list(data.get("markets") or [])
    for market in named:
        if market not in markets.all_markets():
            raise PoisonEvent(f"unknown market {market!r}; known: {sorted(markets.all_markets())}")
    payload = _build(PAYLOADS[topic], data)
    as_of = getattr(payload, "as_of", None)
    # Past it, the slate's features would read the closing lines of games already played.
    if as_of is not None and as_of >= dt.datetime.combine(payload.game_date, dt.time()) + SLATE_CLOSES_AFTER:
        raise PoisonEvent(f"as_of {_to_json_value(as_of)} is after every game of {payload.game_date} began")
    return payload


# --- the envelope


def _message(cloud_event: CloudEvent) -> Mapping[str, Any]:
    data = cloud_event.data
    if isinstance(data, bytes | str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise PoisonEvent(f"CloudEvent data is not JSON: {exc}") from exc
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
    published = _to_json_value(publish_time or dt.datetime.now(dt.UTC))
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


# Payload fields every message also carries as attributes, for subscription filters and tracing.
ATTRIBUTE_FIELDS = ("market", "game_date", "run_id")


def message_attributes(payload: Any, attributes: Mapping[str, str] | None = None) -> dict[str, str]:
    """The payload's market, game_date and run_id (where it has them), then the caller's own attributes."""
    body = payload_dict(payload)
    derived = {k: str(body[k]) for k in ATTRIBUTE_FIELDS if isinstance(body.get(k), str)}
    return {**derived, **{str(k): str(v) for k, v in (attributes or {}).items()}}


def message_data(topic: str, payload: Any) -> bytes:
    """Validate an outgoing payload against its topic schema and serialise it."""
    body = payload_dict(payload)
    parse_payload(topic, body)
    return json.dumps(body, sort_keys=True).encode()
