"""Payloads describing a class as each role sees it: the full `hello` state and the pieces events carry.

Read-only ORM helpers. A student's payloads never include other students' names or other pairs' answers
(except the one the instructor spotlights); the projector's never include names at all.
"""

from datetime import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from course.classroom import answers, demo, features, presence, results, shuffle, timer
from course.classroom.checklist import (
    class_checklist,
    lesson_outcomes,
    next_session,
    scenario_evidence,
    scenarios_done,
    student_checklist,
)
from course.classroom.discussion import Discussion
from course.models import Answer, ClassSession, Pair, Question, Section, Student
from course.models.classroom import Prediction, PredictionVote

DISCUSSION_SECONDS = 5 * 60


def ms(moment: datetime | None) -> int | None:
    return int(moment.timestamp() * 1000) if moment else None


# Groups a consumer joins; pairs are reached through their members' student groups.
def students_group(session_id: int) -> str:
    return f"class-{session_id}-students"


def staff_group(session_id: int) -> str:
    return f"class-{session_id}-staff"


def projector_group(session_id: int) -> str:
    return f"class-{session_id}-projector"


def student_group(student_id: int) -> str:
    return f"student-{student_id}"


def lesson_questions(session: ClassSession):
    """Return the active quiz questions of the class's lesson (a QuerySet, in quiz order): a class asks its
    own lesson's questions only."""
    return Question.objects.filter(lesson_id=session.lesson_id, is_active=True)


def lesson_predictions(session: ClassSession):
    """Return the active predict → observe prompts of the class's lesson (a QuerySet, in order)."""
    return Prediction.objects.filter(lesson_id=session.lesson_id, is_active=True)


def sections(session: ClassSession) -> list[dict]:
    """Return the lesson's sections in order: slug, title, group, planned minutes."""
    rows = (
        Section.objects.filter(lesson_id=session.lesson_id)
        .order_by("order")
        .values("slug", "title", "group", "minutes")
    )
    return list(rows)


def section_url(session: ClassSession, slug: str) -> str:
    return reverse("course:section", args=[session.lesson.slug, slug])


def section_payload(session: ClassSession, now: datetime) -> dict:
    """Return where the instructor is and the clock of that section."""
    found = {row["slug"]: row for row in sections(session)}
    row = found.get(session.current_section) or {"title": "", "minutes": 0}
    clock = timer.section_clock(
        session.section_seconds, session.current_section, row["minutes"], session.section_started_at, now
    )
    return {
        "section": session.current_section,
        "title": row["title"],
        "planned": clock.planned,
        "elapsed": clock.elapsed,
        "running": session.section_started_at is not None,
        "server_now": ms(now),
        "agenda": timer.agenda(
            [(r["slug"], r["title"], r["minutes"]) for r in found.values()],
            session.section_seconds,
            session.current_section,
            session.section_started_at,
            now,
        ),
    }


def roster(session: ClassSession, now: datetime | None = None) -> dict:
    """Return the instructor's roster: every student who joined with their presence, and the counts.

    `online` is the server's verdict at `server_now` (ms); `last_seen` (ms) lets the dashboard age it
    itself, so a student whose process died fades to "마지막 접속 n분 전" without another frame.
    """
    now = now or timezone.now()
    students = [
        {
            "id": s.pk,
            "nickname": s.nickname,
            "level": s.level,
            "level_label": s.get_level_display(),
            "pair": s.pair_id,
            "pair_number": s.pair.number if s.pair else None,
            "online": presence.is_online(s.sockets, s.last_seen, now),
            "last_seen": ms(s.last_seen),
            "joined_at": ms(s.joined_at),
        }
        for s in session.students.select_related("pair")
    ]
    return {
        "students": students,
        "count": len(students),
        "online": sum(1 for s in students if s["online"]),
        "online_window": int(presence.ONLINE_WINDOW.total_seconds()),
        "server_now": ms(now),
    }


def projector_roster(session: ClassSession, now: datetime | None = None) -> dict:
    """Return the projector's roster: no names, and the count of students online now."""
    return {"students": [], "count": len(presence.online_ids(session, now))}


def present_names(session: ClassSession, answered: set[int], now: datetime | None = None) -> dict[int, str]:
    """Return id → nickname of the students present for a count: online now, or among `answered`.

    The rule behind every "응답 n/m" and % the instructor sees (see presence.py): m counts the people in
    the room and those who answered before leaving, not everyone who ever joined.
    """
    now = now or timezone.now()
    rows = session.students.filter(presence.online_filter(now) | Q(pk__in=answered))
    return dict(rows.values_list("pk", "nickname"))


