"""`bench --copies-from`: copies of a town make a town as many times bigger, whose
summaries are what a full rebuild computes from its rows (stats/bench/copies.py)."""

import pytest
from django.db.models import Max

from learners.models import CompetenceAssessment, Participation, Resident, Session
from stats.bench.copies import copy_town
from stats.demo.factories import ResidentFactory
from stats.figures import collect
from stats.services import stats_refresh
from tests.stats.raw_figures import raw_figures
from tests.stats.test_stats_summaries import Town, filter_sets, snapshot

pytestmark = pytest.mark.django_db


def summaries():
    """snapshot() without StatsReach's fingerprints: they hash session ids, and a copied
    person's are their original's (a later refresh of them recounts their months)."""
    tables = snapshot()
    tables.pop("StatsReach")
    return tables


def test_copies_of_a_town_make_a_town_as_many_times_bigger():
    town = Town()
    for _ in range(30):
        town.log()
    town.merge(town.residents[0], town.residents[1])
    counted = {
        model: model.objects.count()
        for model in (Resident, Session, Participation, CompetenceAssessment)
    }
    assert counted[CompetenceAssessment]

    rows = copy_town(2, log=lambda message: None)

    for model, n in counted.items():
        assert model.objects.count() == 3 * n, model
    assert rows >= 2 * sum(counted.values())
    references = list(Resident.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references)
    # The merged record's copies point at the survivor's copies.
    merged = Resident.objects.filter(merged_into__isnull=False)
    assert merged.count() == 3
    assert {r.merged_into.reference.split("-")[0] for r in merged} == {town.residents[0].reference}
    # The counts multiplied are the figures of the bigger town, as computed from its rows
    # and as a full rebuild writes them.
    for filters in filter_sets(town):
        assert collect(filters) == raw_figures(filters), filters
    copied = summaries()
    stats_refresh()
    assert summaries() == copied
    # New records take ids after the copies'.
    last = Resident.objects.aggregate(last=Max("pk"))["last"]
    assert ResidentFactory().pk > last
