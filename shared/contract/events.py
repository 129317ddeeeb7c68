"""Event payloads: one dataclass per topic, and the checks a payload passes in either direction.

`parse_payload` checks a JSON object against the topic's JSON Schema in schemas/events/, a known
market, real dates and a slate's as_of before its game day is over, and raises PoisonEvent with the
reason otherwise; `message_data` puts an outgoing payload through the same checks. The wire form is
shared/contract/codec.py; the CloudEvent around it, shared/contract/envelope.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema

from shared.contract import markets, schemas, topology
from shared.contract.codec import from_json, json_value, payload_dict

LIVE_RUN = "live"  # the production run id; backtests and replays use their own


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
    # Set by a load: the object generation (gs://bucket/name#generation) these stat lines were stored from.
    source_object: str | None = None


@dataclass(frozen=True)
class DiagnosticsDaily:
    game_date: dt.date | None = None  # None: yesterday (UTC)
    markets: list[str] | None = None


@dataclass(frozen=True)
class EnsembleDeadline:
    game_date: dt.date | None = None  # None: today (UTC)
    markets: list[str] | None = None


@dataclass(frozen=True)
class SlatesDue:
    game_date: dt.date | None = None  # None: every slate still open (today's and, until it closes, yesterday's)
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
    topology.SLATES_DUE: SlatesDue,
}


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
    try:
        payload = from_json(PAYLOADS[topic], data)
    except ValueError as exc:  # a date or timestamp that does not exist
        raise PoisonEvent(str(exc)) from exc
    as_of = getattr(payload, "as_of", None)
    # Past it, the slate's features would read the closing lines of games already played.
    if as_of is not None and as_of >= dt.datetime.combine(payload.game_date, dt.time()) + markets.SLATE_CLOSES_AFTER:
        raise PoisonEvent(f"as_of {json_value(as_of)} is after every game of {payload.game_date} began")
    return payload


def message_data(topic: str, payload: Any) -> bytes:
    """Validate an outgoing payload against its topic schema and serialise it."""
    body = payload_dict(payload)
    parse_payload(topic, body)
    return json.dumps(body, sort_keys=True).encode()
