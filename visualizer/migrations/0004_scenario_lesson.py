"""A scenario belongs to the lesson whose figure it practises; a scenario may also be lesson-independent.

Scenarios from before that practise a figure (`diagram_number` set) belong to the course's first lesson,
`week2-day4-session2`, when the database has it; the others stay lesson-independent.
"""

import django.db.models.deletion
from django.db import migrations, models

FIRST_LESSON = "week2-day4-session2"


def assign_first_lesson(apps, schema_editor):
    lesson = apps.get_model("course", "Lesson").objects.filter(slug=FIRST_LESSON).first()
    if lesson is None:
        return
    Scenario = apps.get_model("visualizer", "Scenario")
    Scenario.objects.filter(lesson__isnull=True, diagram_number__isnull=False).update(lesson=lesson)


class Migration(migrations.Migration):
    dependencies = [
        ("course", "0010_lesson_place_in_course"),
        ("visualizer", "0003_state_as_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="scenario",
            name="lesson",
            field=models.ForeignKey(
                blank=True,
                help_text="The lesson it belongs to, or empty for a lesson-independent scenario",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="scenarios",
                to="course.lesson",
            ),
        ),
        migrations.AlterField(
            model_name="scenario",
            name="diagram_number",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="The figure of its lesson it practises (ignored without a lesson)",
                null=True,
            ),
        ),
        migrations.RunPython(assign_first_lesson, migrations.RunPython.noop),
    ]
