"""features-ready -> score the slate with this deployment's system (SYSTEM_ID), publish predictions-scored."""

import functions_framework
from cloudevents.http import CloudEvent

from shared.entrypoint import handle
from shared.handlers.scoring import score_slate


@functions_framework.cloud_event
def scorer(cloud_event: CloudEvent) -> None:
    handle("scorer", cloud_event, score_slate)
