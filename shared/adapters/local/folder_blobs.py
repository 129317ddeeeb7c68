"""Blob store on a folder: gs://bucket/key is <root>/gcs/bucket/key.

Like a Cloud Storage bucket, each write of an object is a new generation (here the file's modification time, in
microseconds, always later than the last), and a finalized object can notify a listener: the local bus, which
delivers the object-finalized CloudEvent to the functions that bucket triggers. The folder keeps only the live
generation; an older one can no longer be opened.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import mimetypes
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import google_crc32c

from shared.contract.storage_event import StoredObject
from shared.ports import BlobExists, BlobNotFound

SCHEME = "gs://"

Finalized = Callable[[StoredObject], None]


def _generation(path: Path | int) -> int:
    stat = os.stat(path)
    return stat.st_mtime_ns // 1000


class FolderBlobStore:
    def __init__(self, root: Path, on_finalized: Finalized | None = None) -> None:
        self.root = root / "gcs"
        self.on_finalized = on_finalized
        self._lock = threading.Lock()

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
        with self._lock:  # generations of one store only ever grow
            generation = dt.datetime.now(dt.UTC).timestamp() * 1_000_000
            if target.exists():
                generation = max(generation, _generation(target) + 1)
            os.utime(tmp, ns=(int(generation) * 1000,) * 2)
            if not if_absent:
                os.replace(tmp, target)
            else:
                try:  # a hard link fails when the target exists: the folder's if_generation_match=0
                    os.link(tmp, target)
                except FileExistsError:
                    raise BlobExists(uri) from None
                finally:
                    os.unlink(tmp)
        if self.on_finalized is not None:
            self.on_finalized(self._stored(uri, data, int(generation)))

    def _stored(self, uri: str, data: bytes, generation: int) -> StoredObject:
        bucket, _, name = uri[len(SCHEME) :].partition("/")
        return StoredObject(
            bucket=bucket,
            name=name,
            generation=generation,
            size=len(data),
            md5_hash=base64.b64encode(hashlib.md5(data).digest()).decode(),
            crc32c=base64.b64encode(google_crc32c.value(data).to_bytes(4, "big")).decode(),
            content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            time_created=dt.datetime.fromtimestamp(generation / 1_000_000, dt.UTC),
        )

    def get(self, uri: str) -> bytes:
        try:
            return self.path(uri).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise BlobNotFound(uri) from None

    def open(self, uri: str, *, generation: int | None = None) -> BinaryIO:
        try:
            handle = self.path(uri).open("rb")
        except (FileNotFoundError, IsADirectoryError):
            raise BlobNotFound(uri) from None
        if generation is not None and _generation(handle.fileno()) != generation:
            handle.close()  # replaced since: only the live generation is kept here
            raise BlobNotFound(f"{uri}#{generation}")
        return handle

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
