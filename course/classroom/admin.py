"""Admin registrations for the classroom models: quiz questions are edited here; classes are inspected."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from course.models import Answer, ClassSession, Pair, Question, Student
from course.models.classroom import Prediction, PredictionVote


class LessonSectionForm(forms.ModelForm):
    """A quiz question or prediction names its lesson and one section of THAT lesson by slug.

    A slug the lesson does not have (a typo, another lesson's section) is refused with the lesson's own slugs
    in the message, so the row is never saved pointing at a page that does not exist.
    """

    section_required = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].required = True

    def clean(self):
        cleaned = super().clean()
        lesson, slug = cleaned.get("lesson"), cleaned.get("section")
        if lesson is None or (not slug and not self.section_required):
            return cleaned
        slugs = list(lesson.sections.order_by("order").values_list("slug", flat=True))
        if slug not in slugs:
            self.add_error(
                "section",
                _("레슨 ‘%(lesson)s’에는 ‘%(slug)s’ 섹션이 없습니다. 이 레슨의 섹션: %(slugs)s")
                % {"lesson": lesson.title, "slug": slug, "slugs": ", ".join(slugs) or "—"},
            )
        return cleaned


class QuestionForm(LessonSectionForm):
    class Meta:
        model = Question
        fields = [
            "key",
            "lesson",
            "order",
            "section",
            "outcome",
            "kind",
            "prompt",
            "choices",
            "answer",
            "explanation",
            "is_active",
        ]


class PredictionForm(LessonSectionForm):
    section_required = False  # a prediction may stand without a section link

    class Meta:
        model = Prediction
        fields = [
            "key",
            "lesson",
            "order",
            "section",
            "prompt",
            "choices",
            "answer",
            "explanation",
            "fresh",
            "setup",
            "action",
            "is_active",
        ]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """Quiz questions of every lesson: filter by lesson; a question's section must be one of its lesson's."""

    form = QuestionForm
    list_display = ["order", "key", "lesson", "section", "kind", "outcome", "prompt", "is_active"]
    list_display_links = ["key"]
    list_filter = ["lesson", "section", "kind", "outcome", "is_active"]
    list_select_related = ["lesson"]
    search_fields = ["key", "prompt", "explanation"]
    list_editable = ["is_active"]


@admin.register(Prediction)
class PredictionAdmin(admin.ModelAdmin):
    """Predict → observe prompts: the question, its choices and answer, and the commands run on the demo."""

    form = PredictionForm
    list_display = ["order", "key", "lesson", "section", "prompt", "action", "is_active"]
    list_display_links = ["key"]
    list_filter = ["lesson", "section", "is_active"]
    list_select_related = ["lesson"]
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
    list_display = ["number", "session", "code", "answers", "hidden", "updated_at"]
    list_filter = ["hidden"]
    # Derived from the pair's shared document after every edit (pair_doc.derive): an edit here would be
    # overwritten by the partners' next keystroke.
    readonly_fields = ["answers"]


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
