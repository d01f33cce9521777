"""`{% bind_evidence body outcomes as bound %}`: the lesson's 세션 마무리 task list bound to a student's
evidence (`course.classroom.checklist.bind_task_list`), for templates/classroom/_section.html."""

from django import template
from django.utils.safestring import mark_safe

from course.classroom.checklist import bind_task_list

register = template.Library()


@register.simple_tag
def bind_evidence(body_html: str, outcomes: list[dict]) -> dict:
    """Return {"html": the bound section HTML (safe), "unbound": the outcome rows no task item names}."""
    bound, unbound = bind_task_list(body_html, outcomes)
    # The body is the lesson's own rendered Markdown (already sanitised at import); only attributes from
    # our own escaped values were added.
    return {"html": mark_safe(bound), "unbound": unbound}  # noqa: S308
