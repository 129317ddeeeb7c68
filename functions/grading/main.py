"""game-final -> record the final stat lines and grade every system and the ensemble for that game."""

import functions_framework
from cloudevents.http import CloudEvent

from shared.entrypoint import handle
from shared.grading import grade_game


@functions_framework.cloud_event
def grading(cloud_event: CloudEvent) -> None:
    handle("grading", cloud_event, grade_game)
