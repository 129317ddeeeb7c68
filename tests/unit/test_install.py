"""The tests run on what requirements.txt installs, and CI runs the README's test command in a new virtualenv.

Once, CI stayed green while a fresh clone failed 9 tests: checkov's fork of the HCL parser, left on the CI
machine, installed a module named `hcl2` over the pinned python-hcl2. These tests fail in that situation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from installed import Installed, imported_modules, own_modules, problems, requirements

from shared import paths

REPO = paths.ROOT


def test_every_imported_module_comes_from_one_distribution_that_requirements_pull_in() -> None:
    modules = {m for m in imported_modules(REPO) if m.split(".")[0] not in own_modules(REPO)}
    assert {"duckdb", "hcl2", "google.cloud.bigquery", "catboost"} <= modules  # the scan sees the real imports
    assert problems(Installed(), modules, requirements(REPO / "requirements.txt", "propflow")) == []


def _distribution(site: Path, name: str, files: dict[str, str], requires: tuple[str, ...] = ()) -> None:
    """A minimal installed distribution: its files and a dist-info with METADATA and RECORD."""
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    for relative, text in files.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(text)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", "Version: 1.0", *(f"Requires-Dist: {r}" for r in requires)]
    (info / "METADATA").write_text("\n".join(lines) + "\n")
    record = [*files, f"{info.name}/METADATA", f"{info.name}/RECORD"]
    (info / "RECORD").write_text("".join(f"{f},,\n" for f in record))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site folder: a pinned parser, its fork writing the same module, a pulled-in helper, a stray package."""
    site = tmp_path / "site"
    _distribution(site, "python-hcl2", {"hcl2/__init__.py": "", "hcl2/api.py": ""}, requires=("lark",))
    _distribution(site, "lark", {"lark/__init__.py": ""})
    _distribution(site, "bc-python-hcl2", {"hcl2/__init__.py": "# the fork", "hcl2/parser.py": ""})
    _distribution(site, "stray", {"stray.py": ""})
    _distribution(site, "ns-one", {"acme/one/__init__.py": ""})
    _distribution(site, "ns-two", {"acme/two/__init__.py": ""})
    return site


def _wanted(tmp_path: Path, text: str):
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    return requirements(path, "propflow")


def test_a_module_written_by_two_distributions_is_reported(site: Path, tmp_path: Path) -> None:
    found = problems(Installed([str(site)]), {"hcl2", "lark"}, _wanted(tmp_path, "python-hcl2==1.0\n"))
    assert found == [
        "module 'hcl2' is installed by several distributions (bc-python-hcl2, python-hcl2): one shadows the other"
    ]


def test_a_module_from_a_distribution_nothing_pins_is_reported(site: Path, tmp_path: Path) -> None:
    wanted = _wanted(tmp_path, "# pinned\nlark==1.0  # a comment\n")
    assert problems(Installed([str(site)]), {"stray", "lark"}, wanted) == [
        "module 'stray' comes from 'stray', which requirements.txt neither pins nor pulls in"
    ]


def test_what_a_pin_pulls_in_is_allowed_and_namespace_packages_are_split(site: Path, tmp_path: Path) -> None:
    installed = Installed([str(site)])
    wanted = _wanted(tmp_path, "ns-one==1.0\nlark==1.0\n")
    assert installed.closure(_wanted(tmp_path, "python-hcl2==1.0\n")) == {"python-hcl2", "lark"}
    assert problems(installed, {"acme.one", "acme", "lark"}, wanted) == []
    assert problems(installed, {"acme.two"}, wanted) == [
        "module 'acme.two' comes from 'ns-two', which requirements.txt neither pins nor pulls in"
    ]


def test_a_missing_module_and_a_wrong_version_are_reported(site: Path, tmp_path: Path) -> None:
    wanted = _wanted(tmp_path, "lark==2.0\nabsent==1.0\n")
    assert problems(Installed([str(site)]), {"nowhere", "nowhere.deeper"}, wanted) == [
        "lark==2.0 is pinned but 1.0 is installed",
        "absent==1.0 is pinned but not installed",
        "module 'nowhere' is imported but nothing installed provides it",
    ]


def test_ci_runs_the_readme_test_command_in_a_new_virtualenv() -> None:
    readme = (REPO / "README.md").read_text()
    block = re.search(r"Set up and run the tests:\n\n```bash\n(.*?)```", readme, re.S)
    assert block, "the README has no test command block"
    venv_line, test_command = block.group(1).strip().splitlines()
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert ci[-1] == test_command
    assert re.fullmatch(r"python3 -m venv (\S+) && \. \1/bin/activate(\s+#.*)?", venv_line), venv_line
    assert any(re.fullmatch(r'python3 -m venv "\$venv" && \. "\$venv/bin/activate"', line) for line in ci)
    assert any(line.startswith('venv="$(mktemp -d)') for line in ci), "CI's virtualenv is not made outside the repo"
