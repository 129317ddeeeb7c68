"""Secrets in Secret Manager, through google-cloud-secret-manager.

A name is a secret id (its latest version in this project), a secret's resource
name (its latest version) or a version's (`projects/P/secrets/S/versions/V`, as
Terraform sets PROPFLOW_ALERT_WEBHOOK_SECRET). The client is made on the first
read: only the alerting function reads a secret, and no other function should pay
for the client at cold start.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING

from google.api_core import exceptions as google_exceptions

from shared.ports import SecretNotFound

if TYPE_CHECKING:
    from google.cloud import secretmanager

_ID = r"[A-Za-z0-9_-]{1,255}"
SECRET_ID = re.compile(_ID)
SECRET = re.compile(rf"projects/[^/]+/secrets/{_ID}")
VERSION = re.compile(rf"projects/[^/]+/secrets/{_ID}/versions/(latest|[1-9][0-9]*)")


class SecretManagerSecrets:
    def __init__(self, project: str, client: secretmanager.SecretManagerServiceClient | None = None) -> None:
        self.project = project
        self._client = client
        self._lock = threading.Lock()

    def version(self, name: str) -> str:
        """The resource name of the secret version `name` means."""
        if SECRET_ID.fullmatch(name):
            return f"projects/{self.project}/secrets/{name}/versions/latest"
        if SECRET.fullmatch(name):
            return f"{name}/versions/latest"
        if VERSION.fullmatch(name):
            return name
        raise ValueError(
            f"secret name {name!r}: expected a secret id, projects/P/secrets/S or projects/P/secrets/S/versions/V"
        )

    def client(self) -> secretmanager.SecretManagerServiceClient:
        with self._lock:
            if self._client is None:
                from google.cloud import secretmanager  # on the first read only (see the module's docstring)

                self._client = secretmanager.SecretManagerServiceClient()
            return self._client

    def get(self, name: str) -> str:
        version = self.version(name)
        try:
            response = self.client().access_secret_version(name=version)
        except google_exceptions.NotFound as exc:
            raise SecretNotFound(f"no secret version {version} in Secret Manager") from exc
        return response.payload.data.decode()
