"""The coordination work (meetings held, participants, structures) exported in the Coop's
coordination vocabulary: codes, labels and headers checked against the Coop's own files
(vendored in network/data/coop/), the scope of each role, the period, CSV = XLSX."""

import csv
import datetime
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

import network
from network import coordination as c
from network.models import Meeting, MeetingKind, Registration
from pathway.spreadsheets import csv_value

pytestmark = pytest.mark.django_db

COOP = Path(network.__file__).parent / "data" / "coop"


def ts_options(file, name):
    """{value: label} of the `name` options array of a vendored Coop file."""
    text = (COOP / file).read_text(encoding="utf-8")
    start = text.index(f"export const {name}")
    opening = text.index("[", text.index("=", start))
    depth, end = 0, opening
    for end in range(opening, len(text)):
        depth += {"[": 1, "]": -1}.get(text[end], 0)
        if depth == 0:
            break
    body = text[opening:end]
    options = {}
    for match in re.finditer(r"label:\s*'((?:[^'\\]|\\.)*)'[^{}]*?value:\s*'([^']+)'", body, re.S):
        options[match.group(2)] = match.group(1)
    return options


def ts_headers():
    text = (COOP / "buildActivitesCoordinationWorksheet.ts").read_text(encoding="utf-8")
    block = text[
        text.index("const activitesTableHeaders = [") : text.index(
            "  ]\n", text.index("const activitesTableHeaders")
        )
    ]
    return re.findall(r"'([^']*)'", block)


def test_the_codes_and_labels_are_the_coops_own():
    assert ts_options("coordination_labels.ts", "TYPE_ACTIVITE_OPTIONS") == c.TYPE_ACTIVITE
    assert ts_options("animation_labels.ts", "TYPE_ANIMATION_OPTIONS") == c.TYPE_ANIMATION
    assert (
        ts_options("animation_labels.ts", "THEMATIQUE_ANIMATION_OPTIONS") == c.THEMATIQUE_ANIMATION
    )
    assert ts_options("evenement_labels.ts", "TYPE_EVENEMENT_OPTIONS") == c.TYPE_EVENEMENT
    assert ts_options("evenement_labels.ts", "ECHELON_TERRITORIAL_OPTIONS") == c.ECHELON_TERRITORIAL
    organisateurs = ts_options("evenement_labels.ts", "ORGANISATEURS_OPTIONS")
    assert c.ORGANISATEURS.items() <= organisateurs.items()
    assert ts_headers() == c.COOP_COLUMNS
    text = (COOP / "buildActivitesCoordinationWorksheet.ts").read_text(encoding="utf-8")
    assert f"addWorksheet('{c.SHEET}')" in text
    assert f"? '' : '{c.NOT_OF_THIS_TYPE}'" in text
    assert "`Autre : ${autre}`" in text  # our "Autre : <our label>"


def test_every_kind_of_ours_has_a_line_in_the_coops_vocabulary():
    assert set(c.KIND_MAP) == set(MeetingKind)
    for coop_type, code, theme, _exact in c.KIND_MAP.values():
        assert coop_type in c.TYPE_ACTIVITE and coop_type != "Partenariat"
        vocabulary = c.TYPE_ANIMATION if coop_type == "Animation" else c.TYPE_EVENEMENT
        assert code in vocabulary
        assert (theme in c.THEMATIQUE_ANIMATION) == (coop_type == "Animation")
    assert (COOP / "PROVENANCE.md").read_text().count("46aa33bdf21c42c2d5bbb2913f5c453cca5a9542")


def held(kind, title, day, *, by=None, hours=2, **fields):
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(14)))
    return Meeting.objects.create(
        kind=kind,
        title=title,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
        created_by=by,
        **fields,
    )


