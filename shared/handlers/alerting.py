"""alerting handler: alert-raised -> the alerts table, a log line, the webhook, a sink file.

The same alert is sent at most once a day: one already recorded as sent (same
id, or same market, level and title that day) is not sent again. The webhook
is retried on transient HTTP errors; if it keeps failing, the alert is
recorded as failed and the function raises so its trigger retries it. Where
the settings name a sink file (PROPFLOW_ALERT_SINK; on the embedded default
$PROPFLOW_HOME/alerts.jsonl), every alert is also appended to it.
An alert whose id already names another alert (another day, market, system or
level) is rejected: recording it would replace that alert's record.
"""

from __future__ import annotations

import dataclasses
import json
import logging

from shared import clock
from shared.contract.codec import payload_dict
from shared.contract.events import AlertRaised, PoisonEvent
from shared.handlers import webhook
from shared.ports import Context

log = logging.getLogger(__name__)

_LOG_LEVEL = {"INFO": logging.INFO, "WARNING": logging.WARNING, "CRITICAL": logging.CRITICAL}


def _record(ctx: Context, event: AlertRaised, status: str) -> None:
    now = clock.now()
    row = {**dataclasses.asdict(event), "raised_at": now, "delivery_status": status, "delivered_at": now}
    ctx.warehouse.upsert("alerts", [row])


def _check_id(ctx: Context, event: AlertRaised) -> None:
    """An alert id names one alert (diagnostics builds it from the day, market, system and level): one that
    names another would replace that alert's record, so it can never be delivered as it stands."""
    recorded = ctx.warehouse.query("alert_record", alert_id=event.alert_id)
    mine = (str(event.game_date), event.market, event.system_id, event.level)
    for r in recorded.astype(object).where(recorded.notna(), None).itertuples():
        theirs = (str(r.game_date)[:10], r.market, r.system_id, r.level)
        if theirs != mine:
            raise PoisonEvent(f"alert id {event.alert_id!r} already names another alert: {theirs}, not {mine}")


def deliver_alert(event: AlertRaised, ctx: Context) -> None:
    _check_id(ctx, event)
    log.log(_LOG_LEVEL[event.level], "[%s] %s: %s", event.level, event.title, event.message)
    sink = ctx.settings.alert_sink
    if sink is not None:
        sink.parent.mkdir(parents=True, exist_ok=True)
        with sink.open("a") as handle:
            handle.write(json.dumps(payload_dict(event), sort_keys=True) + "\n")
    target = webhook.url(ctx.settings, ctx.secrets)
    if target is None:
        _record(ctx, event, "logged")
        return
    already = ctx.warehouse.query(
        "alert_sent",
        game_date=event.game_date,
        alert_id=event.alert_id,
        market=event.market,
        level=event.level,
        title=event.title,
    )
    if int(already["sent"].iloc[0]):
        log.info("alert %s already sent on %s; not sent again", event.alert_id, event.game_date)
        return
    try:
        webhook.post(target, webhook.message(event.level, event.title, event.message))
    except webhook.WebhookError:
        _record(ctx, event, "failed")
        raise
    _record(ctx, event, "sent")
