# The engine state moves from a JSONField to JSON text: PostgreSQL's jsonb refuses "\u0000".

from django.db import migrations, models


def nulls_to_empty(apps, schema_editor):
    apps.get_model("visualizer", "ClusterRecord").objects.filter(state__isnull=True).update(state="")


class Migration(migrations.Migration):
    dependencies = [
        ("visualizer", "0002_scenario_completion"),
    ]

    operations = [
        migrations.AlterField(
            model_name="clusterrecord",
            name="state",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.RunPython(nulls_to_empty, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="clusterrecord",
            name="state",
            field=models.TextField(
                blank=True, default="", help_text="json.dumps(Cluster.to_dict()); empty for a fresh cluster"
            ),
        ),
    ]