def question_public(question: Question, lesson_slug: str, student_id: int | None = None) -> dict:
    """Return what a student may see of a question before answering (no answer key).

    Without `student_id` (dashboard, projector) choices keep the authored shapes: a list of labels for
    single/multiple, `{"left", "right"}` for matching (the targets shuffled the same for the whole room), and
    for ordering one list of `{"index", "label"}` shuffled the same for the whole room. With `student_id` every list is in that student's own display order
    (`course.classroom.shuffle`) as `{"index", "label"}` items, `index` being the original index the page
    submits: single/multiple `choices: [{index, label}]`, ordering likewise, matching
    `{"left": [labels], "right": [{index, label}]}` (targets shuffled, rows as authored).
    """
    choices = question.choices
    if student_id is not None and question.kind != "yaml":
        choices = _shuffled_choices(question, student_id)
    elif question.kind in ("ordering", "matching"):
        # The room's one list (dashboard and projector): shuffled under the same rules as a student's, with
        # the class-wide seed SHARED_SEED, so the projector never shows the answer order or the diagonal.
        shared = _shuffled_choices(question, shuffle.SHARED_SEED)
        if question.kind == "matching" and isinstance(shared, dict):
            shared = {"left": shared["left"], "right": [item["label"] for item in shared["right"]]}
        choices = shared
    elif question.kind == "yaml":
        choices = {"starter": (question.choices or {}).get("starter", "")}
    return {
        "key": question.key,
        "kind": question.kind,
        "kind_label": question.get_kind_display(),
        "prompt": question.prompt,
        "choices": choices,
        "section": question.section,
        "section_url": reverse("course:section", args=[lesson_slug, question.section]),
    }


def _shuffled_choices(question: Question, student_id: int):
    """Return the question's choices in `student_id`'s display order (see `question_public`).

    A question edited into an inconsistent shape in the admin is shown as authored rather than failing the
    page; grading then reports it as broken.
    """
    choices, answer, key = question.choices, question.answer, question.key
    try:
        if question.kind == "matching":
            right = list(choices["right"])
            rows = answer if isinstance(answer, list) else []
            order = shuffle.matching_order(student_id, key, len(right), rows)
            return {
                "left": list(choices["left"]),
                "right": [{"index": i, "label": right[i]} for i in order],
            }
        labels = list(choices)
        if question.kind == "ordering":
            order = shuffle.ordering_order(student_id, key, len(labels))
        else:
            correct = answer if question.kind == "multiple" and isinstance(answer, list) else ()
            order = shuffle.choice_order(student_id, key, len(labels), correct)
        return [{"index": i, "label": labels[i]} for i in order]
    except (KeyError, TypeError):
        if isinstance(choices, list):
            return [{"index": i, "label": str(label)} for i, label in enumerate(choices)]
        return choices


def _question_dict(question: Question) -> dict:
    return {
        "key": question.key,
        "kind": question.kind,
        "choices": question.choices,
        "answer": question.answer,
    }


def question_summary(session: ClassSession, question: Question, round_: int = 0) -> dict:
    """Return the dashboard summary (with names) of one question and round."""
    rows = [
        results.AnswerRow(sid, response, correct)
        for sid, response, correct in Answer.objects.filter(
            session=session, question=question, round=round_
        ).values_list("student_id", "response", "correct")
    ]
    names = present_names(session, {row.student_id for row in rows})
    summary = results.summarize(_question_dict(question), rows, names, round_)
    summary["prompt"] = question.prompt
    return summary


def class_results(
    session: ClassSession, questions: list[Question], now: datetime | None = None
) -> list[dict]:
    """Return `question_summary` of round 0 for each question, with one query for all the answers."""
    now = now or timezone.now()
    by_question: dict[int, list[results.AnswerRow]] = {}
    for qid, sid, response, correct in Answer.objects.filter(session=session, round=0).values_list(
        "question_id", "student_id", "response", "correct"
    ):
        by_question.setdefault(qid, []).append(results.AnswerRow(sid, response, correct))
    everyone = dict(session.students.values_list("pk", "nickname"))
    online = presence.online_ids(session, now)
    summaries = []
    for question in questions:
        rows = by_question.get(question.pk, [])
        present = online | {row.student_id for row in rows}
        names = {sid: name for sid, name in everyone.items() if sid in present}
        summary = results.summarize(_question_dict(question), rows, names, 0)
        summary["prompt"] = question.prompt
        summaries.append(summary)
    return summaries


