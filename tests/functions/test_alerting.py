"""Alert delivery to a real local HTTP server standing in for a Slack-compatible webhook."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from support import pubsub_event

from shared import runtime
from shared.contract import topology
from shared.handlers import webhook

ALERT = {
    "alert_id": "2026-02-14:nba_points:xgb_core:WARNING",
    "game_date": "2026-02-14",
    "market": "nba_points",
    "system_id": "xgb_core",
    "level": "WARNING",
    "title": "WARNING nba_points / xgb_core on 2026-02-14",
    "message": "model beat the line 43.0% < 45.0%",
}


class Webhook:
    """A loopback HTTP server answering with the scripted statuses, then 200; it records each body."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses, self.bodies = list(statuses), []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                outer.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(outer.statuses.pop(0) if outer.statuses else 200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/alerts"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook(monkeypatch):
    servers = []

    def start(*statuses: int) -> Webhook:
        server = Webhook(list(statuses))
        servers.append(server)
        monkeypatch.setenv("PROPFLOW_ALERT_WEBHOOK_URL", server.url)
        return server

    monkeypatch.setattr(webhook, "RETRY_DELAYS_S", (0.01, 0.01, 0.01))
    yield start
    for server in servers:
        server.close()


def stored(ctx):
    return ctx.warehouse.sql("SELECT alert_id, level, delivery_status FROM propflow.alerts").values.tolist()


def test_a_500_then_success_is_retried_and_sent_once(hook, post):
    server = hook(500)
    assert post("alerting", pubsub_event(topology.ALERT_RAISED, ALERT)).status_code == 200
    assert len(server.bodies) == 2 and server.bodies[0] == server.bodies[1]
    text = server.bodies[-1]["text"]
    assert text == "[WARNING] WARNING nba_points / xgb_core on 2026-02-14: model beat the line 43.0% < 45.0%"
    assert "http" not in text
    assert stored(runtime.context()) == [[ALERT["alert_id"], "WARNING", "sent"]]


def test_the_same_alert_is_not_sent_twice_in_a_day(hook, post):
    server = hook()
    post("alerting", pubsub_event(topology.ALERT_RAISED, ALERT))
    post("alerting", pubsub_event(topology.ALERT_RAISED, ALERT))  # a second raise of the same alert
    post("alerting", pubsub_event(topology.ALERT_RAISED, {**ALERT, "alert_id": "another-id"}))  # same title, same day
    assert len(server.bodies) == 1
    post("alerting", pubsub_event(topology.ALERT_RAISED, {**ALERT, "alert_id": "next-day", "game_date": "2026-02-15"}))
    assert len(server.bodies) == 2


def test_a_webhook_that_keeps_failing_is_recorded_and_retried_by_the_trigger(hook, post):
    server = hook(503, 503, 503, 503)
    assert post("alerting", pubsub_event(topology.ALERT_RAISED, ALERT)).status_code == 500
    assert len(server.bodies) == 4  # one try and three retries
    assert stored(runtime.context()) == [[ALERT["alert_id"], "WARNING", "failed"]]
    assert post("alerting", pubsub_event(topology.ALERT_RAISED, ALERT)).status_code == 200  # it recovered
    assert stored(runtime.context()) == [[ALERT["alert_id"], "WARNING", "sent"]]


def test_a_refusal_is_not_retried_in_the_function(hook, post):
    server = hook(404)
    assert post("alerting", pubsub_event(topology.ALERT_RAISED, ALERT)).status_code == 500
    assert len(server.bodies) == 1


def test_without_a_webhook_alerts_are_logged_and_sunk_locally(post):
    post("alerting", pubsub_event(topology.ALERT_RAISED, ALERT))
    ctx = runtime.context()
    assert stored(ctx) == [[ALERT["alert_id"], "WARNING", "logged"]]
    assert json.loads((ctx.settings.home / "alerts.jsonl").read_text())["alert_id"] == ALERT["alert_id"]


def test_the_webhook_url_can_come_from_a_local_secret(post, monkeypatch):
    server = Webhook([])
    try:
        home = runtime.context().settings.home
        (home / "secrets").mkdir()
        (home / "secrets" / "alert-webhook").write_text(server.url + "\n")
        monkeypatch.setenv("PROPFLOW_ALERT_WEBHOOK_SECRET", "alert-webhook")
        assert post("alerting", pubsub_event(topology.ALERT_RAISED, ALERT)).status_code == 200
        assert len(server.bodies) == 1
        assert stored(runtime.context()) == [[ALERT["alert_id"], "WARNING", "sent"]]
    finally:
        server.close()


def test_the_url_setting_wins_over_the_secret(hook, post, monkeypatch):
    server = hook()  # PROPFLOW_ALERT_WEBHOOK_URL
    monkeypatch.setenv("PROPFLOW_ALERT_WEBHOOK_SECRET", "not-stored")  # never read: reading it would raise
    assert post("alerting", pubsub_event(topology.ALERT_RAISED, ALERT)).status_code == 200
    assert len(server.bodies) == 1


def test_a_missing_secret_fails_the_delivery_so_the_trigger_retries(post, monkeypatch):
    monkeypatch.setenv("PROPFLOW_ALERT_WEBHOOK_SECRET", "not-stored")
    assert post("alerting", pubsub_event(topology.ALERT_RAISED, ALERT)).status_code == 500
    assert stored(runtime.context()) == []


def test_the_sink_is_a_setting(post, monkeypatch, tmp_path):
    elsewhere = tmp_path / "elsewhere" / "alerts.log"
    monkeypatch.setenv("PROPFLOW_ALERT_SINK", str(elsewhere))
    post("alerting", pubsub_event(topology.ALERT_RAISED, ALERT))
    home = runtime.context().settings.home
    assert [json.loads(line)["alert_id"] for line in elsewhere.read_text().splitlines()] == [ALERT["alert_id"]]
    assert not (home / "alerts.jsonl").exists()
    monkeypatch.setenv("PROPFLOW_ALERT_SINK", "none")
    post("alerting", pubsub_event(topology.ALERT_RAISED, {**ALERT, "alert_id": "next-day", "game_date": "2026-02-15"}))
    assert len(elsewhere.read_text().splitlines()) == 1 and not (home / "alerts.jsonl").exists()
    assert len(stored(runtime.context())) == 2  # recorded all the same
