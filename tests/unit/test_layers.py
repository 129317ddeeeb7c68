"""The import contract in pyproject.toml holds, and a wrong import breaks it.

lint-imports (import-linter) reads [tool.importlinter]; the scratch cases copy the package into a
temporary folder, add one module that breaks one rule, and check that lint-imports names that rule.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shared import paths

REPO = paths.ROOT
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    # The package is found on PYTHONPATH first, so a copy in a scratch folder is linted, not the installed one.
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_contract_holds() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and "0 broken" in result.stdout


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("layers")
    shutil.copytree(REPO / "shared", root / "shared", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


# (module added to the scratch copy, its one import, the contract lint-imports must report broken)
VIOLATIONS = [
    ("shared/domain/scratch_violation.py", "from shared.handlers import grading", "Layers:"),
    ("shared/handlers/scratch_violation.py", "from shared.adapters.local import duckdb_warehouse", "Layers:"),
    ("shared/handlers/scratch_violation.py", "from shared import runtime", "Layers:"),
    ("shared/ops/scratch_violation.py", "from shared.adapters.local import local_bus", "Only runtime builds adapters"),
    ("shared/handlers/scratch_violation.py", "from google.cloud import storage", "Only the gcp adapters import google"),
]


@pytest.mark.parametrize(("module", "statement", "contract"), VIOLATIONS, ids=[v[2] + v[0] for v in VIOLATIONS])
def test_a_deliberate_violation_breaks_it(scratch: Path, module: str, statement: str, contract: str) -> None:
    path = scratch / module
    path.write_text(f'"""A deliberate violation of the import contract."""\n\n{statement}  # noqa: F401\n')
    try:
        result = lint_imports(scratch)
    finally:
        path.unlink()
    assert result.returncode == 1, result.stdout + result.stderr
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in broken and "scratch_violation" in broken, broken
