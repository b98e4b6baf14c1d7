"""The Coop's accompaniments file out and in: layout, cells, round trip, re-import, bad
files."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from learners.models import (
    Equipment,
    Location,
    Participation,
    RedirectionKind,
    Session,
    SessionFormat,
    WorkshopLevel,
)
from learners.writing import NewPerson, ParticipantInput, SessionInput, session_save
from pathway import communes
from pathway.models import Pole
from stats.coop import vocabulary as v
from stats.coop.export import CoopExport, Scope
from stats.coop.importer import CoopFileError, CoopImport
from stats.demo.factories import OperatorFactory, TopicFactory

TODAY = datetime.date.today()
DAY = TODAY - datetime.timedelta(days=3)
START, END = TODAY - datetime.timedelta(days=30), TODAY


@pytest.fixture
def story(cast):
    caf = OperatorFactory(name="CAF", slug="caf")
    topics = {
        "caf": TopicFactory(
            pole=Pole.NECESSITY,
            name="Allocations et prime d'activité (CAF)",
            slug="caf",
            operator=caf,
        ),
        "mail": TopicFactory(pole=Pole.NECESSITY, name="Créer une adresse mail", slug="mail"),
        "photo": TopicFactory(pole=Pole.LEISURE, name="Photo numérique", slug="photo"),
    }
    mediator = cast.mediator_a
    session_save(
        SessionInput(
            date=DAY,
            duration_minutes=45,
            pole=Pole.NECESSITY,
            topics=[topics["caf"].pk],
            place=cast.place_a.pk,
            equipment=[Equipment.COMPUTER, Equipment.SMARTPHONE],
            procedure_name="Demande de prime d'activité",
            redirected=True,
            redirection_kind=RedirectionKind.SOCIAL,
            notes="Revenir avec l'avis d'imposition",
            participants=[
                ParticipantInput(
                    resident=NewPerson(
                        first_name="Inès",
                        last_name="Bouaziz",
                        birth_year=1958,
                        gender="female",
                        social_status="retired",
                        commune=communes.get("13063"),
                        confirm_new=True,
                    ),
                    autonomy=2,
                )
            ],
        ),
        by=mediator,
    )
    session_save(
        SessionInput(
            date=DAY - datetime.timedelta(days=2),
            duration_minutes=120,
            format=SessionFormat.COLLECTIVE,
            location=Location.OTHER,
            pole=Pole.LEISURE,
            topics=[topics["photo"].pk],
            workshop_title="Retoucher ses photos",
            workshop_level=WorkshopLevel.INTERMEDIATE,
            unregistered_count=2,
            participants=[ParticipantInput(resident=cast.resident)],
        ),
        by=mediator,
    )
    session_save(
        SessionInput(
            date=DAY - datetime.timedelta(days=1),
            duration_minutes=30,
            location=Location.REMOTE,
            pole=Pole.NECESSITY,
            topics=[topics["mail"].pk],
            redirected=False,
            participants=[ParticipantInput(resident=cast.resident, autonomy=3)],
        ),
        by=mediator,
    )
    return topics


def table(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content))[v.SHEET]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r and r[0] == "Date")
    return sheet, start, rows[start], rows[start + 1 :]


def test_the_actor_export_has_the_coops_columns_and_cells(cast, story):
    export = CoopExport(Scope(cast.coordinator_a, actor=cast.actor_a), START, END)
    sheet, start, header, rows = table(export.xlsx())
    assert header == v.columns(own=False)
    assert len(rows) == 5  # 1 + 3 people in the workshop + 1
    by = [dict(zip(header, r, strict=True)) for r in rows]
    workshop = [r for r in by if r["Type"] == "Atelier collectif"]
    assert [r["Participants"] for r in workshop] == ["1/3", "2/3", "3/3"]
    assert {r["Niveau d’autonomie (ou de l’atelier)"] for r in workshop} == {"2/3"}
    assert workshop[0]["Canaux d’accompagnement"] == "Autre lieu"
    caf = next(r for r in by if r["Durée (min)"] == 45)
    assert caf["Participants"] == "1"
    assert caf["Thématique(s) d’accompagnement"] == "Social - Santé"
    assert caf["Matériel numérique utilisé"] == "Ordinateur, Téléphone"
    assert caf["Bénéficiaire réorienté"] == "Oui"
    assert caf["Structure de redirection"].startswith("Structure d’aide sociale")
    assert caf["Niveau d’autonomie (ou de l’atelier)"] == "2/3"
    assert caf["Genre du bénéficiaire"] == "Féminin"
    assert caf["Statut du bénéficiaire"] == "Retraité"
    assert caf["Tranche d’âge du bénéficiaire"] == "60 - 69 ans"
    assert caf["Code Insee du bénéficiaire"] == "13063"
    assert caf["Nom du lieu"] == cast.place_a.name
    assert caf["Prénom du médiateur"] == cast.mediator_a.first_name
    assert caf["Rôle"] == "Médiateur"
    remote = next(r for r in by if r["Durée (min)"] == 30)
    assert remote["Bénéficiaire réorienté"] == "Non"
    assert remote["Genre du bénéficiaire"] == "Non communiqué"
    # Dates are dates, shown as the Coop shows them.
    date_cell = sheet.cell(row=start + 2, column=1)
    assert date_cell.number_format == "DD/MM/YYYY"
    assert isinstance(date_cell.value, datetime.datetime)
    assert "Bénéficiaire" not in header and "Notes supplémentaires" not in header


def test_a_mediators_own_export_names_people_and_has_the_self_columns(cast, story):
    export = CoopExport(Scope(cast.mediator_a, mediator=cast.mediator_a), START, END)
    _sheet, _start, header, rows = table(export.xlsx())
    assert header == v.columns(own=True)
    names = {dict(zip(header, r, strict=True))["Bénéficiaire"] for r in rows}
    assert "Inès Bouaziz" in names
    assert "" in names or None in names  # the workshop's people without a record
    csv_text = CoopExport(Scope(cast.mediator_a, mediator=cast.mediator_a), START, END).csv()
    assert csv_text.splitlines()[0].lstrip("\ufeff") == ";".join(v.columns(own=True))


def test_another_mediators_export_is_not_for_a_colleague(cast, story):
    from django.http import Http404

    with pytest.raises(Http404):
        Scope(cast.colleague_a, mediator=cast.mediator_a)
    with pytest.raises(Http404):
        Scope(cast.mediator_a, actor=cast.actor_a)
    with pytest.raises(Http404):
        Scope(cast.coordinator_a)


def counts():
    sessions = Session.objects.all()
    return (
        sessions.count(),
        sum(s.duration_minutes for s in sessions),
        sum(s.participant_count + s.unregistered_count for s in sessions),
    )


def test_round_trip_export_import_export_gives_the_same_file(cast, story):
    scope = Scope(cast.coordinator_a, actor=cast.actor_a)
    first_csv = CoopExport(scope, START, END).csv()
    first_xlsx = CoopExport(scope, START, END).xlsx()
    before = counts()
    Participation.objects.all().delete()
    Session.objects.all().delete()
    importer = CoopImport(cast.mediator_a)
    report = importer.check(first_xlsx, "coop.xlsx")
    assert report.errors == []
    assert report.activities_new == 3
    assert importer.write() == 3
    assert CoopExport(scope, START, END).csv() == first_csv
    assert table(CoopExport(scope, START, END).xlsx())[3] == table(first_xlsx)[3]
    assert counts()[0:2] == before[0:2]
    assert counts()[2] == before[2]
    # Residents are not made from nameless beneficiaries.
    assert Participation.objects.count() == 0


def test_the_same_file_twice_and_our_own_export_add_nothing(cast, story):
    scope = Scope(cast.coordinator_a, actor=cast.actor_a)
    ours = CoopExport(scope, START, END).xlsx()
    report = CoopImport(cast.mediator_a).check(ours, "ours.xlsx")
    assert report.nothing_to_add and report.activities_present == 3
    count = Session.objects.count()
    call_command("import_coop", write_file(ours), "--user", "mediator_a")
    assert Session.objects.count() == count


def write_file(content, suffix=".xlsx"):
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as handle:
        handle.write(content)
    return handle.name


def coop_file(rows, *, header=None, above=True):
    """An XLSX as the Coop gives it: title and filter rows above the table."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = v.SHEET
    if above:
        sheet.append(["Export des accompagnements"])
        sheet.append(["Filtres : du 01/01/2026 au 31/12/2026"])
        sheet.append([])
    header = header or v.columns(own=False)
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(h) for h in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def coop_row(**cells):
    base = {
        "Date": DAY.strftime("%d/%m/%Y"),
        "Type": "Accompagnement individuel",
        "Participants": "1",
        "Canaux d’accompagnement": "À distance",
        "Durée (min)": 30,
        "Thématique(s) d’accompagnement": "E-mail",
        "Genre du bénéficiaire": "Masculin",
        "Tranche d’âge du bénéficiaire": "25 - 39 ans",
        "Statut du bénéficiaire": "En emploi",
        "ID CRA": "2b0f3c1e-0000-4000-8000-000000000001",
    }
    return base | cells


