"""Every resource and data block of a Terraform tree, checked against the google provider's schema.

What `terraform validate` would find with the provider installed, for the shape of
the configuration: unknown arguments and blocks, an argument written as a block or
the reverse, a single block repeated, missing required arguments and blocks, and
references (`google_x.name.attr[0].sub`, `data.google_x.name.attr`) to resources
the module does not declare or to attributes their type does not export. Values
are not checked (types, formats, enums): only a connected `terraform plan` does that.
The schema is provider_schema.load()'s; like terraform_checks, each check returns
a list of problems, empty when the tree passes.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from pathlib import Path
from typing import Any

from infra import hcl
from infra.hcl import Block, Body
from infra.terraform_checks import module_dirs

Schema = dict[str, Any]

# Terraform's own, on every resource / data block; their contents are not the provider's to check.
META_ARGUMENTS = {"count", "for_each", "depends_on", "provider"}
META_BLOCKS = {"resource": {"lifecycle", "provisioner", "connection"}, "data": {"lifecycle"}}
# Built into Terraform (its `terraform` provider), not the google provider's: no schema here to check it against.
BUILT_IN = {"terraform_data"}

_KINDS = {"resource": "resources", "data": "data_sources"}
_REFERENCE = re.compile(
    r"(?<![\w.])(data\.)?(google_\w+)\.([A-Za-z_][\w-]*)((?:\.(?:[A-Za-z_][\w-]*|\*)|\[[^\[\]]*\])*)"
)
_STEP = re.compile(r"\.([A-Za-z_][\w-]*|\*)|\[([^\[\]]*)\]")


def schema_problems(root: Path, schema: dict[str, Any]) -> list[str]:
    """Every module of the tree (the root and modules/*) against the provider schema."""
    problems: list[str] = []
    for directory in module_dirs(root):
        module = hcl.read_module(directory)
        for block in module.blocks_of("resource") + module.blocks_of("data"):
            problems += _block_problems(root, block, schema)
        problems += _reference_problems(root, module, schema)
    return list(dict.fromkeys(problems))


def _block_problems(root: Path, block: Block, schema: dict[str, Any]) -> list[str]:
    type_, name = block.labels
    if type_ in BUILT_IN:
        return []
    address = f"{'data.' if block.type == 'data' else ''}{type_}.{name}"
    where = f"{_where(root, block)} {address}"
    type_schema = schema[_KINDS[block.type]].get(type_)
    if type_schema is None:
        hint = _hint(type_, schema[_KINDS[block.type]])
        return [f"{where}: google provider {schema['provider_version']} has no {block.type} type {type_}{hint}"]
    found = _body_problems(block, type_schema, type_schema["attributes"], block.type)
    return [f"{where}: {problem}" for problem in found]


def _body_problems(body: Body, config: Schema, exported: dict[str, Any], meta: str | None, path: str = "") -> list[str]:
    """One body against its block schema; `meta` ("resource", "data") marks a top-level one, where meta-arguments go."""
    arguments, blocks = config["arguments"], config["blocks"]
    problems: list[str] = []
    for name in body.attributes:
        if name in arguments or (meta and name in META_ARGUMENTS):
            continue
        if name in blocks:
            problems.append(f"{path}{name} is a block: write `{name} {{ ... }}`, not `{name} = ...`")
        elif name in exported:
            problems.append(f"{path}{name} is computed by the provider: it cannot be set")
        else:
            problems.append(f"unknown argument {path}{name}{_hint(name, arguments)}")
    written: Counter[str] = Counter()  # a dynamic block counts once: its for_each is not known here
    for block in body.blocks:
        if block.type in META_BLOCKS.get(meta, ()):
            continue
        if block.type == "dynamic":
            name, contents = block.labels[0], block.blocks_of("content")
            written[name] += 1
            if len(contents) != 1:
                problems.append(f'dynamic "{path}{name}" needs exactly one content block, has {len(contents)}')
                continue
            content = contents[0]
        else:
            name, content = block.type, block
            written[name] += 1
        if name in blocks:
            nested = exported.get(name, {}).get("attributes", {})
            problems += _body_problems(content, blocks[name], nested, None, f"{path}{name}.")
        elif name in arguments:
            problems.append(f"{path}{name} is an argument: write `{name} = ...`, not `{name} {{ ... }}`")
        else:
            problems.append(f"unknown block {path}{name}{_hint(name, blocks)}")
    for name, spec in blocks.items():
        if spec["max_one"] and written[name] > 1:
            problems.append(f"{path}{name} is a single block (at most one), written {written[name]} times")
        if spec["required"] and not written[name]:
            problems.append(f"missing required block {path}{name}")
    problems += [
        f"missing required argument {path}{a}"
        for a, need in arguments.items()
        if need == "required" and a not in body.attributes
    ]
    return problems


def _reference_problems(root: Path, module: Body, schema: dict[str, Any]) -> list[str]:
    """Every google_* reference in the module's expressions: a declared resource, an attribute its type exports."""
    declared = {(b.type, *b.labels) for b in module.blocks_of("resource") + module.blocks_of("data")}
    problems: list[str] = []
    for block in module.blocks:
        for expression in block.expressions():
            for match in _REFERENCE.finditer(expression.code):
                data, type_, name, rest = match.groups()
                kind = "data" if data else "resource"
                text = expression.source[match.start() : match.end()]
                address = f"{'data.' if data else ''}{type_}.{name}"
                if (kind, type_, name) not in declared:
                    problems.append(f"{_where(root, block)}: {text}: no {address} is declared in this module")
                elif type_ in schema[_KINDS[kind]]:
                    unexported = _unexported(schema[_KINDS[kind]][type_]["attributes"], _STEP.findall(rest))
                    if unexported:
                        problems.append(f"{_where(root, block)}: {text}: {type_} {unexported}")
    return problems


def _unexported(attributes: dict[str, Any], steps: list[tuple[str, str]]) -> str | None:
    """Why a reference's steps (`.name`, `[index]`, `.*`) leave what the type exports, or None when they do not."""
    fields: dict[str, Any] | None = attributes  # what a `.name` may select next; None past what the schema spells out
    block: dict[str, Any] | None = None  # a nested block, a list until it is indexed
    path = ""
    for i, (name, index) in enumerate(steps):
        if name and name != "*":
            if block is not None:
                return f"block {path} is a list: index it ({path}[0].{name})"
            if fields is None:
                return None
            if name not in fields:
                return f"exports no attribute {path}{'.' if path else ''}{name}{_hint(name, fields)}"
            path += f"{'.' if path else ''}{name}"
            shape = fields[name]
            block = shape if isinstance(shape, dict) else None
            fields = None
            if shape == "value" and i + 1 < len(steps) and steps[i + 1][0] not in ("", "*"):
                return f"attribute {path} is a single value: it has no attribute {steps[i + 1][0]}"
        elif block is not None:
            fields, block = block["attributes"], None
            path += f"[{index or '*'}]"
        elif i > 0:
            return None  # an index into a collection, or past what the schema spells out
        # else: the instance key of a resource with count or for_each (`google_x.name[0]`, `[each.key]`)
    return None


def _where(root: Path, block: Block) -> str:
    return f"{block.file.relative_to(root)}:{block.line}" if block.file else block.type


def _hint(name: str, candidates: Any) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1)
    return f" (did you mean {close[0]}?)" if close else ""
