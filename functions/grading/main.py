"""game-final -> record the final stat lines and grade every system and the ensemble for that game.

ensemble-scored -> grade the slate's games whose game-final arrived before their predictions.
"""

import functions_framework
from cloudevents.http import CloudEvent

from shared.entrypoint import handle
from shared.handlers.grading import grade_game, grade_late


@functions_framework.cloud_event
def grading(cloud_event: CloudEvent) -> None:
    handle("grading", cloud_event, grade_game)


@functions_framework.cloud_event
def grading_late(cloud_event: CloudEvent) -> None:
    handle("grading_late", cloud_event, grade_late)
