"""retrain-requested -> retrain the market's systems and promote the new versions.

Deployed as an HTTP function (1,740 s timeout: a fit can outlive the 540 s limit of
event functions) that a delivery workflow calls once per message: Eventarc starts the
workflow, which POSTs the Pub/Sub push envelope here
(infra/terraform/modules/event_function/runner.yaml), so functions-framework hands
over the same CloudEvent, with the same messageId to dedupe on, as for every other
function, and no ack deadline can expire and redeliver a retrain while it runs.
"""

import functions_framework
from cloudevents.http import CloudEvent

from shared.entrypoint import handle
from shared.handlers.retrain import retrain


@functions_framework.cloud_event
def training(cloud_event: CloudEvent) -> None:
    handle("training", cloud_event, retrain)
