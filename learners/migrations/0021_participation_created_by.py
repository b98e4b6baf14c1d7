"""Each participation keeps its session's author, as it keeps its date, pole and actor:
a mediator's own statistics count their people from participations alone."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_authors(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "UPDATE learners_participation p SET created_by_id = s.created_by_id "
                "FROM learners_session s WHERE s.id = p.session_id"
            )
        else:
            cursor.execute(
                "UPDATE learners_participation SET created_by_id = (SELECT s.created_by_id "
                "FROM learners_session s WHERE s.id = learners_participation.session_id)"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("learners", "0020_session_creator_stats_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="participation",
            name="created_by",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="saisi par",
            ),
        ),
        migrations.RunPython(copy_authors, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="participation",
            name="created_by",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="saisi par",
            ),
        ),
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(
                fields=["created_by", "date", "session", "resident", "autonomy", "actor"],
                name="particip_creator_idx",
            ),
        ),
    ]