@pytest.fixture
def year(cast):
    """A year of the network's coordination, in 2025."""
    d = datetime.date
    copil = held(MeetingKind.STEERING, "Copil de printemps", d(2025, 3, 4), by=cast.network_admin)
    Registration.objects.create(meeting=copil, user=cast.mediator_a, attended=True)
    Registration.objects.create(meeting=copil, user=cast.coordinator_a, attended=True)
    Registration.objects.create(meeting=copil, user=cast.mediator_b, attended=False)
    Registration.objects.create(
        meeting=copil, name="Julie Martin", organisation="CCAS", email="j@ccas.fr", attended=True
    )
    training = held(
        MeetingKind.TRAINING, "Formation Pronote", d(2025, 5, 6), by=cast.coordinator_a, hours=3
    )
    Registration.objects.create(meeting=training, user=cast.colleague_a)
    assises = held(
        MeetingKind.ASSISES,
        "Assises du numérique 2025",
        d(2025, 11, 20),
        by=cast.network_admin,
        decisions="- Ouvrir un lieu le samedi\nFormer les agents d'accueil",
        minutes="Bilan partagé.",
    )
    for i in range(3):
        Registration.objects.create(
            meeting=assises, name=f"Invité {i}", email=f"i{i}@x.fr", organisation="Mairie"
        )
    webinar_b = held(MeetingKind.WEBINAR, "Webinaire de B", d(2025, 6, 1), by=cast.mediator_b)
    Registration.objects.create(meeting=webinar_b, user=cast.mediator_b)
    held(MeetingKind.EVENT, "Fête du numérique", d(2026, 1, 10), by=cast.network_admin)
    future = timezone.localdate() + datetime.timedelta(days=30)
    held(MeetingKind.COORDINATION, "Réunion à venir", future, by=cast.network_admin)
    return {"copil": copil, "training": training, "assises": assises, "webinar_b": webinar_b}


def by_id(export):
    columns = export.columns()
    return {
        row[columns.index("ID CRA")]: dict(zip(columns, row, strict=True)) for row in export.rows()
    }


def test_meetings_are_mapped_with_their_participants(cast, year):
    export = c.CoordinationExport(
        cast.network_admin, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    )
    rows = by_id(export)
    assert len(rows) == 4  # the 2026 event and the meeting to come are not of the period
    copil = rows[f"parcours-reunion-{year['copil'].pk}"]
    assert copil["Date de l’activité"] == datetime.date(2025, 3, 4)
    assert copil["Type"] == "Animation"
    assert copil["Type d’animation, type d’évènement, nature du partenariat"] == (
        "Comité technique / de pilotage"
    )
    assert copil["Thématique(s) d’animation"] == (
        "Maillage territorial - faire réseau / créer du lien"
    )
    assert copil["Durée (min.)"] == 120
    # Present: mediator_a, coordinator_a and a guest of the CCAS (mediator_b did not come).
    assert copil["Médiateur·ice·s numérique·s"] == 1
    assert copil["Autres acteur.trice.s"] == 2
    assert copil["Structure·s"] == 2
    assert copil["Structures représentées"] == "CCAS\nFrance services de Miramas"
    assert copil["Participants"] == copil["Nom de l’évènement"] == "/"
    assert copil["Structure·s partenaire·s (Nom)"] == "/"
    assert copil["Inscrits"] == 4
    assert copil["Correspondance avec la Coop"] == "Équivalent dans la Coop"

    training = rows[f"parcours-reunion-{year['training'].pk}"]
    assert training["Type d’animation, type d’évènement, nature du partenariat"] == (
        "Autre : Formation des médiateurs"
    )
    assert training["Type (Parcours numérique)"] == "Formation des médiateurs"
    assert training["Correspondance avec la Coop"].startswith("Pas d’équivalent dans la Coop")
    assert training["Présences notées"].startswith("non")  # participants = registered
    assert training["Médiateur·ice·s numérique·s"] == 1

    assises = rows[f"parcours-reunion-{year['assises'].pk}"]
    assert assises["Type"] == "Évènement"
    assert assises["Type d’animation, type d’évènement, nature du partenariat"].startswith(
        "Journée d’inclusion numérique"
    )
    assert assises["Participants"] == 3
    assert assises["Nom de l’évènement"] == "Assises du numérique 2025"
    assert assises["Organisé par"] == "Ma structure (moi - même)"
    assert assises["Échelon territorial de l’évènement ou du partenariat"] == "Communal"
    assert assises["Durée (min.)"] == assises["Thématique(s) d’animation"] == "/"
    assert assises["Notes"] == "Bilan partagé."
    assert assises["Décisions et engagements"] == (
        "Ouvrir un lieu le samedi\nFormer les agents d'accueil"
    )


