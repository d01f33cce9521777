"""A pair's answers to its class's lesson's discussion prompts, as the share board, projector, dashboard and
CSV export read them.

`Pair.answers` holds them by prompt number once the pair's document was edited with the lesson's discussion
(course.classroom.pair_doc.derive). A pair last edited before that has only the columns features / practice /
automation (the roots of those names): they are read through the discussion's roots, so no stored text is
lost (tests/course/classroom/test_pair_prompts.py).
"""

from __future__ import annotations

from course.classroom import pair_doc
from course.classroom.discussion import Discussion, Prompt, lesson_discussion
from course.models import ClassSession, Pair


def discussion_for(session: ClassSession) -> Discussion:
    """Return the pair discussion of the class's lesson (parsed from its sections' Markdown)."""
    return lesson_discussion(session.lesson_id)


def legacy_fields(pair: Pair) -> pair_doc.Fields:
    """Return the pair's plain columns as document fields (the seed of a document never edited)."""
    return pair_doc.Fields(
        features=list(pair.features or []), practice=pair.practice or "", automation=pair.automation or ""
    )


def answers_of(pair: Pair, discussion: Discussion) -> dict[str, object]:
    """Return the pair's answer to every prompt by prompt number: a list of choice keys or a text."""
    stored = pair.answers if isinstance(pair.answers, dict) else {}
    legacy = legacy_fields(pair).answers(discussion)
    out: dict[str, object] = {}
    for prompt in discussion.prompts:
        value = stored.get(prompt.key, legacy.get(prompt.key))
        if prompt.pick:
            keys = value if isinstance(value, list) else []
            out[prompt.key] = [k for k in keys if isinstance(k, str)]
        else:
            out[prompt.key] = value if isinstance(value, str) else ""
    return out


def answer_text(prompt: Prompt, value) -> str:
    """Return one answer as text: the picked choices' Korean names joined with " / ", or the text itself."""
    if prompt.pick:
        names = {c.key: c.label for c in prompt.choices}
        return " / ".join(names.get(k, k) for k in value or [] if isinstance(k, str))
    return value or ""
