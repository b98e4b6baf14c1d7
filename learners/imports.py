"""Spreadsheets in and out: which kinds of records exist and who may import or export them,
reading an uploaded file, checking it (a dry run whose report lists new, updated and
unchanged rows and every error with its line and column), importing it all or nothing,
and the background jobs that do both for big files.

The resources live with their app (pathway.resources, learners.resources); this module
only drives them. Files are kept under MEDIA_ROOT/imports/ until they are imported, given
up, or a day old."""

import contextlib
import dataclasses
import datetime
import json
import logging
import os
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult

from learners.models import ImportJob, ImportStatus
from learners.resources import (
    AssessmentResource,
    ResidentResource,
    SessionResource,
)
from learners.sheets import FileError, LargeFile, open_rows, read_dataset
from pathway.permissions import Role
from pathway.resources import ActorResource, ModuleResource, PlaceResource
from pathway.spreadsheets import csv_text, xlsx_bytes

logger = logging.getLogger(__name__)


def network_admin(user):
    return user.is_network_admin


def coordinator(user):
    return user.is_network_admin or user.role == Role.COORDINATOR


def with_residents(user):
    return user.works_with_residents


@dataclasses.dataclass(frozen=True)
class Kind:
    """A kind of records that files hold."""

    name: str
    label: str
    resource: type
    required: tuple  # columns a file must have
    may_import: object
    may_export: object
    help: str = ""


KINDS = {
    kind.name: kind
    for kind in [
        Kind(
            "actors",
            gettext_lazy("Structures"),
            ActorResource,
            ("nom", "type"),
            network_admin,
            with_residents,
        ),
        Kind(
            "places",
            gettext_lazy("Lieux (standard national des lieux de médiation numérique)"),
            PlaceResource,
            ("pivot", "nom", "adresse", "code_postal", "commune", "services"),
            coordinator,
            with_residents,
        ),
        Kind(
            "modules",
            gettext_lazy("Modules de formation"),
            ModuleResource,
            ("nom", "durée (heures)"),
            coordinator,
            with_residents,
        ),
        Kind(
            "residents",
            gettext_lazy("Habitants"),
            ResidentResource,
            ("nom", "prénom"),
            with_residents,
            with_residents,
        ),
        Kind(
            "sessions",
            gettext_lazy("Accompagnements et leurs participants"),
            SessionResource,
            ("date", "durée (minutes)", "structure", "pôle"),
            with_residents,
            with_residents,
        ),
        Kind(
            "assessments",
            gettext_lazy("Évaluations de compétences"),
            AssessmentResource,
            ("habitant (référence)", "compétence", "niveau", "évalué le"),
            with_residents,
            with_residents,
        ),
    ]
}

EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
}


def kinds_for(user, action):
    check = "may_import" if action == "import" else "may_export"
    return [kind for kind in KINDS.values() if getattr(kind, check)(user)]


def header_problems(kind, dataset):
    missing = [name for name in kind.required if name not in dataset.headers]
    if not missing:
        return []
    return [
        {
            "row": 1,
            "column": "",
            "message": _(
                "Colonnes manquantes : %(missing)s. La première ligne du fichier doit porter "
                "les titres des colonnes, comme dans un export."
            )
            % {"missing": ", ".join(f"« {m} »" for m in missing)},
        }
    ]


# Importing ------------------------------------------------------------------------------


def run_import(kind, dataset, *, user, dry_run, progress=None, fast=True):
    """Check (dry run) or import `dataset`, all or nothing; returns the report."""
    problems = header_problems(kind, dataset)
    if problems:
        return {
            "new": 0,
            "update": 0,
            "skip": 0,
            "total": len(dataset),
            "errors": problems,
            "rows": [],
        }
    with translation.override("fr"):
        options = {"user": user}
        if kind.resource is SessionResource:
            options.update(progress=progress, fast=fast)
        resource = kind.resource(**options)
        if kind.resource is not SessionResource and progress:
            resource.after_import_row = counting(progress, 2 * len(dataset))
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            raise_errors=False,
        )
        report = make_report(result, resource, dataset)
    if not dry_run and report["errors"]:
        report["rolled_back"] = True
    return report


