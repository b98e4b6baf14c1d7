"""The shared cache's table (learners.cache, the default cache when REDIS_URL is unset):
rate limits count there, so that every gunicorn worker and every server counts together.
Made here so that each path that migrates (make run, the tests, production) has it."""

from django.core.management import call_command
from django.db import migrations

TABLE = "shared_cache"  # CACHES["default"]["LOCATION"] in config.settings


def create_table(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("learners", "0009_journal_one_row_per_request")]

    operations = [migrations.RunPython(create_table, drop_table, elidable=False)]
