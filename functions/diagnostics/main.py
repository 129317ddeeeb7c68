"""diagnostics-daily -> one diagnostics_daily row per market and system; publish alert-raised when a threshold trips."""

import functions_framework
from cloudevents.http import CloudEvent

from shared.entrypoint import handle
from shared.handlers.diagnostics import diagnose_day


@functions_framework.cloud_event
def diagnostics(cloud_event: CloudEvent) -> None:
    handle("diagnostics", cloud_event, diagnose_day)
