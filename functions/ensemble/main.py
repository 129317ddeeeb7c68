"""predictions-scored -> once every active system reported, write the ensemble rows, publish ensemble-scored.

ensemble-deadline (the hourly clock, at a market's deadline) -> the same for slates still waiting, with whatever
reported.
"""

import functions_framework
from cloudevents.http import CloudEvent

from shared.entrypoint import handle
from shared.handlers.ensemble import combine_slate, sweep_deadline


@functions_framework.cloud_event
def ensemble(cloud_event: CloudEvent) -> None:
    handle("ensemble", cloud_event, combine_slate)


@functions_framework.cloud_event
def ensemble_sweep(cloud_event: CloudEvent) -> None:
    handle("ensemble_sweep", cloud_event, sweep_deadline)
