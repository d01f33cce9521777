"""세션 마무리: the 오늘 세션 성과 checklist ticked from evidence, and the next-session preview.

An outcome is reached by a student when they answered at least MIN_ANSWERS of its questions and at least
PASS_RATIO of those correctly; the class view shows how many students reached each one. Guided scenarios of
the visualizer are a second kind of evidence (`scenario_evidence`): a scenario is only complete when the
cluster's state showed every step, so completing one proves more than a quiz answer. The student's
visualizer identity (stored at join) links the two apps: the same browser owns the scenario clusters.
"""

import html
import re

from django.utils.html import escape
from django.utils.translation import gettext as _

from course.models.classroom import Outcome, Student

MIN_ANSWERS = 2
PASS_RATIO = 2 / 3

# The lesson's 다음 세션 준비 (next-session preview), read from the lesson's own Markdown: a heading naming
# it, then `**Title**:` lines each followed by a list. The first block is the connection (title + points),
# the second the questions to think about. The author's format, see course/content/week2-day4-session2.md.
_NEXT_HEADING = re.compile(r"^(#{1,6})\s.*다음 세션 준비")
_HEADING = re.compile(r"^(#{1,6})\s")
_BLOCK_TITLE = re.compile(r"^\*\*(?P<title>.+?)\*\*\s*:?\s*$")
_LIST_ITEM = re.compile(r"^\s*[-*+]\s+(?P<text>.+)$")
_QUOTES = "\"'“”‘’"


def _plain(text: str) -> str:
    """Return a list item's text without the emphasis markers and the quotes around it."""
    return text.replace("**", "").strip().strip(_QUOTES).strip()


def next_session(source: str) -> dict | None:
    """Return the lesson's next-session preview as {"title", "points": [str], "questions": [str]}, or None
    when the Markdown `source` has no 다음 세션 준비 heading (no preview is invented for a lesson)."""
    lines = source.splitlines()
    start = next((i for i, line in enumerate(lines) if _NEXT_HEADING.match(line)), None)
    if start is None:
        return None
    level = len(_NEXT_HEADING.match(lines[start]).group(1))
    blocks: list[tuple[str, list[str]]] = []
    for line in lines[start + 1 :]:
        heading = _HEADING.match(line)
        if heading and len(heading.group(1)) <= level:
            break
        if title := _BLOCK_TITLE.match(line.strip()):
            blocks.append((title.group("title").strip(), []))
        elif (item := _LIST_ITEM.match(line)) and blocks:
            blocks[-1][1].append(_plain(item.group("text")))
    if not blocks:
        return None
    return {
        "title": blocks[0][0],
        "points": blocks[0][1],
        "questions": [q for _, items in blocks[1:] for q in items],
    }


# Scenarios that teach one outcome by name; every scenario about one of the 8 features teaches FEATURES.
SCENARIO_OUTCOMES = {
    "six-step-flow": Outcome.ARCHITECTURE,  # control plane and workers carrying one request through 6 steps
    "imperative-vs-declarative": Outcome.DECLARATIVE,
}
# Distinct feature scenarios that prove the 8-features outcome (as two quiz answers do).
MIN_FEATURE_SCENARIOS = 2


def outcomes_from_scenarios(completed: set[str], feature_slugs: set[str]) -> set[str]:
    """Return the outcomes proven by one person's completed scenario slugs.

    `completed` holds only scenarios of the class's lesson (`scenario_evidence`), so a scenario named in
    SCENARIO_OUTCOMES proves nothing in a class of another lesson.
    """
    done = {SCENARIO_OUTCOMES[slug].value for slug in completed if slug in SCENARIO_OUTCOMES}
    if len(completed & feature_slugs) >= MIN_FEATURE_SCENARIOS:
        done.add(Outcome.FEATURES.value)
    return done


def lesson_outcomes(lesson_id: int) -> list[Outcome]:
    """Return the outcomes a class of this lesson checks, in Outcome order: those its active questions are
    evidence for, and those its guided scenarios prove. A lesson with neither has no checklist."""
    from course.models import Question
    from visualizer.models import Scenario

    used = set(
        Question.objects.filter(lesson_id=lesson_id, is_active=True)
        .exclude(outcome="")
        .values_list("outcome", flat=True)
    )
    scenarios = Scenario.objects.filter(lesson_id=lesson_id)
    used |= {
        SCENARIO_OUTCOMES[slug].value
        for slug in scenarios.values_list("slug", flat=True)
        if slug in SCENARIO_OUTCOMES
    }
    if scenarios.exclude(feature="").count() >= MIN_FEATURE_SCENARIOS:
        used.add(Outcome.FEATURES.value)
    return [o for o in Outcome if o.value in used]


def scenario_evidence(student_ids: list[int], lesson_id: int) -> dict[int, set[str]]:
    """Return, per student with a visualizer identity, the outcomes proven by the guided scenarios of the
    lesson `lesson_id` they completed (another lesson's scenarios are no evidence in this class)."""
    from visualizer.models import Scenario, ScenarioCompletion

    keys = dict(
        Student.objects.filter(pk__in=student_ids)
        .exclude(visualizer_key="")
        .values_list("pk", "visualizer_key")
    )
    if not keys:
        return {}
    own = Scenario.objects.filter(lesson_id=lesson_id)
    completed: dict[str, set[str]] = {}
    for owner, slug in ScenarioCompletion.objects.filter(
        owner_key__in=set(keys.values()), scenario__in=own.values("slug")
    ).values_list("owner_key", "scenario"):
        completed.setdefault(owner, set()).add(slug)
    feature_slugs = set(own.exclude(feature="").values_list("slug", flat=True))
    evidence = {}
    for sid, key in keys.items():
        done = outcomes_from_scenarios(completed.get(key, set()), feature_slugs)
        if done:
            evidence[sid] = done
    return evidence


