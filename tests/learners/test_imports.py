"""Spreadsheets in and out: an export imported back restores exactly what it holds; a file
with one bad row imports nothing and says which line, column and why; duplicates and
unknown references are reported; big files go through the worker."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from learners import imports, writing
from learners.models import (
    AccessLog,
    CompetenceAssessment,
    ImportJob,
    Participation,
    Resident,
    Session,
)
from learners.resources import SESSION_COLUMNS
from learners.sheets import open_rows
from learners.writing import FirstVisits
from learners.writing.writer import PARTICIPATION_ROW
from pathway.models import Actor, Module
from stats.demo.factories import (
    CompetenceAssessmentFactory,
    ModuleFactory,
    OperatorFactory,
    ParticipationFactory,
    ResidentFactory,
    SessionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def export_csv(kind, user):
    return imports.export(imports.KINDS[kind], user=user, file_format="csv")


def rows_of(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def as_csv(rows, delimiter=","):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def run(kind, content, user, *, dry_run=False, name="fichier.csv"):
    dataset = imports.read_dataset(content, name)
    return imports.run_import(imports.KINDS[kind], dataset, user=user, dry_run=dry_run)


@pytest.fixture
def history(cast):
    """A month of sessions of actor A: paperwork with outcomes, a workshop with levels."""
    caf = OperatorFactory(name="CAF")
    topic = TopicFactory(pole="necessity", name="Allocations CAF", operator=caf)
    module = ModuleFactory(name="Se protéger en ligne", targets={"4.1": 2, "4.2": 3})
    other = ResidentFactory(created_by_actor=cast.actor_a, last_name="Benali")
    paperwork = SessionFactory(
        actor=cast.actor_a,
        created_by=cast.mediator_a,
        place=cast.place_a,
        date=YESTERDAY - datetime.timedelta(days=3),
        start_time=datetime.time(9, 30),
        equipment=["computer", "printer"],
        notes="Dossier APL, « urgent »; à revoir",
    )
    paperwork.topics.add(topic)
    ParticipationFactory(
        session=paperwork,
        resident=cast.resident,
        autonomy=1,
        operator=caf,
        paperwork_result="blocked",
        blocked_reason="franceconnect",
    )
    workshop = SessionFactory(
        actor=cast.actor_a,
        created_by=cast.mediator_a,
        date=YESTERDAY,
        pole="achievement",
        module=module,
        collective=True,
        workshop_title="Mots de passe",
        workshop_level="beginner",
        unregistered_count=2,
    )
    for resident, levels in [(cast.resident, {"4.1": 3}), (other, {"4.1": 2, "4.2": 2})]:
        ParticipationFactory(session=workshop, resident=resident, autonomy=2)
        for code, level in levels.items():
            CompetenceAssessmentFactory(
                resident=resident,
                competence=module.targets.get(competence__code=code).competence,
                level=level,
                assessed_on=workshop.date,
                assessed_by=cast.mediator_a,
                session=workshop,
            )
    return {"paperwork": paperwork, "workshop": workshop, "module": module, "other": other}


# Round trips ------------------------------------------------------------------------------


def test_an_export_of_sessions_imported_back_restores_them_exactly(cast, history):
    exported = export_csv("sessions", cast.mediator_a)
    rows = rows_of(exported)
    assert [r[SESSION_COLUMNS["participants"]] for r in rows] == [
        cast.resident.reference,
        f"{cast.resident.reference}|{history['other'].reference}",
    ]
    assert rows[0]["date"] == (YESTERDAY - datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    assert rows[0][SESSION_COLUMNS["blocked_reason"]] == "FranceConnect ou identifiants"
    assert rows[1][SESSION_COLUMNS["levels"]] == "4.1=3|4.1=2 4.2=2"

    # Imported as it is: nothing to change.
    report = run("sessions", exported, cast.mediator_a)
    assert (report["new"], report["update"], report["skip"], report["errors"]) == (0, 0, 2, [])

    # Someone changes the sessions through the app…
    workshop = history["workshop"]
    workshop.duration_minutes = 30
    workshop.save()
    Participation.objects.filter(session=workshop).update(autonomy=3)
    CompetenceAssessment.objects.filter(session=workshop).update(level=8)
    history["paperwork"].topics.clear()

    # …and the file puts them back exactly as they were exported.
    report = run("sessions", exported, cast.mediator_a)
    assert (report["update"], report["errors"]) == (2, [])
    assert export_csv("sessions", cast.mediator_a) == exported
    cast.resident.refresh_from_db()
    assert cast.resident.session_count == 2  # journeys kept right by participations_changed


def test_sessions_exported_then_imported_as_new_ones_are_the_same(cast, history):
    exported = rows_of(export_csv("sessions", cast.mediator_a))
    for session in Session.objects.all():
        session.delete()
    for row in exported:
        row[SESSION_COLUMNS["id"]] = ""
    report = run("sessions", as_csv(exported), cast.mediator_a)
    assert (report["new"], report["errors"]) == (2, [])
    again = rows_of(export_csv("sessions", cast.mediator_a))
    ignore = {SESSION_COLUMNS["id"]}
    assert [{k: v for k, v in r.items() if k not in ignore} for r in again] == [
        {k: v for k, v in r.items() if k not in ignore} for r in exported
    ]


@pytest.mark.parametrize("kind", ["actors", "places", "modules", "residents", "assessments"])
def test_every_other_export_round_trips(cast, history, kind):
    exported = export_csv(kind, cast.network_admin)
    assert len(rows_of(exported)) >= 1
    report = run(kind, exported, cast.network_admin)
    assert report["errors"] == [] and report["new"] == report["update"] == 0
    assert export_csv(kind, cast.network_admin) == exported


def test_residents_are_restored_from_their_export(cast):
    ResidentFactory(created_by_actor=cast.actor_a, last_name="Martin", first_name="Léa")
    exported = export_csv("residents", cast.mediator_a)
    Resident.objects.filter(last_name="Martin").update(
        first_name="Lea", birth_year=None, phone="0600000000", social_status="retired"
    )
    report = run("residents", exported, cast.mediator_a)
    assert (report["update"], report["skip"], report["errors"]) == (1, 1, [])
    assert export_csv("residents", cast.mediator_a) == exported
    martin = Resident.objects.get(last_name="Martin")
    assert martin.search_first == "lea" and martin.first_name == "Léa"


def test_an_xlsx_file_with_french_dates_is_read(cast, history):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["date", "heure", "durée (minutes)", "structure", "pôle", "participants (références)"]
    )
    sheet.append([datetime.datetime(2026, 3, 2), "14h30", 45, cast.actor_a.siret, "necessity", ""])
    sheet.append(
        [
            "03/03/2026",
            datetime.time(9, 0),
            "60",
            "france services de miramas",
            "Numérique nécessité",
            cast.resident.reference.lower(),
        ]
    )
    sheet.append(["4/3/26", "", 30.0, cast.actor_a.name, "necessity", cast.resident.reference])
    content = io.BytesIO()
    book.save(content)

    report = run("sessions", content.getvalue(), cast.mediator_a, name="historique.xlsx")
    # The first row names no one and counts no unregistered participant.
    assert report["errors"] == [
        {
            "row": 2,
            "column": "",
            "message": "Ajoutez au moins une personne, ou le nombre de participants non inscrits.",
        }
    ]
    book.active.cell(row=2, column=6, value=history["other"].reference)
    content = io.BytesIO()
    book.save(content)
    report = run("sessions", content.getvalue(), cast.mediator_a, name="historique.xlsx")
    assert (report["new"], report["errors"]) == (3, [])
    dates = set(
        Session.objects.filter(workshop_title="", date__year=2026, date__month=3).values_list(
            "date", "start_time"
        )
    )
    assert (datetime.date(2026, 3, 2), datetime.time(14, 30)) in dates
    assert (datetime.date(2026, 3, 4), None) in dates


def test_a_semicolon_separated_windows_file_is_read(cast):
    content = (
        "nom;prénom;année de naissance;quartier;situation;partage accepté\n"
        "Lefèvre;Agnès;1958;;Retraité;oui\n"
    ).encode("cp1252")
    report = run("residents", content, cast.mediator_a)
    assert (report["new"], report["errors"]) == (1, [])
    agnes = Resident.objects.get(last_name="Lefèvre")
    assert (agnes.first_name, agnes.social_status, agnes.sharing_consent) == (
        "Agnès",
        "retired",
        True,
    )
    assert agnes.created_by_actor == cast.actor_a and agnes.created_by == cast.mediator_a


# Errors -----------------------------------------------------------------------------------


def session_row(cast, **changes):
    row = dict.fromkeys(SESSION_COLUMNS.values(), "")
    row.update(
        {
            "date": "02/03/2026",
            "durée (minutes)": "60",
            "structure": cast.actor_a.name,
            "pôle": "Numérique nécessité",
            SESSION_COLUMNS["participants"]: cast.resident.reference,
        }
    )
    row.update({SESSION_COLUMNS.get(k, k): v for k, v in changes.items()})
    return row


def test_one_bad_row_imports_nothing_and_is_reported(cast):
    rows = [session_row(cast) for _ in range(3)]
    rows[1]["date"] = "31/02/2026"
    rows[1]["durée (minutes)"] = "une heure"
    rows[2]["heure"] = "10:00"
    report = run("sessions", as_csv(rows), cast.mediator_a)
    assert report["errors"] == [
        {
            "row": 3,
            "column": "date",
            "message": "date illisible « 31/02/2026 » : écrivez-la JJ/MM/AAAA, par exemple "
            "14/03/2026",
        },
        {
            "row": 3,
            "column": "durée (minutes)",
            "message": "nombre entier attendu, pas « une heure »",
        },
    ]
    assert report["new"] == 2
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("identifiant", "99999999999999999999"),
        ("durée (minutes)", "inf"),
        ("durée (minutes)", "1e400"),
        ("participants non inscrits", "NaN"),
    ],
)
def test_numbers_no_database_can_hold_are_reported(cast, column, value):
    # Found by tests/test_fuzz.py: these were server errors.
    row = session_row(cast)
    row[column] = value
    report = run("sessions", as_csv([row]), cast.mediator_a)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, column)]
    assert not Session.objects.exists()


def test_rows_that_break_the_rules_of_a_session_are_reported(cast):
    future = timezone.localdate() + datetime.timedelta(days=3)
    rows = [
        session_row(cast, paperwork_result="Bloquée"),
        session_row(cast, date=future.strftime("%d/%m/%Y")),
        session_row(cast, heure="10:00", blocked_reason="Autre raison"),
        session_row(cast, heure="11:00", pôle="Numérique loisir et médiation", organisme="CAF"),
    ]
    report = run("sessions", as_csv(rows), cast.mediator_a)
    assert [(e["row"], e["column"], e["message"]) for e in report["errors"]] == [
        (2, "raison du blocage", "indiquez ce qui bloque la démarche"),
        (3, "", "La date ne peut pas être dans le futur."),
        (4, "", "La raison du blocage va avec une démarche bloquée."),
        (5, "organisme", "organisme inconnu « CAF »"),
    ]
    assert not Session.objects.exists()


def test_unknown_references_and_duplicates_are_reported(cast):
    hidden = ResidentFactory(created_by_actor=cast.actor_b)  # not shared with actor A
    rows = [
        session_row(cast),
        session_row(cast),  # the same session twice
        session_row(cast, participants=f"HZZZZZZZ|{hidden.reference}", heure="10:00"),
        session_row(cast, structure=cast.actor_b.name, heure="11:00"),
        session_row(cast, id="999999", heure="12:00"),
    ]
    report = run("sessions", as_csv(rows), cast.mediator_a)
    assert [(e["row"], e["column"], e["message"]) for e in report["errors"]] == [
        (3, "", "ligne en double : même accompagnement qu'à la ligne 2"),
        (4, "participants (références)", "aucune fiche accessible n'a la référence « HZZZZZZZ »"),
        (
            4,
            "participants (références)",
            f"aucune fiche accessible n'a la référence « {hidden.reference} »",
        ),
        (5, "structure", f"« {cast.actor_b.name} » n'est pas une de vos structures (nom ou SIRET)"),
        (6, "identifiant", "aucun accompagnement accessible n'a l'identifiant « 999999 »"),
    ]
    assert not Session.objects.exists()


def test_residents_duplicates_and_unknown_references_are_reported(cast):
    content = as_csv(
        [
            {
                "référence": "",
                "nom": "Garnier",
                "prénom": "Éloïse",
                "année de naissance": str(cast.resident.birth_year),
            },
            {"référence": "", "nom": "Nouveau", "prénom": "Noé", "année de naissance": "1990"},
            {"référence": "", "nom": "NOUVEAU", "prénom": "Noe", "année de naissance": "1990"},
            {"référence": "HQQQQQQQ", "nom": "Inconnu", "prénom": "X", "année de naissance": ""},
            {"référence": "", "nom": "Futur", "prénom": "Y", "année de naissance": "2999"},
        ]
    )
    report = run("residents", content, cast.mediator_a)
    assert [(e["row"], e["column"], e["message"]) for e in report["errors"]] == [
        (
            2,
            "",
            f"cette personne a déjà une fiche ({cast.resident.reference}) : indiquez sa référence "
            "pour la mettre à jour",
        ),
        (4, "", "ligne en double : même personne qu'à la ligne 3"),
        (5, "référence", "aucune fiche accessible n'a la référence « HQQQQQQQ »"),
        (6, "année de naissance", "l'année de naissance ne peut pas être dans le futur"),
    ]
    assert Resident.objects.count() == 1


def test_a_file_without_the_needed_columns_is_refused(cast):
    report = run("sessions", b"jour,structure\n01/02/2026,X\n", cast.mediator_a)
    assert report["errors"][0]["message"].startswith(
        "Colonnes manquantes : « date », « durée (minutes) », « pôle »."
    )


def test_a_user_cannot_import_for_another_actor(cast):
    content = as_csv([{"nom": "Roux", "prénom": "Ana", "structure d'accueil": cast.actor_b.name}])
    report = run("residents", content, cast.mediator_a)
    assert report["errors"] == [
        {
            "row": 2,
            "column": "",
            "message": "Choisissez une de vos structures comme structure d'accueil.",
        }
    ]
    content = as_csv([{"nom": "Association Nouvelle", "type": "Association"}])
    report = run("actors", content, cast.coordinator_a)
    assert [e["message"] for e in report["errors"]] == [
        "Seule la coordination du réseau importe des structures."
    ]
    assert not Actor.objects.filter(name="Association Nouvelle").exists()


# Exports ----------------------------------------------------------------------------------


def test_exports_hold_only_what_the_user_may_see_and_are_journaled(cast, history):
    client = cast.client("mediator_b")
    response = client.get("/exports/residents.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="residents-')
    assert rows_of(response.content) == []
    assert rows_of(client.get("/exports/sessions.csv").content) == []
    client = cast.client("colleague_a")
    residents = rows_of(client.get("/exports/residents.csv").content)
    assert {r["référence"] for r in residents} == {
        cast.resident.reference,
        history["other"].reference,
    }
    # One journal row per export, naming every resident in the file.
    exported = AccessLog.objects.get(user=cast.colleague_a, action="export")
    assert set(exported.residents.split()) == {cast.resident.reference, history["other"].reference}
    sessions = openpyxl.load_workbook(io.BytesIO(client.get("/exports/sessions.xlsx").content))
    assert sessions.active.max_row == 3  # headers and two sessions
    data = client.get("/exports/assessments.json").json()
    assert {row["compétence"] for row in data} == {"4.1", "4.2"}
    assert cast.client("official").get("/exports/residents.csv").status_code == 404
    assert client.get("/exports/residents.pdf").status_code == 404


# The pages, the worker, the files ----------------------------------------------------------


def upload(client, kind, content, name="fichier.csv"):
    return client.post("/imports/", {"kind": kind, "file": SimpleUploadedFile(name, content)})


def test_a_small_file_is_checked_then_imported_once_confirmed(cast):
    client = cast.client("mediator_a")
    response = upload(client, "residents", as_csv([{"nom": "Haddad", "prénom": "Karim"}]))
    job = ImportJob.objects.get()
    assert response.url == f"/imports/{job.pk}/"
    page = client.get(response.url).content.decode()
    assert "Le fichier est correct" in page and "Haddad" in page
    assert job.status == "checked" and job.report["new"] == 1
    assert not Resident.objects.filter(last_name="Haddad").exists()  # a dry run
    assert job.file

    client.post(f"/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "done" and not job.file  # the file is deleted once imported
    assert Resident.objects.filter(last_name="Haddad", created_by_actor=cast.actor_a).exists()
    # Nobody else sees it; it cannot be imported twice.
    assert cast.client("colleague_a").get(f"/imports/{job.pk}/").status_code == 404
    client.post(f"/imports/{job.pk}/confirm/")
    assert Resident.objects.filter(last_name="Haddad").count() == 1


def test_a_file_with_errors_cannot_be_confirmed(cast):
    client = cast.client("mediator_a")
    upload(
        client, "residents", as_csv([{"nom": "Haddad", "prénom": "K", "année de naissance": "19x"}])
    )
    job = ImportJob.objects.get()
    assert job.status == "refused" and not job.file
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "nombre entier attendu, pas « 19x »" in page
    client.post(f"/imports/{job.pk}/confirm/")
    assert not Resident.objects.filter(last_name="Haddad").exists()


def test_an_unreadable_file_is_refused_with_a_clear_message(cast):
    response = upload(cast.client("mediator_a"), "residents", b"\x00\x01", name="photo.png")
    assert response.status_code == 200
    assert "Envoyez un fichier CSV ou XLSX (tableur)." in response.content.decode()
    assert not ImportJob.objects.exists()


def run_worker(monkeypatch):
    """The real worker, until no task is left. Between tasks it closes the connections a
    long-running process may have lost; here that would close the test's transaction."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)


