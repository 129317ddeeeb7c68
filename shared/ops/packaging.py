"""Build step for deployment: one source archive per function folder, holding only what it imports.

Each archive holds what Cloud Functions builds from: the folder's main.py at the
root; the modules of shared/ that main.py imports, transitively, with the
package `__init__.py`s they run and the package data beside them (markets.yaml,
the feature specs); all of schemas/ (the contract, which shared.contract.schemas
finds beside shared/); and a requirements.txt with only the distributions those
modules import, at the repo's pins. The sets come from the import graph
(shared/ops/import_graph.py), never from a list kept by hand.

One rule leaves code out: deployed functions run on the gcp backend (Terraform
sets PROPFLOW_BACKEND=gcp), and shared.runtime imports the `shared.adapters.local`
package (DuckDB, a folder, the in-process bus) only lazily, for the embedded
default; so archives leave that package out, and an archived module that
imports it at import time is an error, since that function could not start.

A function that reads feed specs also gets the user's own (PROPFLOW_FEEDS_DIR when
packaging), each checked, in the folder FEEDS_FOLDER that Terraform sets its
PROPFLOW_FEEDS_DIR to: a new or changed spec is a new archive.

Archives are byte-for-byte reproducible (sorted entries, fixed timestamps and
modes) and named by their sha256, so the same tree gives the same name and any
change gives a new one, which is what makes Terraform redeploy.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shared import paths
from shared.contract import topology
from shared.domain.feeds import spec as feed_spec
from shared.errors import Invalid
from shared.ops import import_graph

REPO_ROOT = paths.ROOT
MANIFEST = "manifest.json"
ENTRY = "main"  # the entry point's module name; Cloud Functions imports main.py from the archive root
LIBRARY = "shared"
FEED_SPECS = feed_spec.__name__  # an archive holding this module reads feed specs
FEEDS_FOLDER = "feeds"  # relative: a deployed function runs from its archive's root
LEFT_OUT = "shared.adapters.local"  # the embedded default's adapters: see the module docstring
# A requirements.txt section whose comment line says this stays out of the functions.
DEV_ONLY_MARKER = "not packaged"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_SKIPPED_DIRS = {"__pycache__"}
_SKIPPED_SUFFIXES = {".pyc", ".pyo"}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Archive:
    source: str
    path: Path
    sha256: str


@dataclass(frozen=True)
class Closure:
    """What one entry point imports, transitively: its modules of shared/ and its third-party distributions."""

    modules: dict[str, Path]  # dotted name -> file, shared/ only
    distributions: dict[str, str]  # distribution -> the third-party module that first needs it
    imported_by: dict[str, str]  # module -> the module that first imports it

    def chain(self, module: str) -> list[str]:
        """main -> ... -> module: the path by which the entry point reaches a module."""
        path = [module]
        while path[-1] in self.imported_by:
            path.append(self.imported_by[path[-1]])
        return path[::-1]


def sources() -> list[str]:
    """Function folders to package: one per entry point's source (topology.SOURCES shares some)."""
    return sorted({topology.source(f) for f in topology.functions()})


