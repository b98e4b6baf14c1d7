"""Files that ask for too much: a tiny XLSX that declares a sheet of 17 billion cells, a CSV
of millions of blank lines or with an enormous line. The request that receives one reads
little and keeps little; the file is refused with a French message, by the request or by
the worker, and nothing is written. Finding 8 of the security review (issue 13)."""

import contextlib
import io
import resource
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils.html import escape

from learners import imports
from learners.models import ImportJob, Resident
from stats.demo.factories import (
    CompetenceAssessmentFactory,
    ModuleFactory,
    ParticipationFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

MB = 1024 * 1024

WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="Feuil1" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def tiny_xlsx(sheet_data, dimension="A1:XFD1048576"):
    """An XLSX file written by hand, as an attacker would: its sheet declares `dimension`."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
        f'org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{sheet_data}'
        "</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**WORKBOOK_PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            archive.writestr(name, text)
    return out.getvalue()


def text_cell(reference, text):
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


# The review's file: two columns, one resident, and a cell in the sheet's last corner.
BOMB = tiny_xlsx(
    f'<row r="1">{text_cell("A1", "nom")}{text_cell("B1", "prénom")}</row>'
    f'<row r="2">{text_cell("A2", "Martin")}{text_cell("B2", "Léa")}</row>'
    f'<row r="1048576">{text_cell("XFD1048576", "x")}</row>'
)


@contextlib.contextmanager
def peak_memory():
    """The peak of memory allocated by Python inside the block, in bytes ({"peak": n}).
    The process may take no more than 1 GB beyond what it has: a regression then fails
    with MemoryError rather than exhausting the machine."""
    measured = {}
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    resource.setrlimit(resource.RLIMIT_AS, (pages * resource.getpagesize() + 1024 * MB, hard))
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        yield measured
    finally:
        measured["peak"] = tracemalloc.get_traced_memory()[1]
        if not tracing:
            tracemalloc.stop()
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def run_worker(monkeypatch):
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)


def upload(client, content, name):
    return client.post(
        "/imports/", {"kind": "residents", "file": SimpleUploadedFile(name, content)}
    )


TOO_MANY_LINES = (
    "Ce fichier a plus de 200\xa0000 lignes : découpez-le en plusieurs fichiers. S'il en a "
    "moins, supprimez les lignes vides ou mises en forme sous le tableau et enregistrez-le à "
    "nouveau."
)


def refusal_of(job):
    return [e["message"] for e in job.report["errors"]]


@pytest.mark.security_review
def test_a_tiny_xlsx_declaring_a_huge_sheet_is_refused_without_filling_memory(cast, monkeypatch):
    assert len(BOMB) < 2048
    client = cast.client("mediator_a")
    client.get("/imports/")  # what a first request loads once (URLs, views) is not measured
    with peak_memory() as request:
        response = upload(client, BOMB, "habitants.xlsx")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "checking"  # left to the worker
    assert request["peak"] < 10 * MB

    with peak_memory() as worker:
        run_worker(monkeypatch)
    job.refresh_from_db()
    assert (job.status, refusal_of(job)) == ("refused", [TOO_MANY_LINES])
    assert worker["peak"] < 10 * MB
    assert not job.file and not Resident.objects.filter(last_name="Martin").exists()
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "découpez-le en plusieurs fichiers" in page


@pytest.mark.security_review
def test_a_csv_of_millions_of_blank_lines_is_left_to_the_worker_which_refuses_it(cast, monkeypatch):
    content = "nom,prénom\n".encode() + b"\n" * 3_000_000 + "Martin,Léa\n".encode()
    client = cast.client("mediator_a")
    upload(client, content, "habitants.csv")
    job = ImportJob.objects.get()
    assert job.status == "checking"
    with peak_memory() as worker:
        run_worker(monkeypatch)
    job.refresh_from_db()
    assert (job.status, refusal_of(job)) == ("refused", [TOO_MANY_LINES])
    assert worker["peak"] < 10 * MB
    assert not Resident.objects.filter(last_name="Martin").exists()


@pytest.mark.security_review
@pytest.mark.parametrize("line", [b"x" * 2_000_000, b"a," * 1_000_000], ids=["cell", "cells"])
def test_a_csv_with_an_enormous_line_is_refused_in_the_request(cast, line):
    content = "nom,prénom\nMartin,Léa\n".encode() + line + b"\n"
    response = upload(cast.client("mediator_a"), content, "habitants.csv")
    assert response.status_code == 200
    assert (
        escape(
            "La ligne 3 du fichier a plus de 1\xa0000\xa0000 caractères : vérifiez qu'il "
            "s'agit bien d'un tableau."
        )
        in response.content.decode()
    )
    assert not ImportJob.objects.exists()


@pytest.mark.security_review
def test_a_cell_longer_than_a_spreadsheet_allows_is_refused_before_it_is_kept():
    content = tiny_xlsx(
        f'<row r="1">{text_cell("A1", "nom")}</row>'
        f'<row r="2">{text_cell("A2", "x" * 40_000)}</row>',
        dimension="A1:A2",
    )
    with pytest.raises(imports.FileError, match="plus de 32\xa0767 caractères"):
        imports.read_dataset(content, "habitants.xlsx")


@pytest.mark.security_review
def test_cells_past_the_headers_are_not_kept_and_the_declared_size_is_ignored():
    content = tiny_xlsx(
        f'<row r="1">{text_cell("A1", "nom")}{text_cell("B1", "prénom")}</row>'
        f'<row r="3">{text_cell("A3", "Martin")}{text_cell("B3", "Léa")}'
        f"{text_cell('XFD3', 'loin')}</row>"
    )
    dataset = imports.read_dataset(content, "habitants.xlsx")
    assert (dataset.headers, list(dataset)) == (["nom", "prénom"], [("Martin", "Léa")])


@pytest.mark.security_review
def test_the_limits_are_settings(settings):
    settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_CELLS = 3, 7
    book = openpyxl.Workbook()
    for row in [["nom", "prénom"], ["A", "a"], ["B", "b"], ["C", "c"]]:
        book.active.append(row)
    content = io.BytesIO()
    book.save(content)
    with pytest.raises(imports.FileError, match="trop de cellules \\(7 au plus"):
        imports.read_dataset(content.getvalue(), "habitants.xlsx")
    settings.IMPORT_MAX_CELLS = 100
    assert len(imports.read_dataset(content.getvalue(), "habitants.xlsx")) == 3
    book.active.append(["D", "d"])
    content = io.BytesIO()
    book.save(content)
    with pytest.raises(imports.FileError, match="plus de 3 lignes"):
        imports.read_dataset(content.getvalue(), "habitants.xlsx")


@pytest.mark.parametrize(
    "kind", ["actors", "places", "modules", "residents", "assessments", "sessions"]
)
def test_every_xlsx_export_is_read_back_as_it_was_written(cast, kind):
    ModuleFactory(name="Se protéger en ligne", actor=cast.actor_a, targets={"4.1": 2})
    session = SessionFactory(actor=cast.actor_a, created_by=cast.mediator_a, place=cast.place_a)
    ParticipationFactory(session=session, resident=cast.resident)
    CompetenceAssessmentFactory(resident=cast.resident, assessed_by=cast.mediator_a)
    kind = imports.KINDS[kind]
    content = imports.export(kind, user=cast.network_admin, file_format="xlsx")
    dataset = imports.read_dataset(content, "export.xlsx")
    assert len(dataset) >= 1
    report = imports.run_import(kind, dataset, user=cast.network_admin, dry_run=True)
    assert (report["errors"], report["new"], report["update"]) == ([], 0, 0)
