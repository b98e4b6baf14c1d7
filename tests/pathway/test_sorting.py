"""Names are listed in the order a French reader expects, on SQLite and PostgreSQL alike:
"Médiathèque" before "Mission locale", "École" among the E (not after Z), capitals and
small letters together. One mechanism: pathway.sorting (a collation in queries, sort_key
in Python)."""

import re

import pytest

from learners.services import participations_changed
from pathway.models import Actor, Neighbourhood, Pole
from pathway.sorting import Alphabetical, sort_key
from stats.demo.factories import (
    ActorFactory,
    NeighbourhoodFactory,
    ParticipationFactory,
    PlaceFactory,
    SessionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

# The order a reader expects.
ACTORS = [
    "Centre social La Carraire",
    "École de la deuxième chance",
    "école de musique",  # a small letter: still among the E
    "Espace emploi municipal",
    "Médiathèque intercommunale",
    "Mission locale Ouest Provence",
    "Zèbre numérique",
]
NEIGHBOURHOODS = ["La Maille", "Le Mercure", "Les Éoliennes", "Les Molières"]


def test_sort_key_sets_accents_and_capitals_aside():
    shuffled = ["Mission locale Ouest Provence", "Zèbre numérique", "École de la deuxième chance"]
    shuffled += ["Médiathèque intercommunale", "Espace emploi municipal"]
    shuffled += ["école de musique", "Centre social La Carraire"]
    assert sorted(shuffled, key=sort_key) == ACTORS
    assert sorted(["Œuvre", "Oeil", "Offre"], key=sort_key) == ["Oeil", "Œuvre", "Offre"]


@pytest.fixture
def names():
    actors = {name: ActorFactory(name=name) for name in reversed(ACTORS)}
    for name in reversed(NEIGHBOURHOODS):
        NeighbourhoodFactory(name=name)
    for name in reversed(ACTORS):
        PlaceFactory(actor=actors[name], name=name)
    return actors


def positions(text, wanted):
    """The names of `wanted` in the order they first appear in `text`."""
    found = sorted((text.index(name), name) for name in wanted if name in text)
    return [name for _index, name in found]


def test_the_database_orders_names_alphabetically(names):
    ordered = Actor.objects.filter(name__in=ACTORS).order_by(Alphabetical("name"))
    assert [actor.name for actor in ordered] == ACTORS
    ordered = Neighbourhood.objects.order_by(Alphabetical("name"))
    assert [n.name for n in ordered] == NEIGHBOURHOODS


def test_the_guide_lists_places_and_neighbourhoods_alphabetically(client, names):
    page = client.get("/guide/").content.decode()
    cards = re.findall(r'<h2><a href="/guide/lieux/\d+/">([^<]+)</a></h2>', page)
    assert cards == ACTORS
    options = page[page.index('name="neighbourhood"') :]
    assert positions(options, NEIGHBOURHOODS) == NEIGHBOURHOODS
    listed = client.get("/guide/carte/").content.decode()
    assert positions(listed[listed.index('id="liste"') :], ACTORS) == ACTORS


def test_the_api_lists_actors_alphabetically(cast, names):
    response = cast.client("mediator_a").get("/api/v1/actors/", {"page_size": 50})
    listed = [a["name"] for a in response.json()["results"] if a["name"] in ACTORS]
    assert listed == ACTORS


def test_the_mediators_forms_list_actors_and_topics_alphabetically(cast, names):
    for name in ["Emploi et CV", "Écrire un courriel", "Démarches MSA", "Déclaration impôts"]:
        TopicFactory(pole=Pole.NECESSITY, name=name)
    referral = cast.client("mediator_a").get(f"/residents/{cast.resident.reference}/refer/")
    options = referral.content.decode()
    options = options[options.index('name="to_actor"') :]
    assert positions(options, ACTORS) == ACTORS
    form = cast.client("mediator_a").get("/sessions/new/").content.decode()
    assert positions(form, ["Déclaration impôts", "Démarches MSA", "Écrire", "Emploi"]) == [
        "Déclaration impôts",
        "Démarches MSA",
        "Écrire",
        "Emploi",
    ]


def test_the_journey_names_its_actors_alphabetically(cast, names):
    for name in [
        "Mission locale Ouest Provence",
        "Médiathèque intercommunale",
        "École de la deuxième chance",
    ]:
        ParticipationFactory(
            session=SessionFactory(actor=names[name], pole=Pole.NECESSITY), resident=cast.resident
        )
    participations_changed([cast.resident.pk])
    page = cast.client("mediator_a").get(f"/residents/{cast.resident.reference}/")
    assert (
        "dans : École de la deuxième chance, Médiathèque intercommunale, "
        "Mission locale Ouest Provence." in page.content.decode()
    )


def test_the_statistics_filter_lists_actors_alphabetically(cast, names):
    page = cast.client("official").get("/stats/").content.decode()
    options = page[page.index('name="actor"') :]
    assert positions(options, ACTORS) == ACTORS


def test_the_admin_lists_actors_alphabetically(cast, names):
    page = cast.client("network_admin").get("/admin/pathway/actor/").content.decode()
    results = page[page.index('id="result_list"') :]
    assert positions(results, ACTORS) == ACTORS
