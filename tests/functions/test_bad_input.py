"""Malformed events are rejected with a reason, acknowledged, recorded as dead letters, and write nothing else."""

from __future__ import annotations

import base64
import logging

import pytest
from cloudevents.http import CloudEvent
from support import VALID_PAYLOADS, pubsub_event

import shared
from shared import entrypoint, runtime
from shared.contract import envelope, topology


def raw(data: str) -> CloudEvent:
    return CloudEvent(
        {"type": envelope.PUBSUB_EVENT_TYPE, "source": "//t"}, {"message": {"data": data, "messageId": "x"}}
    )


def cases(function: str) -> list[tuple[str, CloudEvent, str]]:
    topic = topology.TRIGGERS[function]
    valid = VALID_PAYLOADS[function]
    date_field = "train_end" if function == "training" else "game_date"
    result = [
        ("bad base64", raw("@@not base64@@"), "not valid base64"),
        ("bad json", raw(base64.b64encode(b'{"market": ').decode()), "not JSON"),
        ("schema", pubsub_event(topic, {**valid, "unexpected": True}), "breaks its schema"),
        ("date format", pubsub_event(topic, {**valid, date_field: "14/02/2026"}), "breaks its schema"),
        ("impossible date", pubsub_event(topic, {**valid, date_field: "2026-02-31"}), date_field),
    ]
    if "market" in valid:
        result.append(("unknown market", pubsub_event(topic, {**valid, "market": "cricket_runs"}), "unknown market"))
    if "markets" in valid:
        result.append(("unknown market", pubsub_event(topic, {**valid, "markets": ["cricket_runs"]}), "unknown market"))
    return result


ALL = [(f, *case) for f in VALID_PAYLOADS for case in cases(f)]


@pytest.mark.parametrize(("function", "name", "event", "reason"), ALL, ids=[f"{c[0]}-{c[1]}" for c in ALL])
def test_rejected_with_reason_and_no_rows(function, name, event, reason, post, counts, monkeypatch):
    monkeypatch.setenv("SYSTEM_ID", "baseline_l10")
    ctx = runtime.context()
    response = post(function, event)
    assert response.status_code == 200  # acknowledged: a poison event must not be retried forever
    assert counts(ctx, exclude=("processed_events",)) == dict.fromkeys(counts(ctx, exclude=("processed_events",)), 0)
    ledger = ctx.warehouse.sql("SELECT status, reason, payload FROM propflow.processed_events")
    assert ledger["status"].tolist() == ["rejected"]
    assert reason in ledger["reason"].iloc[0]


def test_rejections_are_logged(post, caplog):
    with caplog.at_level("ERROR", logger=entrypoint.log.name):
        post("grading", raw("@@"))
    assert "rejected event x: message.data is not valid base64" in caplog.text


def test_the_raw_payload_is_kept_for_replay(post):
    post("diagnostics", pubsub_event(topology.DIAGNOSTICS_DAILY, {"game_date": "2026-02-31"}))
    ledger = runtime.context().warehouse.sql("SELECT payload FROM propflow.processed_events")
    assert ledger["payload"].iloc[0] == '{"game_date": "2026-02-31"}'


def test_the_log_level_setting_reaches_the_functions(post, caplog, monkeypatch):
    package = logging.getLogger(shared.__name__)
    try:
        monkeypatch.setenv("PROPFLOW_LOG_LEVEL", "CRITICAL")
        with caplog.at_level("DEBUG"):
            post("grading", raw("@@"))
        assert "rejected event" not in caplog.text and package.level == logging.CRITICAL
        monkeypatch.setenv("PROPFLOW_LOG_LEVEL", "ERROR")
        with caplog.at_level("DEBUG"):
            post("grading", raw("@@"))
        assert "rejected event x" in caplog.text and package.level == logging.ERROR
    finally:
        package.setLevel(logging.NOTSET)
