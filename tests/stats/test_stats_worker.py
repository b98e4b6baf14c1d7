"""In production the worker refreshes the statistics after each change: the mediator's save
does not wait for the summaries, and the dashboard catches up as soon as the worker ran."""

import pytest
from django.core.management import call_command

from learners.services import participations_changed
from stats.demo.factories import ParticipationFactory, ResidentFactory, SessionFactory
from stats.models import StatsResident

pytestmark = pytest.mark.django_db


def run_worker(monkeypatch):
    from django_tasks_db.management.commands import db_worker

    # The worker closes old connections between tasks; here that would end the test's own
    # transaction.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)


def test_a_change_is_refreshed_by_the_worker_after_the_commit(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.STATS_REFRESH_IN_WORKER = True
    from django_tasks_db.models import DBTaskResult

    resident = ResidentFactory()
    ParticipationFactory(session=SessionFactory(), resident=resident)
    with django_capture_on_commit_callbacks(execute=True):
        participations_changed([resident.pk])

    # Saved, queued, not yet counted.
    assert not StatsResident.objects.filter(resident_id=resident.pk).exists()
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [[resident.pk]]

    run_worker(monkeypatch)
    assert StatsResident.objects.filter(resident_id=resident.pk).exists()


def test_without_a_worker_the_refresh_happens_in_the_request(settings):
    settings.STATS_REFRESH_IN_WORKER = False
    resident = ResidentFactory()
    ParticipationFactory(session=SessionFactory(), resident=resident)
    participations_changed([resident.pk])
    assert StatsResident.objects.filter(resident_id=resident.pk).exists()
