"""The network's offer in the API, with several towns: a town's staff read the network's
common modules and their towns' ones, and their towns' neighbourhoods; the superuser
reads every town's."""

import pytest
from django.test import Client

from stats.demo.factories import ModuleFactory, NeighbourhoodFactory, UserFactory
from tests.conftest import API_THROTTLE_QUERIES, sign_in

pytestmark = pytest.mark.django_db


def names(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.json()
    return sorted(row["name"] for row in response.json()["results"])


@pytest.fixture
def offer(towns):
    ModuleFactory(name="Premiers pas")  # the network's, common to every town
    ModuleFactory(name="Bureautique à Miramas", actor=towns.actor_m)
    ModuleFactory(name="Bureautique à Istres", actor=towns.actor_i)
    NeighbourhoodFactory(name="Mercure", slug="mercure", town=towns.miramas)
    NeighbourhoodFactory(name="Prépaou", slug="prepaou", town=towns.istres)
    return towns


def test_a_towns_staff_read_the_common_modules_and_their_towns(offer):
    for user in (offer.mediator_i, offer.admin_i):
        client = sign_in(Client(), user)
        assert names(client, "/api/v1/modules/") == ["Bureautique à Istres", "Premiers pas"]
        assert names(client, "/api/v1/neighbourhoods/") == ["Prépaou"]
    client = sign_in(Client(), offer.mediator_m)
    assert names(client, "/api/v1/modules/") == ["Bureautique à Miramas", "Premiers pas"]
    assert names(client, "/api/v1/neighbourhoods/") == ["Mercure"]


def test_the_superuser_reads_every_towns(offer):
    root = UserFactory(username="racine", is_superuser=True, is_staff=True)
    client = sign_in(Client(), root)
    assert len(names(client, "/api/v1/modules/")) == 3
    assert names(client, "/api/v1/neighbourhoods/") == ["Mercure", "Prépaou"]


def test_the_towns_cost_no_query_of_their_own(offer, django_assert_num_queries):
    client = sign_in(Client(), offer.mediator_i)
    client.get("/api/v1/neighbourhoods/")
    # session, user, the user's actors (their towns), count, neighbourhoods
    with django_assert_num_queries(5 + API_THROTTLE_QUERIES):
        client.get("/api/v1/neighbourhoods/")
