"""The static import graph of the shared package, read from the source with `ast`.

Every import statement counts wherever it sits, a function body included: a
deferred import is a real import the first time that code runs. Beyond that:

- importing `a.b.c` runs `a/__init__.py` and `a/b/__init__.py` first, so a
  module brings its parent packages (and what they import);
- an `if TYPE_CHECKING:` block never runs, so its imports do not count;
- a module imported by name (`importlib.import_module(...)`, `__import__`) is
  invisible to a static graph, so a call of either is reported, for the caller
  to refuse: such code must import with a statement.

Third-party imports are kept by their full dotted name, so that a module of a
namespace package (`google.cloud.bigquery`) can be told from its neighbours.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path, PurePosixPath

BY_NAME = ("import_module", "__import__")


@dataclass(frozen=True)
class Import:
    module: str  # absolute dotted name; `from a import b` gives a.b (b may be a module or a name in a)
    deferred: bool  # inside a function: runs on first call, not at import


@dataclass(frozen=True)
class Imports:
    found: tuple[Import, ...]
    by_name: tuple[int, ...]  # lines that import a module by name


def package_modules(package_dir: Path) -> dict[str, Path]:
    """Dotted name -> source file of every module of the package rooted at package_dir."""
    root = package_dir.parent
    found: dict[str, Path] = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if not all((root / Path(*parts[:i]) / "__init__.py").is_file() for i in range(1, len(parts))):
            continue  # a loose script in a folder that is no package is never imported
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Collector(ast.NodeVisitor):
    def __init__(self, package: str) -> None:
        self.package = package  # where a relative import starts from
        self.depth = 0
        self.found: list[Import] = []
        self.by_name: list[int] = []

    def _scope(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _scope

    def visit_If(self, node: ast.If) -> None:
        for child in node.orelse if _is_type_checking(node.test) else [node.test, *node.body, *node.orelse]:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        self.found += [Import(alias.name, self.depth > 0) for alias in node.names]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            anchor = self.package.split(".")[: len(self.package.split(".")) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            self.found.append(Import(base if alias.name == "*" else f"{base}.{alias.name}", self.depth > 0))

    def visit_Call(self, node: ast.Call) -> None:
        called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if called in BY_NAME:
            self.by_name.append(node.lineno)
        self.generic_visit(node)


def imports(path: Path, package: str) -> Imports:
    """What the file at path imports; package is the package it belongs to."""
    return _read(path.read_bytes(), package, str(path))


@cache  # by content: every function's walk reads the same modules
def _read(source: bytes, package: str, filename: str) -> Imports:
    collector = _Collector(package)
    collector.visit(ast.parse(source, filename=filename))
    return Imports(tuple(collector.found), tuple(collector.by_name))


def parents(module: str) -> Iterator[str]:
    """a.b.c -> a, a.b: the packages that run before the module."""
    parts = module.split(".")
    for i in range(1, len(parts)):
        yield ".".join(parts[:i])


def is_stdlib(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names


@cache
def _top_level() -> dict[str, list[str]]:
    return metadata.packages_distributions()


@cache
def _provides(distribution: str) -> frozenset[str]:
    """Dotted names of the packages and modules that a distribution's files make up."""
    names: set[str] = set()
    for file in metadata.distribution(distribution).files or ():
        *folders, name = PurePosixPath(str(file)).parts
        names.update(".".join(folders[:i]) for i in range(1, len(folders) + 1))
        names.add(".".join([*folders, name.split(".")[0]]))
    return frozenset(names)


@cache
def distribution(module: str) -> str | None:
    """The installed distribution that provides a third-party module (None: no installed one does).

    packages_distributions() maps a top-level name only; when several distributions
    share it (the `google` namespace), the one holding the longest part of the
    module's path wins: google.cloud.bigquery is google-cloud-bigquery's.
    """
    candidates = sorted(set(_top_level().get(module.split(".")[0], [])))
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    parts = module.split(".")
    for depth in range(len(parts), 0, -1):
        owners = [d for d in candidates if ".".join(parts[:depth]) in _provides(d)]
        if len(owners) == 1:
            return owners[0]
    return None
