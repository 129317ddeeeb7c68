"""Backends the contract suite runs against. The gcp backend joins this list with its emulators."""

from __future__ import annotations

import pytest

from shared import runtime
from shared.config import Settings

BACKENDS = ["local"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path) -> runtime.Resources:
    return runtime.resources(Settings(backend=request.param, home=tmp_path / request.param))
