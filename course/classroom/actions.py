"""Every change to a class goes through one function here, which also returns the frames to broadcast.

Each action returns a list of `(group, text)` pairs: `group` is a channel-layer group name (see `state`) or
`ME` for a reply to the sender only; `text` is a pre-serialised protocol frame, so a broadcast is one
serialisation however many sockets receive it. Actions raise `ProtocolError` for requests a client may
legitimately get wrong (unknown question, text too long); the consumer turns those into `error` frames.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from course.classroom import (
    answers,
    codes,
    demo,
    grading,
    nicknames,
    pair_doc,
    pairing,
    presence,
    state,
    timer,
)
from course.classroom.protocol import ProtocolError, build
from course.models import LEVEL_RANK, Answer, ClassSession, Level, Pair, Question, Student
from course.models.classroom import PAIR_TEXT_MAX, Prediction, PredictionVote

ME = "me"
Frames = list[tuple[str, str]]


def _everyone(session: ClassSession) -> list[str]:
    return [
        state.students_group(session.pk),
        state.staff_group(session.pk),
        state.projector_group(session.pk),
    ]


def start_class(instructor, lesson, title: str = "") -> ClassSession:
    """Return a new class with a fresh join code, positioned at the lesson's first section (clock stopped),
    with its demo cluster created."""
    first = lesson.sections.order_by("order").values_list("slug", flat=True).first() or ""
    for _ in range(20):
        try:
            with transaction.atomic():
                session = ClassSession.objects.create(
                    lesson=lesson,
                    instructor=instructor,
                    code=codes.new_code(),
                    title=title[:100],
                    current_section=first,
                )
            break
        except IntegrityError:  # code already taken: draw again
            continue
    else:
        raise RuntimeError("could not draw a free join code")
    demo.ensure_demo(session)
    return session


def join(
    session: ClassSession, raw_nickname: str, level: str, visualizer_key: str = ""
) -> tuple[Student, Frames]:
    """Return the new student (nickname cleaned and made unique) and the roster frame for the instructor.

    `visualizer_key` is the browser's visualizer identity, linking the student to the scenarios they complete.
    """
    nickname = nicknames.clean(raw_nickname)
    if level not in Level.values:
        level = Level.BEGINNER
    for _ in range(5):
        taken = set(session.students.values_list("nickname", flat=True))
        try:
            with transaction.atomic():
                student = Student.objects.create(
                    session=session,
                    nickname=nicknames.unique(nickname, taken),
                    level=level,
                    visualizer_key=visualizer_key[:80],
                )
            break
        except IntegrityError:  # two students took the same name at once; look again
            continue
    else:
        raise RuntimeError("could not find a free nickname")
    return student, roster_frames(session)


def roster_frames(session: ClassSession) -> Frames:
    return [
        (state.staff_group(session.pk), build("roster", **state.roster(session))),
        (state.projector_group(session.pk), build("roster", **state.projector_roster(session))),
    ]


def set_section(session: ClassSession, slug: str, now: datetime | None = None) -> Frames:
    """Move the class to `slug`: bank the time spent where it was, start that section's clock."""
    now = now or timezone.now()
    if slug not in {row["slug"] for row in state.sections(session)}:
        raise ProtocolError("unknown_section", "없는 섹션입니다.")
    session.section_seconds = timer.leave_section(
        session.section_seconds, session.current_section, session.section_started_at, now
    )
    session.current_section = slug
    session.section_started_at = now
    session.save(update_fields=["section_seconds", "current_section", "section_started_at"])
    text = build("section", **state.section_payload(session, now))
    frames = [(group, text) for group in _everyone(session)]
    # Fresh evidence for the 세션 마무리 checklist each time the instructor moves on.
    frames.append((state.staff_group(session.pk), build("checklist", **state.checklist_for_class(session))))
    return frames


def _question(session: ClassSession, key: str) -> Question:
    """Return the active question `key` of the class's lesson; another lesson's question is unknown here."""
    question = state.lesson_questions(session).filter(key=key).first()
    if question is None:
        raise ProtocolError("unknown_question", "없는 문제입니다.")
    return question


