"""predictions-scored -> once every active system reported, write the ensemble rows, publish ensemble-scored."""

import functions_framework
from cloudevents.http import CloudEvent

from shared.ensemble import combine_slate
from shared.entrypoint import handle


@functions_framework.cloud_event
def ensemble(cloud_event: CloudEvent) -> None:
    handle("ensemble", cloud_event, combine_slate)
