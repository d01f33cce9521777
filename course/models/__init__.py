"""Course models, one module per area: the lesson content here; the classroom (sessions, quizzes, pairs) beside it."""

from course.models.lesson import Diagram, GlossaryTerm, Lesson, Section, TimedPart

__all__ = ["Lesson", "Section", "TimedPart", "Diagram", "GlossaryTerm"]
from course.models.classroom import (  # noqa: E402
    LEVEL_RANK,
    Answer,
    ClassSession,
    Level,
    Outcome,
    Pair,
    Question,
    QuestionKind,
    Student,
)

__all__ += [
    "LEVEL_RANK",
    "ClassSession",
    "Student",
    "Level",
    "Question",
    "QuestionKind",
    "Outcome",
    "Answer",
    "Pair",
]
from course.models.fixtures import LoadedFixture  # noqa: E402

__all__ += ["LoadedFixture"]