def test_a_newer_coop_export_adds_only_the_new_activities(cast, story):
    first = coop_file([coop_row()])
    call_command("import_coop", write_file(first), "--user", "mediator_a")
    count = Session.objects.count()
    newer = coop_file([coop_row(), coop_row(**{"ID CRA": "2b0f3c1e-0000-4000-8000-000000000002"})])
    out = io.StringIO()
    call_command("import_coop", write_file(newer), "--user", "mediator_a", "--dry-run", stdout=out)
    assert "1 accompagnement(s) à ajouter, 1 déjà présent(s)" in out.getvalue()
    assert Session.objects.count() == count
    call_command("import_coop", write_file(newer), "--user", "mediator_a")
    assert Session.objects.count() == count + 1
    session = Session.objects.get(external_ref="2b0f3c1e-0000-4000-8000-000000000002")
    assert session.unregistered_count == 1 and session.participant_count == 0
    assert session.anonymous_participants[0]["gender"] == "male"


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"Thématique(s) d’accompagnement": "Tricot"}, "thématique inconnu(e) de la Coop"),
        ({"Date": "31/02/2026"}, "date illisible"),
        ({"Date": "01/01/1999"}, "date hors limites"),
        ({"Date": (TODAY + datetime.timedelta(days=2)).strftime("%d/%m/%Y")}, "hors limites"),
        ({"Canaux d’accompagnement": "En ville"}, "canal inconnu(e) de la Coop"),
        ({"Niveau d’autonomie (ou de l’atelier)": "5/3"}, "niveau illisible"),
        ({"Bénéficiaire réorienté": "Peut-être"}, "Oui, Non ou vide"),
    ],
)
def test_a_bad_row_is_reported_in_french_and_nothing_is_written(cast, story, cells, message):
    count = Session.objects.count()
    content = coop_file([coop_row(**{"ID CRA": "ok-1"}), coop_row(**cells)])
    importer = CoopImport(cast.mediator_a)
    report = importer.check(content, "bad.xlsx")
    assert [r.line for r in report.errors] == [6]
    assert message in " ".join(report.errors[0].errors)
    assert importer.write() == 0
    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import_coop", write_file(content), "--user", "mediator_a")
    assert Session.objects.count() == count


