"""/open-data/places.csv and .json validate against the national schema (checked with
frictionless and the schema file itself); places that would break it are left out and
listed; places can be imported from a file of the standard."""

import csv
import io
import json

import pytest
import tablib
from django.test import Client
from frictionless import Schema
from frictionless.resources import TableResource

from pathway import opendata
from pathway.models import Fee, Place, Service
from stats.demo.factories import ActorFactory, PlaceFactory, TownFactory

pytestmark = pytest.mark.django_db


def validate(content, filename, tmp_path):
    """The frictionless report of a file checked against the standard's schema."""
    (tmp_path / filename).write_bytes(content)
    schema = Schema.from_descriptor(json.loads(opendata.SCHEMA_PATH.read_text(encoding="utf-8")))
    return TableResource(path=filename, basepath=str(tmp_path), schema=schema).validate()


def errors(report):
    return report.flatten(["rowNumber", "fieldName", "type"])


@pytest.fixture
def places(db):
    full = PlaceFactory(
        # Outside the numbers ActorFactory gives in turn (21130063000000 + n): the same
        # number, reached by a test run's n-th actor, made this fixture fail once on CI.
        actor=ActorFactory(name="Médiathèque intercommunale", siret="21130063090017"),
        name="Médiathèque — espace numérique",
        services=[Service.DAILY_TOOLS, Service.LEISURE],
        publics=["seniors", "job_seekers"],
        specific_care=["deafness"],
        fees=[Fee.FREE, Fee.PAID],
        national_programmes=["conseillers_numeriques"],
        support_modes=["collective", "self_service"],
        opening_hours="Tu,Th 14:00-18:00; We,Sa 10:00-12:30,14:00-18:00; PH off",
        accessibility_url="https://acceslibre.beta.gouv.fr/app/13-miramas/a/mediatheque/",
        appointment_url="https://www.rdv-solidarites.fr/",
        summary="Ordinateurs en accès libre et ateliers pour débuter.",
        address_complement="1er étage",
        is_mobile=True,
    )
    plain = PlaceFactory(actor=ActorFactory(name="Clic & Lien"), email="", website="")
    return full, plain


