"""The event chain on real Pub/Sub push subscriptions into functions-framework servers.

What infra/terraform builds in a project, built against the Pub/Sub emulator
(through the push subscriptions port, shared/adapters/gcp/push_subscriptions.py):
every topic of shared/contract/topology.py, and for each deployment a dead-letter
topic (with a pull subscription to inspect it) and a push subscription with a
dead-letter policy whose endpoint is that deployment's own functions-framework
app, served over HTTP on a loopback port. The apps run in this process, so
they share its adapters: every message they publish is counted by the bus,
and `drain()` can tell when a cascade of deliveries has settled (every message
published on a topic acknowledged by, or dead-lettered for, each of its
subscribers, with nothing in flight). A PushChain is a chain (shared/ports.py).
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import functions_framework
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from shared import paths, runtime
from shared.config import env_overlay
from shared.contract import topology
from shared.ports import Context

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
MAX_DELIVERY_ATTEMPTS = 5  # as infra/terraform's default
# Pub/Sub's longest. Here every deployment, training too, is fed by a push subscription (production delivers
# training through a workflow instead: infra/terraform/modules/event_function/runner.yaml); a demo's retrain
# takes seconds, far inside it, so nothing is redelivered mid-flight.
ACK_DEADLINE_S = 600
DRAIN_TIMEOUT_S = 900.0


class ChainStalled(TimeoutError):
    """Deliveries did not settle in time; the message says which deployment is behind."""


class _QuietHandler(WSGIRequestHandler):
    """No access log line per push: a demo day makes hundreds; failures still log through the functions."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class _Endpoint:
    """One deployment's server and what it has seen."""

    deployment: topology.Deployment
    server: BaseWSGIServer | None = None
    acked: set[str] = field(default_factory=set)
    failures: Counter[str] = field(default_factory=Counter)
    in_flight: int = 0

    @property
    def url(self) -> str:
        assert self.server is not None, "not serving yet"
        return f"http://{HOST}:{self.server.server_port}/"

    def dead(self) -> set[str]:
        return {m for m, n in self.failures.items() if n >= MAX_DELIVERY_ATTEMPTS and m not in self.acked}


@dataclass(frozen=True)
class DeadLetter:
    deployment: str
    message_id: str


class PushChain:
    """Topics, push subscriptions and one functions-framework server per deployment; `with` starts and stops it."""

    waits = True

    def __init__(self, ctx: Context, system_ids: Iterable[str]) -> None:
        self.ctx = ctx
        self.subscriptions = runtime.push_subscriptions(ctx)
        # Topic-triggered only: the storage emulator sends no notifications, so storage events are synthesized.
        self.deployments = [d for d in topology.deployments(system_ids) if d.topic]
        self.endpoints: list[_Endpoint] = []
        self._lock = threading.Lock()
        self._baseline: Counter[str] = Counter()
        self._drained = 0

    # --- wiring

    def _wsgi(self, endpoint: _Endpoint) -> Callable:
        deployment = endpoint.deployment
        source = paths.beside("functions") / topology.source(deployment.function) / "main.py"
        app = functions_framework.create_app(target=deployment.function, source=str(source))

        def counted(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            try:
                message_id = str(json.loads(body)["message"]["messageId"])
            except (ValueError, KeyError, TypeError):
                message_id = ""  # not a push body: the function rejects it; nothing to count
            status: list[str] = []

            def capture(code: str, headers: list, exc_info: Any = None) -> Callable:
                status.append(code)
                return start_response(code, headers, exc_info)

            with self._lock:
                endpoint.in_flight += 1
            try:
                with env_overlay(deployment.env):  # SYSTEM_ID of this scorer, as its own deployment would have
                    return list(app(environ, capture))
            finally:
                with self._lock:
                    endpoint.in_flight -= 1
                    if status and status[0].startswith("2"):
                        endpoint.acked.add(message_id)
                    else:
                        endpoint.failures[message_id] += 1

        return counted

    def _serve(self, deployment: topology.Deployment) -> _Endpoint:
        endpoint = _Endpoint(deployment)
        endpoint.server = make_server(HOST, 0, self._wsgi(endpoint), threaded=True, request_handler=_QuietHandler)
        threading.Thread(target=endpoint.server.serve_forever, name=f"ff-{deployment.name}", daemon=True).start()
        return endpoint

    def _subscribe(self, endpoint: _Endpoint) -> None:
        deployment = endpoint.deployment
        self.subscriptions.subscribe(
            deployment.subscription,
            deployment.topic,
            endpoint.url,
            deployment.dead_letter_topic,
            max_delivery_attempts=MAX_DELIVERY_ATTEMPTS,
            ack_deadline_s=ACK_DEADLINE_S,
        )

    def start(self) -> PushChain:
        if runtime.context().bus is not self.ctx.bus:  # what the functions will get, from this process's env
            raise RuntimeError(
                "the functions would publish on another bus than the one drain counts: build the "
                "chain on runtime.context(), with the env the functions read"
            )
        self.subscriptions.ensure_topics()
        for deployment in self.deployments:
            endpoint = self._serve(deployment)
            self.endpoints.append(endpoint)
            self._subscribe(endpoint)
        self._baseline = Counter(self.subscriptions.published())
        return self

    def stop(self) -> None:
        for endpoint in self.endpoints:
            self.subscriptions.unsubscribe(endpoint.deployment.subscription)
            if endpoint.server is not None:
                endpoint.server.shutdown()
                endpoint.server.server_close()
        self.endpoints.clear()

    def __enter__(self) -> PushChain:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- settling

    def _behind(self) -> list[str]:
        published = self.subscriptions.published()
        behind = []
        with self._lock:
            for e in self.endpoints:
                expected = published.get(e.deployment.topic, 0) - self._baseline[e.deployment.topic]
                settled = len(e.acked) + len(e.dead())
                if e.in_flight or settled < expected:
                    behind.append(f"{e.deployment.name} ({settled}/{expected} settled, {e.in_flight} in flight)")
        return behind

    def drain(self, timeout: float = DRAIN_TIMEOUT_S) -> int:
        """Wait until every published message has been pushed and settled; returns messages published since."""
        deadline = time.monotonic() + timeout
        while behind := self._behind():
            if time.monotonic() > deadline:
                raise ChainStalled("deliveries did not settle: " + ", ".join(behind))
            time.sleep(0.02)
        total = sum((Counter(self.subscriptions.published()) - self._baseline).values())
        handled, self._drained = total - self._drained, total
        return handled

    @property
    def delivered(self) -> int:
        """Successful function invocations (one message reaches every subscribed deployment)."""
        with self._lock:
            return sum(len(e.acked) for e in self.endpoints)

    @property
    def dead_letters(self) -> list[DeadLetter]:
        with self._lock:
            return [DeadLetter(e.deployment.name, m) for e in self.endpoints for m in sorted(e.dead())]
