"""At-least-once delivery with faults: the final tables equal those of a clean single delivery.

Each example replays one day (lines, features, three scorers, ensemble, finals,
grading, diagnostics, alerts) on a copy of the seeded warehouse, once cleanly
and once through the ChaosBus (random order, duplicates, racing duplicates)
over a FlakyWarehouse (writes failing before or after they land, so functions
crash between writes and are retried).
"""

from __future__ import annotations

import dataclasses
import random
import shutil

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared import runtime
from shared.adapters.local.chaos_bus import ChaosBus
from shared.config import Settings
from shared.ops.chaos import FlakyWarehouse, comparable, play_day

COMPARED = [
    "features",
    "prop_lines",
    "outcomes",
    "game_lines",
    "predictions",
    "grades",
    "grade_corrections",
    "diagnostics_daily",
    "alerts",
]


def snapshot(warehouse) -> dict[str, pd.DataFrame]:
    return {name: comparable(warehouse, name) for name in COMPARED}


def copy_home(seeded, tmp_path, name: str):
    home = tmp_path / name
    shutil.copytree(seeded.home, home)
    return Settings(home=home)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), fault_rate=st.sampled_from([0.0, 0.05, 0.15]))
def test_duplicates_reordering_races_and_crashes_converge(seeded, tmp_path_factory, monkeypatch, seed, fault_rate):
    tmp = tmp_path_factory.mktemp("chaos")
    clean_settings = copy_home(seeded, tmp, "clean")
    monkeypatch.setenv("PROPFLOW_HOME", str(clean_settings.home))
    play_day(runtime.context(), seeded.leagues.values(), seeded.first_live)
    expected = snapshot(runtime.context().warehouse)
    runtime.reset()

    chaos_settings = copy_home(seeded, tmp, "chaos")
    monkeypatch.setenv("PROPFLOW_HOME", str(chaos_settings.home))
    rng = random.Random(seed)
    base = runtime.resources(chaos_settings)
    flaky = FlakyWarehouse(base.warehouse, rng, fault_rate)
    bus = ChaosBus(rng)
    runtime.install(chaos_settings, dataclasses.replace(base, warehouse=flaky, bus=bus, chain=bus))
    play_day(runtime.context(), seeded.leagues.values(), seeded.first_live, flaky)
    assert not bus.dead_letters
    assert bus.stats["duplicated"] > 0 and bus.stats["reordered"] > 0
    actual = snapshot(base.warehouse)
    runtime.reset()
    for name in COMPARED:
        pd.testing.assert_frame_equal(actual[name], expected[name], check_dtype=False, obj=name)
    assert len(expected["grades"]) > 100
