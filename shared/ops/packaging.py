"""Build step for deployment: one source archive per function folder.

Each archive holds what Cloud Functions builds from: the folder's main.py at the
root, shared/ and schemas/ beside it (shared.contract.schemas finds schemas/ there), and a
requirements.txt with the runtime pins of the repo's requirements.txt. Archives
are byte-for-byte reproducible (sorted entries, fixed timestamps and modes) and
named by their sha256, so the same tree gives the same name and any change gives
a new one, which is what makes Terraform redeploy.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shared import paths
from shared.contract import topology

REPO_ROOT = paths.ROOT
MANIFEST = "manifest.json"
# A requirements.txt section whose comment line says this stays out of the functions.
DEV_ONLY_MARKER = "not packaged"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_SKIPPED_DIRS = {"__pycache__"}
_SKIPPED_SUFFIXES = {".pyc", ".pyo"}


@dataclass(frozen=True)
class Archive:
    source: str
    path: Path
    sha256: str


def sources() -> list[str]:
    """Function folders to package: one per entry point's source (topology.SOURCES shares some)."""
    return sorted({topology.source(f) for f in topology.TRIGGERS})


def runtime_requirements(requirements: Path) -> str:
    """The pinned lines of requirements.txt, minus sections marked dev-only and editable installs."""
    kept: list[str] = []
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
                kept.append(line)
    return "\n".join(kept) + "\n"


def _files(top: Path, prefix: str = "") -> Iterator[tuple[str, Path]]:
    """(archive name, path) of every file under top, bytecode caches left out."""
    for path in sorted(top.rglob("*")):
        relative = path.relative_to(top)
        if path.is_file() and path.suffix not in _SKIPPED_SUFFIXES and _SKIPPED_DIRS.isdisjoint(relative.parts):
            yield prefix + relative.as_posix(), path


def archive_entries(source: str, root: Path = REPO_ROOT) -> dict[str, bytes]:
    """Archive name -> content for one function folder."""
    function_dir = root / "functions" / source
    if not (function_dir / "main.py").is_file():
        raise FileNotFoundError(f"{function_dir}/main.py: no such function folder")
    files = list(_files(function_dir))
    for folder in ("shared", "schemas"):
        files += _files(root / folder, f"{folder}/")
    entries = {name: path.read_bytes() for name, path in files}
    entries["requirements.txt"] = runtime_requirements(root / "requirements.txt").encode()
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


def build(out_dir: Path, root: Path = REPO_ROOT) -> list[Archive]:
    """Write <source>-<hash>.zip for every function folder and manifest.json (source -> file name).

    Archives of an earlier build that the manifest no longer names are removed.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    archives: list[Archive] = []
    for source in sources():
        data = zip_bytes(archive_entries(source, root))
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
