"""Admin for lesson content; the classroom models register themselves in course.classroom.admin."""

from django import forms
from django.contrib import admin
from django.db.models import F
from django.utils.translation import gettext as _

from course.classroom import admin as classroom_admin  # noqa: F401
from course.importer import LessonFormatError, scan
from course.lesson_store import resync_lesson_after_edit
from course.models import Diagram, GlossaryTerm, Lesson, Section, TimedPart

# Added to page orders while the lesson's inline saves (orders are unique per lesson).
PARKED = 100_000


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["order", "slug", "title", "group", "minutes"]
    extra = 0
    show_change_link = True


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "week", "day", "session", "total_minutes"]
    inlines = [SectionInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Section:
            return super().save_formset(request, form, formset, change)
        # Page orders are unique per lesson and the inline saves one page at a time: park the lesson's
        # pages out of the way first, so swapping two pages' orders saves instead of clashing.
        lesson = form.instance
        Section.objects.filter(lesson=lesson).update(order=F("order") + PARKED)
        saved = super().save_formset(request, form, formset, change)
        Section.objects.filter(lesson=lesson, order__gte=PARKED).update(order=F("order") - PARKED)
        return saved

    def save_related(self, request, form, formsets, change):
        # Reordering pages in the inline changes the lesson-wide diagram numbers.
        super().save_related(request, form, formsets, change)
        first = form.instance.sections.order_by("order").first()
        if first is not None:
            resync_lesson_after_edit(first)


class TimedPartInline(admin.TabularInline):
    model = TimedPart
    extra = 0


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["lesson", "order", "slug", "title", "group", "minutes", "body_markdown"]

    def clean_body_markdown(self) -> str:
        """Refuse a code fence that is never closed (it would swallow the rest of the page), with its line."""
        text = self.cleaned_data["body_markdown"]
        try:
            scan(text.splitlines())
        except LessonFormatError as exc:
            raise forms.ValidationError(
                _("%(line)s번째 줄의 코드 블록(```)이 닫히지 않았습니다. 블록 끝에 ```를 넣으세요.")
                % {"line": exc.line}
            ) from exc
        return text


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    form = SectionForm
    readonly_fields = ["body_html"]
    list_display = ["order", "title", "slug", "group", "minutes", "lesson"]
    list_display_links = ["title"]
    list_filter = ["lesson"]
    inlines = [TimedPartInline]

    def save_model(self, request, obj, form, change):
        # Editing the Markdown re-renders the page the students see. Its mermaid blocks are renumbered
        # lesson-wide (a block added here is a new Diagram row; later diagrams move up one), and the other
        # pages whose diagram numbers moved are re-rendered too.
        super().save_model(request, obj, form, change)
        resync_lesson_after_edit(obj)


@admin.register(Diagram)
class DiagramAdmin(admin.ModelAdmin):
    list_display = ["number", "heading", "section"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["order", "term", "english", "category", "definition"]
    list_display_links = ["term"]