def live_payload(session: ClassSession, *, names: bool, student_id: int | None = None) -> dict:
    """Return the peer-instruction state; results per round are included once revealed (or for the instructor).

    With `student_id` the question's choices are in that student's display order (`question_public`).
    """
    question = session.live_question
    if question is None:
        return {
            "question": None,
            "round": 0,
            "revealed": False,
            "rounds": [],
            "answer_lines": [],
            "explanation": "",
        }
    rounds = []
    if session.live_revealed or names:
        for round_ in range(1, session.live_round + 1):
            summary = question_summary(session, question, round_)
            rounds.append(summary if names else results.public_view(summary))
    shown = session.live_revealed or names
    return {
        "question": question_public(question, session.lesson.slug, student_id),
        "round": session.live_round,
        "revealed": session.live_revealed,
        "rounds": rounds,
        # Once revealed, the class sees the answer itself (the correct choice, order or pairs), not only
        # right/wrong counts, and the explanation: peer instruction ends on the concept, not the tally.
        "answer_lines": answer_lines(question) if shown else [],
        "explanation": question.explanation if shown else "",
    }


def answer_lines(question: Question) -> list[str]:
    """Return the correct answer as lines of text: the correct choice(s), the items in order, or the pairs
    as "left → right". A question edited into an inconsistent shape gives []."""
    choices, answer = question.choices, question.answer
    try:
        if question.kind == "single":
            return [str(choices[answer])]
        if question.kind == "multiple":
            return [str(choices[i]) for i in answer]
        if question.kind == "ordering":
            return [str(label) for label in choices]
        if question.kind == "matching":
            right = choices["right"]
            return [f"{left} → {right[i]}" for left, i in zip(choices["left"], answer, strict=True)]
    except (IndexError, KeyError, TypeError, ValueError):
        return []
    return []


def live_for_student(public: dict, session: ClassSession, student_id: int) -> dict:
    """Return the public live payload (`live_payload(names=False)`) with the question in the student's order.

    Lets a broadcast compute the rounds once and only re-shuffle the question per student.
    """
    question = session.live_question
    if question is None or public.get("question") is None:
        return public
    return {**public, "question": question_public(question, session.lesson.slug, student_id)}


def live_votes(session: ClassSession, student: Student) -> dict[str, object]:
    """Return the student's votes on the open live question by round ("1", "2"): the response as stored."""
    if session.live_question_id is None:
        return {}
    rows = Answer.objects.filter(
        session=session, student=student, question_id=session.live_question_id, round__in=[1, 2]
    ).values_list("round", "response")
    return {str(round_): response for round_, response in rows}


def feedback_held(session: ClassSession, question_id: int) -> bool:
    """Whether a self-paced answer to this question must not show its grade yet.

    While the same question is the open peer-instruction question and its histogram is hidden, the self-paced
    feedback (verdict, explanation, correct response) would hand out the answer to the vote. The answer is
    still stored; the grade shows once the instructor reveals, the question closes, or on the next submit.
    """
    return session.live_question_id == question_id and not session.live_revealed


def prediction_public(prediction: Prediction, lesson_slug: str) -> dict:
    """Return what everyone may see of a predict → observe prompt before it is played (no answer)."""
    return {
        "key": prediction.key,
        "prompt": prediction.prompt,
        "choices": [str(c) for c in prediction.choices],
        "action": prediction.action,
        "section_url": reverse("course:section", args=[lesson_slug, prediction.section])
        if prediction.section
        else "",
    }


def _public_report(report: list[dict]) -> list[dict]:
    # Students and the projector see what ran and whether it worked; outputs stay on the dashboard.
    return [{"step": r["step"], "kind": r["kind"], "ok": r["ok"]} for r in report if r["kind"] == "command"]