def canonical(distribution: str) -> str:
    """A distribution's name as pip compares it (PEP 503): PyYAML and pyyaml are one."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def runtime_pins(requirements: Path) -> dict[str, str]:
    """Canonical distribution name -> its pinned line, minus sections marked dev-only and editable installs."""
    kept: dict[str, str] = {}
    packaged, in_header = True, False
    for raw in requirements.read_text().splitlines():
        line = raw.strip()
        if line.startswith("#"):
            # A run of comment lines heads a section; any of them can mark it dev-only.
            packaged = (packaged if in_header else True) and DEV_ONLY_MARKER not in line
            in_header = True
        elif line:
            in_header = False
            if packaged and not line.startswith("-"):
                kept[canonical(_NAME.match(line).group())] = line
    return kept


def _is_left_out(module: str) -> bool:
    return module == LEFT_OUT or module.startswith(LEFT_OUT + ".")


def _imports(importer: str, path: Path) -> tuple[import_graph.Import, ...]:
    package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
    read = import_graph.imports(path, package)
    if read.by_name:
        raise Invalid(
            f"{path}:{read.by_name[0]} imports a module by name, which no archive can see: "
            "import it with an import statement"
        )
    return read.found


def _library_modules(importer: str, found: import_graph.Import, library: dict[str, Path]) -> Iterator[str]:
    """The modules of shared/ an import runs: its parent packages, and itself unless it names a class or function."""
    for module in [*import_graph.parents(found.module), found.module]:
        if module not in library:
            continue  # `from shared.x import Name`: shared.x.Name is no module
        if not _is_left_out(module):
            yield module
        elif not found.deferred:
            raise Invalid(
                f"{importer} imports {found.module} at import time: deployed archives leave out {LEFT_OUT} "
                "(the embedded default's adapters)"
            )


def closure(source: str, root: Path = REPO_ROOT) -> Closure:
    """Walk the import graph from functions/<source>/main.py; an import nothing installed provides is an error."""
    main = root / "functions" / source / "main.py"
    if not main.is_file():
        raise FileNotFoundError(f"{main}: no such function folder")
    library = import_graph.package_modules(root / LIBRARY)
    files = {ENTRY: main, **library}
    modules: dict[str, Path] = {}
    distributions: dict[str, str] = {}
    imported_by: dict[str, str] = {}
    queue = deque([ENTRY])
    while queue:
        importer = queue.popleft()
        for found in _imports(importer, files[importer]):
            if found.module.split(".")[0] == LIBRARY:
                for module in _library_modules(importer, found, library):
                    if module not in modules:
                        modules[module], imported_by[module] = library[module], importer
                        queue.append(module)
            elif not import_graph.is_stdlib(found.module):
                distribution = import_graph.distribution(found.module)
                if distribution is None:
                    raise Invalid(f"{importer} imports {found.module}: no installed distribution provides it")
                imported_by.setdefault(found.module, importer)
                distributions.setdefault(distribution, found.module)
    return Closure(dict(sorted(modules.items())), dict(sorted(distributions.items())), imported_by)


def requirements_text(found: Closure, pins: dict[str, str]) -> str:
    """The archive's requirements.txt: the repo's pinned line of every distribution the closure imports."""
    lines = []
    for distribution, module in found.distributions.items():
        if canonical(distribution) not in pins:
            raise Invalid(
                f"{module} ({distribution}) has no pin in requirements.txt's packaged sections; "
                f"imported by {' -> '.join(found.chain(module))}"
            )
        lines.append(pins[canonical(distribution)])
    return "\n".join(sorted(lines, key=str.lower)) + "\n"


def _files(top: Path, prefix: str = "") -> Iterator[tuple[str, Path]]:
    """(archive name, path) of every file under top, bytecode caches left out."""
    for path in sorted(top.rglob("*")):
        relative = path.relative_to(top)
        if path.is_file() and path.suffix not in _SKIPPED_SUFFIXES and _SKIPPED_DIRS.isdisjoint(relative.parts):
            yield prefix + relative.as_posix(), path


def _package_data(package_dir: Path) -> Iterator[Path]:
    """The files a package reads beside its modules: non-Python files in it and in its folders that are no package."""
    for path in sorted(package_dir.iterdir()):
        if path.is_dir() and path.name not in _SKIPPED_DIRS and not (path / "__init__.py").is_file():
            yield from (p for _, p in _files(path) if p.suffix != ".py")
        elif path.is_file() and path.suffix not in {".py", *_SKIPPED_SUFFIXES}:
            yield path


def _feed_specs(feeds_dir: Path | None) -> dict[str, bytes]:
    """The user's specs as archive entries, each checked as the function would (Invalid names the file and key);
    the folder is there even without any, for the deployment's PROPFLOW_FEEDS_DIR."""
    folder = FEEDS_FOLDER
    entries = {f"{folder}/README.md": f"Feed specs packaged from {feeds_dir or 'no PROPFLOW_FEEDS_DIR'}.\n".encode()}
    if feeds_dir is not None:
        feed_spec.all_specs(feeds_dir)
        entries |= {f"{folder}/{path.name}": path.read_bytes() for path in feed_spec.user_files(feeds_dir)}
    return entries


def archive_entries(source: str, root: Path = REPO_ROOT, feeds_dir: Path | None = None) -> dict[str, bytes]:
    """Archive name -> content for one function folder (with the user's feed specs if it reads specs)."""
    found = closure(source, root)
    files = list(_files(root / "functions" / source))
    for path in found.modules.values():
        files.append((path.relative_to(root).as_posix(), path))
        if path.name == "__init__.py":
            files += [(p.relative_to(root).as_posix(), p) for p in _package_data(path.parent)]
    files += _files(root / "schemas", "schemas/")
    entries = {name: path.read_bytes() for name, path in files}
    if FEED_SPECS in found.modules:
        entries |= _feed_specs(feeds_dir)
    entries["requirements.txt"] = requirements_text(found, runtime_pins(root / "requirements.txt")).encode()
    return entries


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    """A zip whose bytes depend only on the entries' names and contents."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name], compresslevel=9)
    return buffer.getvalue()


def build(out_dir: Path, root: Path = REPO_ROOT, feeds_dir: Path | None = None) -> list[Archive]:
    """Write <source>-<hash>.zip for every function folder and manifest.json (source -> file name).

    Archives of an earlier build that the manifest no longer names are removed.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    archives: list[Archive] = []
    for source in sources():
        data = zip_bytes(archive_entries(source, root, feeds_dir))
        digest = hashlib.sha256(data).hexdigest()
        path = out_dir / f"{source}-{digest[:16]}.zip"
        path.write_bytes(data)
        archives.append(Archive(source, path, digest))
    names = {a.path.name for a in archives}
    for stale in out_dir.glob("*.zip"):
        if stale.name not in names:
            stale.unlink()
    manifest = {a.source: a.path.name for a in archives}
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return archives
