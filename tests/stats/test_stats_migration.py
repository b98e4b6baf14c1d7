"""The statistics summaries moved from pathway to the stats app (issue 14) without copying a
row: a database full of summaries, migrated with the migrations of before the move, keeps
every row once migrated forward, and the move runs no statement on the tables."""

import importlib

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from stats import models as stats_models
from tests.stats.test_stats_summaries import SUMMARIES, Town, snapshot

# The last migrations before the move: the summaries were pathway's.
BEFORE = [("pathway", "0004_stats_summaries"), ("stats", None)]
# The move itself; later migrations (new tables of other features) run after it.
MOVE = [("pathway", "0005_stats_summaries_moved_to_stats"), ("stats", "0001_initial")]
# The summaries of the time. StatsTally came later: its migration fills it from them.
MOVED = [name for name in SUMMARIES if name != "StatsTally"]


def migrate(targets):
    """Migrate to `targets`; the state of the models there, and the statements run."""
    executor = MigrationExecutor(connection)
    with CaptureQueriesContext(connection) as queries:
        state = executor.migrate(targets)
    return state, queries


def leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_summaries_of_an_existing_database_survive_the_move_untouched():
    # The CRCN comes from a data migration, which the transactional tests run before this
    # one emptied: load it again (as tests/browser/test_certificates.py does).
    importlib.import_module("pathway.migrations.0002_crcn_competences").load(apps, None)
    town = Town()
    for _ in range(30):
        town.log()
    expected = snapshot()
    assert all(expected[name] for name in ["StatsResident", "StatsReach", "StatsActivity"])
    rows = {}
    for name in MOVED:
        model = getattr(stats_models, name)
        rows[name] = list(model.objects.values())
        model.objects.all()._raw_delete(connection.alias)
    stats_models.StatsTally.objects.all()._raw_delete(connection.alias)
    content_type = ContentType.objects.get_for_model(stats_models.StatsResident)

    try:
        # The database as the migrations before the move left it: summaries are pathway's,
        # and rows are written through pathway's models.
        old_state, _queries = migrate(BEFORE)
        assert "statsresident" not in old_state.apps.all_models["stats"]
        for name in MOVED:
            old_model = old_state.apps.get_model("pathway", name)
            assert old_model._meta.db_table == f"pathway_{name.lower()}"
            old_model.objects.bulk_create(old_model(**row) for row in rows[name])
        assert ContentType.objects.get(pk=content_type.pk).app_label == "pathway"
    finally:
        new_state, queries = migrate(MOVE)
        migrate(leaves())

    assert "statsresident" not in new_state.apps.all_models["pathway"]
    # Every row again, and the counts by month made from them (stats 0004).
    assert snapshot() == expected
    for name in MOVED:
        model = getattr(stats_models, name)
        assert sorted(model.objects.values_list("pk", flat=True)) == sorted(
            row[model._meta.pk.attname] for row in rows[name]
        )
    # Django's record changed, not the tables: no table made, changed or dropped, and no
    # statement read or wrote a summary table.
    statements = [query["sql"].upper() for query in queries]
    assert statements  # the migrations did run (their record, the content types)
    for word in ("CREATE TABLE", "ALTER TABLE", "DROP TABLE", "PATHWAY_STATS"):
        assert not [s for s in statements if word in s], word
    # The content type (and any permission given on it) followed the model.
    moved = ContentType.objects.get(pk=content_type.pk)
    assert (moved.app_label, moved.model) == ("stats", "statsresident")
