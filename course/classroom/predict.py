"""Predict → observe, end to end: check in the database, drive the demo cluster, record and broadcast.

Each function is what the consumer calls for one staff frame. The demo is driven between two short
database steps (never inside a transaction or a worker thread), so the visualizer's host runs the steps
on the event loop the cluster's viewers live on. A request that fails its check changes nothing: neither
the class nor the demo.
"""

from channels.db import database_sync_to_async

from course.classroom import actions, demo
from course.models import ClassSession


def _session(session_id: int) -> ClassSession:
    return ClassSession.objects.select_related("lesson", "prediction", "demo_cluster").get(pk=session_id)


@database_sync_to_async
def _to_open(session_id: int, key: str):
    return actions.prediction_to_open(_session(session_id), key)


@database_sync_to_async
def _opened(session_id: int, prediction, report) -> actions.Frames:
    return actions.prediction_opened(_session(session_id), prediction, report)


@database_sync_to_async
def _to_play(session_id: int):
    return actions.prediction_to_play(_session(session_id))


@database_sync_to_async
def _played(session_id: int, report) -> actions.Frames:
    return actions.prediction_played(_session(session_id), report)


async def open_prediction(session_id: int, key: str) -> actions.Frames:
    """Pause the demo, prepare it for the prompt, then open the prompt for predictions."""
    prediction, cluster = await _to_open(session_id, key)
    report = await demo.run(cluster, demo.setup_steps(prediction))
    return await _opened(session_id, prediction, report)


async def play_prediction(session_id: int) -> actions.Frames:
    """Run the prompt's action on the demo and resume its clock; reveal the histogram and the answer."""
    prediction, cluster = await _to_play(session_id)
    report = await demo.run(cluster, demo.action_steps(prediction))
    return await _played(session_id, report)
