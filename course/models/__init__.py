"""Course models, one module per area: the lesson content here; the classroom (sessions, quizzes, pairs) beside it."""

from course.models.lesson import Diagram, GlossaryTerm, Lesson, Section, TimedPart

__all__ = ["Lesson", "Section", "TimedPart", "Diagram", "GlossaryTerm"]
