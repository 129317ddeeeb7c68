"""A file finalized in the landing bucket (<feed>/...) -> its feed loaded whole, or rejected with the reason."""

import functions_framework
from cloudevents.http import CloudEvent

from shared.entrypoint import handle
from shared.handlers.ingest import ingest_object


@functions_framework.cloud_event
def ingest(cloud_event: CloudEvent) -> None:
    handle("ingest", cloud_event, ingest_object)
