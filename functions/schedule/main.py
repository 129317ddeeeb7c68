"""slates-due (Cloud Scheduler, hourly) -> lines-posted for every slate whose prediction hour has come, once."""

import functions_framework
from cloudevents.http import CloudEvent

from shared.entrypoint import handle
from shared.handlers.schedule import post_due


@functions_framework.cloud_event
def schedule(cloud_event: CloudEvent) -> None:
    handle("schedule", cloud_event, post_due)
