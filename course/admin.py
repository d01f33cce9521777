"""Admin for lesson content; the classroom models register themselves in course.classroom.admin."""

from django.contrib import admin

from course.classroom import admin as classroom_admin  # noqa: F401
from course.lesson_store import render_stored_section
from course.models import Diagram, GlossaryTerm, Lesson, Section, TimedPart


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["order", "slug", "title", "group", "minutes"]
    extra = 0
    show_change_link = True


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "total_minutes"]
    inlines = [SectionInline]


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
        # Editing the Markdown re-renders the page the students see.
        obj.body_html = render_stored_section(obj)
        super().save_model(request, obj, form, change)


@admin.register(Diagram)
class DiagramAdmin(admin.ModelAdmin):
    list_display = ["number", "heading", "section"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["order", "term", "english", "category", "definition"]
    list_display_links = ["term"]