def import_file(kind, source, file_name, *, user, dry_run, progress=None, total=None):
    """Check (dry run) or import a file (a path, or a binary file open for reading), all or
    nothing; returns the report. Sessions are read a line at a time and checked and
    written a batch at a time, never the whole file in memory (the other kinds, smaller,
    are read whole first). `total`: the number of rows if known (the check counted them),
    for the progress; else they are counted first when progress is wanted. Raises
    FileError for a file that cannot be read."""
    if progress and not total:
        with open_rows(source, file_name) as rows:
            total = sum(1 for _row in rows)
    with open_rows(source, file_name) as rows:
        rows.expected = total
        dataset = rows if kind.resource is SessionResource else rows.dataset()
        return run_import(kind, dataset, user=user, dry_run=dry_run, progress=progress)


def counting(progress, total):
    """An after_import_row hook that reports rows read (the standard resources)."""
    state = {"done": 0}

    def after_import_row(row, row_result, **kwargs):
        state["done"] += 1
        if state["done"] % 100 == 0:
            progress(2 * state["done"], total)

    return after_import_row


def column_of(resource, field):
    if field == NON_FIELD_ERRORS:
        return ""
    found = resource.fields.get(field)
    if found is None:
        found = next((f for f in resource.fields.values() if f.attribute == field), None)
    return found.column_name if found is not None else field


def make_report(result, resource, dataset, preview=200):
    """What the page shows of an import: counts, every error (line of the file, column,
    French message), and the first rows with what happens to each."""
    totals = result.totals
    errors = [
        {"row": None, "column": "", "message": str(error.error)} for error in result.base_errors
    ]
    for invalid in result.invalid_rows:
        for field, messages in invalid.error_dict.items():
            for message in messages:
                errors.append(
                    {
                        "row": invalid.number + 1,  # the first line holds the headers
                        "column": str(column_of(resource, field)),
                        "message": str(message),
                    }
                )
    for number, row_errors in result.row_errors():
        for error in row_errors:
            errors.append(
                {
                    "row": number + 1,
                    "column": "",
                    "message": _("Erreur inattendue : %(error)s") % {"error": error.error},
                }
            )
    errors.sort(key=lambda e: (e["row"] or 0, e["column"]))
    rows = []
    for index, row in enumerate(result.rows):
        number = getattr(row, "number", index + 1)
        if len(rows) >= preview:
            break
        rows.append(
            {
                "row": number + 1,
                "type": row.import_type,
                "label": str(row.object_repr or ""),
            }
        )
    known = {str(f.column_name) for f in resource.fields.values()}
    return {
        "new": totals.get("new", 0),
        "update": totals.get("update", 0),
        "skip": totals.get("skip", 0),
        "total": len(dataset),
        "errors": errors,
        "rows": rows,
        "ignored_columns": [h for h in dataset.headers if h not in known],
    }


# Jobs -----------------------------------------------------------------------------------


def progress_path(job_pk):
    return Path(settings.MEDIA_ROOT) / "imports" / "progress" / f"{job_pk}.json"


def write_progress(job_pk, done, total):
    """Progress is written beside the file, not in the database: the import's rows are in
    a transaction that other requests cannot see until it ends."""
    path = progress_path(job_pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"done": done, "total": total}))
    os.replace(temporary, path)


def read_progress(job):
    """(done, total) of a running job."""
    try:
        data = json.loads(progress_path(job.pk).read_text())
        return data["done"], data["total"]
    except (OSError, ValueError, KeyError):
        return job.done_rows, job.total_rows


