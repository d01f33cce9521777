"""Admin for lesson content; the classroom models register themselves in course.classroom.admin."""

from django.contrib import admin

from course.classroom import admin as classroom_admin  # noqa: F401
from course.lesson_store import resync_lesson_after_edit
from course.models import Diagram, GlossaryTerm, Lesson, Section, TimedPart


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["order", "slug", "title", "group", "minutes"]
    extra = 0
    show_change_link = True


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "week", "day", "session", "total_minutes"]
    inlines = [SectionInline]

    def save_related(self, request, form, formsets, change):
        # Reordering pages in the inline changes the lesson-wide diagram numbers.
        super().save_related(request, form, formsets, change)
        first = form.instance.sections.order_by("order").first()
        if first is not None:
            resync_lesson_after_edit(first)


class TimedPartInline(admin.TabularInline):
    model = TimedPart
    extra = 0


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    readonly_fields = ["body_html"]
    list_display = ["order", "title", "group", "minutes", "lesson"]
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
