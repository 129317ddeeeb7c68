"""retrain-requested -> retrain the market's systems and promote the new versions.

Deployed as a Cloud Run job in production (fits outlive the 540 s event limit);
this entry point serves the embedded default and short retrains.
"""

import functions_framework
from cloudevents.http import CloudEvent

from shared.entrypoint import handle
from shared.retrain import retrain


@functions_framework.cloud_event
def training(cloud_event: CloudEvent) -> None:
    handle("training", cloud_event, retrain)
