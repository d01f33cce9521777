"""Load the quiz questions of fixtures/quizzes.json once, so `make run` has them without another step.

Only questions whose key is not in the database yet are created: edits made in the admin survive later
migrations, and `loaddata quizzes` still resets them to the committed text when wanted.
"""

import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "quizzes.json"
# The fields the model has at this migration: the fixture grew later ones (`lesson`, 0012) and may omit `pk`.
FIELDS = {
    "key",
    "order",
    "section",
    "outcome",
    "kind",
    "prompt",
    "choices",
    "answer",
    "explanation",
    "is_active",
}


def load(apps, schema_editor):
    Question = apps.get_model("course", "Question")
    if not FIXTURE.exists():
        return
    existing = set(Question.objects.values_list("key", flat=True))
    taken = set(Question.objects.values_list("pk", flat=True))
    for entry in json.loads(FIXTURE.read_text(encoding="utf-8")):
        fields = {k: v for k, v in entry["fields"].items() if k in FIELDS}
        if fields["key"] in existing:
            continue
        # Keep the fixture's primary key when free, so a later `loaddata quizzes` updates instead of colliding.
        pk = entry.get("pk") if entry.get("pk") not in taken else None
        Question.objects.create(pk=pk, **fields)


class Migration(migrations.Migration):
    dependencies = [("course", "0002_classroom")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