def submit_answer(session: ClassSession, student: Student, key: str, response, round_: int) -> Frames:
    """Grade and store the answer (the latest one counts), reply with feedback, update the dashboards.

    Round 0 is the self-paced quiz and is accepted at any time, whatever peer instruction is doing; rounds 1
    and 2 are votes, accepted only for the open live question and its current round. While the live question
    is unrevealed, the reply's grade is held back (`state.feedback_held`) for a vote and for a self-paced
    answer to that same question — the answer is stored, the vote is not spoiled.
    """
    question = _question(session, key)
    if round_ not in (0, 1, 2):
        raise ProtocolError("bad_round", "라운드 번호가 올바르지 않습니다.")
    if round_ != 0 and (session.live_question_id != question.pk or round_ != session.live_round):
        raise ProtocolError("not_live", "지금은 이 라운드에 투표할 수 없습니다.")
    if round_ != 0 and session.live_revealed:
        # Peer instruction: a vote cast after the class saw the histogram would only copy it.
        raise ProtocolError("revealed", "결과가 공개되어 이 라운드 투표는 닫혔습니다.")
    try:
        grade = grading.grade(question.kind, question.choices, question.answer, response)
    except grading.Invalid as exc:
        raise ProtocolError("invalid_answer", str(exc)) from None
    except (KeyError, TypeError, ValueError):  # a question edited into an inconsistent shape in the admin
        raise ProtocolError(
            "question_broken", "이 문제의 설정이 올바르지 않습니다. 강사에게 알려 주세요."
        ) from None
    stored, created = Answer.objects.get_or_create(
        session=session,
        student=student,
        question=question,
        round=round_,
        defaults={"response": grade.response, "correct": grade.correct},
    )
    if not created:
        Answer.objects.filter(pk=stored.pk).update(
            response=grade.response,
            correct=grade.correct,
            attempts=F("attempts") + 1,
            answered_at=timezone.now(),
        )
    held = state.feedback_held(session, question.pk)
    graded = round_ == 0 and not held
    reply = build(
        "answer.result",
        question=key,
        round=round_,
        correct=grade.correct if graded else None,
        held=held,
        detail=grade.detail if graded else "",
        explanation=question.explanation if graded else "",
        section_url=state.section_url(session, question.section),
        correct_response=grading.correct_response(question.kind, question.choices, question.answer)
        if graded
        else None,
    )
    # Through the student's group, so every tab of this student shows the feedback (this socket included).
    frames: Frames = [(state.student_group(student.pk), reply)]
    summary = state.question_summary(session, question, round_)
    frames.append((state.staff_group(session.pk), build("results", **summary)))
    if round_ and session.live_revealed:
        frames.append(
            (state.projector_group(session.pk), build("live", **state.live_payload(session, names=False)))
        )
    if round_ == 0 and question.outcome:
        # The student's own checklist at once; the dashboard's class checklist is refreshed by the consumer,
        # throttled (`class_checklist_frames_for`), since it reads every answer of the class.
        frames.extend(checklist_frames(session, student, klass=False))
    return frames


def _live_student_frames(session: ClassSession, public: dict) -> Frames:
    """The live state for each student, through their own group: the question in their display order
    (`shuffle`), the rounds computed once in `public`."""
    if public.get("question") is None:
        text = build("live", **public)
        return [(state.students_group(session.pk), text)]
    return [
        (state.student_group(sid), build("live", **state.live_for_student(public, session, sid)))
        for sid in session.students.values_list("pk", flat=True)
    ]


def _live_frames(session: ClassSession) -> Frames:
    payload = state.live_payload(session, names=False)
    public = build("live", **payload)
    return [
        *_live_student_frames(session, payload),
        (state.projector_group(session.pk), public),
        (state.staff_group(session.pk), build("live", **state.live_payload(session, names=True))),
    ]


def open_live(session: ClassSession, key: str) -> Frames:
    """Open a question for peer instruction, round 1, histogram hidden; earlier votes on it are cleared.

    Raises ProtocolError `live_open` while another (or the same) question is live: a stray press must never
    wipe the class's votes, so the open one is closed first.
    """
    question = _question(session, key)
    if session.live_question_id is not None:
        raise ProtocolError("live_open", "이미 열린 문제가 있습니다. 먼저 닫은 뒤 새 문제를 여세요.")
    Answer.objects.filter(session=session, question=question, round__in=[1, 2]).delete()
    session.live_question, session.live_round, session.live_revealed = question, 1, False
    session.save(update_fields=["live_question", "live_round", "live_revealed"])
    return _live_frames(session)


