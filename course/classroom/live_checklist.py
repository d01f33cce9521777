"""The 세션 마무리 checklist follows the visualizer live: a completed guided scenario refreshes it.

The visualizer records a completion (`visualizer.records.record_completion`, in a worker thread of the
process that owns the cluster) without knowing about classes. This receiver, connected in
`course.apps.CourseConfig.ready`, finds the open classes' students with that browser's visualizer
identity and sends them and their instructors a fresh `checklist` over the channel layer, so the
student's wrap-up ticks the outcome while they are still on the scenario page.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)


def scenario_completed(sender, instance, created: bool, **kwargs) -> None:
    """post_save receiver of visualizer.ScenarioCompletion: broadcast the checklists it changes."""
    if not created:
        return
    from course.classroom import actions
    from course.models import Student

    students = Student.objects.filter(
        visualizer_key=instance.owner_key, session__ended_at__isnull=True
    ).select_related("session__lesson")
    layer = get_channel_layer()
    if layer is None:
        return
    for student in students:
        try:
            for group, text in actions.checklist_frames(student.session, student):
                async_to_sync(layer.group_send)(group, {"type": "frame", "text": text})
        except Exception:  # the completion is recorded either way; the next hello carries the checklist
            log.exception("checklist refresh after a scenario failed")
