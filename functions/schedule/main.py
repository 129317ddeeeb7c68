"""slates-due (Cloud Scheduler, hourly) -> lines-posted for every slate whose prediction hour has come, once;
ensemble-deadline for every slate whose ensemble deadline passed with systems missing."""

import functions_framework
from cloudevents.http import CloudEvent

from shared.entrypoint import handle
from shared.handlers.schedule import post_due


@functions_framework.cloud_event
def schedule(cloud_event: CloudEvent) -> None:
    handle("schedule", cloud_event, post_due)