def test_a_big_file_is_checked_and_imported_by_the_worker(cast, settings, monkeypatch):
    settings.IMPORT_BACKGROUND_ROWS = 2
    client = cast.client("mediator_a")
    rows = [
        {"nom": f"Nom{n}", "prénom": "Test", "année de naissance": str(1950 + n)} for n in range(5)
    ]
    upload(client, "residents", as_csv(rows))
    job = ImportJob.objects.get()
    assert job.status == "checking"  # not in the request
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "<progress" in page and "import_progress.js" in page
    progress = client.get(f"/imports/{job.pk}/?progress=1").json()
    # The request read no more than IMPORT_BACKGROUND_ROWS lines: the worker counts them.
    assert progress == {"status": "checking", "running": True, "done": 0, "total": 0}

    run_worker(monkeypatch)
    job.refresh_from_db()
    assert (job.status, job.report["new"], job.total_rows) == ("checked", 5, 5)
    client.post(f"/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "importing"
    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.status == "done" and not job.file
    assert Resident.objects.filter(first_name="Test").count() == 5


def test_files_left_behind_are_deleted_after_a_day(cast):
    client = cast.client("mediator_a")
    upload(client, "residents", as_csv([{"nom": "Oubli", "prénom": "A"}]))
    job = ImportJob.objects.get()
    path = job.file.path
    imports.job_purge_stale(now=timezone.now() + datetime.timedelta(hours=23))
    job.refresh_from_db()
    assert job.file
    imports.job_purge_stale(now=timezone.now() + datetime.timedelta(days=1, minutes=1))
    job.refresh_from_db()
    assert not job.file
    import os

    assert not os.path.exists(path)


def test_the_worker_deletes_the_file_a_day_after_the_upload(cast, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    upload(cast.client("mediator_a"), "residents", as_csv([{"nom": "Oubli", "prénom": "A"}]))
    job = ImportJob.objects.get()
    purge = DBTaskResult.objects.get(task_path="learners.imports.file_purge")
    assert purge.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert purge.run_after > timezone.now() + datetime.timedelta(hours=23)
    DBTaskResult.objects.filter(pk=purge.pk).update(run_after=timezone.now())
    run_worker(monkeypatch)
    job.refresh_from_db()
    assert not job.file


def test_the_admin_checks_then_imports(cast):
    client = cast.client("network_admin")
    content = as_csv([{"nom": "Association Nouvelle", "type": "Association", "SIRET": ""}])
    response = client.post(
        "/admin/learners/importjob/add/",
        {"kind": "actors", "file": SimpleUploadedFile("structures.csv", content)},
    )
    job = ImportJob.objects.get()
    assert response.url == f"/admin/learners/importjob/{job.pk}/change/"
    page = client.get(response.url).content.decode()
    assert "Association Nouvelle" in page and "à ajouter" in page
    assert not Actor.objects.filter(name="Association Nouvelle").exists()
    client.post("/admin/learners/importjob/", {"action": "confirm", "_selected_action": [job.pk]})
    assert Actor.objects.get(name="Association Nouvelle").slug == "association-nouvelle"


def test_a_module_is_imported_with_its_competences(cast):
    content = as_csv(
        [
            {
                "nom": "Bureautique",
                "structure": cast.actor_a.name,
                "durée (heures)": "12,5",
                "compétences visées (code=niveau)": "3.1=3|1.2=2",
            }
        ]
    )
    report = run("modules", content, cast.coordinator_a)
    assert report["errors"] == []
    module = Module.objects.get(name="Bureautique")
    assert str(module.hours) == "12.5"
    assert {(t.competence.code, t.target_level) for t in module.targets.all()} == {
        ("3.1", 3),
        ("1.2", 2),
    }


# The command ------------------------------------------------------------------------------


def test_the_command_imports_with_a_progress_bar(cast, tmp_path, capsys):
    path = tmp_path / "habitants.csv"
    path.write_bytes(as_csv([{"nom": "Cmd", "prénom": "Test"}]))
    call_command("import_data", "residents", str(path), "--user", "mediator_a")
    out, err = capsys.readouterr()
    assert "1 à ajouter" in out and "Importé" in out
    assert "[##############################] 100%" in err
    assert Resident.objects.filter(last_name="Cmd").exists()


def test_the_command_stops_on_errors(cast, tmp_path, capsys):
    path = tmp_path / "habitants.csv"
    path.write_bytes(as_csv([{"nom": "Cmd", "prénom": "Test", "année de naissance": "x"}]))
    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import_data", "residents", str(path), "--user", "mediator_a")
    assert (
        "ligne 2, colonne « année de naissance » : nombre entier attendu" in capsys.readouterr().err
    )
    assert not Resident.objects.filter(last_name="Cmd").exists()


def test_bulk_and_row_by_row_imports_write_the_same(cast, history):
    exported = rows_of(export_csv("sessions", cast.mediator_a))
    for row in exported:
        row[SESSION_COLUMNS["id"]] = ""
        row["date"] = "01/03/2026"
    content = as_csv(exported)

    def snapshot():
        return sorted(
            (
                p.resident_id,
                p.autonomy,
                p.operator_id,
                p.paperwork_result,
                p.session.duration_minutes,
            )
            for p in Participation.objects.filter(date=datetime.date(2026, 3, 1))
        )

    dataset = imports.read_dataset(content, "f.csv")
    kind = imports.KINDS["sessions"]
    imports.run_import(kind, dataset, user=cast.mediator_a, dry_run=False, fast=False)
    slow = snapshot()
    Session.objects.filter(date=datetime.date(2026, 3, 1)).delete()
    imports.run_import(kind, dataset, user=cast.mediator_a, dry_run=False, fast=True)
    assert snapshot() == slow and len(slow) == 3


def test_places_of_an_actor_without_siret_come_back(cast):
    Actor.objects.filter(pk=cast.actor_a.pk).update(siret="")
    exported = export_csv("places", cast.network_admin)
    assert rows_of(exported)[0]["pivot"] == cast.actor_a.name
    report = run("places", exported, cast.network_admin)
    assert (report["errors"], report["skip"]) == ([], 1)
    # A coordinator imports the places of their own actor only.
    report = run("places", exported, cast.coordinator_a)
    assert report["errors"] == []
    rows = rows_of(exported)
    rows[0]["pivot"], rows[0]["nom"] = cast.actor_b.siret, "Annexe"
    report = run("places", as_csv(rows), cast.coordinator_a)
    assert [e["message"] for e in report["errors"]] == [
        "Vous ne pouvez importer que les lieux des structures que vous coordonnez."
    ]


def test_many_participations_are_marked_first_visits_as_they_are_written(cast):
    """The writer marks the first visits of the many participations it writes (FirstVisits):
    participations_changed() then finds little to rewrite after an import. A participation is
    the first at its actor when none stored, nor one written before it, comes earlier."""
    day, one = datetime.date(2024, 5, 10), datetime.timedelta(days=1)
    ParticipationFactory(
        resident=cast.resident,
        session=SessionFactory(actor=cast.actor_a, date=day, created_by=cast.mediator_a),
    )
    other = ResidentFactory(created_by_actor=cast.actor_a)
    mark = PARTICIPATION_ROW.index("is_first_visit")

    def row(resident, actor, date):
        values = dict.fromkeys(PARTICIPATION_ROW)
        values.update(resident_id=resident.pk, actor_id=actor.pk, date=date, is_first_visit=False)
        return tuple(values[name] for name in PARTICIPATION_ROW)

    visits = FirstVisits()
    rows = [
        row(cast.resident, cast.actor_a, day + one),  # after the one stored
        row(cast.resident, cast.actor_b, day + one),  # the first at the other actor
        row(other, cast.actor_a, day),  # first, until…
        row(other, cast.actor_a, day - one),  # … an earlier one comes
        row(other, cast.actor_a, day - one),  # the same day, written after
    ]
    assert [r[mark] for r in visits.mark(rows)] == [False, True, False, True, False]
    # The next batch of the same import: what the first one wrote counts.
    rows = [row(other, cast.actor_b, day), row(cast.resident, cast.actor_b, day + one)]
    assert [r[mark] for r in visits.mark(rows)] == [True, False]


def test_a_sessions_file_is_read_as_its_rows_are_imported(cast, tmp_path, monkeypatch):
    """The import holds a batch of rows, never the whole file (sheets.open_rows): when the
    first batch is written, the rows after it are not read yet."""
    from learners.resources import sessions as front_end

    monkeypatch.setattr(front_end, "IMPORT_BATCH", 2)
    path = tmp_path / "accompagnements.csv"
    path.write_bytes(as_csv([session_row(cast, start_time=f"{9 + n}:00") for n in range(5)]))
    read_when_written, opened = [], []
    monkeypatch.setattr(
        imports,
        "open_rows",
        lambda *args, **kw: opened.append(open_rows(*args, **kw)) or opened[-1],
    )

    def sessions_write(drafts, **options):
        read_when_written.append(len(opened[-1]))
        return writing.sessions_write(drafts, **options)

    monkeypatch.setattr(front_end, "sessions_write", sessions_write)
    report = imports.import_file(
        imports.KINDS["sessions"], path, path.name, user=cast.mediator_a, dry_run=False
    )
    assert (report["errors"], report["new"], report["total"]) == ([], 5, 5)
    assert read_when_written == [2, 4, 5]
    assert Session.objects.count() == 5


def test_a_file_refused_half_way_through_writes_nothing(cast, tmp_path, monkeypatch, settings):
    """A limit met after some batches were written (here, too many lines) undoes them."""
    from learners.resources import sessions as front_end

    monkeypatch.setattr(front_end, "IMPORT_BATCH", 2)
    settings.IMPORT_MAX_ROWS = 3
    path = tmp_path / "accompagnements.csv"
    path.write_bytes(as_csv([session_row(cast, start_time=f"{9 + n}:00") for n in range(5)]))
    with pytest.raises(imports.FileError, match="plus de 3 lignes"):
        imports.import_file(
            imports.KINDS["sessions"], path, path.name, user=cast.mediator_a, dry_run=False
        )
    assert not Session.objects.exists()