def test_the_csv_export_validates_against_the_national_schema(places, tmp_path):
    response = Client().get("/open-data/places.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"

    report = validate(response.content, "places.csv", tmp_path)

    assert report.valid, errors(report)
    assert report.task.stats["rows"] == 2
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    row = next(r for r in rows if r["nom"] == "Médiathèque — espace numérique")
    assert row["pivot"] == "21130063090017"
    assert (
        row["services"]
        == "Maîtrise des outils numériques du quotidien|Loisirs et créations numériques"
    )
    # "job seekers" is ours, not the standard's: left out of the export.
    assert row["publics_specifiquement_adresses"] == "Seniors"
    assert row["frais_a_charge"] == "Gratuit|Payant"
    assert row["horaires"] == "Tu,Th 14:00-18:00; We,Sa 10:00-12:30,14:00-18:00; PH off"
    assert row["itinerance"] == "Itinérant"
    assert row["telephone"].startswith("+33")


def test_the_json_export_validates_against_the_national_schema(places, tmp_path):
    response = Client().get("/open-data/places.json")
    assert response["Content-Type"] == "application/json; charset=utf-8"

    report = validate(response.content, "places.json", tmp_path)

    assert report.valid, errors(report)
    assert report.task.stats["rows"] == 2
    rows = json.loads(response.content)
    assert list(rows[0]) == opendata.column_names()
    assert isinstance(rows[0]["latitude"], float)


def test_the_validator_does_catch_a_broken_file(places, tmp_path):
    """The check above could not pass by accident: the same validator refuses a file with a
    bad postcode, a missing SIRET and a service outside the standard."""
    rows = json.loads(Client().get("/open-data/places.json").content)
    rows[0]["code_postal"] = "1314"
    rows[1]["pivot"] = None
    rows[1]["services"] = "Cuisine"
    report = validate(json.dumps(rows).encode(), "broken.json", tmp_path)
    assert not report.valid
    assert {(e[1], e[2]) for e in errors(report)} == {
        ("code_postal", "constraint-error"),
        ("pivot", "constraint-error"),
        ("services", "constraint-error"),
    }


def test_the_standards_own_example_file_passes_the_same_validator(tmp_path):
    report = validate(opendata.EXAMPLE_PATH.read_bytes(), "exemple.csv", tmp_path)
    assert report.valid, errors(report)
    assert report.task.stats["rows"] == 1


def test_places_that_would_break_the_export_are_left_out_and_listed(places, tmp_path, cast):
    no_service = PlaceFactory(name="Sans service", services=[])
    no_siret = PlaceFactory(name="Sans SIRET", actor=ActorFactory(name="Asso sans SIRET", siret=""))
    bad_phone = PlaceFactory(name="Mauvais téléphone", phone="12")
    Place.objects.filter(pk=bad_phone.pk).update(postcode="13140")

    rows, left_out = opendata.export_rows()

    assert {p.name for p, _problems in left_out} == {
        "Sans service",
        "Sans SIRET",
        "Mauvais téléphone",
    }
    problems = {p.name: problems for p, problems in left_out}
    assert problems["Sans service"] == ["aucun service coché"]
    assert problems["Sans SIRET"] == ["SIRET ou RNA ou RIDET manquant"]
    assert problems["Mauvais téléphone"] == ["Numéro de téléphone invalide (« 12 »)"]
    report = validate(Client().get("/open-data/places.csv").content, "places.csv", tmp_path)
    assert report.valid and report.task.stats["rows"] == len(rows)
    # The network admin finds them in the admin, with the reason.
    admin = cast.client("network_admin").get("/admin/pathway/place/?open_data=left_out")
    listed = admin.content.decode()
    assert "Sans service" in listed and "Sans SIRET" in listed and "aucun service coché" in listed
    assert "Médiathèque — espace numérique" not in listed
    assert no_service.pk and no_siret.pk


def test_structures_choose_whether_they_are_published(places):
    full, plain = places
    plain.actor.is_published = False
    plain.actor.save()
    full.is_published = False
    full.save()
    rows = json.loads(Client().get("/open-data/places.json").content)
    assert rows == []


STANDARD_FILE = (
    "id,pivot,nom,commune,code_postal,code_insee,adresse,latitude,longitude,telephone,"
    "courriels,horaires,services,publics_specifiquement_adresses,frais_a_charge,"
    "modalites_acces,itinerance,date_maj\n"
)


def import_file(body, *, dry_run=False):
    dataset = tablib.Dataset().load(STANDARD_FILE + body, format="csv")
    return opendata.PlaceResource().import_data(dataset, dry_run=dry_run, raise_errors=False)


def test_places_are_imported_from_a_file_of_the_standard():
    actor = ActorFactory(name="Anonymal", siret="43493312300029")
    result = import_file(
        "structure-1,43493312300029,Anonymal,Miramas,13140,13063,12 rue de la Paix,43.58,5.00,"
        "04 90 58 12 34,contact@anonymal.fr|autre@anonymal.fr,"
        '"Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00",'
        "Aide aux démarches administratives|Loisirs et créations numériques,Jeunes|Femmes,"
        "Gratuit,Se présenter|Téléphoner,Fixe,2024-04-02\n"
    )
    assert not result.has_errors() and not result.has_validation_errors()
    place = Place.objects.get(actor=actor, name="Anonymal")
    assert place.services == [Service.PAPERWORK, Service.LEISURE]
    assert place.poles == ["necessity", "leisure"]
    assert place.publics == ["young", "women"]
    assert place.phone == "+33490581234"
    assert place.email == "contact@anonymal.fr"
    assert place.opening_hours == "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00"
    # Importing the same file again updates the place rather than duplicating it.
    import_file(
        "structure-1,43493312300029,Anonymal,Miramas,13140,13063,14 rue de la Paix,43.58,5.00,"
        ",,,Aide aux démarches administratives,,,,,2024-05-02\n"
    )
    assert Place.objects.filter(actor=actor).count() == 1
    assert Place.objects.get(actor=actor).address == "14 rue de la Paix"


def test_a_file_with_one_bad_row_writes_nothing_and_says_why_in_french():
    ActorFactory(name="Anonymal", siret="43493312300029")
    result = import_file(
        "a,43493312300029,Bon lieu,Miramas,13140,13063,1 rue A,43.58,5.00,,,,"
        "Aide aux démarches administratives,,,,,2024-04-02\n"
        "b,43493312300029,Lieu à Madrid,Madrid,2801,13063,1 calle B,40.41,-3.70,12,,"
        "Mo-Fr 9h-12h,,,,,,2024-04-02\n"
        "c,99999999999999,Inconnu,Miramas,13140,13063,1 rue C,43.58,5.00,,,,"
        "Cuisine,,,,,2024-04-02\n"
    )
    assert result.has_validation_errors() or result.has_errors()
    assert Place.objects.count() == 0
    messages = " ".join(
        str(error) for row in result.invalid_rows for error in row.error_dict.values()
    ) + " ".join(str(e.error) for _line, errs in result.row_errors() for e in errs)
    for expected in [
        "5 chiffres",
        "pas en France",
        "pas un numéro français",
        "pas au bon format",
        "au moins un service",
        "SIRET",
        "Cuisine",
    ]:
        assert expected in messages, expected


def test_the_demo_town_fills_the_guide_with_valid_open_data(tmp_path):
    from pathway.models import PlannedWorkshop
    from stats.demo.town import seed

    seed(residents=40, sessions=80)

    rows, left_out = opendata.export_rows()
    assert left_out == []
    assert len(rows) >= 25
    assert any("PH off" in row["horaires"] and "Dec 24" in row["horaires"] for row in rows)
    assert {s for row in rows for s in row["services"].split("|")} >= {
        "Aide aux démarches administratives",
        "Insertion professionnelle via le numérique",
        "Loisirs et créations numériques",
    }
    report = validate(Client().get("/open-data/places.csv").content, "places.csv", tmp_path)
    assert report.valid, errors(report)
    assert PlannedWorkshop.objects.public().count() >= 5


def test_the_admin_offers_the_import_of_a_standard_file(cast):
    response = cast.client("network_admin").get("/admin/pathway/place/import/")
    assert response.status_code == 200
    assert "csv" in response.content.decode().lower()


def test_one_towns_open_data_still_validates_against_the_national_schema(two_towns, tmp_path):
    response = Client().get("/open-data/places.csv", {"commune": "13047"})
    assert response.status_code == 200
    report = validate(response.content, "places.csv", tmp_path)
    assert report.valid, errors(report)
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["nom"] for row in rows] == ["France services d'Istres"]
    # The town's network publishes it.
    assert rows[0]["source"] == "Réseau Parcours numérique d'Istres"
    # Without the parameter: every town, each place under its own network.
    everything = Client().get("/open-data/places.json").json()
    assert {row["nom"]: row["source"] for row in everything} == {
        "France services de Miramas": "Réseau Parcours numérique de Miramas",
        "France services d'Istres": "Réseau Parcours numérique d'Istres",
    }