def job_start(*, user, kind, uploaded):
    """Keep an uploaded file and check it: in this request if it is small, by the worker
    otherwise. Raises FileError for an unreadable file."""
    job_purge_stale()
    if uploaded.size > settings.IMPORT_MAX_BYTES:
        raise FileError(
            _("Ce fichier est trop gros (%(max)s Mo au plus).")
            % {"max": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    dataset = read_if_small(uploaded, uploaded.name)
    job = ImportJob(
        resource=kind.name,
        created_by=user,
        file_name=Path(uploaded.name).name[:255],
        # Counted by the worker when it reads a big file.
        total_rows=len(dataset) if dataset is not None else 0,
    )
    uploaded.seek(0)
    job.file.save(Path(uploaded.name).name, uploaded, save=False)
    job.save()
    # Whatever happens, the file goes after a day (the worker runs this; job_purge_stale
    # covers a site without worker).
    file_purge.using(run_after=timezone.now() + timezone.timedelta(days=1)).enqueue(job.pk)
    job_watch_later(job)
    job_dispatch(job, dry_run=True, dataset=dataset)
    return job


def read_if_small(source, file_name):
    """The rows of a file small enough to be read in a request (IMPORT_BACKGROUND_ROWS
    lines at most), or None: a request never reads more, the worker reads the rest."""
    try:
        return read_dataset(source, file_name, max_rows=settings.IMPORT_BACKGROUND_ROWS)
    except LargeFile:
        return None


def job_dispatch(job, *, dry_run, dataset):
    """Check or import in this request the rows already read, or leave the file to the
    worker (dataset None)."""
    if dataset is None:
        job_task.enqueue(job.pk, dry_run)
    else:
        job_run(job, dry_run=dry_run, dataset=dataset)


def job_confirm(job):
    """Import a checked file (in the background if it is big)."""
    if job.status != ImportStatus.CHECKED or job.error_count or not job.file:
        raise FileError(_("Ce fichier ne peut pas être importé : vérifiez son état."))
    write_progress(job.pk, 0, job.total_rows)  # a sign of life from now on
    job.status, job.done_rows = ImportStatus.IMPORTING, 0
    job.save(update_fields=["status", "done_rows"])
    job_watch_later(job)
    try:
        with job.file.open("rb") as handle:
            dataset = read_if_small(handle, job.file_name)
    except FileError:
        dataset = None  # the worker reads it again and reports what is wrong
    job_dispatch(job, dry_run=False, dataset=dataset)


def job_cancel(job):
    if job.is_running and not job_recover(job):
        raise FileError(_("Attendez la fin du traitement en cours."))
    job.status = ImportStatus.CANCELLED
    job.save(update_fields=["status"])
    job.delete_file()


def job_run(job, *, dry_run, dataset=None):
    """Check or import the job's file, and keep the report on the job."""
    kind = KINDS[job.resource]
    started = time.monotonic()

    def progress(done, total):
        write_progress(job.pk, done, total)

    with heartbeat(job):
        try:
            if dataset is None:
                with job.file.open("rb") as handle:
                    report = import_file(
                        kind,
                        handle,
                        job.file_name,
                        user=job.created_by,
                        dry_run=dry_run,
                        progress=progress,
                        total=job.total_rows,
                    )
                job.total_rows = report["total"]
            else:
                report = run_import(
                    kind, dataset, user=job.created_by, dry_run=dry_run, progress=progress
                )
        except FileError as error:
            report = {
                "new": 0,
                "update": 0,
                "skip": 0,
                "rows": [],
                "errors": [{"row": None, "column": "", "message": str(error)}],
            }
        except Exception:
            logger.exception("Import %s failed", job.pk)
            job.status, job.finished_at = ImportStatus.FAILED, timezone.now()
            job.report = {
                "errors": [
                    {
                        "row": None,
                        "column": "",
                        "message": _(
                            "Le traitement a échoué de façon inattendue ; rien n'a été importé. "
                            "Prévenez la coordination du réseau."
                        ),
                    }
                ]
            }
            job.save(update_fields=["status", "finished_at", "report"])
            job.delete_file()
            return
    report["seconds"] = round(time.monotonic() - started, 1)
    job.report = report
    job.done_rows = job.total_rows
    job.finished_at = timezone.now()
    if dry_run:
        job.status = ImportStatus.REFUSED if report["errors"] else ImportStatus.CHECKED
    else:
        job.status = ImportStatus.REFUSED if report["errors"] else ImportStatus.DONE
    job.save(update_fields=["report", "total_rows", "done_rows", "finished_at", "status"])
    if not dry_run or report["errors"]:
        job.delete_file()


@task()
def job_task(job_pk, dry_run):
    job = ImportJob.objects.select_related("created_by").filter(pk=job_pk).first()
    if job is not None and job.is_running and job.file:
        job_run(job, dry_run=dry_run)


@task()
def file_purge(job_pk):
    """A day after the upload: the file goes, imported or not."""
    job = ImportJob.objects.filter(pk=job_pk).first()
    if job is not None and (not job.is_running or job_recover(job)):
        job.delete_file()


def job_purge_stale(*, now=None):
    job_recover_lost(now=now)
    for job in ImportJob.objects.stale(now=now):
        if not job.is_running:
            job.delete_file()


# Jobs whose worker stopped --------------------------------------------------------------
#
# A worker that crashes or is killed in the middle of a job (a web process as well, for a
# small file) writes nothing, the import being one transaction, but leaves the job running
# and, with django-tasks-db, its task RUNNING for ever: nobody could cancel it or send the
# file again. While a job runs, its progress file is touched every HEARTBEAT_SECONDS by a
# thread (a long query does not silence it); a running job whose last sign of life is older
# than IMPORT_LOST_MINUTES, and which is not waiting in the queue, has lost its worker: it
# is marked failed, its task too, and its file deleted. A job waiting for a worker that is
# down is not lost: it runs once the worker is back. The check runs in the worker
# (job_watch, enqueued with each job, runs after a restart too), at each upload, and when
# someone looks at a running job or cancels it.

HEARTBEAT_SECONDS = 30


@contextlib.contextmanager
def heartbeat(job):
    """While the block runs, the job's progress file says it is alive."""
    write_progress(job.pk, *read_progress(job))
    path, stop = progress_path(job.pk), threading.Event()

    def beat():
        while not stop.wait(HEARTBEAT_SECONDS):
            with contextlib.suppress(OSError):
                os.utime(path)

    thread = threading.Thread(target=beat, name=f"import-{job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        path.unlink(missing_ok=True)


def job_task_results(job):
    """The worker's records of the job's runs (django-tasks-db)."""
    return DBTaskResult.objects.filter(task_path=job_task.module_path, args_kwargs__args__0=job.pk)


def job_is_lost(job, *, now=None):
    """Whether a running job's worker stopped without finishing it (see above)."""
    if not job.is_running:
        return False
    limit = (now or timezone.now()) - datetime.timedelta(minutes=settings.IMPORT_LOST_MINUTES)
    try:
        beat = progress_path(job.pk).stat().st_mtime
    except OSError:
        beat = None
    if beat is not None and beat >= limit.timestamp():
        return False
    tasks = job_task_results(job)
    if tasks.filter(status=TaskResultStatus.READY).exists():
        return False  # waiting for the worker
    running = tasks.filter(status=TaskResultStatus.RUNNING).exclude(started_at=None)
    signs = [job.created_at, *running.values_list("started_at", flat=True)]
    if beat is not None:
        signs.append(datetime.datetime.fromtimestamp(beat, tz=datetime.UTC))
    return max(signs) < limit


def job_recover(job, *, now=None):
    """Mark failed a job whose worker stopped, so that it can be cancelled or its file sent
    again; returns whether it was one."""
    if not job_is_lost(job, now=now):
        return False
    with transaction.atomic():
        lost = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=ImportStatus.FAILED,
            finished_at=now or timezone.now(),
            report={
                "errors": [
                    {
                        "row": None,
                        "column": "",
                        "message": _(
                            "Le traitement s'est arrêté en route (redémarrage du serveur) ; "
                            "rien n'a été importé. Envoyez le fichier à nouveau."
                        ),
                    }
                ]
            },
        )
        if not lost:
            return False  # someone else got there first
        for result in job_task_results(job).filter(status=TaskResultStatus.RUNNING):
            result.set_failed(WorkerLost(f"Import {job.pk}: no sign of life from its worker"))
    logger.warning("Import %s: its worker stopped; marked failed", job.pk)
    job.refresh_from_db()
    job.delete_file()
    progress_path(job.pk).unlink(missing_ok=True)
    return True


class WorkerLost(Exception):  # noqa: N818 — what the task's record says happened to it
    pass


def job_recover_lost(*, now=None):
    for job in ImportJob.objects.filter(status__in=[ImportStatus.CHECKING, ImportStatus.IMPORTING]):
        job_recover(job, now=now)


def job_watch_later(job):
    job_watch.using(
        run_after=timezone.now() + datetime.timedelta(minutes=settings.IMPORT_LOST_MINUTES + 1)
    ).enqueue(job.pk)


@task()
def job_watch(job_pk):
    """Run by the worker while a job runs: a job whose worker stopped is marked failed
    (by the same worker once restarted, if it was the one)."""
    job = ImportJob.objects.filter(pk=job_pk).first()
    if job is not None and job.is_running and not job_recover(job):
        job_watch_later(job)


# Exporting ------------------------------------------------------------------------------


def export(kind, *, user, file_format):
    """The records of `kind` this user may see, as bytes of a CSV, XLSX or JSON file (no
    cell of which a spreadsheet would run: pathway.spreadsheets)."""
    with translation.override("fr"):
        dataset = kind.resource(user=user).export()
    rows = [dataset.headers, *dataset]
    if file_format == "csv":
        return csv_text(rows).encode("utf-8-sig")
    if file_format == "json":
        return dataset.export("json").encode()
    return xlsx_bytes([(kind.name, rows)], header=True)
