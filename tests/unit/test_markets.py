"""markets.yaml, typed: a market's ensemble deadline and the errors a bad one gets."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest
import yaml

from shared.contract import markets


def config(**changes) -> dict:
    """The shipped markets.yaml with nba_pra's entry changed (a key set to None is removed)."""
    raw = yaml.safe_load(resources.files(markets.__package__).joinpath("markets.yaml").read_text())
    raw["nba_pra"] = {k: v for k, v in {**raw["nba_pra"], **changes}.items() if v is not None}
    return raw


def test_the_deadline_is_minutes_after_the_prediction_hour_with_a_default():
    day = dt.date(2026, 3, 10)
    assert "ensemble_deadline_minutes" not in config()["nba_pra"]
    default = markets.from_config(config())["nba_pra"]
    assert default.ensemble_deadline(day) == dt.datetime(2026, 3, 11, 0, 0)  # 23:00 + 60 minutes
    late = markets.from_config(config(ensemble_deadline_minutes=150))["nba_pra"]
    assert late.ensemble_deadline(day) == dt.datetime(2026, 3, 11, 1, 30)
    # The latest allowed: 05:00 the next day, the last hourly tick before the slate closes at 06:00.
    latest = markets.from_config(config(ensemble_deadline_minutes=360))["nba_pra"]
    assert latest.ensemble_deadline(day) == dt.datetime(2026, 3, 11, 5, 0)


@pytest.mark.parametrize("minutes", [0, -30, 361, 45.5, "90", True])
def test_a_bad_deadline_is_an_error_naming_the_key(minutes):
    with pytest.raises(ValueError, match=r"markets.yaml nba_pra.ensemble_deadline_minutes: .*from 1 to 360"):
        markets.from_config(config(ensemble_deadline_minutes=minutes))
