"""lines-posted -> build the slate's as-of features, write them, publish features-ready."""

import functions_framework
from cloudevents.http import CloudEvent

from shared.entrypoint import handle
from shared.handlers.feature_store import build_slate


@functions_framework.cloud_event
def feature_store(cloud_event: CloudEvent) -> None:
    handle("feature_store", cloud_event, build_slate)
