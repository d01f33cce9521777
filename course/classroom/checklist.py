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

# The lesson's 다음 세션 준비, verbatim.
NEXT_SESSION = {
    "title": "Session 3 연결점",
    "points": [
        "오케스트레이션을 구현하는 구체적 도구들 비교",
        "Docker Swarm: 간단하고 Docker 친화적",
        "Kubernetes: 강력하고 업계 표준",
        "상황별 최적 도구 선택 기준",
    ],
    "questions": [
        "간단한 시스템 vs 복잡한 시스템, 어떤 도구가 적합할까?",
        "학습 비용 vs 기능 풍부함, 어떤 것을 선택할까?",
    ],
}


# Scenarios that teach one outcome by name; every scenario about one of the 8 features teaches FEATURES.
SCENARIO_OUTCOMES = {
    "six-step-flow": Outcome.ARCHITECTURE,  # control plane and workers carrying one request through 6 steps
    "imperative-vs-declarative": Outcome.DECLARATIVE,
}
# Distinct feature scenarios that prove the 8-features outcome (as two quiz answers do).
MIN_FEATURE_SCENARIOS = 2


def outcomes_from_scenarios(completed: set[str], feature_slugs: set[str]) -> set[str]:
    """Return the outcomes proven by one person's completed scenario slugs."""
    done = {SCENARIO_OUTCOMES[slug].value for slug in completed if slug in SCENARIO_OUTCOMES}
    if len(completed & feature_slugs) >= MIN_FEATURE_SCENARIOS:
        done.add(Outcome.FEATURES.value)
    return done


def scenario_evidence(student_ids: list[int]) -> dict[int, set[str]]:
    """Return, per student with a visualizer identity, the outcomes proven by guided scenarios they completed."""
    from visualizer.models import Scenario, ScenarioCompletion

    keys = dict(
        Student.objects.filter(pk__in=student_ids)
        .exclude(visualizer_key="")
        .values_list("pk", "visualizer_key")
    )
    if not keys:
        return {}
    completed: dict[str, set[str]] = {}
    for owner, slug in ScenarioCompletion.objects.filter(owner_key__in=set(keys.values())).values_list(
        "owner_key", "scenario"
    ):
        completed.setdefault(owner, set()).add(slug)
    feature_slugs = set(Scenario.objects.exclude(feature="").values_list("slug", flat=True))
    evidence = {}
    for sid, key in keys.items():
        done = outcomes_from_scenarios(completed.get(key, set()), feature_slugs)
        if done:
            evidence[sid] = done
    return evidence


def scenarios_done(student: Student) -> list[str]:
    """Return the titles of the guided scenarios this student completed (for their own checklist)."""
    from visualizer.models import Scenario, ScenarioCompletion

    if not student.visualizer_key:
        return []
    slugs = ScenarioCompletion.objects.filter(owner_key=student.visualizer_key).values_list(
        "scenario", flat=True
    )
    titles = dict(Scenario.objects.filter(slug__in=list(slugs)).values_list("slug", "title"))
    return [titles.get(slug, slug) for slug in slugs]


def reached(answers: list[tuple[str, bool]]) -> set[str]:
    """Return the outcomes reached by one student's (outcome, correct) answers."""
    done = set()
    for outcome in Outcome.values:
        marks = [ok for o, ok in answers if o == outcome]
        if len(marks) >= MIN_ANSWERS and sum(marks) >= PASS_RATIO * len(marks):
            done.add(outcome)
    return done


def student_checklist(answers: list[tuple[str, bool]], extra: set[str] = frozenset()) -> list[dict]:
    """Return the four outcomes with `done`, how many of its questions were answered and right, and whether
    a completed guided scenario proves it (`by_scenario`)."""
    done = reached(answers) | set(extra)
    rows = []
    for outcome in Outcome:
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
    per_student: dict[int, list[tuple[str, bool]]], extra: dict[int, set[str]] | None = None
) -> list[dict]:
    """Return the four outcomes with the number of students who reached each, out of everyone in the class,
    and how many of those have a completed guided scenario as (part of) their evidence."""
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
        for o in Outcome
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
