"""Every resource and data block of infra/terraform fits the google provider 6.50.0 schema; the broken fixture fails.

The schema comes from the cdktf-cdktf-provider-google wheel, fetched from PyPI and
extracted once per machine (infra.provider_schema); where PyPI cannot be reached
these tests skip and say so.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from infra import hcl, provider_schema
from infra.schema_checks import schema_problems
from infra.terraform_checks import TERRAFORM, module_dirs

BROKEN = Path(__file__).parent / "fixtures" / "broken"

# The faults seeded in fixtures/broken/schema.tf (and main.tf's undeclared identity), each as it must be reported.
BROKEN_FINDINGS = [
    "schema.tf:4 google_pubsub_topic.schema_faults: unknown argument retention_days",
    "google_pubsub_topic.schema_faults: schema_settings is a block: write `schema_settings { ... }`",
    "google_pubsub_subscription.schema_faults: unknown block delivery_policy",
    "google_pubsub_subscription.schema_faults: push_config is a single block (at most one), written 2 times",
    "google_pubsub_subscription.schema_faults: missing required argument name",
    "google_bigquery_table.schema_faults: schema is an argument: write `schema = ...`",
    "google_monitoring_alert_policy.schema_faults: missing required block conditions",
    "google_cloudfunctions2_function.schema_faults: url is computed by the provider: it cannot be set",
    "google_cloudfunctions2_function.schema_faults: unknown argument event_trigger.topic",
    "google_cloudfunctions2_function exports no attribute service_config[0].url (did you mean uri?)",
    "google_cloudfunctions2_function block service_config is a list: index it (service_config[0].uri)",
    "main.tf:28: google_service_account.ghost.email: no google_service_account.ghost is declared in this module",
]


@pytest.fixture(scope="module")
def schema() -> dict:
    try:
        return provider_schema.load()
    except provider_schema.SchemaUnavailable as error:
        pytest.skip(str(error))


def test_extraction_matches_the_provider_docs(schema: dict) -> None:
    """Facts read by hand in the 6.50.0 docs of each type."""
    resources = schema["resources"]
    assert schema["provider_version"] == "6.50.0"
    assert len(resources) > 1000 and len(schema["data_sources"]) > 300
    workflow = resources["google_workflows_workflow"]
    assert workflow["arguments"]["deletion_protection"] == "optional"
    assert workflow["blocks"]["timeouts"]["max_one"] and "timeouts" not in workflow["arguments"]
    assert workflow["attributes"]["create_time"] == "value" and "create_time" not in workflow["arguments"]
    subscription = resources["google_pubsub_subscription"]
    assert {a for a, need in subscription["arguments"].items() if need == "required"} == {"name", "topic"}
    assert subscription["blocks"]["push_config"]["max_one"]
    assert subscription["blocks"]["push_config"]["arguments"]["push_endpoint"] == "required"
    assert subscription["blocks"]["push_config"]["blocks"]["oidc_token"]["max_one"]
    table = resources["google_bigquery_table"]
    assert table["arguments"]["schema"] == "optional" and "schema" not in table["blocks"]
    assert table["blocks"]["time_partitioning"]["max_one"]
    assert resources["google_cloud_scheduler_job"]["arguments"]["name"] == "required"
    assert resources["google_cloud_scheduler_job"]["blocks"]["pubsub_target"]["arguments"]["topic_name"] == "required"
    conditions = resources["google_monitoring_alert_policy"]["blocks"]["conditions"]
    assert (conditions["max_one"], conditions["required"]) == (False, True)
    assert conditions["arguments"]["display_name"] == "required"
    replication = resources["google_secret_manager_secret"]["blocks"]["replication"]
    assert (replication["max_one"], replication["required"], replication["blocks"]["auto"]["max_one"]) == (
        True,
        True,
        True,
    )
    function = resources["google_cloudfunctions2_function"]["attributes"]
    assert function["service_config"]["max_one"] and function["service_config"]["attributes"]["uri"] == "value"
    assert function["event_trigger"]["attributes"]["trigger"] == "value"
    assert not function["event_trigger"]["attributes"]["event_filters"]["max_one"]
    # cdktf names this getter buildAttribute; the Terraform attribute is build (from the generated JavaScript).
    assert function["build_config"]["attributes"]["build"] == "value"
    assert function["url"] == "value"
    assert schema["data_sources"]["google_project"]["attributes"]["number"] == "value"


def test_config_and_exported_blocks_agree(schema: dict) -> None:
    """Two encodings of "at most one" agree for every block: Config interface vs array, OutputReference vs List."""

    def disagreements(config: dict, exported: dict, path: str) -> list[str]:
        found = [f"{path}{a} is not exported" for a in config["arguments"] if a not in exported]
        for name, block in config["blocks"].items():
            shape = exported.get(name)
            if not isinstance(shape, dict) or shape["max_one"] != block["max_one"]:
                found.append(f"{path}{name}: config says max_one={block['max_one']}, the getters say {shape}")
            else:
                found += disagreements(block, shape["attributes"], f"{path}{name}.")
        return found

    found = [
        problem
        for kind in ("resources", "data_sources")
        for type_, config in schema[kind].items()
        for problem in disagreements(config, config["attributes"], f"{type_}.")
    ]
    assert found == []


def test_infra_terraform_fits_the_provider_schema(schema: dict) -> None:
    assert schema_problems(TERRAFORM, schema) == []


def test_broken_fixture_fails_each_way(schema: dict) -> None:
    problems = schema_problems(BROKEN, schema)
    found = "\n".join(problems)
    missing = [finding for finding in BROKEN_FINDINGS if finding not in found]
    assert not missing, f"not reported: {missing}; reported:\n{found}"
    assert all(problem.split(":")[0].endswith(".tf") for problem in problems), found


def test_versions_pin_the_checked_provider() -> None:
    """Every module with google resources requires exactly the provider version whose schema is checked."""
    pins = {}
    for directory in module_dirs(TERRAFORM):
        module = hcl.read_module(directory)
        if any(b.labels[0].startswith("google_") for b in module.blocks_of("resource") + module.blocks_of("data")):
            (settings,) = module.blocks_of("terraform")
            (providers,) = settings.blocks_of("required_providers")
            pins[directory.name] = providers.attributes["google"]["version"]
    assert len(pins) == 3
    assert set(pins.values()) == {f"~> {provider_schema.PROVIDER_VERSION}"}, pins


def test_cached_schema_loads_fast(schema: dict) -> None:
    start = time.perf_counter()
    assert provider_schema.load() == schema
    assert time.perf_counter() - start < 1.0