def predict_payload(session: ClassSession, *, names: bool) -> dict:
    """Return the predict → observe state: the prompt, and once played the histogram, the answer and the
    outcome. The instructor (`names`) sees the histogram filling up, who has not predicted yet, and the
    demo's replies to the setup and the action."""
    prediction = session.prediction
    links = demo.links(session.demo_cluster) if session.demo_cluster_id else None
    if prediction is None:
        return {
            "prediction": None,
            "played": False,
            "histogram": None,
            "answer": None,
            "explanation": "",
            "outcome": None,
            "demo": links,
        }
    rows = [
        results.AnswerRow(sid, choice, correct)
        for sid, choice, correct in PredictionVote.objects.filter(
            session=session, prediction=prediction
        ).values_list("student_id", "choice", "correct")
    ]
    played = session.prediction_played
    histogram = None
    if played or names:
        question = {
            "key": prediction.key,
            "kind": "single",
            "choices": prediction.choices,
            "answer": prediction.answer if played or names else None,
        }
        present = present_names(session, {row.student_id for row in rows})
        summary = results.summarize(question, rows, present, 1)
        histogram = summary if names else results.public_view(summary)
    outcome = session.prediction_outcome or {"setup": [], "action": []}
    if not names:
        outcome = {"setup": [], "action": _public_report(outcome.get("action") or [])}
    return {
        "prediction": prediction_public(prediction, session.lesson.slug),
        "played": played,
        "histogram": histogram,
        "answer": prediction.answer if played or names else None,
        "explanation": prediction.explanation if played or names else "",
        "outcome": outcome,
        "demo": links,
    }


def predictions(session: ClassSession) -> list[dict]:
    """Return the prompts the instructor may open in this class: its lesson's, as key, prompt, action."""
    return list(lesson_predictions(session).values("key", "prompt", "action"))


def my_prediction(session: ClassSession, student: Student) -> int | None:
    if session.prediction_id is None:
        return None
    return (
        PredictionVote.objects.filter(student=student, prediction_id=session.prediction_id)
        .values_list("choice", flat=True)
        .first()
    )


def pair_payload(pair: Pair, discussion: Discussion | None = None) -> dict:
    """Return a pair as frames carry it: members, code, and `answers` by prompt number (see
    `discussion_payload`'s `prompts`); `features` / `practice` / `automation` mirror the roots of those names."""
    discussion = discussion or answers.discussion_for(pair.session)
    return {
        "id": pair.pk,
        "number": pair.number,
        "code": pair.code,
        "members": [m.nickname for m in pair.members.all()],
        "answers": answers.answers_of(pair, discussion),
        "features": pair.features,
        "practice": pair.practice,
        "automation": pair.automation,
        "revision": pair.revision,
        "hidden": pair.hidden,
    }


def public_pair(pair: Pair, discussion: Discussion | None = None) -> dict:
    """Return a pair's answers without names, for the projector and for students when it is spotlighted."""
    data = pair_payload(pair, discussion)
    data.pop("members")
    data.pop("code")
    return data


def board(session: ClassSession) -> list[dict]:
    discussion = answers.discussion_for(session)
    return [pair_payload(pair, discussion) for pair in session.pairs.prefetch_related("members")]


def chart(session: ClassSession, discussion: Discussion | None = None) -> list[dict]:
    """Return the class chart of the lesson's picker (every choice with how many visible pairs picked it);
    [] when the lesson's discussion has no picker."""
    picker = (discussion or answers.discussion_for(session)).picker
    if picker is None:
        return []
    picks = list(session.pairs.filter(hidden=False).values_list("features", flat=True))
    choices = [{"key": c.key, "label": c.label, "en": c.en} for c in picker.choices]
    return features.class_chart([p for p in picks if isinstance(p, list)], choices)


def spotlight_payload(session: ClassSession) -> dict | None:
    # Read the pair afresh: the session may hold a copy from before an edit or a hide.
    pair = Pair.objects.filter(pk=session.spotlight_id).first() if session.spotlight_id else None
    if pair is None or pair.hidden:
        return None
    return public_pair(pair, answers.discussion_for(session))


def prompts_payload(session: ClassSession) -> list[dict]:
    """Return the class's lesson's discussion prompts as frames carry them (discussion.Prompt.as_dict)."""
    return answers.discussion_for(session).as_list()


def discussion_payload(session: ClassSession, now: datetime) -> dict:
    return {
        "started_at": ms(session.discussion_started_at),
        "seconds": DISCUSSION_SECONDS,
        "server_now": ms(now),
    }


def answered(session: ClassSession, student: Student) -> dict:
    """Return the student's self-paced answers by question key: response and correctness.

    `correct` is None while the grade is held back (`feedback_held`: the question is live and unrevealed).
    """
    rows = Answer.objects.filter(session=session, student=student, round=0).select_related("question")
    return {
        a.question.key: {
            "response": a.response,
            "correct": None if feedback_held(session, a.question_id) else a.correct,
        }
        for a in rows
    }


