"""세션 마무리: the 오늘 세션 성과 checklist ticked from evidence, and the next-session preview.

An outcome is reached by a student when they answered at least MIN_ANSWERS of its questions and at least
PASS_RATIO of those correctly; the class view shows how many students reached each one. Guided scenarios of
the visualizer are a second kind of evidence (`scenario_evidence`): a scenario is only complete when the
cluster's state showed every step, so completing one proves more than a quiz answer. The student's
visualizer identity (stored at join) links the two apps: the same browser owns the scenario clusters.
"""

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
