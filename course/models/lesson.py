"""The lesson as the instructor wrote it, split into navigable sections.

The Markdown source is stored whole (it is the instructor's text); sections hold slices of it plus the
server-rendered, sanitised HTML, so a page view is one query and never re-renders Markdown.
"""

from django.db import models
from django.urls import reverse


class Lesson(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    source = models.TextField(help_text="The instructor's Markdown, unchanged.")
    source_sha256 = models.CharField(max_length=64)
    total_minutes = models.PositiveIntegerField(default=0)
    title_html = models.TextField(blank=True, help_text="The rendered block above the first section heading.")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("course:lesson", args=[self.slug])


class Section(models.Model):
    """One page of the lesson; `minutes` is the time the lesson plans for it (0 when it states none)."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField()
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    group = models.CharField(max_length=200, blank=True, help_text="The enclosing heading shown in the table of contents.")
    minutes = models.PositiveIntegerField(default=0)
    body_markdown = models.TextField()
    body_html = models.TextField()

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


class TimedPart(models.Model):
    """A heading inside a section that states its own minutes, e.g. 페어 토론 (5분) inside 함께 생각해보기."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="timed_parts")
    order = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    anchor = models.CharField(max_length=200)
    minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["section", "order"]


class Diagram(models.Model):
    """One of the lesson's mermaid diagrams, numbered in reading order (1-based)."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="diagrams")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="diagrams")
    number = models.PositiveIntegerField()
    heading = models.CharField(max_length=200, help_text="The heading the diagram illustrates.")
    source = models.TextField()

    class Meta:
        ordering = ["lesson", "number"]
        constraints = [models.UniqueConstraint(fields=["lesson", "number"], name="unique_diagram_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.heading}"


class GlossaryTerm(models.Model):
    """A 핵심 키워드 entry: the Korean term, its English name and the lesson's one-line definition."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="glossary")
    order = models.PositiveIntegerField()
    slug = models.SlugField()
    term = models.CharField(max_length=100)
    english = models.CharField(max_length=100, blank=True)
    definition = models.CharField(max_length=300)
    category = models.CharField(max_length=100)

    class Meta:
        ordering = ["lesson", "order"]
        constraints = [models.UniqueConstraint(fields=["lesson", "slug"], name="unique_glossary_slug")]

    def __str__(self) -> str:
        return self.term