def test_a_file_of_another_layout_is_refused(cast):
    content = coop_file([{"Date": "01/01/2026"}], header=["Date", "Nom", "ID CRA"])
    with pytest.raises(CoopFileError, match="colonnes inconnues : Nom"):
        CoopImport(cast.mediator_a).check(content, "x.xlsx")
    with pytest.raises(CoopFileError, match="n'a pas les colonnes"):
        CoopImport(cast.mediator_a).check(coop_file([], header=["A", "B"]), "x.xlsx")
    with pytest.raises(CoopFileError, match="XLSX lisible"):
        CoopImport(cast.mediator_a).check(b"PK not a workbook", "x.xlsx")


def test_export_command_writes_the_file(cast, story, tmp_path):
    target = tmp_path / "coop.csv"
    out = io.StringIO()
    call_command(
        "export_coop",
        "--actor",
        str(cast.actor_a.pk),
        "--start",
        START.isoformat(),
        "--end",
        END.isoformat(),
        "--output",
        str(target),
        "--user",
        "coordinator_a",
        stdout=out,
    )
    assert "5 lignes" in out.getvalue()
    assert target.read_text(encoding="utf-8").lstrip("\ufeff").startswith("Date;")


def test_the_pages_export_and_import(cast, story):
    client = cast.client("coordinator_a")
    response = client.get(
        "/coop/export/",
        {
            "start": START.isoformat(),
            "end": END.isoformat(),
            "scope": f"actor-{cast.actor_a.pk}",
            "file_format": "xlsx",
        },
    )
    assert response.status_code == 200
    content = response.content
    assert table(content)[2] == v.columns(own=False)
    refused = cast.client("mediator_b").get(
        "/coop/export/",
        {"start": START.isoformat(), "end": END.isoformat(), "scope": f"actor-{cast.actor_a.pk}"},
    )
    assert "spreadsheetml" not in refused["Content-Type"]
    upload = io.BytesIO(content)
    upload.name = "coop.xlsx"
    page = cast.client("mediator_a").post("/coop/import/", {"file": upload, "dry_run": "on"})
    assert "Rien à ajouter" in page.content.decode()


def test_the_api_gives_the_same_file(cast, story):
    client = cast.client("coordinator_a")
    query = {"start": START.isoformat(), "end": END.isoformat(), "file_format": "csv"}
    response = client.get("/api/v1/coop/export/", {**query, "actor": cast.actor_a.pk})
    assert response.status_code == 200
    scope = Scope(cast.coordinator_a, actor=cast.actor_a)
    assert response.content.decode() == CoopExport(scope, START, END).csv()
    other = client.get("/api/v1/coop/export/", {**query, "actor": cast.actor_b.pk})
    assert other.status_code == 404
    bad = client.get("/api/v1/coop/export/", {"start": "hier", "end": END.isoformat()})
    assert bad.status_code == 400