def test_the_period_is_inclusive_and_only_meetings_held(cast, year):
    def titles(start, end):
        export = c.CoordinationExport(cast.network_admin, start, end)
        return [row[c.COOP_COLUMNS.index("ID CRA")] for row in export.rows()]

    d = datetime.date
    assert titles(d(2025, 3, 4), d(2025, 3, 4)) == [f"parcours-reunion-{year['copil'].pk}"]
    assert titles(d(2025, 3, 5), d(2025, 5, 5)) == []
    assert len(titles(d(2025, 1, 1), d(2026, 12, 31))) == 5
    assert len(titles(d(2025, 1, 1), timezone.localdate() + datetime.timedelta(days=60))) == 5


def test_a_coordinator_exports_their_actors_part(cast, year):
    export = c.CoordinationExport(
        cast.coordinator_a,
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
        actor=cast.actor_a,
    )
    ids = set(by_id(export))
    # Organised by A's coordinator, or where A's staff registered; not B's webinar, nor
    # the assises where nobody of A registered.
    assert ids == {
        f"parcours-reunion-{year['copil'].pk}",
        f"parcours-reunion-{year['training'].pk}",
    }
    training = by_id(export)[f"parcours-reunion-{year['training'].pk}"]
    assert training["Thématique(s) d’animation"] == "Projet / Parcours professionnel"
    with pytest.raises(Exception, match="pas exporter cette structure"):
        c.CoordinationExport(
            cast.coordinator_a,
            datetime.date(2025, 1, 1),
            datetime.date(2025, 12, 31),
            actor=cast.actor_b,
        )
    with pytest.raises(Exception, match="Choisissez votre structure"):
        c.CoordinationExport(
            cast.coordinator_a, datetime.date(2025, 1, 1), datetime.date(2025, 2, 1)
        )


def xlsx_table(content):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook[c.SHEET]
    assert workbook.sheetnames[1] == "À propos"
    return [
        [
            v.strftime("%d/%m/%Y")
            if isinstance(v, datetime.datetime)
            else ""
            if v is None
            else str(v)
            for v in row
        ]
        for row in sheet.iter_rows(values_only=True)
    ]


def csv_table(content):
    assert content.startswith("\ufeff")
    return [
        [csv_value(v) for v in row] for row in csv.reader(io.StringIO(content[1:]), delimiter=";")
    ]


def test_the_page_gives_the_same_table_in_csv_and_xlsx(cast, year):
    client = cast.client("network_admin")
    query = "/reseau/agenda/export/?start=2025-01-01&end=2025-12-31&actor=&file_format="
    xlsx = client.get(query + "xlsx")
    assert xlsx.status_code == 200
    assert (
        "parcours_activites-coordination_2025-01-01_2025-12-31.xlsx"
        in (xlsx["Content-Disposition"])
    )
    text = client.get(query + "csv").content.decode("utf-8")
    table = xlsx_table(xlsx.content)
    assert table == csv_table(text)
    assert table[0][:20] == c.COOP_COLUMNS
    assert len(table) == 5
    assert "04/03/2025" in {row[0] for row in table}


def test_only_the_network_admin_and_coordinators_export(cast, year):
    query = "/reseau/agenda/export/?start=2025-01-01&end=2025-12-31&file_format=csv"
    for role in ("mediator_a", "colleague_a", "mediator_b", "official", "ambassador"):
        assert cast.client(role).get(query).status_code == 404, role
    coordinator = cast.client("coordinator_a")
    page = coordinator.get("/reseau/agenda/export/")
    assert page.status_code == 200
    assert "Tout le réseau" not in page.content.decode()
    mine = coordinator.get(query + f"&actor={cast.actor_a.pk}")
    assert mine.status_code == 200 and len(csv_table(mine.content.decode())) == 3
    # Another actor, or the whole network: not a choice of theirs.
    refused = coordinator.get(query + f"&actor={cast.actor_b.pk}").content.decode()
    assert "Sélectionnez un choix valide" in refused
    refused = coordinator.get(query + "&actor=").content.decode()
    assert "Ce champ est obligatoire" in refused
    assert "Exporter le travail de coordination" in (
        cast.client("coordinator_a").get("/reseau/agenda/").content.decode()
    )
    assert "Exporter le travail de coordination" not in (
        cast.client("mediator_a").get("/reseau/agenda/").content.decode()
    )


