"""Where residents and the public look, the pathway's steps and a place's services are
said in plain words ("Démarches", "Se former", "Loisirs numériques"; "Faire ses papiers en
ligne…"); the open data keeps the national standard's labels and staff pages the
network's official names."""

import csv
import io

import pytest

from pathway.models import Pole, Service
from stats.demo.factories import PlannedWorkshopFactory, SessionFactory

pytestmark = pytest.mark.django_db

OFFICIAL_NAMES = [pole.label for pole in Pole]  # "Numérique nécessité"…
PLAIN = ["Démarches", "Se former", "Loisirs numériques"]


def text_of(response):
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def guide(cast):
    cast.place_a.services = [Service.PAPERWORK, Service.LEISURE]
    cast.place_a.poles = [Pole.NECESSITY, Pole.LEISURE]
    cast.place_a.save()
    PlannedWorkshopFactory(place=cast.place_a, pole=Pole.LEISURE, title="Photo numérique")
    return cast


@pytest.mark.parametrize("path", ["/", "/guide/", "/guide/ateliers/", "place", "/me/"])
def test_residents_pages_name_the_steps_in_plain_words(guide, path):
    client = guide.client("resident" if path == "/me/" else "anonymous")
    if path == "place":
        path = f"/guide/lieux/{guide.place_a.pk}/"
    page = text_of(client.get(path))
    for name in OFFICIAL_NAMES:
        assert str(name) not in page, (path, name)
    if path in ("/", "/guide/", "/me/"):
        # The home page, the guide's filter and the resident's journey name all three.
        assert all(word in page for word in PLAIN), path
    else:
        assert "Loisirs numériques" in page


def test_place_cards_list_services_in_the_filters_words(guide):
    page = text_of(guide.client("anonymous").get("/guide/"))
    plain = str(Service.LEISURE.plain)  # "Loisirs : photo, vidéo, musique, jeux, création"
    assert f'<option value="leisure">{plain}</option>' in page
    card = page[page.index('<li class="card place-card">') :]
    assert plain in card and str(Service.PAPERWORK.plain) in card
    assert str(Service.LEISURE.label) not in page  # "Loisirs et créations numériques"
    assert str(Service.PAPERWORK.label) not in page


def test_open_data_keeps_the_standards_labels(guide):
    response = guide.client("anonymous").get("/open-data/places.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    (row,) = [r for r in rows if r["nom"] == guide.place_a.name]
    assert row["services"] == "Aide aux démarches administratives|Loisirs et créations numériques"


def test_staff_pages_keep_the_official_names(guide):
    SessionFactory(actor=guide.actor_a, created_by=guide.mediator_a, pole=Pole.ACHIEVEMENT)
    page = text_of(guide.client("mediator_a").get("/sessions/"))
    assert "Numérique accomplissement" in page
