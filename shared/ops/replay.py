"""`propflow replay`: re-drive a slate, or a dead-lettered event after a fix, through the chain.

Safe any number of times: every function dedupes by message id and writes by
key, so a replay rewrites the same rows. Each step drains ctx.chain: on the
embedded default that delivers the cascade and waits for it; on gcp the real
triggers deliver and nothing here waits.
"""

from __future__ import annotations

import datetime as dt
import json

from shared.contract import markets, topology
from shared.contract.events import LIVE_RUN, DiagnosticsDaily, GameFinal, LinesPosted
from shared.errors import Invalid, NotFound
from shared.ports import Context


def replay_slate(ctx: Context, market_id: str, day: dt.date, run_id: str = LIVE_RUN) -> int:
    """Lines-posted, every final game and the day's diagnostics, again. Returns messages handled (local)."""
    as_of = markets.market(market_id).prediction_time(day)
    ctx.bus.publish(topology.LINES_POSTED, LinesPosted(market_id, day, run_id, as_of))
    handled = ctx.chain.drain()
    for game_id in ctx.warehouse.query("final_games", market=market_id, game_date=day)["game_id"]:
        ctx.bus.publish(topology.GAME_FINAL, GameFinal(market_id, game_id, day))
    handled += ctx.chain.drain()
    ctx.bus.publish(topology.DIAGNOSTICS_DAILY, DiagnosticsDaily(day, [market_id]))
    return handled + ctx.chain.drain()


def replay_dead_letter(ctx: Context, event_id: str) -> tuple[str, int]:
    """Publish a rejected event's raw payload again, as a new message. Returns its topic and messages handled."""
    rows = ctx.warehouse.query("dead_letter", event_id=event_id)
    if rows.empty:
        raise NotFound(f"no rejected event {event_id!r} in processed_events")
    row = rows.iloc[0]
    if row["event_type"] in topology.BUCKETS:  # a file, not a message: its fix is a corrected file
        raise Invalid(f"{event_id} is a file rejected by the ingest function ({row['reason']}); land it again, fixed")
    if row["payload"] is None:
        raise Invalid(f"event {event_id} was rejected before its payload could be read ({row['reason']})")
    ctx.bus.publish(row["event_type"], json.loads(row["payload"]))
    return row["event_type"], ctx.chain.drain()