def reveal_live(session: ClassSession) -> Frames:
    if session.live_question_id is None:
        raise ProtocolError("no_live", "열린 문제가 없습니다.")
    session.live_revealed = True
    session.save(update_fields=["live_revealed"])
    return _live_frames(session)


def revote_live(session: ClassSession) -> Frames:
    """Start round 2 after the pairs discussed: hide the histogram again until the next reveal."""
    if session.live_question_id is None:
        raise ProtocolError("no_live", "열린 문제가 없습니다.")
    session.live_round, session.live_revealed = 2, False
    session.save(update_fields=["live_round", "live_revealed"])
    return _live_frames(session)


def close_live(session: ClassSession) -> Frames:
    session.live_question, session.live_round, session.live_revealed = None, 0, False
    session.save(update_fields=["live_question", "live_round", "live_revealed"])
    return _live_frames(session)


def _pair_frames(session: ClassSession, pair: Pair) -> Frames:
    """Frames telling a pair's members and the instructor about the pair, plus the projector if spotlighted."""
    pair = Pair.objects.prefetch_related("members").get(pk=pair.pk)
    text = build("pair", pair=state.pair_payload(pair))
    frames = [(state.student_group(m.pk), text) for m in pair.members.all()]
    frames.append((state.staff_group(session.pk), text))
    if session.spotlight_id == pair.pk:
        frames.extend(_spotlight_frames(session))
    return frames


def _chart_frames(session: ClassSession) -> Frames:
    text = build("chart", features=state.chart(session))
    return [(state.staff_group(session.pk), text), (state.projector_group(session.pk), text)]


