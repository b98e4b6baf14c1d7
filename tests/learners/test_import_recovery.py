"""An import whose worker stopped in the middle (crash, restart, a killed web process) is
not stuck for ever: the restarted worker, the next upload or a look at the job marks it
failed, nothing written and its file deleted, and it can be cancelled. A job that is alive,
or waiting for a worker that is down, is left alone."""

import datetime
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from learners import imports
from learners.models import ImportJob, Resident
from tests.learners.test_import_limits import run_worker, upload

pytestmark = pytest.mark.django_db

LOST = (
    "Le traitement s'est arrêté en route (redémarrage du serveur) ; rien n'a été importé. "
    "Envoyez le fichier à nouveau."
)


def residents_file(count=5):
    lines = ["nom,prénom"] + [f"Perdu{n},Test" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def ago(minutes):
    return timezone.now() - datetime.timedelta(minutes=minutes)


def last_sign_of_life(job, when):
    """What a worker leaves behind: the progress it wrote last, at `when`."""
    path = imports.progress_path(job.pk)
    imports.write_progress(job.pk, 2, 5)
    os.utime(path, (when.timestamp(), when.timestamp()))


def checked_big_file(cast, settings, monkeypatch):
    """A big file the worker checked, confirmed by its sender: the task waits for the worker."""
    settings.IMPORT_BACKGROUND_ROWS = 2
    client = cast.client("mediator_a")
    upload(client, residents_file(), "habitants.csv")
    run_worker(monkeypatch)
    job = ImportJob.objects.get()
    assert job.status == "checked"
    client.post(f"/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "importing"
    return job, client


def crash(job, *, minutes_ago):
    """The worker claimed the job's task, worked on it, and died `minutes_ago` minutes ago."""
    task = DBTaskResult.objects.get(task_path="learners.imports.job_task", status="READY")
    ImportJob.objects.filter(pk=job.pk).update(created_at=ago(minutes_ago + 60))
    DBTaskResult.objects.filter(pk=task.pk).update(
        status="RUNNING", started_at=ago(minutes_ago + 1), worker_ids=["worker-arrete"]
    )
    last_sign_of_life(job, ago(minutes_ago))
    return task


def watchdogs_due():
    DBTaskResult.objects.filter(task_path="learners.imports.job_watch").update(
        run_after=timezone.now()
    )


@pytest.mark.security_review
def test_the_restarted_worker_fails_an_import_its_crash_left_running(cast, settings, monkeypatch):
    job, client = checked_big_file(cast, settings, monkeypatch)
    task = crash(job, minutes_ago=30)
    path = job.file.path
    assert os.path.exists(path)

    # The worker starts again: what is due runs.
    watchdogs_due()
    run_worker(monkeypatch)

    job.refresh_from_db()
    assert (job.status, [e["message"] for e in job.report["errors"]]) == ("failed", [LOST])
    assert not job.file and not os.path.exists(path)
    assert not imports.progress_path(job.pk).exists()
    task.refresh_from_db()
    assert task.status == "FAILED" and task.exception_class_path == "learners.imports.WorkerLost"
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "Le traitement s&#x27;est arrêté en route" in page
    assert not Resident.objects.filter(last_name__startswith="Perdu").exists()

    response = client.post(f"/imports/{job.pk}/cancel/", follow=True)
    assert "Import abandonné" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "cancelled"


@pytest.mark.security_review
def test_an_import_left_running_can_be_cancelled_without_a_worker(cast, settings, monkeypatch):
    job, client = checked_big_file(cast, settings, monkeypatch)
    task = crash(job, minutes_ago=30)
    path = job.file.path

    client.post(f"/imports/{job.pk}/cancel/")

    job.refresh_from_db()
    assert job.status == "cancelled" and not os.path.exists(path)
    task.refresh_from_db()
    assert task.status == "FAILED"


@pytest.mark.security_review
def test_an_import_whose_web_process_was_killed_is_failed_at_the_next_look(cast):
    # A small file is imported in the request: no task, only the progress it wrote.
    job = ImportJob(resource="residents", created_by=cast.mediator_a, file_name="h.csv")
    job.status, job.created_at = "importing", ago(60)
    job.file.save("h.csv", ContentFile(residents_file()), save=False)
    job.save()
    last_sign_of_life(job, ago(20))
    path = job.file.path

    page = cast.client("mediator_a").get(f"/imports/{job.pk}/").content.decode()

    assert "Le traitement a échoué : rien n'a été importé." in page
    job.refresh_from_db()
    assert job.status == "failed" and not os.path.exists(path)


@pytest.mark.security_review
def test_the_next_upload_purges_the_file_of_an_import_left_running(cast):
    job = ImportJob(resource="residents", created_by=cast.mediator_b, file_name="h.csv")
    job.status, job.created_at = "checking", ago(60 * 24 * 2)
    job.file.save("h.csv", ContentFile(residents_file()), save=False)
    job.save()
    path = job.file.path

    upload(cast.client("mediator_a"), residents_file(1), "autre.csv")

    job.refresh_from_db()
    assert job.status == "failed" and not os.path.exists(path)


def test_an_import_alive_or_waiting_for_the_worker_is_left_alone(cast, settings, monkeypatch):
    job, client = checked_big_file(cast, settings, monkeypatch)
    # Waiting for a worker that has been down for an hour: it will run once the worker is back.
    ImportJob.objects.filter(pk=job.pk).update(created_at=ago(120))
    assert not imports.job_recover(job)
    response = client.post(f"/imports/{job.pk}/cancel/", follow=True)
    assert "Attendez la fin du traitement en cours." in response.content.decode()

    # Running for two hours, alive: its last sign of life is a minute old.
    crash(job, minutes_ago=120)
    last_sign_of_life(job, ago(1))
    watchdogs_due()
    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == "importing" and job.file
    assert DBTaskResult.objects.filter(
        task_path="learners.imports.job_watch", status="READY"
    ).exists()  # it looks again later


def test_a_running_import_beats_even_when_its_rows_take_long(cast, monkeypatch):
    monkeypatch.setattr(imports, "HEARTBEAT_SECONDS", 0.01)
    job = ImportJob(resource="residents", created_by=cast.mediator_a, file_name="h.csv")
    job.status, job.created_at = "checking", ago(60)
    job.file.save("h.csv", ContentFile(residents_file()), save=False)
    job.save()
    seen = {}
    run_import = imports.run_import

    def slow_import(kind, dataset, **options):
        # Long without progress, as with a slow query: only the heartbeat speaks.
        last_sign_of_life(job, ago(60))
        assert imports.job_is_lost(job)
        for _beat in range(200):
            if not imports.job_is_lost(job):
                break
            time.sleep(0.01)
        seen["lost"] = imports.job_is_lost(job)
        return run_import(kind, dataset, **options)

    monkeypatch.setattr(imports, "run_import", slow_import)
    imports.job_run(job, dry_run=True)
    assert seen == {"lost": False}
    job.refresh_from_db()
    assert job.status == "checked" and not imports.progress_path(job.pk).exists()
