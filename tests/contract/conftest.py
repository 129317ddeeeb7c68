"""One suite, every backend: each contract test runs on the embedded default and on gcp (the emulators)."""

from __future__ import annotations

import uuid

import pytest

from shared import runtime
from shared.config import Settings

BACKENDS = ["local", pytest.param("gcp", marks=pytest.mark.gcp)]
# The buckets the blob contract writes to; Terraform makes the real one, the emulator starts empty.
CONTRACT_BUCKETS = ("models", "b")


def _gcp(request: pytest.FixtureRequest, tmp_path) -> runtime.Resources:
    request.getfixturevalue("gcp_env")
    # A dataset per test keeps the session's one emulator from leaking rows between tests.
    settings = Settings(backend="gcp", home=tmp_path / "gcp", project="propflow-contract",
                        dataset=f"contract_{uuid.uuid4().hex[:10]}")  # fmt: skip
    resources = runtime.resources(settings)
    resources.warehouse.ensure_schema()
    for bucket in CONTRACT_BUCKETS:
        resources.blobs.ensure_bucket(bucket)
        bucket_handle = resources.blobs.client.bucket(bucket)
        bucket_handle.delete_blobs(list(bucket_handle.list_blobs()))
    resources.bus.ensure_topics()
    return resources


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path) -> runtime.Resources:
    if request.param == "gcp":
        return _gcp(request, tmp_path)
    return runtime.resources(Settings(backend="local", home=tmp_path / "local"))
