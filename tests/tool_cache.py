"""The per-machine cache of the offline checks' tools (checkov's venv, the provider schema, ZetaSQL's compiled code)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def cache_dir() -> Path:
    """~/.cache/propflow, or $XDG_CACHE_HOME/propflow."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "propflow"


@contextmanager
def locked(name: str) -> Iterator[None]:
    """One builder per machine at a time: concurrent test runs wait instead of building twice."""
    cache_dir().mkdir(parents=True, exist_ok=True)
    with open(cache_dir() / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
