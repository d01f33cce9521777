"""Load the predict → observe prompts of fixtures/predictions.json once, as 0003 does for the quizzes.

Only prompts whose key is not in the database yet are created, so edits made in the admin survive; the
fields are read against this migration's model, so a later field added to Prediction needs its own step.
"""

import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "predictions.json"
FIELDS = {
    "key",
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
}


def load(apps, schema_editor):
    Prediction = apps.get_model("course", "Prediction")
    if not FIXTURE.exists():
        return
    existing = set(Prediction.objects.values_list("key", flat=True))
    taken = set(Prediction.objects.values_list("pk", flat=True))
    for entry in json.loads(FIXTURE.read_text(encoding="utf-8")):
        fields = {k: v for k, v in entry["fields"].items() if k in FIELDS}
        if fields["key"] in existing:
            continue
        pk = entry.get("pk") if entry.get("pk") not in taken else None  # a later fixture may omit pk
        Prediction.objects.create(pk=pk, **fields)


class Migration(migrations.Migration):
    dependencies = [("course", "0005_classroom_demo")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
