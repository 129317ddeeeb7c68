"""Call the real entry points over HTTP, as Eventarc would: functions-framework's test client."""

from __future__ import annotations

import functools

import pytest
from cloudevents.conversion import to_binary, to_structured
from cloudevents.http import CloudEvent
from functions_framework import create_app

from shared.adapters.local.local_bus import FUNCTIONS_DIR
from shared.contract import topology


@functools.cache
def client(function: str):
    app = create_app(function, str(FUNCTIONS_DIR / topology.source(function) / "main.py"), "cloudevent")
    return app.test_client()


def deliver(function: str, event: CloudEvent, mode: str = "structured"):
    headers, body = (to_structured if mode == "structured" else to_binary)(event)
    return client(function).post("/", headers=headers, data=body)


@pytest.fixture
def post():
    return deliver