def outcome_marks(session: ClassSession) -> dict[int, list[tuple[str, bool]]]:
    marks: dict[int, list[tuple[str, bool]]] = {
        sid: [] for sid in session.students.values_list("pk", flat=True)
    }
    for sid, outcome, correct in (
        Answer.objects.filter(session=session, round=0)
        .exclude(question__outcome="")
        .values_list("student_id", "question__outcome", "correct")
    ):
        marks.setdefault(sid, []).append((outcome, correct))
    return marks


def checklist_for_class(session: ClassSession, now: datetime | None = None) -> dict:
    """Return the class's 세션 마무리 checklist over the students present: online now, or with evidence
    (a self-paced answer or a completed guided scenario) — someone who joined and left without doing
    anything does not lower the percentages."""
    marks = outcome_marks(session)
    evidence = scenario_evidence(list(marks), session.lesson_id)
    answered = set(
        Answer.objects.filter(session=session, round=0).values_list("student_id", flat=True).distinct()
    )
    present = presence.online_ids(session, now) | answered | set(evidence)
    per_student = {sid: rows for sid, rows in marks.items() if sid in present}
    outcomes = class_checklist(per_student, evidence, lesson_outcomes(session.lesson_id))
    return {"outcomes": outcomes, "next": next_session(session.lesson.source)}


def checklist_for_student(session: ClassSession, student: Student) -> dict:
    """Return one student's 세션 마무리 checklist: the four outcomes with their evidence, the guided
    scenarios they completed, and the next-session preview."""
    marks = list(
        Answer.objects.filter(session=session, student=student, round=0)
        .exclude(question__outcome="")
        .values_list("question__outcome", "correct")
    )
    extra = scenario_evidence([student.pk], session.lesson_id).get(student.pk, set())
    return {
        "outcomes": student_checklist(marks, extra, lesson_outcomes(session.lesson_id)),
        "scenarios": scenarios_done(student, session.lesson_id),
        "next": next_session(session.lesson.source),
    }


def checklist_section(session: ClassSession) -> str:
    """Return the slug of the section that carries the student's 세션 마무리 checklist: the lesson's last
    section with a task list (the author writes the outcomes as `- [x]` items there), else its last section.
    """
    rows = list(
        Section.objects.filter(lesson_id=session.lesson_id).order_by("order").values_list("slug", "body_html")
    )
    with_tasks = [slug for slug, body in rows if 'class="task-item"' in body]
    if with_tasks:
        return with_tasks[-1]
    return rows[-1][0] if rows else ""


def student_hello(session: ClassSession, student: Student, now: datetime) -> dict:
    pair = student.pair
    return {
        "role": "student",
        "class": session.code,
        "me": {"id": student.pk, "nickname": student.nickname},
        "section": section_payload(session, now),
        "live": live_payload(session, names=False, student_id=student.pk),
        "live_votes": live_votes(session, student),
        "pair": pair_payload(pair, answers.discussion_for(session)) if pair else None,
        "spotlight": spotlight_payload(session),
        "discussion": discussion_payload(session, now),
        "answered": answered(session, student),
        "predict": predict_payload(session, names=False),
        "my_prediction": my_prediction(session, student),
        "checklist": checklist_for_student(session, student),
        "prompts": prompts_payload(session),
    }


def staff_hello(session: ClassSession, now: datetime) -> dict:
    questions = lesson_questions(session)
    return {
        "role": "staff",
        "class": session.code,
        "section": section_payload(session, now),
        "roster": roster(session, now),
        "results": class_results(session, list(questions), now),
        "live": live_payload(session, names=True),
        "board": board(session),
        "prompts": prompts_payload(session),
        "chart": chart(session),
        "spotlight": session.spotlight_id,
        "discussion": discussion_payload(session, now),
        "checklist": checklist_for_class(session, now),
        "predict": predict_payload(session, names=True),
    }


def projector_hello(session: ClassSession, now: datetime) -> dict:
    return {
        "role": "projector",
        "class": session.code,
        "section": section_payload(session, now),
        "live": live_payload(session, names=False),
        "spotlight": spotlight_payload(session),
        "prompts": prompts_payload(session),
        "chart": chart(session),
        "discussion": discussion_payload(session, now),
        "students": len(presence.online_ids(session, now)),
        "predict": predict_payload(session, names=False),
    }
