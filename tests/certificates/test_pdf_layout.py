"""The certificate PDF as an employer reads it: the town's logo and name, French articles
before the actor's name, each level in words with what it means at work, the skills over
the page's lower half, the printed address from SITE_URL."""

import datetime
import io

import pypdf
import pytest
from django.core.management import call_command
from PIL import Image

from certificates.services import certificate_issue
from stats.demo.factories import ActorFactory, ResidentFactory, completed_module

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)
PAGE_HEIGHT = 841.89  # A4, in points


def issue(actor_name="France services de Miramas", **levels):
    actor = ActorFactory(name=actor_name)
    resident = ResidentFactory(first_name="Éloïse", last_name="Garnier", created_by_actor=actor)
    module = completed_module(
        resident, targets={"1.1": 3, "4.2": 2}, levels=levels or {"1.1": 4}, mediator=None
    )
    return certificate_issue(resident=resident, module=module, now=NOW)


def reader_of(certificate):
    with certificate.pdf.open("rb") as handle:
        return pypdf.PdfReader(io.BytesIO(handle.read()))


def text_of(certificate):
    return " ".join(reader_of(certificate).pages[0].extract_text().split())


def lines_with_height(certificate):
    """(y, text) of each piece of text on the page, y from the bottom in points."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((round(tm[5] * cm[3] + cm[5], 1), text.strip()))

    reader_of(certificate).pages[0].extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize(
    ("actor", "with_actor", "by_actor"),
    [
        ("Espace emploi municipal", "auprès de l'Espace emploi municipal", "par l'Espace"),
        ("Médiathèque intercommunale", "auprès de la Médiathèque", "par la Médiathèque"),
        ("Centre social du Mercure", "auprès du Centre social du Mercure", "par le Centre"),
        ("Les Ateliers du Partage", "auprès des Ateliers du Partage", "par les Ateliers"),
        ("Alpha Provence", "auprès d'Alpha Provence", "par Alpha Provence"),
        ("France services de Miramas", "auprès de France services", "par France services"),
    ],
)
def test_the_actor_is_named_with_its_french_article(cast, actor, with_actor, by_actor):
    text = text_of(issue(actor))
    assert with_actor in text
    assert f"Délivrée le 20 novembre 2026 {by_actor}" in text


def test_levels_read_in_words_with_what_they_mean(cast):
    text = text_of(issue())
    assert "niveau 4 sur 8 (indépendant) fait seul les tâches courantes" in text
    assert "niveau 2 sur 8 (débutant) fait des tâches simples et connues" in text
    # The four bands, for an employer who compares.
    for band in ["1–2 débutant", "3–4 indépendant", "5–6 avancé", "7–8 expert"]:
        assert band in text, band


def test_the_skills_fill_the_lower_half_of_the_page(cast):
    certificate = issue()
    lines = lines_with_height(certificate)

    def y_of(start):
        return next(y for y, text in lines if text.startswith(start))

    title = y_of("Attestation de compétences numériques")
    first, last = y_of("Mener une recherche"), y_of("Protéger les données")
    signature = y_of("Claire Martin")
    check = y_of("Vérifier cette attestation")
    assert title > PAGE_HEIGHT * 2 / 3
    # Two competences spread down the page, the last one in its lower half, and the
    # signature under them, above the check box at the foot.
    assert first > last and last < PAGE_HEIGHT / 2
    assert last > signature > check
    assert first - last > 60  # rows with room to read, not a cramped list at the top


def test_the_town_logo_is_printed_a_neutral_mark_by_default(cast, settings, tmp_path):
    (image,) = reader_of(issue()).pages[0].images
    assert image.image.size == (240, 240)  # static/img/town-logo.png

    logo = tmp_path / "logo-ville.png"
    Image.new("RGB", (300, 120), "#c0392b").save(logo)
    settings.TOWN_LOGO = logo
    certificate = issue("Médiathèque intercommunale")
    (image,) = reader_of(certificate).pages[0].images
    assert image.image.size == (300, 120)
    assert text_of(certificate).startswith("Miramas Réseau Parcours numérique de Miramas")


def test_a_logo_that_cannot_be_read_is_said_at_startup_and_replaced(cast, settings, tmp_path):
    settings.TOWN_LOGO = tmp_path / "absent.png"
    out = io.StringIO()
    call_command("check", stdout=out, stderr=out)
    assert "certificates.W001" in out.getvalue() and "absent.png" in out.getvalue()
    (image,) = reader_of(issue()).pages[0].images
    assert image.image.size == (240, 240)


def test_the_printed_address_comes_from_site_url(cast, settings):
    settings.SITE_URL = "https://parcours.ville-exemple.fr"
    certificate = issue()
    text = text_of(certificate)
    assert f"https://parcours.ville-exemple.fr/verify/{certificate.code}/" in text
    assert "127.0.0.1" not in text


def test_an_english_certificate_keeps_english_words(cast):
    actor = ActorFactory(name="Espace emploi municipal")
    resident = ResidentFactory(created_by_actor=actor)
    module = completed_module(resident, targets={"1.1": 3}, levels={"1.1": 5}, mediator=None)
    certificate = certificate_issue(resident=resident, module=module, now=NOW, language="en")
    text = text_of(certificate)
    assert "with Espace emploi municipal" in text and "by Espace emploi municipal" in text
    assert "level 5 of 8 (advanced) handles varied and complex tasks" in text
