"""Secrets on the embedded default: one file per secret in $PROPFLOW_HOME/secrets/.

A file rather than an env var: the settings already come from the environment
(PROPFLOW_ALERT_WEBHOOK_URL is the env way), while a secret kept as a file stays
out of the environment that every child process inherits and prints (the
emulators, `env`), can be readable by its owner only, and lives with the rest
of the local state, as a Secret Manager secret lives in its project.
"""

from __future__ import annotations

import re
from pathlib import Path

from shared.ports import SecretNotFound

# Secret Manager's secret id: the same names work on both backends, and none can leave the folder.
SECRET_ID = re.compile(r"[A-Za-z0-9_-]{1,255}")


class FolderSecrets:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, name: str) -> Path:
        if not SECRET_ID.fullmatch(name):
            raise ValueError(
                f"secret name {name!r}: locally a secret is named by its id (letters, digits, - and _), "
                f"the file {self.root}/<id>"
            )
        return self.root / name

    def get(self, name: str) -> str:
        """The file's text as stored (a trailing newline included)."""
        path = self.path(name)
        try:
            return path.read_text()
        except FileNotFoundError:
            raise SecretNotFound(f"no secret {name!r}: store it in {path}") from None
