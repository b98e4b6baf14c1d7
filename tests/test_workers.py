"""Any number of workers (manage.py db_worker) may run side by side, on as many servers: each
task is claimed by one of them only (django-tasks-db takes the next task with SELECT … FOR
UPDATE SKIP LOCKED). Two real worker processes race here over the same queue."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.tasks import task
from django_tasks_db.models import DBTaskResult

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="several workers need PostgreSQL (SQLite serialises every writer)",
    ),
]

BASE_DIR = Path(__file__).resolve().parent.parent


@task()
def record_run(number, folder):
    """Leaves one file per run: `number.pid.random`."""
    time.sleep(0.2)
    (Path(folder) / f"{number}.{os.getpid()}.{uuid.uuid4().hex}").touch()


def worker(worker_id):
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--batch",
            "--interval",
            "0",
            "--no-startup-delay",
            "--worker-id",
            worker_id,
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DEBUG": "true", "DATABASE_URL": url, "DATABASE_REPLICA_URL": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_workers_run_each_task_once(tmp_path):
    count = 40
    for number in range(count):
        record_run.enqueue(number, str(tmp_path))
    workers = [worker("racer-1"), worker("racer-2")]
    for process in workers:
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors

    runs = [path.name.split(".") for path in tmp_path.iterdir()]
    assert sorted(int(number) for number, _, _ in runs) == list(range(count))  # each once
    assert len({pid for _, pid, _ in runs}) == 2  # and both workers took some
    results = DBTaskResult.objects.filter(task_path=record_run.module_path)
    assert results.count() == count
    assert set(results.values_list("status", flat=True)) == {"SUCCESSFUL"}
    # Each task was claimed by one worker only.
    assert all(len(ids) == 1 for ids in results.values_list("worker_ids", flat=True))
