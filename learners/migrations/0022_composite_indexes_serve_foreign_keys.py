"""The foreign keys' own indexes that a composite or unique index already serves (it starts
with the same column): dropped, so that every session, participation and assessment written
updates seven indexes fewer. Only the indexes go: Django's AlterField would also drop and
re-add each foreign key, checking the whole table again under an exclusive lock."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The names Django gave these indexes (the same on every database: table and column hashed).
DROPPED = [
    (
        "learners_competenceassessment",
        "resident_id",
        "learners_competenceassessment_resident_id_936be5e0",
    ),
    (
        "learners_competenceassessment",
        "session_id",
        "learners_competenceassessment_session_id_ed0252ed",
    ),
    ("learners_participation", "actor_id", "learners_participation_actor_id_1c98689c"),
    ("learners_participation", "resident_id", "learners_participation_resident_id_2a133188"),
    ("learners_participation", "session_id", "learners_participation_session_id_5af43ff2"),
    ("learners_session", "actor_id", "learners_session_actor_id_e3aefd10"),
    ("learners_session", "created_by_id", "learners_session_created_by_id_315cc048"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("learners", "0021_participation_created_by"),
        ("pathway", "0006_place_reports"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{index}"' for _table, _column, index in DROPPED],
                    reverse_sql=[
                        f'CREATE INDEX "{index}" ON "{table}" ("{column}")'
                        for table, column, index in DROPPED
                    ],
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="competenceassessment",
                    name="resident",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assessments",
                        to="learners.resident",
                        verbose_name="habitant",
                    ),
                ),
                migrations.AlterField(
                    model_name="competenceassessment",
                    name="session",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assessments",
                        to="learners.session",
                        verbose_name="séance",
                    ),
                ),
                migrations.AlterField(
                    model_name="participation",
                    name="actor",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="pathway.actor",
                        verbose_name="structure",
                    ),
                ),
                migrations.AlterField(
                    model_name="participation",
                    name="resident",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="participations",
                        to="learners.resident",
                        verbose_name="habitant",
                    ),
                ),
                migrations.AlterField(
                    model_name="participation",
                    name="session",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="participations",
                        to="learners.session",
                        verbose_name="séance",
                    ),
                ),
                migrations.AlterField(
                    model_name="session",
                    name="actor",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sessions",
                        to="pathway.actor",
                        verbose_name="structure",
                    ),
                ),
                migrations.AlterField(
                    model_name="session",
                    name="created_by",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="created_sessions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="saisi par",
                    ),
                ),
            ],
        ),
    ]
