"""Terraform files read with python-hcl2 (the pinned 8.1.4), as plain values a check can compare.

hcl2.load returns every value in its source form: a string literal keeps its quotes
(`'"alert-raised"'`), an expression comes wrapped in `${...}` (`'${var.x}'`), a
template is a quoted string with `${...}` inside (`'"${var.name}-dead-letter"'`),
a block is a list of bodies marked `__is_block__`, each label one more level of
dict (`{'"google_x"': {'"this"': body}}`), and tuples and objects are lists and
dicts of such values. Here that becomes:

- a string literal: `str`, its quotes off and its escapes resolved; numbers, bools and null as they are;
- an expression or a template: `Expression`, holding its HCL source (`var.x`,
  `"${var.name}-dead-letter"`, `string`: a lone identifier comes without `${}`),
  so that it is never mistaken for a literal;
- a tuple: `list`; an object: `dict` with literal keys;
- a body: `Body` (attributes and blocks apart, as Terraform sees them); a block: `Block`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
from hcl2.utils import process_escape_sequences

# Heredocs as plain quoted strings; no comment keys; blocks marked as blocks (the default).
_OPTIONS = hcl2.SerializationOptions(with_comments=False, preserve_heredocs=False, explicit_blocks=True)
_IS_BLOCK = "__is_block__"
_INTERPOLATION = re.compile(r"(?<!\$)\$\{|(?<!%)%\{")


@dataclass(frozen=True)
class Expression:
    """An HCL expression or string template, kept as its source text."""

    source: str

    @property
    def code(self) -> str:
        """The source with the literal text of its strings blanked out: what is left is code and interpolations."""
        kept: list[str] = []
        modes = ["code"]
        i = 0
        while i < len(self.source):
            char = self.source[i]
            if modes[-1] == "string":
                step = 3 if self.source.startswith(("$${", "%%{"), i) else 2 if char == "\\" else 1
                if self.source.startswith(("${", "%{"), i):
                    modes.append("interpolation")
                    kept.append(self.source[i : i + 2])
                    i += 2
                    continue
                if char == '"':
                    modes.pop()
                kept.append(char if char == '"' else " " * step)
                i += step
                continue
            if char == '"':
                modes.append("string")
            elif char == "{":
                modes.append("code")
            elif char == "}" and len(modes) > 1:
                modes.pop()
            kept.append(char)
            i += 1
        return "".join(kept)


Value = str | int | float | bool | None | Expression | list[Any] | dict[Any, Any]


@dataclass(frozen=True)
class Body:
    """What is inside braces (or a whole file): `name = value` attributes and nested blocks, in order."""

    attributes: dict[str, Value] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]

    def expressions(self) -> list[Expression]:
        """Every expression in this body, nested blocks and values included."""
        found = [e for value in self.attributes.values() for e in _expressions(value)]
        return found + [e for block in self.blocks for e in block.expressions()]


@dataclass(frozen=True)
class Block(Body):
    """`type "label" ... { body }`; a file's top-level blocks also know where their header is."""

    type: str = ""
    labels: tuple[str, ...] = ()
    file: Path | None = None
    line: int = 0


def read_file(path: Path) -> Body:
    """One .tf or .tfvars file."""
    text = path.read_text()
    body = _body(hcl2.loads(text, serialization_options=_OPTIONS))
    return Body(body.attributes, _located(body.blocks, path, text))


def read_module(directory: Path) -> Body:
    """Every .tf file of one module, as one body (Terraform merges them the same way)."""
    files = [read_file(p) for p in sorted(directory.glob("*.tf"))]
    return Body({k: v for f in files for k, v in f.attributes.items()}, tuple(b for f in files for b in f.blocks))


def _value(raw: Any) -> Value:
    if isinstance(raw, str):
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            inner = raw[1:-1]
            if _INTERPOLATION.search(inner):
                return Expression(raw)
            return process_escape_sequences(inner).replace("$${", "${").replace("%%{", "%{")
        # An expression comes as `${...}`, except a lone identifier (`type = string`), which comes bare.
        return Expression(raw[2:-1] if raw.startswith("${") and raw.endswith("}") else raw)
    if isinstance(raw, list):
        return [_value(item) for item in raw]
    if isinstance(raw, dict):
        return {_key(k): _value(v) for k, v in raw.items()}
    return raw


def _key(raw: str) -> Value:
    """An object key or a block label: a bare name is the key itself (`{ app = ... }`), a quoted one a string."""
    return _value(raw) if raw.startswith(('"', "${")) else raw


def _is_block_list(raw: Any) -> bool:
    """A list of block bodies, each under as many one-key dicts as the block has labels."""
    return isinstance(raw, list) and bool(raw) and all(_labels_and_body(item) is not None for item in raw)


def _labels_and_body(raw: Any) -> tuple[tuple[str, ...], dict] | None:
    labels: list[str] = []
    while isinstance(raw, dict):
        if raw.get(_IS_BLOCK) is True:
            return tuple(labels), raw
        if len(raw) != 1:
            return None
        ((label, raw),) = raw.items()
        labels.append(_key(label))
    return None


def _body(raw: dict[str, Any]) -> Body:
    attributes: dict[str, Value] = {}
    blocks: list[Block] = []
    for key, raw_value in raw.items():
        if key == _IS_BLOCK:
            continue
        if _is_block_list(raw_value):
            for item in raw_value:
                labels, body = _labels_and_body(item)
                inner = _body(body)
                blocks.append(Block(inner.attributes, inner.blocks, type=key, labels=labels))
        else:
            attributes[key] = _value(raw_value)
    return Body(attributes, tuple(blocks))


def _located(blocks: tuple[Block, ...], path: Path, text: str) -> tuple[Block, ...]:
    """The top-level blocks with the file and line of their header (the n-th block of a header, the n-th match)."""
    located: list[Block] = []
    seen: dict[str, int] = {}
    for block in blocks:
        header = (
            r"^[ \t]*"
            + re.escape(block.type)
            + "".join(r'\s+"?' + re.escape(str(label)) + '"?' for label in block.labels)
        )
        matches = [m.start() for m in re.finditer(header + r"\s*\{", text, re.M)]
        nth = seen.get(header, 0)
        seen[header] = nth + 1
        line = text.count("\n", 0, matches[nth]) + 1 if nth < len(matches) else 0
        located.append(Block(block.attributes, block.blocks, block.type, block.labels, file=path, line=line))
    return tuple(located)


def _expressions(value: Value) -> list[Expression]:
    if isinstance(value, Expression):
        return [value]
    if isinstance(value, list):
        return [e for item in value for e in _expressions(item)]
    if isinstance(value, dict):
        return [e for k, v in value.items() for e in [*_expressions(k), *_expressions(v)]]
    return []
