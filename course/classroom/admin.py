"""Admin registrations for the classroom models: quiz questions are edited here; classes are inspected."""

from django.contrib import admin

from course.models import Answer, ClassSession, Pair, Question, Student
from course.models.classroom import Prediction, PredictionVote


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["order", "key", "section", "kind", "outcome", "prompt", "is_active"]
    list_display_links = ["key"]
    list_filter = ["section", "kind", "outcome", "is_active"]
    search_fields = ["key", "prompt", "explanation"]
    list_editable = ["is_active"]


@admin.register(Prediction)
class PredictionAdmin(admin.ModelAdmin):
    """Predict → observe prompts: the question, its choices and answer, and the commands run on the demo."""

    list_display = ["order", "key", "section", "prompt", "action", "is_active"]
    list_display_links = ["key"]
    list_filter = ["section", "is_active"]
    search_fields = ["key", "prompt", "explanation", "action"]
    list_editable = ["is_active"]


class StudentInline(admin.TabularInline):
    model = Student
    fields = ["nickname", "level", "pair", "visualizer_key", "joined_at"]
    readonly_fields = ["visualizer_key", "joined_at"]
    extra = 0


@admin.register(ClassSession)
class ClassSessionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "lesson", "instructor", "created_at", "ended_at", "current_section"]
    search_fields = ["code", "title"]
    raw_id_fields = ["live_question", "spotlight", "demo_cluster", "prediction"]
    inlines = [StudentInline]


@admin.register(Pair)
class PairAdmin(admin.ModelAdmin):
    list_display = ["number", "session", "code", "features", "hidden", "updated_at"]
    list_filter = ["hidden"]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["session", "student", "question", "round", "correct", "attempts", "answered_at"]
    list_filter = ["round", "correct"]
    raw_id_fields = ["session", "student", "question"]


@admin.register(PredictionVote)
class PredictionVoteAdmin(admin.ModelAdmin):
    list_display = ["session", "student", "prediction", "choice", "correct", "answered_at"]
    list_filter = ["correct"]
    raw_id_fields = ["session", "student", "prediction"]
