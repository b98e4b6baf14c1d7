"""Importing a Pix Orga campaign's results (dry run, row errors, all or nothing, the same
file twice), and Pix levels on the journey: beside the assessed levels, modules to suggest,
"prêt pour la certification Pix" with the places that run it."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from certificates.models import PixImport, PixLevel, PixResult
from certificates.pix import pix_import
from learners.models import AccessLog
from learners.sheets import FileError
from pathway.models import Competence, NationalProgramme
from stats.demo.factories import ModuleFactory, PlaceFactory, ResidentFactory

pytestmark = pytest.mark.django_db

# The 16 competences as Pix names them in its exports (its own spelling: "multimedia",
# typographic apostrophes), in the order of its framework.
PIX_NAMES = [
    "Mener une recherche et une veille d’information",
    "Gérer des données",
    "Traiter des données",
    "Interagir",
    "Partager et publier",
    "Collaborer",
    "S’insérer dans le monde numérique",
    "Développer des documents textuels",
    "Développer des documents multimedia",
    "Adapter les documents à leur finalité",
    "Programmer",
    "Sécuriser l’environnement numérique",
    "Protéger les données personnelles et la vie privée",
    "Protéger la santé, le bien-être et l’environnement",
    "Résoudre des problèmes techniques",
    "Construire un environnement numérique",
]


def pix_csv(rows, *, reference="Référence Parcours", extra=()):
    """A results file as Pix Orga writes it: UTF-8 with a BOM, ";" separated, quoted.
    `rows`: dicts with last, first, ref, shared (bool), date, levels (16 values)."""
    headers = [
        "Nom de l'organisation",
        "ID Campagne",
        "Code",
        "Nom de la campagne",
        "Nom du Participant",
        "Prénom du Participant",
        *extra,
        *([reference] if reference else []),
        "Envoi (O/N)",
        "Date de l'envoi",
        "Nombre de pix total",
        "Certifiable (O/N)",
        "Nombre de compétences certifiables",
    ]
    for name in PIX_NAMES:
        headers += [f"Niveau pour la compétence {name}", f"Nombre de pix pour la compétence {name}"]
    lines = [headers]
    for row in rows:
        shared = row.get("shared", True)
        levels = row.get("levels", [2] * 16)
        line = [
            "Mission locale Ouest Provence",
            row.get("campaign", "4242"),
            "MLOP2026",
            "Compétences numériques 2026",
            row["last"],
            row["first"],
            *row.get("extra", ()),
            *([row.get("ref", "")] if reference else []),
            "Oui" if shared else "Non",
            row.get("date", "2026-11-03") if shared else "NA",
            str(sum(int(v) * 8 for v in levels if str(v).isdigit())) if shared else "NA",
            ("Oui" if sum(1 for v in levels if str(v).isdigit() and int(v) >= 1) >= 5 else "Non")
            if shared
            else "NA",
            "5" if shared else "NA",
        ]
        for level in levels:
            line += (
                [str(level), str(int(level) * 8 if str(level).isdigit() else "NA")]
                if shared
                else [
                    "NA",
                    "NA",
                ]
            )
        lines.append(line)
    text = "\n".join(";".join(f'"{cell}"' for cell in line) for line in lines) + "\n"
    return ("\ufeff" + text).encode("utf-8")


def run(cast, data, *, user=None, dry_run=False):
    return pix_import(
        source=data, file_name="resultats.csv", user=user or cast.mediator_a, dry_run=dry_run
    )


@pytest.fixture
def bernard(cast):
    return ResidentFactory(
        first_name="Bernard", last_name="Lefèvre", birth_year=1971, created_by_actor=cast.actor_a
    )


def test_the_dry_run_reports_each_line_and_writes_nothing(cast, bernard):
    data = pix_csv(
        [
            {"last": "Garnier", "first": "Éloïse", "ref": cast.resident.reference},
            {"last": "LEFEVRE", "first": "bernard", "ref": bernard.reference},
            {"last": "Durand", "first": "Paul", "shared": False},
        ]
    )
    report = run(cast, data, dry_run=True)
    assert [(line.number, line.outcome) for line in report.lines] == [
        (2, "new"),
        (3, "new"),
        (4, "skip"),
    ]
    assert report.lines[2].message == "n'a pas encore envoyé ses résultats : ligne ignorée"
    assert [line.resident for line in report.lines[:2]] == [cast.resident, bernard]
    assert not PixResult.objects.exists()


def test_the_import_stores_each_competence_level(cast):
    levels = [3, 2, 1, 4, 0, 0, 1, 5, 2, 0, 0, 2, 3, 1, 0, 0]
    data = pix_csv(
        [{"last": "Garnier", "first": "Éloïse", "ref": cast.resident.reference, "levels": levels}]
    )
    report = run(cast, data)
    assert report.imported
    result = PixResult.objects.get()
    assert (result.resident, result.campaign_id, result.campaign_code) == (
        cast.resident,
        "4242",
        "MLOP2026",
    )
    assert result.shared_on == datetime.date(2026, 11, 3)
    assert result.campaign_name == "Compétences numériques 2026"
    assert result.certifiable is True
    stored = dict(PixLevel.objects.values_list("competence__code", "level"))
    codes = list(Competence.objects.order_by("code").values_list("code", flat=True))
    assert stored == dict(zip(codes, levels, strict=True))
    # "Développer des documents multimedia" (Pix) is the CRCN's 3.2 "multimédia".
    assert PixLevel.objects.get(competence__code="3.2").pix == 16
    assert AccessLog.objects.filter(residents__contains=cast.resident.reference).exists()


def test_the_same_file_twice_changes_nothing(cast, bernard):
    data = pix_csv(
        [
            {"last": "Garnier", "first": "Éloïse", "ref": cast.resident.reference},
            {"last": "Lefèvre", "first": "Bernard", "ref": bernard.reference},
        ]
    )
    run(cast, data)
    before = list(PixResult.objects.values_list("pk", "imported_at").order_by("pk"))
    levels_before = list(PixLevel.objects.values_list("pk", "level").order_by("pk"))

    again = run(cast, data)
    assert [line.outcome for line in again.lines] == ["unchanged", "unchanged"]
    assert list(PixResult.objects.values_list("pk", "imported_at").order_by("pk")) == before
    assert list(PixLevel.objects.values_list("pk", "level").order_by("pk")) == levels_before


def test_a_new_sending_is_a_new_result_and_a_corrected_one_an_update(cast):
    run(cast, pix_csv([{"last": "Garnier", "first": "Éloïse", "ref": cast.resident.reference}]))
    later = pix_csv(
        [
            {
                "last": "Garnier",
                "first": "Éloïse",
                "ref": cast.resident.reference,
                "date": "2026-12-01",
                "levels": [3] * 16,
            }
        ]
    )
    assert [line.outcome for line in run(cast, later).lines] == ["new"]
    corrected = pix_csv(
        [
            {
                "last": "Garnier",
                "first": "Éloïse",
                "ref": cast.resident.reference,
                "date": "2026-12-01",
                "levels": [4] * 16,
            }
        ]
    )
    assert [line.outcome for line in run(cast, corrected).lines] == ["update"]
    assert PixResult.objects.count() == 2
    latest = PixResult.objects.get(shared_on=datetime.date(2026, 12, 1))
    assert set(latest.levels.values_list("level", flat=True)) == {4}
    assert latest.levels.count() == 16


def test_matching_by_name_and_birth_year(cast, bernard):
    ResidentFactory(
        first_name="Bernard", last_name="Lefèvre", birth_year=1985, created_by_actor=cast.actor_a
    )
    data = pix_csv(
        [{"last": "LEFEVRE", "first": "Bernard", "extra": ["1971"]}],
        reference=None,
        extra=["Année de naissance"],
    )
    report = run(cast, data)
    assert report.imported
    assert PixResult.objects.get().resident == bernard


def test_every_wrong_line_is_reported_and_nothing_is_written(cast, bernard):
    ResidentFactory(
        first_name="Bernard", last_name="Lefèvre", birth_year=1971, created_by_actor=cast.actor_a
    )
    outsider = ResidentFactory(first_name="Zoé", last_name="Martin", created_by_actor=cast.actor_b)
    data = pix_csv(
        [
            {"last": "Garnier", "first": "Éloïse", "ref": cast.resident.reference, "extra": [""]},
            {"last": "Lefèvre", "first": "Bernard", "extra": ["1971"]},
            {"last": "Martin", "first": "Zoé", "ref": outsider.reference, "extra": [""]},
            {"last": "Inconnu", "first": "Jean", "extra": [""]},
            {"last": "Petit", "first": "Léa", "extra": ["1990"]},
            {
                "last": "Garnier",
                "first": "Éloïse",
                "ref": cast.resident.reference,
                "extra": [""],
                "date": "2026-12-24",
                "levels": ["9"] + [1] * 15,
            },
        ],
        extra=["Année de naissance"],
    )
    report = run(cast, data)
    assert not report.imported
    assert not PixResult.objects.exists()
    outcomes = {line.number: (line.outcome, line.message) for line in report.lines}
    assert outcomes[2] == ("new", "")
    assert outcomes[3] == (
        "error",
        "2 personnes de ce nom sont nées en 1971 : ajoutez la référence Parcours pour dire "
        "laquelle.",
    )
    # A resident of another actor who did not consent is not found, as any unknown one.
    assert outcomes[4] == (
        "error",
        f"la référence {outsider.reference} ne correspond à aucune personne que vous suivez.",
    )
    assert outcomes[5][0] == "error" and "ni référence ni année de naissance" in outcomes[5][1]
    assert outcomes[6] == (
        "error",
        "aucune personne de ce nom née en 1990 parmi celles que vous suivez : ajoutez sa "
        "référence Parcours.",
    )
    assert outcomes[7] == (
        "error",
        "niveau ou nombre de pix illisible (« 9 ») : un niveau va de 0 à 8.",
    )


def test_a_file_that_is_not_a_pix_export_is_refused_in_french(cast):
    with pytest.raises(FileError) as error:
        run(cast, b"Nom;Prenom\nGarnier;Eloise\n")
    assert "il lui manque les colonnes « Nom du Participant »" in str(error.value)
    data = pix_csv([]).replace(
        "Niveau pour la compétence Programmer".encode(),
        "Niveau pour la compétence Jongler".encode(),
    )
    with pytest.raises(FileError) as error:
        run(cast, data)
    assert "Niveau pour la compétence Jongler" in str(error.value)


def test_the_page_checks_then_imports_on_confirmation(cast):
    client = cast.client("mediator_a")
    data = pix_csv([{"last": "Garnier", "first": "Éloïse", "ref": cast.resident.reference}])
    page = client.post("/pix/", {"file": SimpleUploadedFile("resultats.csv", data)})
    assert page.status_code == 200
    content = page.content.decode()
    assert "nouveau résultat" in content and "Éloïse Garnier" in content
    assert not PixResult.objects.exists()
    pending = PixImport.objects.get()

    # Only the uploader confirms.
    assert cast.client("colleague_a").post(f"/pix/{pending.pk}/confirm/").status_code == 404
    done = client.post(f"/pix/{pending.pk}/confirm/", follow=True)
    assert "Résultats Pix importés : 1 nouveaux" in done.content.decode()
    assert PixResult.objects.get().resident == cast.resident
    pending.refresh_from_db()
    assert pending.imported_at is not None and not pending.file


def test_the_page_shows_the_errors_and_offers_no_import(cast):
    client = cast.client("mediator_a")
    data = pix_csv([{"last": "Inconnu", "first": "Jean", "ref": "HXXXXXXX"}])
    content = client.post(
        "/pix/", {"file": SimpleUploadedFile("resultats.csv", data)}
    ).content.decode()
    assert "rien ne sera importé" in content
    assert "la référence HXXXXXXX ne correspond à aucune personne que vous suivez." in content
    assert "Importer ces résultats" not in content


def test_officials_cannot_import(cast):
    assert cast.client("official").get("/pix/").status_code == 404


def test_the_command_checks_and_imports(cast, tmp_path):
    path = tmp_path / "resultats.csv"
    path.write_bytes(
        pix_csv([{"last": "Garnier", "first": "Éloïse", "ref": cast.resident.reference}])
    )
    out = io.StringIO()
    call_command("import_pix", str(path), "--user", "mediator_a", "--dry-run", stdout=out)
    assert "rien n'est enregistré : 1 nouveau(x)" in out.getvalue()
    assert not PixResult.objects.exists()
    call_command("import_pix", str(path), "--user", "mediator_a", stdout=out)
    assert PixResult.objects.count() == 1
    bad = tmp_path / "faux.csv"
    bad.write_bytes(pix_csv([{"last": "Inconnu", "first": "Jean", "ref": "HXXXXXXX"}]))
    with pytest.raises(CommandError, match="Rien n'a été importé"):
        call_command("import_pix", str(bad), "--user", "mediator_a", stdout=out)


# On the journey ------------------------------------------------------------------------------


@pytest.fixture
def pix_place(cast):
    return PlaceFactory(
        actor=cast.actor_b,
        name="Cyber-base de la médiathèque",
        national_programmes=[NationalProgramme.PIX],
    )


def test_the_journey_shows_pix_levels_and_suggests_modules(cast, pix_place):
    ModuleFactory(name="Bureautique : le traitement de texte", targets={"3.1": 3})
    ModuleFactory(name="Se protéger en ligne", targets={"4.1": 2})
    levels = [3, 2, 1, 4, 0, 0, 0, 1, 0, 0, 0, 3, 3, 1, 0, 0]  # 3.1 at 1; 4.1 at 3
    run(
        cast,
        pix_csv(
            [
                {
                    "last": "Garnier",
                    "first": "Éloïse",
                    "ref": cast.resident.reference,
                    "levels": levels,
                }
            ]
        ),
    )
    page = cast.client("mediator_a").get(f"/residents/{cast.resident.reference}/").content.decode()
    assert "Niveaux Pix" in page
    assert "campagne Pix « Compétences numériques 2026 »" in page
    assert "Prêt pour la certification Pix" in page
    assert "Cyber-base de la médiathèque" in page
    assert "Bureautique : le traitement de texte" in page  # Pix 1 below its target 3
    assert "Se protéger en ligne" not in page  # Pix 3 already above its target 2


def test_not_ready_below_five_competences(cast, pix_place):
    run(
        cast,
        pix_csv(
            [
                {
                    "last": "Garnier",
                    "first": "Éloïse",
                    "ref": cast.resident.reference,
                    "levels": [1] * 4 + [0] * 12,
                }
            ]
        ),
    )
    page = cast.client("resident").get("/me/").content.decode()
    assert "Mes niveaux Pix" in page
    assert "Prêt pour la certification Pix" not in page


def test_the_resident_sees_their_pix_levels_and_readiness(cast, pix_place):
    run(cast, pix_csv([{"last": "Garnier", "first": "Éloïse", "ref": cast.resident.reference}]))
    page = cast.client("resident").get("/me/").content.decode()
    assert "Mes niveaux Pix" in page
    assert "Prêt pour la certification Pix" in page
    assert f"/guide/lieux/{pix_place.pk}/" in page


def test_the_pix_panel_costs_the_same_queries_whatever_the_results(
    cast, pix_place, django_assert_num_queries
):
    from django.template import Context, Template

    template = Template("{% load pix %}{% pix_levels resident %}")
    run(cast, pix_csv([{"last": "Garnier", "first": "Éloïse", "ref": cast.resident.reference}]))
    # the latest result, its levels, the assessed levels, the competences, the resident's
    # certified modules, the targets of the modules to suggest, the Pix places
    with django_assert_num_queries(7):
        template.render(Context({"resident": cast.resident}))
    run(
        cast,
        pix_csv(
            [
                {
                    "last": "Garnier",
                    "first": "Éloïse",
                    "ref": cast.resident.reference,
                    "date": "2026-12-01",
                    "levels": [1] * 16,
                }
            ]
        ),
    )
    # The same with another, later result (still with low levels: without any, there is
    # no module to look for and one query less).
    with django_assert_num_queries(7):
        html = template.render(Context({"resident": cast.resident}))
    assert "1 décembre 2026" in html
