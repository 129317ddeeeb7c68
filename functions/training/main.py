"""retrain-requested -> retrain the market's systems and promote the new versions.

Deployed as an HTTP function in production, fed by a Pub/Sub push subscription
(fits outlive the 540 s limit of event-triggered functions; HTTP ones get 3600 s).
"""

import functions_framework
from cloudevents.http import CloudEvent

from shared.entrypoint import handle
from shared.retrain import retrain


@functions_framework.cloud_event
def training(cloud_event: CloudEvent) -> None:
    handle("training", cloud_event, retrain)
