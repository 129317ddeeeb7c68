"""Blob store on a folder: gs://bucket/key is <root>/gcs/bucket/key."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from shared.ports import BlobExists, BlobNotFound

SCHEME = "gs://"


class FolderBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root / "gcs"

    def path(self, uri: str) -> Path:
        if not uri.startswith(SCHEME) or "/" not in uri[len(SCHEME) :]:
            raise ValueError(f"not a gs://bucket/key URI: {uri!r}")
        relative = Path(uri[len(SCHEME) :])
        if ".." in relative.parts:
            raise ValueError(f"'..' is not allowed in a blob URI: {uri!r}")
        return self.root / relative

    def put(self, uri: str, data: bytes, *, if_absent: bool = False) -> None:
        target = self.path(uri)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a reader never sees half an object.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if not if_absent:
            os.replace(tmp, target)
            return
        try:  # a hard link fails when the target exists: the folder's if_generation_match=0
            os.link(tmp, target)
        except FileExistsError:
            raise BlobExists(uri) from None
        finally:
            os.unlink(tmp)

    def get(self, uri: str) -> bytes:
        try:
            return self.path(uri).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise BlobNotFound(uri) from None

    def exists(self, uri: str) -> bool:
        return self.path(uri).is_file()

    def list(self, prefix: str) -> list[str]:
        base = self.path(prefix)
        directory = base if base.is_dir() else base.parent
        if not directory.is_dir():
            return []
        found = (p for p in directory.rglob("*") if p.is_file() and not p.name.startswith(".upload-"))
        uris = (SCHEME + p.relative_to(self.root).as_posix() for p in found)
        return sorted(u for u in uris if u.startswith(prefix))
