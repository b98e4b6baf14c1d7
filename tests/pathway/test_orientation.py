"""« Je ne sais pas où aller » : three plain questions, GET forms (no JavaScript), then the
places and workshops that fit, with their next opening times."""

import datetime
import html

import pytest
from django.test import Client

from pathway import views
from pathway.models import Pole, Service
from stats.demo.factories import NeighbourhoodFactory, PlaceFactory, PlannedWorkshopFactory

pytestmark = pytest.mark.django_db

# A Monday, 7:00 in Paris.
NOW = datetime.datetime(2026, 11, 30, 6, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(views, "current_time", lambda: NOW)


@pytest.fixture
def town():
    centre = NeighbourhoodFactory(name="Centre-ville", slug="centre-ville")
    north = NeighbourhoodFactory(name="La Maille", slug="la-maille")
    morning = PlaceFactory(
        name="Mairie annexe",
        neighbourhood=centre,
        services=[Service.PAPERWORK],
        opening_hours="Mo-Fr 09:00-12:00; PH off",
    )
    afternoon = PlaceFactory(
        name="Centre social",
        neighbourhood=north,
        services=[Service.PAPERWORK, Service.DAILY_TOOLS],
        opening_hours="Mo-Fr 14:00-17:00; PH off",
    )
    leisure = PlaceFactory(
        name="Médiathèque",
        neighbourhood=centre,
        services=[Service.LEISURE],
        opening_hours="Sa 10:00-17:00",
    )
    return centre, north, morning, afternoon, leisure


def test_three_steps_without_javascript_lead_to_the_places_that_fit(town):
    centre, north, morning, afternoon, leisure = town
    client = Client()
    page = client.get("/guide/orientation/").content.decode()
    assert "De quoi avez-vous besoin ?" in page and 'name="besoin"' in page
    page = client.get("/guide/orientation/?besoin=papiers").content.decode()
    assert "Où ?" in page and 'value="la-maille"' in page
    page = client.get("/guide/orientation/?besoin=papiers&quartier=partout").content.decode()
    assert "Quand êtes-vous libre ?" in page

    page = client.get(
        "/guide/orientation/?besoin=papiers&quartier=partout&quand=apres-midi"
    ).content.decode()

    assert "Centre social" in page
    assert "Mairie annexe" not in page  # open only in the morning
    assert "Médiathèque" not in page  # no paperwork there
    # Its next opening, in plain words.
    assert "Fermé maintenant, ouvre aujourd'hui à 14 h." in html.unescape(page)


def test_the_neighbourhood_narrows_and_anytime_keeps_every_fitting_place(town):
    page = (
        Client()
        .get("/guide/orientation/?besoin=papiers&quartier=centre-ville&quand=tout")
        .content.decode()
    )
    assert "Mairie annexe" in page and "Centre social" not in page


def test_near_me_sorts_by_distance_and_asks_again_without_a_position(town):
    _centre, _north, morning, afternoon, _leisure = town
    morning.latitude, morning.longitude = 43.58, 5.00
    morning.save()
    afternoon.latitude, afternoon.longitude = 43.60, 5.02
    afternoon.save()
    page = (
        Client()
        .get("/guide/orientation/?besoin=papiers&quartier=pres&lat=43.6&lon=5.02&quand=tout")
        .content.decode()
    )
    assert page.index("Centre social") < page.index("Mairie annexe")
    assert "à 0,0 km" in page or "à 0.0 km" in page
    page = Client().get("/guide/orientation/?besoin=papiers&quartier=pres").content.decode()
    assert "Où ?" in page


def test_workshops_that_fit_the_need_and_the_moment_are_proposed(town):
    _centre, _north, _morning, afternoon, leisure = town
    PlannedWorkshopFactory(
        place=leisure,
        pole=Pole.LEISURE,
        title="Retoucher ses photos",
        starts_at=datetime.datetime(2026, 12, 5, 9, 0, tzinfo=datetime.UTC),  # a Saturday
    )
    PlannedWorkshopFactory(
        place=afternoon,
        pole=Pole.LEISURE,
        title="Jeux en réseau",
        starts_at=datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC),  # a Wednesday
    )
    page = (
        Client()
        .get("/guide/orientation/?besoin=decouvrir&quartier=partout&quand=samedi")
        .content.decode()
    )
    assert "Retoucher ses photos" in page and "Jeux en réseau" not in page
    assert "Médiathèque" in page


def test_unknown_answers_go_back_to_the_question(town):
    page = Client().get("/guide/orientation/?besoin=nimporte").content.decode()
    assert "De quoi avez-vous besoin ?" in page
    page = Client().get("/guide/orientation/?besoin=papiers&quartier=nulle-part").content.decode()
    assert "Où ?" in page