def form_pairs(session: ClassSession, seed: int = 0) -> Frames:
    """Pair every student in the room not yet paired, mixing levels (odd count → one trio).

    Only students in the room (presence.in_room_filter) are paired: someone who joined and left would leave
    their partner discussing alone. They stay unpaired, and are paired when they are back and the
    instructor forms pairs again (or they enter a partner's pair code).
    """
    with transaction.atomic():
        unpaired = list(session.students.filter(presence.in_room_filter(timezone.now()), pair__isnull=True))
        next_number = (session.pairs.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        groups = pairing.mixed_pairs(unpaired, lambda s: LEVEL_RANK[s.level], seed=seed)
        if len(groups) == 1 and len(groups[0]) == 1 and session.pairs.exists():
            # One late student joins the smallest existing pair instead of discussing alone.
            pair = min(session.pairs.all(), key=lambda p: (p.members.count(), p.number))
            Student.objects.filter(pk=groups[0][0].pk).update(pair=pair)
            groups = []
        for offset, group in enumerate(groups):
            pair = Pair.objects.create(session=session, number=next_number + offset)
            Student.objects.filter(pk__in=[s.pk for s in group]).update(pair=pair)
    frames: Frames = []
    for pair in session.pairs.all():
        frames.extend(_pair_frames(session, pair))
    frames.append((state.staff_group(session.pk), build("board", pairs=state.board(session))))
    frames.extend(roster_frames(session))
    return frames


def create_pair_code(session: ClassSession, student: Student) -> tuple[Pair, Frames]:
    """Return the student's pair, creating one with a short code a partner can enter."""
    if student.pair is not None:
        return student.pair, []
    number = (session.pairs.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    pair = Pair.objects.create(session=session, number=number, code=codes.new_code(codes.PAIR_CODE_LENGTH))
    Student.objects.filter(pk=student.pk).update(pair=pair)
    student.pair = pair
    return pair, _pair_frames(session, pair) + [
        (state.staff_group(session.pk), build("board", pairs=state.board(session)))
    ]


def join_pair_by_code(session: ClassSession, student: Student, raw_code: str) -> tuple[Pair, Frames]:
    code = codes.normalize(raw_code)
    pair = session.pairs.filter(code=code).first() if code else None
    if pair is None:
        raise ProtocolError("unknown_pair", gettext_noop("그런 페어 코드가 없습니다."))
    if pair.members.count() >= 3 and student.pair_id != pair.pk:
        raise ProtocolError("pair_full", gettext_noop("이미 세 명인 페어입니다."))
    Student.objects.filter(pk=student.pk).update(pair=pair)
    student.pair = pair
    return pair, _pair_frames(session, pair) + [
        (state.staff_group(session.pk), build("board", pairs=state.board(session)))
    ]


def _pair_fields(pair: Pair) -> pair_doc.Fields:
    return answers.legacy_fields(pair)


def _students_pair(student: Student, pair_id: int, ref=None) -> Pair:
    """Return the student's pair, checking it is the one the browser edits (it may have changed meanwhile)."""
    if student.pair_id is None:
        raise ProtocolError("no_pair", "아직 페어가 없습니다.", ref)
    if pair_id != student.pair_id:
        raise ProtocolError("pair_changed", "페어가 바뀌었습니다. 새 페어의 답변을 불러옵니다.", ref)
    return Pair.objects.get(pk=student.pair_id)


def sync_pair(session: ClassSession, student: Student, pair_id: int, state_vector: str) -> Frames:
    """Answer a browser's state vector (base64) with the changes it lacks and the server's state vector.

    The browser then sends, as `pair.update`, whatever the server lacks (its offline edits); see pair.js.
    """
    pair = _students_pair(student, pair_id)
    try:
        vector = pair_doc.decode_b64(state_vector, limit=pair_doc.STATE_VECTOR_MAX_BYTES)
        missing, server_vector = pair_doc.sync(bytes(pair.ydoc), vector, _pair_fields(pair))
    except pair_doc.Refused as exc:
        raise ProtocolError(exc.code, exc.message) from None
    reply = build(
        "pair.sync",
        pair=pair.pk,
        update=pair_doc.encode_b64(missing),
        state_vector=pair_doc.encode_b64(server_vector),
    )
    return [(ME, reply)]


def edit_pair(session: ClassSession, student: Student, pair_id: int, update: str, ref: int) -> Frames:
    """Merge a browser's Yjs update (base64) into the pair's document, store it with the derived fields,
    acknowledge it (`pair.ack` with `ref`, only once stored) and relay it to the partners.

    Two partners' updates may be merged by two workers at once: the write is conditional on the revision
    read, and a lost race merges again into the newer document (CRDT updates commute).
    Refused updates raise ProtocolError with `ref` and change nothing.
    """
    try:
        raw = pair_doc.decode_b64(update)
    except pair_doc.Refused as exc:
        raise ProtocolError(exc.code, exc.message, ref) from None
    discussion = answers.discussion_for(session)
    for _ in range(8):
        pair = _students_pair(student, pair_id, ref)
        try:
            applied = pair_doc.apply_update(bytes(pair.ydoc), raw, _pair_fields(pair), discussion)
        except pair_doc.Refused as exc:
            raise ProtocolError(exc.code, exc.message, ref) from None
        if not applied.changed:
            return [(ME, build("pair.ack", pair=pair.pk, id=ref))]
        fields, features_before = applied.fields, list(pair.features or [])
        stored = Pair.objects.filter(pk=pair.pk, revision=pair.revision).update(
            ydoc=applied.state,
            features=fields.features,
            practice=fields.practice,
            automation=fields.automation,
            answers=fields.answers(discussion),
            revision=F("revision") + 1,
            updated_at=timezone.now(),
        )
        if stored:
            break
    else:
        raise ProtocolError("busy", "저장이 몰려 잠시 늦어집니다. 자동으로 다시 보냅니다.", ref)
    pair = Pair.objects.prefetch_related("members").get(pk=pair.pk)
    members = [state.student_group(m.pk) for m in pair.members.all()]
    frames: Frames = [(ME, build("pair.ack", pair=pair.pk, id=ref))]
    relay = build("pair.update", pair=pair.pk, update=update, notice="")
    frames.extend((group, relay) for group in members)
    if applied.fix:
        fix = build(
            "pair.update", pair=pair.pk, update=pair_doc.encode_b64(applied.fix), notice=applied.notice
        )
        frames.extend((group, fix) for group in members)
    frames.append((state.staff_group(session.pk), build("pair", pair=state.pair_payload(pair, discussion))))
    if session.spotlight_id == pair.pk:
        frames.extend(_spotlight_frames(session))
    if fields.features != features_before:
        frames.extend(_chart_frames(session))
    return frames


def update_pair(session: ClassSession, student: Student, field: str, value) -> Frames:
    """Replace one answer of the pair's shared answer as one edit, through the same merge as a browser's.

    For scripts and tests (browsers send `pair.update` with Yjs updates): `field` is a prompt number ("2")
    or its document root ("practice", "features"); validates like the old whole-field frame did, then writes
    the change into the document.
    """
    if student.pair_id is None:
        raise ProtocolError("no_pair", "아직 페어가 없습니다.")
    discussion = answers.discussion_for(session)
    prompt = next((p for p in discussion.prompts if field in (p.key, p.root)), None)
    if prompt is None:
        raise ProtocolError("bad_fields", "알 수 없는 항목입니다.")
    field = prompt.root
    if prompt.pick:
        if not isinstance(value, list) or len(value) > prompt.pick:
            raise ProtocolError("too_many", f"{prompt.pick}개까지 고를 수 있습니다.")
        allowed = {c.key for c in prompt.choices}
        value = list(dict.fromkeys(k for k in value if isinstance(k, str) and k in allowed))
    else:
        if not isinstance(value, str):
            raise ProtocolError("bad_fields", "텍스트를 입력하세요.")
        if len(value) > PAIR_TEXT_MAX:
            raise ProtocolError("too_long", f"{PAIR_TEXT_MAX}자까지 입력할 수 있습니다.")
    pair = Pair.objects.get(pk=student.pair_id)
    update = pair_doc.replace_field(bytes(pair.ydoc), field, value, _pair_fields(pair))
    return [
        frame
        for frame in edit_pair(session, student, pair.pk, pair_doc.encode_b64(update), 0)
        if frame[0] != ME
    ]


def start_discussion(session: ClassSession, now: datetime | None = None) -> Frames:
    session.discussion_started_at = now or timezone.now()
    session.save(update_fields=["discussion_started_at"])
    text = build("discussion", **state.discussion_payload(session, session.discussion_started_at))
    return [(group, text) for group in _everyone(session)]


def _spotlight_frames(session: ClassSession) -> Frames:
    public = build("spotlight", pair=state.spotlight_payload(session))
    return [
        (state.projector_group(session.pk), public),
        (state.students_group(session.pk), public),
        (state.staff_group(session.pk), build("spotlight", pair=session.spotlight_id)),
    ]


def set_spotlight(session: ClassSession, pair_id: int | None) -> Frames:
    """Put one pair's answer on the projector (and students' screens), or clear it with None."""
    pair = None
    if pair_id is not None:
        pair = session.pairs.filter(pk=pair_id).first()
        if pair is None:
            raise ProtocolError("unknown_pair", "없는 페어입니다.")
    session.spotlight = pair
    session.save(update_fields=["spotlight"])
    return _spotlight_frames(session)


def hide_pair(session: ClassSession, pair_id: int, hidden: bool) -> Frames:
    """Hide (or show again) a pair's answer: off the projector, the spotlight and the class chart."""
    updated = session.pairs.filter(pk=pair_id).update(hidden=hidden)
    if not updated:
        raise ProtocolError("unknown_pair", "없는 페어입니다.")
    frames = [(state.staff_group(session.pk), build("board", pairs=state.board(session)))]
    frames.extend(_chart_frames(session))
    if session.spotlight_id == pair_id:
        frames.extend(_spotlight_frames(session))
    return frames


# Predict → observe ------------------------------------------------------------------------------------
# The demo cluster is driven asynchronously (course.classroom.predict) between a check and a record made
# here: `prediction_to_open` and `prediction_to_play` validate and change nothing; `prediction_opened` and
# `prediction_played` store the result and return the frames.


def _predict_frames(session: ClassSession) -> Frames:
    public = build("predict", **state.predict_payload(session, names=False))
    return [
        (state.students_group(session.pk), public),
        (state.projector_group(session.pk), public),
        (state.staff_group(session.pk), build("predict", **state.predict_payload(session, names=True))),
    ]


def prediction_to_open(session: ClassSession, key: str) -> tuple[Prediction, str]:
    """Return the prompt to open and the demo cluster's public id; raise ProtocolError for an unknown prompt."""
    prediction = state.lesson_predictions(session).filter(key=key).first()
    if prediction is None:
        raise ProtocolError("unknown_prediction", "없는 예측 문제입니다.")
    if not isinstance(prediction.choices, list) or not 0 <= prediction.answer < len(prediction.choices):
        raise ProtocolError(
            "question_broken", "이 예측 문제의 설정이 올바르지 않습니다. 관리자 화면에서 확인하세요."
        )
    return prediction, demo.ensure_demo(session).public_id


def prediction_opened(session: ClassSession, prediction: Prediction, setup_report: list[dict]) -> Frames:
    """Open the prompt for predictions (earlier predictions on it in this class are cleared)."""
    PredictionVote.objects.filter(session=session, prediction=prediction).delete()
    session.prediction, session.prediction_played = prediction, False
    session.prediction_outcome = {"setup": setup_report, "action": []}
    session.save(update_fields=["prediction", "prediction_played", "prediction_outcome"])
    return _predict_frames(session)


def prediction_to_play(session: ClassSession) -> tuple[Prediction, str]:
    """Return the open prompt and the demo's public id; raise ProtocolError when there is nothing to play."""
    if session.prediction_id is None:
        raise ProtocolError("no_prediction", "열린 예측 문제가 없습니다.")
    if session.prediction_played:
        raise ProtocolError("already_played", "이미 실행했습니다. 다시 하려면 예측 문제를 새로 여세요.")
    return session.prediction, demo.ensure_demo(session).public_id


def prediction_played(session: ClassSession, action_report: list[dict]) -> Frames:
    """Reveal the histogram and the answer, with what the action did on the demo."""
    outcome = dict(session.prediction_outcome or {})
    outcome["action"] = action_report
    session.prediction_played, session.prediction_outcome = True, outcome
    session.save(update_fields=["prediction_played", "prediction_outcome"])
    return _predict_frames(session)


def close_prediction(session: ClassSession) -> Frames:
    """Take the prompt off every screen (the demo cluster stays as it is)."""
    session.prediction, session.prediction_played, session.prediction_outcome = None, False, None
    session.save(update_fields=["prediction", "prediction_played", "prediction_outcome"])
    return _predict_frames(session)


def vote_prediction(session: ClassSession, student: Student, key: str, choice: int) -> Frames:
    """Store the student's prediction (the latest counts) while the prompt is open and not yet played."""
    prediction = session.prediction
    if prediction is None or prediction.key != key:
        raise ProtocolError("not_live", "지금은 이 예측에 답할 수 없습니다.")
    if session.prediction_played:
        raise ProtocolError("already_played", "이미 결과가 나왔습니다. 예측은 실행 전에만 할 수 있습니다.")
    if not 0 <= choice < len(prediction.choices):
        raise ProtocolError("invalid_answer", "보기 중 하나를 고르세요.")
    PredictionVote.objects.update_or_create(
        student=student,
        prediction=prediction,
        defaults={
            "session": session,
            "choice": choice,
            "correct": choice == prediction.answer,
            "answered_at": timezone.now(),
        },
    )
    return [
        (state.student_group(student.pk), build("predict.voted", prediction=key, choice=choice)),
        (state.staff_group(session.pk), build("predict", **state.predict_payload(session, names=True))),
    ]


def end_class(session: ClassSession, now: datetime | None = None) -> Frames:
    """End the class: its code admits nobody any more, every screen is told, all answers and pairs stay.

    Ending twice keeps the first time. Returns the `ended` frame for students, instructor and projector.
    """
    if session.ended_at is None:
        session.ended_at = now or timezone.now()
        session.save(update_fields=["ended_at"])
    text = ended_frame(session)
    return [(group, text) for group in _everyone(session)]


def ended_frame(session: ClassSession) -> str:
    """Return the `ended` frame of an ended class (`ended_at` in epoch milliseconds)."""
    return build("ended", ended_at=int(session.ended_at.timestamp() * 1000))


# People: presence, rename, remove --------------------------------------------------------------------------


def checklist_frames(session: ClassSession, student: Student | None = None, *, klass: bool = True) -> Frames:
    """Frames refreshing the 세션 마무리 checklist: the student's own (when given) and, with `klass`, the
    dashboard's."""
    frames: Frames = []
    if student is not None:
        own = build("checklist", **state.checklist_for_student(session, student))
        frames.append((state.student_group(student.pk), own))
    if klass:
        frames.append(
            (state.staff_group(session.pk), build("checklist", **state.checklist_for_class(session)))
        )
    return frames


def class_checklist_frames_for(session_id: int) -> Frames:
    """The dashboard's checklist of the class with this id (the consumer's throttled refresh); [] if gone."""
    session = ClassSession.objects.filter(pk=session_id).first()
    if session is None:
        return []
    return [(state.staff_group(session.pk), build("checklist", **state.checklist_for_class(session)))]


def presence_frames(session: ClassSession) -> Frames:
    """Frames refreshing everything that counts the students present (see `presence`): the roster, every
    round-0 result, the live question and the prediction (their "n/m" and who has not answered yet), the
    checklist, and the projector's head count."""
    now = timezone.now()
    staff, projector = state.staff_group(session.pk), state.projector_group(session.pk)
    frames: Frames = [(staff, build("roster", **state.roster(session, now)))]
    questions = list(state.lesson_questions(session))
    frames += [
        (staff, build("results", **summary)) for summary in state.class_results(session, questions, now)
    ]
    if session.live_question_id:
        frames.append((staff, build("live", **state.live_payload(session, names=True))))
        if session.live_revealed:
            frames.append((projector, build("live", **state.live_payload(session, names=False))))
    if session.prediction_id:
        frames.append((staff, build("predict", **state.predict_payload(session, names=True))))
    frames.append((staff, build("checklist", **state.checklist_for_class(session, now))))
    frames.append((projector, build("roster", **state.projector_roster(session, now))))
    return frames


def presence_frames_for(session_id: int) -> Frames:
    """`presence_frames` of the class with this id (for the consumer's throttled refresh); [] if it is gone."""
    session = (
        ClassSession.objects.select_related("lesson", "live_question", "prediction", "demo_cluster")
        .filter(pk=session_id)
        .first()
    )
    return presence_frames(session) if session else []


def _student_in(session: ClassSession, student_id: int) -> Student:
    student = session.students.select_related("pair").filter(pk=student_id).first()
    if student is None:
        raise ProtocolError("unknown_student", "없는 학생입니다. 이미 내보냈을 수 있습니다.")
    return student


def rename_student(session: ClassSession, student_id: int, raw_nickname: str) -> Frames:
    """Give a student a new nickname, cleaned and made unique as at join (`nicknames`).

    The student's tabs get `renamed`; the roster, their pair, the share board and every list of names on
    the dashboard are refreshed. Raises ProtocolError `unknown_student` or `bad_nickname`.
    """
    student = _student_in(session, student_id)
    try:
        nickname = nicknames.clean(raw_nickname[:200])
    except nicknames.NicknameError as exc:
        raise ProtocolError("bad_nickname", str(exc)) from None
    if nickname != student.nickname:
        for _ in range(5):
            taken = set(session.students.exclude(pk=student.pk).values_list("nickname", flat=True))
            try:
                with transaction.atomic():
                    Student.objects.filter(pk=student.pk).update(nickname=nicknames.unique(nickname, taken))
                break
            except IntegrityError:  # someone took that name at the same moment; look again
                continue
        else:
            raise ProtocolError("bad_nickname", "다른 닉네임을 입력하세요.")
        student.refresh_from_db(fields=["nickname"])
    frames: Frames = [(state.student_group(student.pk), build("renamed", nickname=student.nickname))]
    if student.pair_id:
        frames.extend(_pair_frames(session, student.pair))
        frames.append((state.staff_group(session.pk), build("board", pairs=state.board(session))))
    return frames + presence_frames(session)


REMOVED_MESSAGE = "강사가 이 수업 참여를 취소했습니다. 다시 참여하려면 닉네임을 입력하세요."


def remove_student(session: ClassSession, student_id: int) -> Frames:
    """Remove a mistaken or fake join: the student row goes, and with it their answers and predictions.

    Why delete the answers: a fake or duplicate participant's votes would skew every histogram, % and the
    checklist the class is looking at, and the CSV is the record of the real class. A student removed by
    mistake joins again (their cookie no longer names a student, so the join form shows) and answers
    again; the quizzes are formative. Their pair keeps its shared answer. The student's tabs get
    `removed` (the consumer then closes those sockets with 4403). Raises ProtocolError `unknown_student`.
    """
    student = _student_in(session, student_id)
    pair = student.pair
    student.delete()  # Answer and PredictionVote rows cascade
    join_url = reverse("course:classroom:student", args=[session.code])
    frames: Frames = [
        (state.student_group(student_id), build("removed", message=REMOVED_MESSAGE, join_url=join_url))
    ]
    if pair is not None:
        frames.extend(_pair_frames(session, pair))
        frames.append((state.staff_group(session.pk), build("board", pairs=state.board(session))))
    return frames + presence_frames(session)
