"""Fixtures every test folder shares. Each test gets its own PROPFLOW_HOME and a clean env."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import table_counts

from shared import ports, runtime
from shared.config import Settings
from shared.ops import demo, emulators
from shared.sources import feed
from shared.sources.league import MARKETS, League, generate

HISTORY_START = dt.date(2026, 1, 5)
HISTORY_DAYS = 30
FIRST_LIVE = HISTORY_START + dt.timedelta(days=HISTORY_DAYS)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in list(os.environ):
        if name.startswith("PROPFLOW_") or name == "SYSTEM_ID":
            monkeypatch.delenv(name)
    monkeypatch.setenv("PROPFLOW_HOME", str(tmp_path / "home"))
    yield
    runtime.reset()


@pytest.fixture
def ctx() -> ports.Context:
    return runtime.context()


@dataclass(frozen=True)
class Seeded:
    """A warehouse holding a league's history before FIRST_LIVE and fitted champion baselines."""

    home: Path
    leagues: dict[str, League]
    first_live: dt.date


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    home = tmp_path_factory.mktemp("seeded") / "home"
    settings = Settings(home=home)
    ctx = runtime.context(settings)
    leagues = {m: generate(m, seed=11, start=HISTORY_START, days=HISTORY_DAYS + 5) for m in MARKETS}
    for market_id, league in leagues.items():
        feed.load_history(ctx, league, FIRST_LIVE)
        demo.train_systems(ctx, market_id, FIRST_LIVE - dt.timedelta(days=1))
    runtime.reset()
    return Seeded(home, leagues, FIRST_LIVE)


@pytest.fixture
def seeded(seeded_template: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    """A private copy of the seeded warehouse, as this test's PROPFLOW_HOME."""
    home = tmp_path / "seeded-home"
    shutil.copytree(seeded_template.home, home)
    monkeypatch.setenv("PROPFLOW_HOME", str(home))
    return Seeded(home, seeded_template.leagues, seeded_template.first_live)


@pytest.fixture
def counts():
    return table_counts


@pytest.fixture(scope="session")
def gcp_emulators(tmp_path_factory: pytest.TempPathFactory):
    """BigQuery, Pub/Sub and GCS emulators for the whole session; skips (with the reason) if one cannot start."""
    home = tmp_path_factory.mktemp("emulators")
    try:
        running = emulators.start(home)
    except emulators.EmulatorUnavailable as exc:
        pytest.skip(f"gcp backend not tested: {exc}")
    yield running
    emulators.stop(home)


@pytest.fixture
def gcp_env(gcp_emulators: emulators.Emulators, monkeypatch: pytest.MonkeyPatch) -> emulators.Emulators:
    """This test talks to the emulators through the official clients."""
    for name, value in gcp_emulators.env().items():
        monkeypatch.setenv(name, value)
    return gcp_emulators
