"""Incremental saves: a cluster's state is a base plus ClusterDelta rows (visualizer/engine/saving.py).

Existing states stay valid bases with no deltas.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("visualizer", "0005_cluster_api_token"),
    ]

    operations = [
        migrations.AddField(
            model_name="clusterrecord",
            name="delta_bytes",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name="clusterrecord",
            name="state",
            field=models.TextField(
                blank=True,
                default="",
                help_text="The base: json.dumps(Cluster.to_dict()) at the last compaction; empty for a fresh cluster",
            ),
        ),
        migrations.CreateModel(
            name="ClusterDelta",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("payload", models.TextField()),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "record",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deltas",
                        to="visualizer.clusterrecord",
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
            },
        ),
    ]
