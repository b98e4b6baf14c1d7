"""The statistics summaries moved up to their own app, stats (stats/migrations/0001_initial.py
takes them over). Only Django's record of the models changes: the tables stay, with their
rows and their names (the stats models name them in db_table)."""

from django.db import migrations

SUMMARIES = [
    "StatsActivity",
    "StatsModuleCompletion",
    "StatsPaperwork",
    "StatsPeriodReach",
    "StatsReach",
    "StatsResident",
]


class Migration(migrations.Migration):
    dependencies = [
        ("pathway", "0004_stats_summaries"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=name) for name in SUMMARIES],
            database_operations=[],
        ),
    ]
