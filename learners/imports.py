"""Spreadsheets in and out: which kinds of records exist and who may import or export them,
reading an uploaded file, checking it (a dry run whose report lists new, updated and
unchanged rows and every error with its line and column), importing it all or nothing,
and the background jobs that do both for big files.

The resources live with their app (pathway.resources, learners.resources); this module
only drives them. Files are kept under MEDIA_ROOT/imports/ until they are imported, given
up, or a day old."""

import csv
import dataclasses
import io
import json
import logging
import os
import time
from pathlib import Path

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from learners.models import ImportJob, ImportStatus
from learners.resources import (
    AssessmentResource,
    ResidentResource,
    SessionResource,
)
from pathway.resources import ActorResource, ModuleResource, PlaceResource
from pathway.spreadsheets import csv_text, csv_value, xlsx_bytes

logger = logging.getLogger(__name__)


def network_admin(user):
    return user.is_network_admin


def coordinator(user):
    return user.is_network_admin or user.role == "coordinator"


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
IMPORT_EXTENSIONS = {".csv", ".xlsx"}


class FileError(Exception):
    """A file that cannot be read, with a French message that says what to do."""


def kinds_for(user, action):
    check = "may_import" if action == "import" else "may_export"
    return [kind for kind in KINDS.values() if getattr(kind, check)(user)]


# Reading --------------------------------------------------------------------------------


def read_dataset(content, file_name):
    """The rows of an uploaded CSV or XLSX file as a tablib Dataset (headers = first row).
    CSV files may be UTF-8 or Windows-1252 (what French Excel writes), separated by
    commas, semicolons or tabs."""
    extension = Path(file_name).suffix.lower()
    if extension not in IMPORT_EXTENSIONS:
        raise FileError(_("Envoyez un fichier CSV ou XLSX (tableur)."))
    if extension == ".xlsx":
        try:
            dataset = tablib.Dataset().load(io.BytesIO(content), format="xlsx")
        except Exception as error:  # openpyxl raises many kinds of errors
            raise FileError(
                _("Ce fichier XLSX est illisible : enregistrez-le à nouveau depuis le tableur.")
            ) from error
    else:
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        first_line = text[: text.find("\n")]
        delimiter = max(",;\t", key=first_line.count)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        dataset, width = None, 0
        # Cells repeat (an actor's name, a pole, a date): one string for each value keeps
        # a file of 100,000 rows small in memory.
        values = {}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if dataset is None:
                headers = [h.strip() for h in row]
                width = len(headers)
                dataset = tablib.Dataset(headers=headers)
                continue
            row = (row + [""] * width)[:width]
            # csv_value: the quote an export put before a formula-like text comes off.
            dataset.append(tuple(values.setdefault(cell, csv_value(cell)) for cell in row))
        if dataset is None:
            raise FileError(_("Ce fichier est vide."))
        return dataset
    if not dataset.headers:
        raise FileError(_("Ce fichier est vide."))
    dataset.headers = [str(h or "").strip() for h in dataset.headers]
    blank = [i for i, row in enumerate(dataset) if all(c in (None, "") for c in row)]
    for index in reversed(blank):
        del dataset[index]
    return dataset


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
        return {"new": 0, "update": 0, "skip": 0, "errors": problems, "rows": []}
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
    content = uploaded.read()
    dataset = read_dataset(content, uploaded.name)
    job = ImportJob(
        resource=kind.name,
        created_by=user,
        file_name=Path(uploaded.name).name[:255],
        total_rows=len(dataset),
    )
    uploaded.seek(0)
    job.file.save(Path(uploaded.name).name, uploaded, save=False)
    job.save()
    # Whatever happens, the file goes after a day (the worker runs this; job_purge_stale
    # covers a site without worker).
    file_purge.using(run_after=timezone.now() + timezone.timedelta(days=1)).enqueue(job.pk)
    job_dispatch(job, dry_run=True, dataset=dataset)
    return job


def job_dispatch(job, *, dry_run, dataset=None):
    if job.total_rows > settings.IMPORT_BACKGROUND_ROWS:
        job_task.enqueue(job.pk, dry_run)
    else:
        job_run(job, dry_run=dry_run, dataset=dataset)


def job_confirm(job):
    """Import a checked file (in the background if it is big)."""
    if job.status != ImportStatus.CHECKED or job.error_count or not job.file:
        raise FileError(_("Ce fichier ne peut pas être importé : vérifiez son état."))
    job.status, job.done_rows = ImportStatus.IMPORTING, 0
    job.save(update_fields=["status", "done_rows"])
    job_dispatch(job, dry_run=False)


def job_cancel(job):
    if job.is_running:
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

    try:
        if dataset is None:
            with job.file.open("rb") as handle:
                dataset = read_dataset(handle.read(), job.file_name)
        report = run_import(kind, dataset, user=job.created_by, dry_run=dry_run, progress=progress)
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
    finally:
        progress_path(job.pk).unlink(missing_ok=True)
    report["seconds"] = round(time.monotonic() - started, 1)
    job.report = report
    job.done_rows = job.total_rows
    job.finished_at = timezone.now()
    if dry_run:
        job.status = ImportStatus.REFUSED if report["errors"] else ImportStatus.CHECKED
    else:
        job.status = ImportStatus.REFUSED if report["errors"] else ImportStatus.DONE
    job.save(update_fields=["report", "done_rows", "finished_at", "status"])
    if not dry_run or report["errors"]:
        job.delete_file()


@task()
def job_task(job_pk, dry_run):
    job = ImportJob.objects.select_related("created_by").filter(pk=job_pk).first()
    if job is not None and job.file:
        job_run(job, dry_run=dry_run)


@task()
def file_purge(job_pk):
    """A day after the upload: the file goes, imported or not."""
    job = ImportJob.objects.filter(pk=job_pk).first()
    if job is not None and not job.is_running:
        job.delete_file()


def job_purge_stale(*, now=None):
    for job in ImportJob.objects.stale(now=now):
        if not job.is_running:
            job.delete_file()


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