def scenarios_done(student: Student, lesson_id: int) -> list[str]:
    """Return the titles of the guided scenarios of the lesson `lesson_id` this student completed (for their
    own checklist), in completion order."""
    from visualizer.models import Scenario, ScenarioCompletion

    if not student.visualizer_key:
        return []
    titles = dict(Scenario.objects.filter(lesson_id=lesson_id).values_list("slug", "title"))
    slugs = ScenarioCompletion.objects.filter(
        owner_key=student.visualizer_key, scenario__in=list(titles)
    ).order_by("completed_at", "pk")
    return [titles[slug] for slug in slugs.values_list("scenario", flat=True)]


def reached(answers: list[tuple[str, bool]]) -> set[str]:
    """Return the outcomes reached by one student's (outcome, correct) answers."""
    done = set()
    for outcome in Outcome.values:
        marks = [ok for o, ok in answers if o == outcome]
        if len(marks) >= MIN_ANSWERS and sum(marks) >= PASS_RATIO * len(marks):
            done.add(outcome)
    return done


def student_checklist(
    answers: list[tuple[str, bool]], extra: set[str] = frozenset(), outcomes: list[Outcome] | None = None
) -> list[dict]:
    """Return the outcomes (`outcomes`, default all four) with `done`, how many of its questions were
    answered and right, and whether a completed guided scenario proves it (`by_scenario`)."""
    done = reached(answers) | set(extra)
    rows = []
    for outcome in Outcome if outcomes is None else outcomes:
        marks = [ok for o, ok in answers if o == outcome.value]
        rows.append(
            {
                "outcome": outcome.value,
                "label": outcome.label,
                "done": outcome.value in done,
                "answered": len(marks),
                "correct": sum(marks),
                "by_scenario": outcome.value in extra,
            }
        )
    return rows


def class_checklist(
    per_student: dict[int, list[tuple[str, bool]]],
    extra: dict[int, set[str]] | None = None,
    outcomes: list[Outcome] | None = None,
) -> list[dict]:
    """Return the outcomes (`outcomes`, default all four) with the number of students who reached each, out
    of everyone in the class, and how many of those have a completed guided scenario as (part of) their
    evidence."""
    extra = extra or {}
    counts = dict.fromkeys(Outcome.values, 0)
    by_scenario = dict.fromkeys(Outcome.values, 0)
    for sid, answers in per_student.items():
        for outcome in reached(answers) | extra.get(sid, set()):
            counts[outcome] += 1
        for outcome in extra.get(sid, set()):
            by_scenario[outcome] += 1
    total = len(per_student)
    return [
        {
            "outcome": o.value,
            "label": o.label,
            "reached": counts[o.value],
            "by_scenario": by_scenario[o.value],
            "students": total,
            "percent": round(100 * counts[o.value] / total) if total else 0,
        }
        for o in (Outcome if outcomes is None else outcomes)
    ]


# The lesson's own task list in 세션 마무리 ---------------------------------------------------------------
# The Markdown writes the four outcomes as task-list items rendered ticked (`- [x]`). On the classroom page
# a tick must mean evidence, so each item is bound to the outcome with the same label: ticked only when
# reached, with the evidence beside it; an item matching no outcome is shown unticked. Never pre-ticked.
_TASK_ITEM = re.compile(r'<li class="task-item">\s*<input\b[^>]*>(?P<body>.*?)</li>', re.S)
_TOOLTIP = re.compile(r'<span class="term-tip"[^>]*>.*?</span>', re.S)
_TAG = re.compile(r"<[^>]+>")


def task_label(item_html: str) -> str:
    """Return the visible text of a task item's HTML (glossary tooltips left out), spaces collapsed."""
    text = html.unescape(_TAG.sub("", _TOOLTIP.sub("", item_html)))
    return " ".join(text.split())


def evidence_text(row: dict) -> str:
    """Return the evidence beside one outcome of a student's checklist, e.g. "퀴즈 2/3 정답 · 가이드 시나리오"."""
    text = _("퀴즈 %(correct)s/%(answered)s 정답") % {"correct": row["correct"], "answered": row["answered"]}
    if row["by_scenario"]:
        text += " · " + _("가이드 시나리오로 확인")
    return text


def bind_task_list(body_html: str, outcomes: list[dict]) -> tuple[str, list[dict]]:
    """Return the section HTML with its task-list items bound to a student's checklist rows
    (`student_checklist`), and the rows no item matched (to list separately).

    A bound item carries `data-outcome` and `data-done` and is ticked only when `done`; the page updates
    it live from `checklist` frames. Items matching no outcome lose their tick.
    """
    by_label = {row["label"]: row for row in outcomes}
    bound: set[str] = set()

    def bind(match: re.Match) -> str:
        body = match.group("body")
        row = by_label.get(task_label(body))
        if row is None:
            return f'<li class="task-item"><input type="checkbox" disabled>{body}</li>'
        bound.add(row["outcome"])
        done = "true" if row["done"] else "false"
        tick = " checked" if row["done"] else ""
        evidence = escape(evidence_text(row))
        return (
            f'<li class="task-item cls-task" data-outcome="{escape(row["outcome"])}" data-done="{done}">'
            f'<input type="checkbox" disabled{tick}>{body} '
            f'<span class="cls-hint cls-evidence" data-part="evidence">({evidence})</span></li>'
        )

    return _TASK_ITEM.sub(bind, body_html), [row for row in outcomes if row["outcome"] not in bound]
