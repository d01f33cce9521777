"""The lesson as the instructor wrote it, split into navigable sections.

The Markdown source is stored whole (it is the instructor's text); sections hold slices of it plus the
server-rendered, sanitised HTML, so a page view is one query and never re-renders Markdown.
"""

from django.db import models
from django.urls import reverse


class LessonManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> "Lesson":
        return self.get(slug=slug)


class SectionManager(models.Manager):
    def get_by_natural_key(self, lesson_slug: str, slug: str) -> "Section":
        return self.get(lesson__slug=lesson_slug, slug=slug)


class TimedPartManager(models.Manager):
    def get_by_natural_key(self, lesson_slug: str, section_slug: str, order: int) -> "TimedPart":
        return self.get(section__lesson__slug=lesson_slug, section__slug=section_slug, order=order)


class DiagramManager(models.Manager):
    def get_by_natural_key(self, lesson_slug: str, number: int) -> "Diagram":
        return self.get(lesson__slug=lesson_slug, number=number)


class GlossaryTermManager(models.Manager):
    def get_by_natural_key(self, lesson_slug: str, slug: str) -> "GlossaryTerm":
        return self.get(lesson__slug=lesson_slug, slug=slug)


# Natural keys let fixtures say "section concept-1 of this lesson" instead of a database id, so loading
# the lesson fixture twice, or into a database that already has it, updates rows instead of clashing.


class Lesson(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    source = models.TextField(help_text="The instructor's Markdown, unchanged.")
    source_sha256 = models.CharField(max_length=64)
    total_minutes = models.PositiveIntegerField(default=0)
    title_html = models.TextField(blank=True, help_text="The rendered block above the first section heading.")
    # Where the lesson sits in the course, read from its title ("Week 2 Day 4 Session 2: …"); the home page
    # lists lessons in this order. None when the title does not say.
    week = models.PositiveSmallIntegerField(null=True, blank=True)
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    session = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = LessonManager()

    class Meta:
        ordering = ["week", "day", "session", "slug"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("course:lesson", args=[self.slug])

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class Section(models.Model):
    """One page of the lesson; `minutes` is the time the lesson plans for it (0 when it states none)."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField()
    # Pages named by Korean headings keep their Korean (the importer's slugify_unicode); the section URL
    # takes any string.
    slug = models.SlugField(allow_unicode=True)
    title = models.CharField(max_length=200)
    group = models.CharField(
        max_length=200, blank=True, help_text="The enclosing heading shown in the table of contents."
    )
    minutes = models.PositiveIntegerField(default=0)
    body_markdown = models.TextField()
    body_html = models.TextField()

    objects = SectionManager()

    class Meta:
        ordering = ["lesson", "order"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "slug"], name="unique_section_slug"),
            models.UniqueConstraint(fields=["lesson", "order"], name="unique_section_order"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("course:section", args=[self.lesson.slug, self.slug])

    def natural_key(self) -> tuple[str, str]:
        return (self.lesson.slug, self.slug)

    natural_key.dependencies = ["course.lesson"]


class TimedPart(models.Model):
    """A heading inside a section that states its own minutes, e.g. 페어 토론 (5분) inside 함께 생각해보기."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="timed_parts")
    order = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    anchor = models.CharField(max_length=200)
    minutes = models.PositiveIntegerField()

    objects = TimedPartManager()

    class Meta:
        ordering = ["section", "order"]
        constraints = [models.UniqueConstraint(fields=["section", "order"], name="unique_timed_part_order")]

    def __str__(self) -> str:
        return f"{self.title} ({self.minutes})"

    def natural_key(self) -> tuple[str, str, int]:
        return (*self.section.natural_key(), self.order)

    natural_key.dependencies = ["course.section"]


class Diagram(models.Model):
    """One of the lesson's mermaid diagrams, numbered in reading order (1-based)."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="diagrams")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="diagrams")
    number = models.PositiveIntegerField()
    heading = models.CharField(max_length=200, help_text="The heading the diagram illustrates.")
    source = models.TextField()

    objects = DiagramManager()

    class Meta:
        ordering = ["lesson", "number"]
        constraints = [models.UniqueConstraint(fields=["lesson", "number"], name="unique_diagram_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.heading}"

    def natural_key(self) -> tuple[str, int]:
        return (self.lesson.slug, self.number)

    natural_key.dependencies = ["course.lesson", "course.section"]


class GlossaryTerm(models.Model):
    """A 핵심 키워드 entry: the Korean term, its English name and the lesson's one-line definition."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="glossary")
    order = models.PositiveIntegerField()
    slug = models.SlugField(allow_unicode=True)
    term = models.CharField(max_length=100)
    english = models.CharField(max_length=100, blank=True)
    definition = models.CharField(max_length=300)
    category = models.CharField(max_length=100)

    objects = GlossaryTermManager()

    class Meta:
        ordering = ["lesson", "order"]
        constraints = [models.UniqueConstraint(fields=["lesson", "slug"], name="unique_glossary_slug")]

    def __str__(self) -> str:
        return self.term

    def natural_key(self) -> tuple[str, str]:
        return (self.lesson.slug, self.slug)

    natural_key.dependencies = ["course.lesson"]
