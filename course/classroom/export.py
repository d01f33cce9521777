"""CSV export of everything a class produced: quiz answers, peer-instruction votes, predictions and pair
answers, one file, UTF-8 with BOM, one row per answer under readable Korean column names.

The BOM lets Excel (common on instructors' laptops in Korea) open Hangul correctly. Cells that a spreadsheet
would run as a formula are prefixed with an apostrophe (CSV injection). Times are the server's local time
(`TIME_ZONE`) as `YYYY-MM-DD HH:MM:SS`, which Excel reads as a date. A removed student's answers are gone
with them (`actions.remove_student`), so the file only holds the real class.
"""

import csv
import io
from datetime import datetime

from django.utils import timezone

from course.classroom import answers as pair_answers
from course.models import Answer, ClassSession, Pair, Student
from course.models.classroom import PredictionVote

HEADER = [
    "구분",
    "수업 코드",
    "닉네임",
    "수준",
    "페어",
    "문제",
    "문제 키",
    "섹션",
    "라운드",
    "응답",
    "정답",
    "시도 횟수",
    "마지막 수정 시각",
]
KIND_QUIZ = "퀴즈"
KIND_VOTE = "피어 인스트럭션 투표"
KIND_PREDICTION = "예측"
KIND_PAIR = "페어 토론"
ROUND_LABELS = {0: "자율 풀이", 1: "1라운드", 2: "2라운드"}
# A pair answer's row names its prompt as the class's lesson writes it (course.classroom.discussion), keyed
# `prompt-N`, with the slug of the section the prompt is in.
PAIR_KEY = "prompt-{number}"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def when(moment: datetime | None) -> str:
    """Return a time as the server's local `YYYY-MM-DD HH:MM:SS` (empty for None)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def mark(correct: bool) -> str:
    return "O" if correct else "X"


def response_text(kind: str, choices, value) -> str:
    """Return a stored response in words: the chosen labels, the order, the matches; the raw value otherwise."""
    try:
        if kind == "single":
            return str(choices[value])
        if kind == "multiple":
            return " / ".join(str(choices[i]) for i in value)
        if kind == "ordering":
            return " → ".join(str(choices[i]) for i in value)
        if kind == "matching":
            right = choices["right"]
            return " / ".join(f"{left}={right[i]}" for left, i in zip(choices["left"], value, strict=False))
    except (IndexError, KeyError, TypeError):
        pass
    return str(value)


def _student_cells(student: Student) -> list:
    pair = student.pair.number if student.pair else ""
    return [student.nickname, student.get_level_display(), pair]


def rows(session: ClassSession) -> list[list]:
    """Return the export rows of a class (HEADER order): answers by time, then predictions, then pairs."""
    out: list[list] = []
    answers = (
        Answer.objects.filter(session=session)
        .select_related("student__pair", "question")
        .order_by("answered_at", "pk")
    )
    for a in answers:
        q = a.question
        out.append(
            [
                KIND_QUIZ if a.round == 0 else KIND_VOTE,
                session.code,
                *_student_cells(a.student),
                q.prompt,
                q.key,
                q.section,
                ROUND_LABELS.get(a.round, a.round),
                response_text(q.kind, q.choices, a.response),
                mark(a.correct),
                a.attempts,
                when(a.answered_at),
            ]
        )
    votes = (
        PredictionVote.objects.filter(session=session)
        .select_related("student__pair", "prediction")
        .order_by("answered_at", "pk")
    )
    for v in votes:
        p = v.prediction
        out.append(
            [
                KIND_PREDICTION,
                session.code,
                *_student_cells(v.student),
                p.prompt,
                p.key,
                p.section,
                "",
                response_text("single", p.choices, v.choice),
                mark(v.correct),
                "",
                when(v.answered_at),
            ]
        )
    discussion = pair_answers.discussion_for(session)
    for pair in Pair.objects.filter(session=session).prefetch_related("members").order_by("number"):
        members = ", ".join(m.nickname for m in pair.members.all())
        given = pair_answers.answers_of(pair, discussion)
        for prompt in discussion.prompts:
            value = pair_answers.answer_text(prompt, given.get(prompt.key))
            out.append(
                [
                    KIND_PAIR + (" (숨김)" if pair.hidden else ""),
                    session.code,
                    members,
                    "",
                    pair.number,
                    prompt.question,
                    PAIR_KEY.format(number=prompt.number),
                    prompt.section,
                    "",
                    value,
                    "",
                    pair.revision,
                    when(pair.updated_at),
                ]
            )
    return out


def to_csv(rows: list[list]) -> str:
    """Return the CSV text (with BOM) of HEADER followed by `rows`."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def class_csv(session: ClassSession) -> str:
    """Return the whole export of a class as CSV text."""
    return to_csv(rows(session))
