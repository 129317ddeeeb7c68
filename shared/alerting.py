"""alerting handler: alert-raised -> an alerts row, a log line and (locally) a sink file.

First version: no webhook yet; every alert is recorded once (alert_id is its
key, so a redelivery rewrites the same row) and logged at its severity.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging

from shared.events import AlertRaised, payload_dict
from shared.runtime import Context

log = logging.getLogger(__name__)

SINK_FILE = "alerts.jsonl"
_LOG_LEVEL = {"INFO": logging.INFO, "WARNING": logging.WARNING, "CRITICAL": logging.CRITICAL}


def deliver_alert(event: AlertRaised, ctx: Context) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    row = {**dataclasses.asdict(event), "raised_at": now, "delivery_status": "logged", "delivered_at": now}
    ctx.warehouse.upsert("alerts", [row])
    log.log(_LOG_LEVEL[event.level], "[%s] %s: %s", event.level, event.title, event.message)
    if ctx.settings.backend == "local":
        sink = ctx.settings.home / SINK_FILE
        sink.parent.mkdir(parents=True, exist_ok=True)
        with sink.open("a") as handle:
            handle.write(json.dumps(payload_dict(event), sort_keys=True) + "\n")
