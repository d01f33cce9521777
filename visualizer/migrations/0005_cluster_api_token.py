"""Each cluster gets a bearer token for its Kubernetes API (visualizer.kubeapi).

A unique column with a random default is added in three steps (Django's documented recipe for unique fields
on existing rows): nullable, filled row by row, then unique and required.
"""

from django.db import migrations, models

import visualizer.models


def fill_tokens(apps, schema_editor):
    ClusterRecord = apps.get_model("visualizer", "ClusterRecord")
    for record in ClusterRecord.objects.filter(api_token__isnull=True).only("pk"):
        record.api_token = visualizer.models.new_api_token()
        record.save(update_fields=["api_token"])


class Migration(migrations.Migration):
    dependencies = [("visualizer", "0004_scenario_lesson")]

    operations = [
        migrations.AddField(
            model_name="clusterrecord",
            name="api_token",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="clusterrecord",
            name="api_token",
            field=models.CharField(default=visualizer.models.new_api_token, max_length=64, unique=True),
        ),
    ]
