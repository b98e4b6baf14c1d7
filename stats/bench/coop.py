"""Bench group of the Coop's file (stats.coop): export and import rates on 100,000
accompaniments, beside the generic sessions export and import of the same run."""

import datetime
import time

from stats.management.commands.bench import group

COOP_ROWS = 100_000
GENERIC_IMPORT_ROWS = 20_000


@group("coop")
def coop(bench):
    """The Coop's CSV of the network (network admin) over the period holding the first
    100,000 accompaniment rows, then that file imported back as new activities (its IDs
    renamed) through the one write path; the generic sessions export (all sessions, CSV)
    and import (GENERIC_IMPORT_ROWS rows) of learners.imports in the same run. Goal: each
    Coop rate at least 5,000 rows/s."""
    import tempfile
    from pathlib import Path

    from django.utils import timezone

    from learners import imports
    from learners.models import Session, User
    from stats.bench.sessions import forget_imported_sessions, write_sessions_file
    from stats.coop.export import CoopExport, Scope
    from stats.coop.importer import CoopImport

    figures = {}
    with bench.database(sessions=100_000, residents=20_000, label="import"):
        user = User.objects.get(username="coordination")
        scope = Scope(user)
        dates = list(Session.objects.order_by("date").values_list("date", flat=True))
        start, end = dates[0], dates[-1]
        # The first dates whose sessions give about COOP_ROWS rows (a session gives one row
        # per person), so the file is 100,000 accompaniments.
        probe = CoopExport(scope, start, end)
        for seen, row in enumerate(probe.rows(), 1):
            if seen >= COOP_ROWS:
                end = row[0]
                break
        bench.log(f"Coop export from {start} to {end}…")
        export = CoopExport(scope, start, end)
        started = time.perf_counter()
        content = export.csv()
        seconds = time.perf_counter() - started
        figures["coop_export_rows"] = export.count
        figures["coop_export_s"] = round(seconds, 1)
        figures["coop_export_rows_per_s"] = round(export.count / seconds)
        started = time.perf_counter()
        xlsx = CoopExport(scope, start, end).xlsx()
        figures["coop_export_xlsx_rows_per_s"] = round(
            export.count / (time.perf_counter() - started)
        )
        figures["coop_export_xlsx_mb"] = round(len(xlsx) / 1e6, 1)

        bench.log("generic sessions export (CSV)…")
        kind = imports.KINDS["sessions"]
        count = Session.objects.count()
        started = time.perf_counter()
        imports.export(kind, user=user, file_format="csv")
        figures["generic_export_rows"] = count
        figures["generic_export_rows_per_s"] = round(count / (time.perf_counter() - started))

        bench.log("Coop import of the same file as new activities…")
        renamed = content.replace(";parcours-", ";bench-").encode("utf-8")
        since = timezone.now()
        started = time.perf_counter()
        importer = CoopImport(user, today=datetime.date.today())
        report = importer.check(renamed, "coop.csv")
        checked = time.perf_counter() - started
        if report.errors:
            raise RuntimeError(f"The Coop file has errors: {report.errors[:3]}")
        importer.write()
        seconds = time.perf_counter() - started
        rows = len(report.rows)
        figures["coop_import_rows"] = rows
        figures["coop_import_activities"] = report.activities_new
        figures["coop_import_s"] = round(seconds, 1)
        figures["coop_import_check_s"] = round(checked, 1)
        figures["coop_import_rows_per_s"] = round(rows / seconds)
        forget_imported_sessions(user, since)

        bench.log(f"generic sessions import ({GENERIC_IMPORT_ROWS:,} rows)…")
        path = Path(tempfile.mkdtemp()) / "sessions.csv"
        write_sessions_file(path, GENERIC_IMPORT_ROWS)
        since = timezone.now()
        started = time.perf_counter()
        dataset = imports.read_dataset(path.read_bytes(), path.name)
        result = imports.run_import(kind, dataset, user=user, dry_run=False, fast=True)
        seconds = time.perf_counter() - started
        if result["errors"]:
            raise RuntimeError(f"The bench file has errors: {result['errors'][:3]}")
        figures["generic_import_rows"] = len(dataset)
        figures["generic_import_rows_per_s"] = round(len(dataset) / seconds)
        forget_imported_sessions(user, since)
    figures["coop_goal_rows_per_s"] = 5000
    return figures