def test_the_form_says_what_is_wrong_in_french(cast):
    client = cast.client("network_admin")
    page = client.get("/reseau/agenda/export/?start=2025-12-31&end=2025-01-01&file_format=csv")
    assert page.status_code == 200
    assert "La date de début est après la date de fin." in page.content.decode()
    page = client.get("/reseau/agenda/export/?start=2015-01-01&end=2025-01-01&file_format=csv")
    assert "cinq ans au plus" in page.content.decode()
    page = client.get("/reseau/agenda/export/?start=hier&end=2025-01-01&file_format=csv")
    assert "Saisissez une date valide" in page.content.decode()


def test_the_command_writes_both_files(cast, year, tmp_path):
    out = io.StringIO()
    call_command(
        "export_coordination",
        "--start=2025-01-01",
        "--end=2025-12-31",
        f"--output={tmp_path / 'a.xlsx'}",
        stdout=out,
    )
    assert "4 activités" in out.getvalue()
    call_command(
        "export_coordination",
        "--start=2025-01-01",
        "--end=2025-12-31",
        f"--output={tmp_path / 'a.csv'}",
        stdout=io.StringIO(),
    )
    assert xlsx_table((tmp_path / "a.xlsx").read_bytes()) == csv_table(
        (tmp_path / "a.csv").read_text(encoding="utf-8")
    )
    out = io.StringIO()
    call_command(
        "export_coordination",
        "--start=2025-01-01",
        "--end=2025-12-31",
        f"--actor={cast.actor_a.pk}",
        f"--output={tmp_path / 'b.csv'}",
        stdout=out,
    )
    assert "2 activités" in out.getvalue() and cast.actor_a.name in out.getvalue()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--start=2025-13-01", "--end=2025-12-31"], "Date invalide « 2025-13-01 »"),
        (["--start=2025-12-31", "--end=2025-01-01"], "La date de début est après la date de fin"),
        (["--start=2025-01-01", "--end=2025-12-31", "--actor=999999"], "Structure inconnue"),
        (["--start=2025-01-01", "--end=2025-12-31", "--actor=abc"], "Structure inconnue"),
    ],
)
def test_the_command_refuses_wrong_input_in_french(cast, tmp_path, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_coordination", *arguments, f"--output={tmp_path / 'x.csv'}")


def test_the_command_refuses_an_unknown_format_or_folder(cast, tmp_path):
    with pytest.raises(CommandError, match=r"\.xlsx ou \.csv"):
        call_command(
            "export_coordination", "--start=2025-01-01", "--end=2025-01-02", "--output=x.pdf"
        )
    with pytest.raises(CommandError, match="Dossier introuvable"):
        call_command(
            "export_coordination",
            "--start=2025-01-01",
            "--end=2025-01-02",
            f"--output={tmp_path / 'nope' / 'x.csv'}",
        )


def test_a_cell_that_looks_like_a_formula_stays_text(cast, year):
    year["copil"].minutes = '=HYPERLINK("http://x")'
    year["copil"].save()
    export = c.CoordinationExport(
        cast.network_admin, datetime.date(2025, 3, 4), datetime.date(2025, 3, 4)
    )
    assert "'=HYPERLINK" in export.csv()
    assert xlsx_table(export.xlsx())[1][16] == '=HYPERLINK("http://x")'


def test_the_number_of_queries_does_not_grow_with_the_meetings(cast, year):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        export = c.CoordinationExport(
            cast.network_admin, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
        )
        with CaptureQueriesContext(connection) as captured:
            rows = list(export.rows())
        return len(rows), len(captured)

    few = queries()
    for day in range(1, 20):
        meeting = held(
            MeetingKind.COORDINATION,
            f"Réunion {day}",
            datetime.date(2025, 2, day),
            by=cast.mediator_b,
        )
        Registration.objects.create(meeting=meeting, user=cast.mediator_a, attended=True)
        Registration.objects.create(meeting=meeting, name="Invité", email="x@y.fr")
    many = queries()
    assert many[0] == few[0] + 19
    assert many[1] == few[1]
