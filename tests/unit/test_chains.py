"""The chain port: the operator tools deliver through ctx.chain and know when it cannot wait."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from shared import runtime
from shared.adapters.gcp.pubsub_bus import TriggerChain
from shared.contract import topology
from shared.ops import backtest, demo, replay

MARKET = "mlb_strikeouts"
DAY = dt.date(2026, 2, 4)


@pytest.fixture
def triggered():
    """The embedded default's adapters with gcp's production chain: publishing works, nothing waits."""
    ctx = runtime.context()
    return dataclasses.replace(ctx, chain=TriggerChain())


def test_on_the_embedded_default_the_bus_is_the_chain():
    ctx = runtime.context()
    assert ctx.chain is ctx.bus and ctx.chain.waits


def test_the_production_chain_does_not_wait():
    chain = TriggerChain()
    assert not chain.waits and chain.drain() == 0 and chain.delivered == 0 and len(chain.dead_letters) == 0


def test_replay_publishes_and_leaves_delivery_to_a_chain_that_does_not_wait(triggered):
    assert replay.replay_slate(triggered, MARKET, DAY) == 0
    assert [m.topic for m in triggered.bus.queue] == [topology.LINES_POSTED, topology.DIAGNOSTICS_DAILY]


def test_replay_drains_a_chain_that_waits():
    ctx = runtime.context()
    assert replay.replay_slate(ctx, MARKET, DAY) == 2  # lines-posted, then diagnostics (no games in this warehouse)
    assert not ctx.bus.queue


def test_a_backtest_refuses_a_chain_that_cannot_settle(triggered):
    with pytest.raises(RuntimeError, match="PROPFLOW_BACKEND=local"):
        backtest.run(triggered, MARKET, DAY, DAY)
    assert not triggered.bus.queue


def test_the_demo_refuses_a_chain_that_cannot_settle(triggered):
    with pytest.raises(RuntimeError, match="needs a PushChain"):
        demo.run(triggered, days=1, history_days=1)
