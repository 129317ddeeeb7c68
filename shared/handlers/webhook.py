"""Post an alert to a Slack-compatible incoming webhook, retrying transient failures.

The URL is a secret: PROPFLOW_ALERT_WEBHOOK_URL when set, else the secret
PROPFLOW_ALERT_WEBHOOK_SECRET names, read through the secrets port (Secret
Manager on gcp, where Terraform sets it; a file in $PROPFLOW_HOME/secrets/ on
the embedded default). The message is plain text: severity first, no links.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from shared.config import Settings
from shared.ports import Secrets

RETRY_DELAYS_S = (0.2, 0.5, 1.0)  # then the function raises and its trigger retries later
TIMEOUT_S = 10
TRANSIENT = {408, 425, 429, 500, 502, 503, 504}


class WebhookError(RuntimeError):
    """The webhook refused the alert or kept failing."""


def url(settings: Settings, secrets: Secrets) -> str | None:
    """Where alerts go, or None when no webhook is configured (alerts are still recorded)."""
    if settings.alert_webhook_url:
        return settings.alert_webhook_url
    if settings.alert_webhook_secret:
        return secrets.get(settings.alert_webhook_secret).strip()
    return None


def message(level: str, title: str, text: str) -> dict[str, str]:
    """The Slack-compatible body: one plain line of summary, severity first."""
    return {"text": f"[{level}] {title}: {text}"}


def post(target: str, body: dict[str, str]) -> int:
    """POST the body as JSON; retry transient failures; return the final HTTP status."""
    data = json.dumps(body).encode()
    last_error = ""
    for attempt, delay in enumerate((*RETRY_DELAYS_S, None)):
        request = urllib.request.Request(target, data=data, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            if exc.code not in TRANSIENT:
                raise WebhookError(f"webhook refused the alert: HTTP {exc.code}") from exc
            last_error = f"HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            last_error = str(exc)
        if delay is not None:
            time.sleep(delay * (attempt + 1))
    raise WebhookError(f"webhook failed {len(RETRY_DELAYS_S) + 1} times; last: {last_error}")
