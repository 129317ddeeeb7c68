"""alert-raised -> record the alert and deliver it (a log line and a local sink on the embedded default)."""

import functions_framework
from cloudevents.http import CloudEvent

from shared.entrypoint import handle
from shared.handlers.alerting import deliver_alert


@functions_framework.cloud_event
def alerting(cloud_event: CloudEvent) -> None:
    handle("alerting", cloud_event, deliver_alert)
