"""세션 마무리: the 오늘 세션 성과 checklist ticked from evidence, and the next-session preview.

An outcome is reached by a student when they answered at least MIN_ANSWERS of its questions and at least
PASS_RATIO of those correctly; the class view shows how many students reached each one. Guided scenarios of
the visualizer are a second kind of evidence: `scenario_evidence` is the extension point the visualizer fills
(today it reports none).
"""

from course.models.classroom import Outcome

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


def scenario_evidence(student_ids: list[int]) -> dict[int, set[str]]:
    """Return, per student, the outcomes proven by guided visualizer scenarios (none until it exists)."""
    return {}


def reached(answers: list[tuple[str, bool]]) -> set[str]:
    """Return the outcomes reached by one student's (outcome, correct) answers."""
    done = set()
    for outcome in Outcome.values:
        marks = [ok for o, ok in answers if o == outcome]
        if len(marks) >= MIN_ANSWERS and sum(marks) >= PASS_RATIO * len(marks):
            done.add(outcome)
    return done


def student_checklist(answers: list[tuple[str, bool]], extra: set[str] = frozenset()) -> list[dict]:
    """Return the four outcomes with `done` and how many of its questions were answered and right."""
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
            }
        )
    return rows


def class_checklist(
    per_student: dict[int, list[tuple[str, bool]]], extra: dict[int, set[str]] | None = None
) -> list[dict]:
    """Return the four outcomes with the number of students who reached each, out of everyone in the class."""
    extra = extra or {}
    counts = dict.fromkeys(Outcome.values, 0)
    for sid, answers in per_student.items():
        for outcome in reached(answers) | extra.get(sid, set()):
            counts[outcome] += 1
    total = len(per_student)
    return [
        {
            "outcome": o.value,
            "label": o.label,
            "reached": counts[o.value],
            "students": total,
            "percent": round(100 * counts[o.value] / total) if total else 0,
        }
        for o in Outcome
    ]
