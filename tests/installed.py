"""Which installed distribution provides each module the project imports, and did requirements.txt ask for it.

A package left on a machine by hand can satisfy an import that a fresh virtualenv cannot, or shadow the pinned
one (two distributions installing the same top-level module: the last one written wins). Both hide a missing or
wrong pin from CI. `Installed` reads what is installed on a search path (the interpreter's by default), so a test
can also point it at a site folder it built itself.
"""

from __future__ import annotations

import ast
import csv
import os
import sys
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from importlib import machinery, metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# Folders whose Python files the project runs (tests and bench put their own folder on sys.path).
PROJECT_FOLDERS = ("functions", "shared", "tests", "bench")
NAMESPACE = "namespace"


def imported_modules(root: Path) -> set[str]:
    """Every absolutely imported module name (dotted, as written) in the project's Python files."""
    names: set[str] = set()
    for folder in PROJECT_FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names |= {alias.name for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    # `from google.cloud import bigquery` imports a module below a namespace package.
                    names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return names


def own_modules(root: Path) -> set[str]:
    """Top-level names the project provides itself and the standard library's: the repository's folders and files,
    and every module and package under tests/ and bench/ (pytest and the benches put their folders on sys.path)."""
    local = {p.stem for p in root.iterdir() if p.is_dir() or p.suffix == ".py"}
    for folder in ("tests", "bench"):
        local |= {p.stem for p in (root / folder).rglob("*") if p.suffix == ".py" or (p / "__init__.py").is_file()}
    return local | set(sys.stdlib_module_names)


def requirements(path: Path, project: str) -> list[Requirement]:
    """The requirements of a pip requirements file; `-e .` stands for the project itself."""
    found = []
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line in ("-e .", "."):
            found.append(Requirement(project))
        elif line and not line.startswith(("#", "-")):
            found.append(Requirement(line))
    return found


@dataclass(frozen=True)
class Installed:
    """The distributions on one search path (None: the running interpreter's sys.path)."""

    path: list[str] | None = None

    def _on_path(self) -> list[metadata.Distribution]:
        return list(metadata.distributions() if self.path is None else metadata.distributions(path=self.path))

    @cached_property
    def distributions(self) -> dict[str, metadata.Distribution]:
        """Canonical name -> distribution; the first on the path, as import would find it."""
        found: dict[str, metadata.Distribution] = {}
        for dist in self._on_path():
            found.setdefault(canonicalize_name(dist.metadata["Name"]), dist)
        return found

    @cached_property
    def records(self) -> list[tuple[str, str, list[str]]]:
        """(canonical name, site folder, files its RECORD lists) per distribution, read as text: Distribution.files
        builds an object per file and takes 20 s over this project's 26,000 files. A distribution without a RECORD
        (a legacy egg) owns nothing here, so its modules are reported."""
        found = []
        for dist in self._on_path():
            rows = csv.reader((dist.read_text("RECORD") or "").splitlines())
            name = canonicalize_name(dist.metadata["Name"])
            found.append((name, str(dist.locate_file("")), [row[0] for row in rows if row]))
        return found

    @cached_property
    def file_owners(self) -> dict[str, set[str]]:
        """Installed file (absolute, normalised) -> the distributions whose RECORD lists it."""
        owners: dict[str, set[str]] = defaultdict(set)
        for name, base, files in self.records:
            for file in files:
                owners[os.path.normpath(os.path.join(base, file))].add(name)
        return owners

    @cached_property
    def top_level_owners(self) -> dict[str, set[str]]:
        """Top-level module name -> the distributions with files under it, wherever they sit on the path."""
        owners: dict[str, set[str]] = defaultdict(set)
        for name, _, files in self.records:
            for top in {file.split("/", 1)[0] for file in files}:
                if not top.endswith((".dist-info", ".egg-info", ".pth")) and top not in ("..", "__pycache__"):
                    owners[top.split(".")[0]].add(name)
        return owners

    def closure(self, wanted: list[Requirement]) -> set[str]:
        """The requested distributions and everything they pull in (markers evaluated here, extras followed)."""
        seen: set[tuple[str, frozenset[str]]] = set()
        todo = [(canonicalize_name(r.name), frozenset(r.extras)) for r in wanted if _applies(r, frozenset())]
        while todo:
            name, extras = todo.pop()
            if (name, extras) in seen:
                continue
            seen.add((name, extras))
            dist = self.distributions.get(name)
            for line in (dist.requires or []) if dist else []:
                requirement = Requirement(line)
                if _applies(requirement, extras):
                    todo.append((canonicalize_name(requirement.name), frozenset(requirement.extras)))
        return {name for name, _ in seen}

    def module_file(self, dotted: str) -> str | None:
        """The file a dotted import loads: a module, or a package's __init__ (namespace packages walked through).

        NAMESPACE when the name is only a namespace package; None when nothing on the path provides it.
        """
        search = self.path
        parts = dotted.split(".")
        for depth in range(1, len(parts) + 1):
            spec = machinery.PathFinder.find_spec(".".join(parts[:depth]), search)
            if spec is None:
                return None
            if spec.origin not in (None, NAMESPACE):
                return os.path.normpath(spec.origin)
            search = list(spec.submodule_search_locations or [])
        return NAMESPACE


def _applies(requirement: Requirement, extras: frozenset[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in extras or {""})


def problems(installed: Installed, modules: set[str], wanted: list[Requirement]) -> list[str]:
    """One line per pin not installed as pinned, and per imported module that comes from no distribution, from
    several, or from one that requirements.txt neither pins nor pulls in."""
    found = []
    for requirement in wanted:
        dist = installed.distributions.get(canonicalize_name(requirement.name))
        if dist is None:
            found.append(f"{requirement} is pinned but not installed")
        elif not requirement.specifier.contains(dist.version, prereleases=True):
            found.append(f"{requirement} is pinned but {dist.version} is installed")
    closure = installed.closure(wanted)
    checked: set[str] = set()
    for module in sorted(modules):
        file = installed.module_file(module)
        if file == NAMESPACE or (file is None and "." in module):
            continue  # a namespace package, or `from x import attribute`: x itself is checked
        if file is None:
            found.append(f"module '{module}' is imported but nothing installed provides it")
            continue
        if file in checked:
            continue
        checked.add(file)
        top = module.split(".")[0]
        owners = set(installed.file_owners.get(file, set()))
        if installed.module_file(top) != NAMESPACE:  # a regular package: every distribution writing into it counts
            owners |= installed.top_level_owners.get(top, set())
        if not owners:
            found.append(f"module '{module}' ({file}) was installed by no distribution")
        elif len(owners) > 1:
            found.append(
                f"module '{module}' is installed by several distributions ({', '.join(sorted(owners))}): "
                "one shadows the other"
            )
        elif (owner := owners.pop()) not in closure:
            found.append(f"module '{module}' comes from '{owner}', which requirements.txt neither pins nor pulls in")
    return found
