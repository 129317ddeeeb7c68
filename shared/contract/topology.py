"""The event wiring: which topic triggers which function.

This is the one copy of the topic -> function map. The local bus delivers by
it, and a test checks that the Terraform triggers say exactly the same.
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
)

# entry point -> the topic that triggers it. The entry point is the function of
# that name in functions/<source>/main.py, where source is the entry point's own
# name unless SOURCES says otherwise.
TRIGGERS: dict[str, str] = {
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
    topic: str
    env: dict[str, str] = field(default_factory=dict)

    @property
    def subscription(self) -> str:
        """The push subscription that triggers this deployment."""
        return f"{self.name}-{self.topic}"

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
                Deployment(f"{function}-{s.replace('_', '-')}", function, topic, {"SYSTEM_ID": s}) for s in systems
            ]
        else:
            result.append(Deployment(function.replace("_", "-"), function, topic))
    return result


def subscribers(topic: str, system_ids: Iterable[str]) -> list[Deployment]:
    return [d for d in deployments(system_ids) if d.topic == topic]
