"""Payload dataclasses <-> the JSON that goes on the wire, and the attributes a message carries.

Dates travel as `YYYY-MM-DD`, timestamps as UTC `YYYY-MM-DDTHH:MM:SSZ` (naive in Python, UTC meant);
fields that are None are left out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

# Payload fields every message also carries as attributes, for subscription filters and tracing.
ATTRIBUTE_FIELDS = ("market", "game_date", "run_id")


def json_value(value: Any) -> Any:
    """A date or timestamp as its wire text; anything else as it is."""
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
    return {k: json_value(v) for k, v in items.items() if v is not None}


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


def from_json(cls: type, data: Mapping[str, Any]) -> Any:
    """The payload dataclass `cls` from its JSON object; ValueError names a field that is not a real date or time."""
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
            raise ValueError(f"{name}: {value!r} is not a valid {hint.__name__}: {exc}") from exc
        kwargs[name] = value
    return cls(**kwargs)


def message_attributes(payload: Any, attributes: Mapping[str, str] | None = None) -> dict[str, str]:
    """The payload's market, game_date and run_id (where it has them), then the caller's own attributes."""
    body = payload_dict(payload)
    derived = {k: str(body[k]) for k in ATTRIBUTE_FIELDS if isinstance(body.get(k), str)}
    return {**derived, **{str(k): str(v) for k, v in (attributes or {}).items()}}
