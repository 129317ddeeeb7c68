"""The event wiring: which topic or bucket triggers which function.

This is the one copy of the trigger -> function map. The local bus delivers by
it, and a test checks that the Terraform triggers say exactly the same. A
deployment is triggered by a Pub/Sub topic's messages or by objects finalized
in a bucket (Cloud Storage through Eventarc).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

LINES_POSTED = "lines-posted"
FEATURES_READY = "features-ready"
PREDICTIONS_SCORED = "predictions-scored"
ENSEMBLE_SCORED = "ensemble-scored"
GAME_FINAL = "game-final"
DIAGNOSTICS_DAILY = "diagnostics-daily"
ALERT_RAISED = "alert-raised"
RETRAIN_REQUESTED = "retrain-requested"
ENSEMBLE_DEADLINE = "ensemble-deadline"
SLATES_DUE = "slates-due"

TOPICS: tuple[str, ...] = (
    LINES_POSTED,
    FEATURES_READY,
    PREDICTIONS_SCORED,
    ENSEMBLE_SCORED,
    GAME_FINAL,
    DIAGNOSTICS_DAILY,
    ALERT_RAISED,
    RETRAIN_REQUESTED,
    ENSEMBLE_DEADLINE,
    SLATES_DUE,
)

MESSAGE_PUBLISHED = "google.cloud.pubsub.topic.v1.messagePublished"
OBJECT_FINALIZED = "google.cloud.storage.object.v1.finalized"

# Buckets that trigger functions, by role; config names the real bucket (LANDING: PROPFLOW_LANDING_BUCKET).
LANDING = "landing"
BUCKETS: tuple[str, ...] = (LANDING,)

# entry point -> the topic that triggers it. The entry point is the function of
# that name in functions/<source>/main.py, where source is the entry point's own
# name unless SOURCES says otherwise.
TRIGGERS: dict[str, str] = {
    "schedule": SLATES_DUE,
    "feature_store": LINES_POSTED,
    "scorer": FEATURES_READY,
    "ensemble": PREDICTIONS_SCORED,
    "ensemble_sweep": ENSEMBLE_DEADLINE,
    "grading": GAME_FINAL,
    "grading_late": ENSEMBLE_SCORED,
    "diagnostics": DIAGNOSTICS_DAILY,
    "alerting": ALERT_RAISED,
    "training": RETRAIN_REQUESTED,
}

# Entry points that share a folder with another: the deadline sweep is the
# ensemble's code, run by the scheduler instead of by a scorer's report; late
# grading is the grader's, run when predictions land after their game-final.
SOURCES: dict[str, str] = {"ensemble_sweep": "ensemble", "grading_late": "grading"}

# entry point -> the bucket (by role) whose finalized objects trigger it: files landing are ingested.
BUCKET_TRIGGERS: dict[str, str] = {"ingest": LANDING}


def functions() -> list[str]:
    """Every entry point, whatever triggers it."""
    return [*TRIGGERS, *BUCKET_TRIGGERS]


def trigger(function: str) -> str:
    """What triggers an entry point: its topic, or its bucket's role."""
    return TRIGGERS.get(function) or BUCKET_TRIGGERS[function]


def event_type(function: str) -> str:
    """The CloudEvent type an entry point is delivered."""
    return MESSAGE_PUBLISHED if function in TRIGGERS else OBJECT_FINALIZED


def source(function: str) -> str:
    """The folder under functions/ that holds an entry point."""
    return SOURCES.get(function, function)


# Functions deployed once per prediction system, told apart by SYSTEM_ID.
PER_SYSTEM = frozenset({"scorer"})


@dataclass(frozen=True)
class Deployment:
    """One deployed copy of a function: its name, trigger and extra env."""

    name: str
    function: str
    topic: str | None  # its trigger: a topic's messages, or
    bucket: str | None = None  # objects finalized in this bucket (a role of BUCKETS)
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.topic is None) == (self.bucket is None):
            raise ValueError(f"deployment {self.name}: a trigger is one topic or one bucket")

    @property
    def event_type(self) -> str:
        """The CloudEvent type Eventarc delivers to it."""
        return MESSAGE_PUBLISHED if self.topic else OBJECT_FINALIZED

    @property
    def trigger(self) -> str:
        """Its topic, or its bucket's role."""
        return self.topic or str(self.bucket)

    @property
    def subscription(self) -> str:
        """The push subscription that triggers this deployment (Eventarc's, for a bucket)."""
        return f"{self.name}-{self.trigger}"

    @property
    def dead_letter_topic(self) -> str:
        """Where its trigger forwards a message after the last failed attempt (as infra/terraform names it)."""
        return f"{self.name}-dead-letter"


def deployments(system_ids: Iterable[str]) -> list[Deployment]:
    """Every deployment, with one scorer per system (named scorer-<system_id>)."""
    systems = sorted(set(system_ids))
    result: list[Deployment] = []
    for function, topic in TRIGGERS.items():
        if function in PER_SYSTEM:
            result += [
                Deployment(f"{function}-{s.replace('_', '-')}", function, topic, env={"SYSTEM_ID": s}) for s in systems
            ]
        else:
            result.append(Deployment(function.replace("_", "-"), function, topic))
    result += [Deployment(f.replace("_", "-"), f, None, bucket) for f, bucket in BUCKET_TRIGGERS.items()]
    return result


def subscribers(topic: str, system_ids: Iterable[str]) -> list[Deployment]:
    return [d for d in deployments(system_ids) if d.topic == topic]


def bucket_subscribers(bucket: str) -> list[Deployment]:
    """The deployments that objects finalized in this bucket (by role) trigger."""
    return [d for d in deployments(()) if d.bucket == bucket]