def test_a_territorys_open_data_leaves_the_other_towns_out(two_towns, tmp_path):
    arles = TownFactory(insee_code="13004", name="Arles", postcode="13200")
    PlaceFactory(actor=ActorFactory(name="Médiathèque d'Arles", town=arles), city="Arles")
    response = Client().get(
        "/open-data/places.json", {"territoire": "metropole-aix-marseille-provence"}
    )
    assert response.status_code == 200
    report = validate(response.content, "places.json", tmp_path)
    assert report.valid, errors(report)
    assert {row["nom"] for row in json.loads(response.content)} == {
        "France services de Miramas",
        "France services d'Istres",
    }
    assert len(Client().get("/open-data/places.json").json()) == 3


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            {"commune": "13001"},
            "Aucune ville de ce réseau n'a le code INSEE « 13001 ». "
            "Codes possibles : 13047 (Istres), 13063 (Miramas).",
        ),
        ({"commune": "istres"}, "Aucune ville de ce réseau n'a le code INSEE « istres »."),
        (
            {"territoire": "provence"},
            "Aucun territoire « provence ». "
            "Territoires possibles : metropole-aix-marseille-provence.",
        ),
        ({"commune": "13047", "territoire": "x"}, "Choisissez une commune ou un territoire"),
    ],
)
def test_an_unknown_town_or_territory_is_refused_in_plain_french(two_towns, query, message):
    for url in ["/open-data/places.csv", "/open-data/places.json"]:
        response = Client().get(url, query)
        assert response.status_code == 400
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert message in response.content.decode()
