"""Quiz questions and predictions belong to a lesson.

Rows from before belong to the course's first lesson, `week2-day4-session2`, when the database has it; without
it they keep no lesson (shown in no class) until `load_course` loads the fixtures, which name their lesson,
or an instructor picks one in the admin.
"""

import django.db.models.deletion
from django.db import migrations, models

FIRST_LESSON = "week2-day4-session2"


def assign_first_lesson(apps, schema_editor):
    Lesson = apps.get_model("course", "Lesson")
    lesson = Lesson.objects.filter(slug=FIRST_LESSON).first()
    if lesson is None:
        return
    for name in ("Question", "Prediction"):
        apps.get_model("course", name).objects.filter(lesson__isnull=True).update(lesson=lesson)


class Migration(migrations.Migration):
    dependencies = [
        ("course", "0011_unicode_slugs"),
    ]

    operations = [
        migrations.AddField(
            model_name="prediction",
            name="lesson",
            field=models.ForeignKey(
                help_text="The lesson whose classes play this prompt.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="predictions",
                to="course.lesson",
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="lesson",
            field=models.ForeignKey(
                help_text="The lesson whose classes ask this question.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="questions",
                to="course.lesson",
            ),
        ),
        migrations.AlterField(
            model_name="prediction",
            name="section",
            field=models.SlugField(
                blank=True, help_text="A section slug of the lesson the prompt belongs to, for the link."
            ),
        ),
        migrations.AlterField(
            model_name="question",
            name="section",
            field=models.SlugField(help_text="A section slug of the lesson, e.g. concept-2."),
        ),
        migrations.RunPython(assign_first_lesson, migrations.RunPython.noop),
    ]
