"""The network's offer through the API: read by every member of staff, filtered, ordered,
in a constant number of queries."""

import pytest

from pathway.models import Competence
from stats.demo.factories import ModuleFactory, PlaceFactory, TopicFactory
from tests.conftest import API_THROTTLE_QUERIES

pytestmark = pytest.mark.django_db


def results(response):
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_officials_read_the_offer_but_visitors_do_not(cast):
    assert [a["name"] for a in results(cast.client("official").get("/api/v1/actors/"))] == [
        "École Jean Moulin",  # the cast's school (parent ambassadors), sorted with the E's
        "France services de Miramas",
        "Médiathèque de Miramas",
    ]
    response = cast.client("anonymous").get("/api/v1/actors/")
    assert response.status_code == 401
    assert response.json()["message"] == "Informations d'authentification non fournies."


def test_places_with_their_offer_and_filters(cast):
    library = PlaceFactory(actor=cast.actor_b, poles=["leisure"], services=["leisure"])
    client = cast.client("mediator_a")
    place = results(client.get("/api/v1/places/", {"actor": cast.actor_b.pk}))
    assert [p["id"] for p in place] == [library.pk]
    assert place[0]["services"] == ["leisure"] and isinstance(place[0]["latitude"], float)
    assert [p["id"] for p in results(client.get("/api/v1/places/", {"pole": "leisure"}))] == [
        library.pk
    ]
    bad = client.get("/api/v1/places/", {"actor": 10**6})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["actor"]


def test_topics_by_pole(cast):
    TopicFactory(pole="leisure", name="Photo")
    caf = TopicFactory(pole="necessity", name="CAF")
    topics = results(cast.client("mediator_a").get("/api/v1/topics/", {"pole": "necessity"}))
    assert [t["id"] for t in topics] == [caf.pk]


def test_the_competence_framework_and_modules(cast, django_assert_num_queries):
    competences = results(cast.client("mediator_a").get("/api/v1/competences/", {"page_size": 20}))
    assert [c["code"] for c in competences][:3] == ["1.1", "1.2", "1.3"]
    assert len(competences) == Competence.objects.count() == 16
    ModuleFactory(name="Bureautique", targets={"3.1": 3, "1.2": 2})
    ModuleFactory(name="Sécurité", targets={"4.1": 2})
    client = cast.client("mediator_a")
    # session, user, the user's actors (their towns' modules), count, modules, their
    # competences
    with django_assert_num_queries(6 + API_THROTTLE_QUERIES):
        modules = results(client.get("/api/v1/modules/"))
    assert modules[0]["name"] == "Bureautique"
    assert modules[0]["targets"] == [
        {"competence": "1.2", "target_level": 2},
        {"competence": "3.1", "target_level": 3},
    ]


@pytest.mark.parametrize("places", [1, 9])
def test_lists_cost_the_same_queries(cast, places, django_assert_num_queries):
    for n in range(places):
        PlaceFactory(actor=cast.actor_b, name=f"Permanence {n}")
    client = cast.client("mediator_a")
    # session, user, count, places
    with django_assert_num_queries(4 + API_THROTTLE_QUERIES):
        response = client.get("/api/v1/places/")
    assert response.json()["count"] == places + 1


def test_an_unknown_address_answers_json(cast):
    response = cast.client("mediator_a").get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {
        "message": "Cette ressource n'existe pas ou ne vous est pas accessible.",
        "code": "not_found",
        "errors": {},
    }
