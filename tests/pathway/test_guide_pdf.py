"""The printable guide: /guide.pdf and `manage.py build_guide` make a multi-page A4
brochure from live data, with French accents, hours and contacts, read back with pypdf."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from pypdf import PdfReader

from pathway import views
from pathway.models import Pole, Service
from stats.demo.factories import (
    ActorFactory,
    NeighbourhoodFactory,
    PlaceFactory,
    PlannedWorkshopFactory,
)

pytestmark = pytest.mark.django_db

PARIS = datetime.timezone(datetime.timedelta(hours=1))
NOW = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=PARIS)


@pytest.fixture
def guide_town(db, monkeypatch):
    monkeypatch.setattr(views, "current_time", lambda: NOW)
    carraire = NeighbourhoodFactory(name="La Carraire", priority=True)
    PlaceFactory(
        actor=ActorFactory(name="Centre social La Carraire"),
        neighbourhood=carraire,
        poles=[Pole.NECESSITY, Pole.LEISURE],
        services=[Service.PAPERWORK, Service.LEISURE],
        opening_hours="Mo-Fr 09:00-12:00,14:00-17:30; PH off",
        phone="+33490581234",
        email="accueil@carraire.example.fr",
    )
    PlaceFactory(
        actor=ActorFactory(name="Médiathèque intercommunale"),
        name="Médiathèque — espace numérique",
        neighbourhood=NeighbourhoodFactory(name="Centre-ville"),
        poles=[Pole.ACHIEVEMENT],
        services=[Service.DAILY_TOOLS],
        opening_hours="We,Sa 10:00-12:30",
    )
    hidden = PlaceFactory(actor=ActorFactory(name="Collège fermé au public", is_published=False))
    PlannedWorkshopFactory(
        title="Découvrir sa tablette",
        place=hidden.actor.places.first() or hidden,
        starts_at=NOW + datetime.timedelta(days=2),
    )
    PlannedWorkshopFactory(
        title="Réseaux sociaux en famille",
        pole=Pole.LEISURE,
        place=PlaceFactory(actor=ActorFactory(name="Ludothèque La Toupie")),
        starts_at=NOW + datetime.timedelta(days=3, hours=5),
        seats=10,
        seats_taken=4,
    )


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    # Lines wrapped by the layout are joined back: compare words, not line breaks.
    return reader, " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_guide_pdf_is_a_brochure_of_the_live_data(guide_town):
    response = Client().get("/guide.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader, text = pdf_text(response.content)
    assert len(reader.pages) >= 5
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert reader.metadata.title == "Guide du numérique de Miramas"
    # Cover, table of contents, the pathway, places by neighbourhood and by pole.
    for expected in [
        "Guide du numérique de Miramas",
        "Sommaire",
        "Comment ça marche",
        "1. Démarches",
        "2. Se former",
        "3. Loisirs numériques",
        "Les lieux, quartier par quartier",
        "La Carraire",
        "Centre-ville",
        "Les lieux, étape par étape",
        "Centre social La Carraire",
        "Médiathèque — espace numérique",
    ]:
        assert expected in text, expected
    # Residents read the steps in plain words, not the network's names for its poles.
    assert "Numérique accomplissement" not in text and "Numérique nécessité" not in text
    # Hours and contacts, with accents right.
    assert "Du lundi au vendredi : 9 h – 12 h et 14 h – 17 h 30" in text
    assert "Mercredi et samedi : 10 h – 12 h 30" in text
    assert "Fermé les jours fériés." in text
    assert "04 90 58 12 34" in text and "accueil@carraire.example.fr" in text
    assert "Faire ses papiers en ligne" in text
    # Coming workshops at published places only.
    assert "Réseaux sociaux en famille" in text and "6 places libres" in text
    assert "Découvrir sa tablette" not in text
    assert "Collège fermé au public" not in text


def test_the_table_of_contents_points_to_the_right_pages(guide_town):
    reader, _text = pdf_text(Client().get("/guide.pdf").content)
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    contents = pages[1]
    assert "Les lieux, quartier par quartier" in contents
    # Each chapter listed is found on a later page, as the outline (bookmarks) says.
    outline = {
        item.title: reader.get_destination_page_number(item)
        for item in reader.outline
        if not isinstance(item, list)
    }
    assert "Les lieux, quartier par quartier" in outline
    for title, page_number in outline.items():
        assert title in pages[page_number]


def test_the_accented_text_is_set_in_the_embedded_dejavu_font(guide_town):
    reader, _text = pdf_text(Client().get("/guide.pdf").content)
    dejavu = [
        font.get_object()
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        if "DejaVuSans" in str(font.get_object()["/BaseFont"])
    ]
    assert dejavu
    for font in dejavu:
        # The TrueType program is inside the file, not a reference to a system font.
        assert "/FontFile2" in font["/FontDescriptor"].get_object()


def test_build_guide_writes_the_same_brochure_to_a_file(guide_town, tmp_path):
    target = tmp_path / "guide.pdf"
    out = io.StringIO()
    call_command("build_guide", "--output", str(target), stdout=out)
    _reader, text = pdf_text(target.read_bytes())
    assert "Centre social La Carraire" in text
    assert "Guide écrit dans" in out.getvalue()
    with pytest.raises(CommandError, match="n'existe pas"):
        call_command("build_guide", "--output", str(Path(tmp_path) / "missing" / "guide.pdf"))
