"""Blob store on Google Cloud Storage, through google-cloud-storage."""

from __future__ import annotations

from typing import BinaryIO

from google.api_core import exceptions as google_exceptions
from google.cloud import storage

from shared.ports import BlobExists, BlobNotFound

SCHEME = "gs://"
CHUNK_BYTES = 8 * 1024 * 1024


def split(uri: str) -> tuple[str, str]:
    if not uri.startswith(SCHEME) or "/" not in uri[len(SCHEME) :]:
        raise ValueError(f"not a gs://bucket/key URI: {uri!r}")
    bucket, _, key = uri[len(SCHEME) :].partition("/")
    if ".." in key.split("/"):  # the folder store refuses it; the same URI must mean the same on both
        raise ValueError(f"'..' is not allowed in a blob URI: {uri!r}")
    return bucket, key


class GCSBlobStore:
    def __init__(self, project: str, client: storage.Client | None = None) -> None:
        self.client = client or storage.Client(project=project)

    def _blob(self, uri: str) -> storage.Blob:
        bucket, key = split(uri)
        return self.client.bucket(bucket).blob(key)

    def ensure_bucket(self, name: str) -> None:
        """Create the bucket if missing (Terraform does this in production; the emulator starts empty)."""
        if self.client.lookup_bucket(name) is None:
            self.client.create_bucket(name)

    def put(self, uri: str, data: bytes, *, if_absent: bool = False) -> None:
        # Generation 0 means "only if no live object": a model version is written once, never replaced.
        try:
            self._blob(uri).upload_from_string(data, if_generation_match=0 if if_absent else None)
        except google_exceptions.PreconditionFailed:
            raise BlobExists(uri) from None

    def get(self, uri: str) -> bytes:
        try:
            return self._blob(uri).download_as_bytes()
        except google_exceptions.NotFound:
            raise BlobNotFound(uri) from None

    def open(self, uri: str, *, generation: int | None = None) -> BinaryIO:
        bucket, key = split(uri)
        blob = self.client.bucket(bucket).blob(key, generation=generation)
        try:
            blob.reload()  # fails now, not at the first read, when that generation is gone
        except google_exceptions.NotFound:
            raise BlobNotFound(uri if generation is None else f"{uri}#{generation}") from None
        # Reads in chunks (ranged downloads of that generation): memory stays bounded whatever the object's size.
        return blob.open("rb", chunk_size=CHUNK_BYTES)

    def exists(self, uri: str) -> bool:
        return self._blob(uri).exists()

    def list(self, prefix: str) -> list[str]:
        if not prefix.startswith(SCHEME):
            raise ValueError(f"not a gs:// prefix: {prefix!r}")
        bucket, _, key = prefix[len(SCHEME) :].partition("/")
        return sorted(f"{SCHEME}{bucket}/{b.name}" for b in self.client.list_blobs(bucket, prefix=key))
