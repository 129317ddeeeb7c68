"""infra/terraform passes every offline check, and the broken fixture fails each one.

Every block against the google provider's schema is test_provider_schema.py's; what
only a connected `terraform plan` can check (value types and formats, API-side
limits, IAM) is listed in the README, Deploy.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infra import terraform_checks as checks
from shared.contract import markets, topology

BROKEN = Path(__file__).parent / "fixtures" / "broken"


def config(root: Path) -> list[str]:
    return checks.config_problems(root, markets.all_system_ids(), set(markets.all_markets()))


CHECKS = {
    "fmt": checks.fmt_problems,
    "loader": checks.loader_problems,
    "wiring": checks.wiring_problems,
    "schedules": checks.schedule_problems,
    "identities": checks.identity_problems,
    "interfaces": checks.interface_problems,
    "tables": checks.table_problems,
    "config": config,
}

# What each check must say about the broken fixture.
BROKEN_FINDINGS = {
    "fmt": ["not formatted: main.tf"],
    "loader": ['Duplicate resource "google_cloud_scheduler_job"'],
    "wiring": [
        "!= topology.TOPICS",
        "!= topology.TRIGGERS",
        "!= topology.SOURCES",
        "grading is triggered by undeclared topic game-final",
        "scorer publishes to undeclared topic scores-out",
        "targets undeclared topic diagnostics-nightly",
    ],
    "schedules": ["missing scheduler job slates_due", "missing scheduler job retrain"],
    "identities": ["google_service_account.ghost is used but not declared", "basic role roles/editor"],
    "interfaces": ["variable markets has no description", "module wiring: unknown argument colour"],
    "tables": ["not the repository's schemas/", "tables must come only from schemas/", "!= schemas tables"],
    "config": ["tfvars systems", "tfvars markets", "variable markets defaults to"],
}


@pytest.mark.parametrize("name", CHECKS)
def test_infra_terraform_passes(name: str) -> None:
    assert CHECKS[name](checks.TERRAFORM) == []


@pytest.mark.parametrize("name", CHECKS)
def test_broken_fixture_fails(name: str) -> None:
    found = "\n".join(CHECKS[name](BROKEN))
    missing = [finding for finding in BROKEN_FINDINGS[name] if finding not in found]
    assert not missing, f"{name} did not report {missing}; it said:\n{found}"


def test_terraform_computes_the_local_bus_deployments() -> None:
    """Terraform's own evaluation of the wiring equals topology.deployments(): names, functions, topics, env."""
    systems = sorted(markets.all_system_ids())
    evaluated = checks.evaluated_deployments(checks.TERRAFORM, systems)
    expected = {
        d.name: {"function": d.function, "topic": d.topic, "bucket": d.bucket, "env": d.env}
        for d in topology.deployments(systems)
    }
    assert evaluated == expected


def test_adding_a_system_is_one_more_scorer() -> None:
    systems = [*sorted(markets.all_system_ids()), "lgbm_new"]
    evaluated = checks.evaluated_deployments(checks.TERRAFORM, systems)
    assert evaluated["scorer-lgbm-new"] == {
        "function": "scorer",
        "topic": "features-ready",
        "bucket": None,
        "env": {"SYSTEM_ID": "lgbm_new"},
    }
    assert len(evaluated) == len(topology.deployments(systems))


def test_broken_wiring_evaluates_to_other_deployments() -> None:
    evaluated = checks.evaluated_deployments(BROKEN, ["xgb_core"])
    expected = {d.name for d in topology.deployments(["xgb_core"])}
    assert set(evaluated) != expected
