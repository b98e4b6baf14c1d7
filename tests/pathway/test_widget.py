"""The widget for partners' sites: the one route that may be framed, with its own CSP;
every other page keeps X-Frame-Options: DENY and frame-ancestors 'none'."""

import pytest
from django.test import Client

from stats.demo.factories import NeighbourhoodFactory, PlaceFactory, PlannedWorkshopFactory

pytestmark = pytest.mark.django_db


def test_the_widget_may_be_framed_with_its_own_csp(cast, settings):
    settings.WIDGET_CSP = {**settings.WIDGET_CSP, "frame-ancestors": ["https://www.ville.fr"]}
    response = Client().get("/widget/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors https://www.ville.fr" in csp
    assert "form-action 'none'" in csp
    assert "script-src 'self'" in csp
    page = response.content.decode()
    assert cast.place_a.name in page and cast.workshop_a.title in page
    assert f"http://testserver/guide/lieux/{cast.place_a.pk}/" in page
    assert '<base target="_blank">' in page


def test_every_other_page_still_refuses_framing(cast):
    for url in ["/guide/", "/guide/carte/", f"/guide/lieux/{cast.place_a.pk}/", "/login/"]:
        response = Client().get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url


def test_a_partner_narrows_the_widget_to_a_neighbourhood_and_without_workshops(cast):
    north = NeighbourhoodFactory(name="La Maille", slug="la-maille")
    PlaceFactory(name="Centre social de la Maille", neighbourhood=north)
    PlannedWorkshopFactory(place=cast.place_a, title="Atelier du centre")
    page = Client().get("/widget/?quartier=la-maille&ateliers=0").content.decode()
    assert "Centre social de la Maille" in page
    assert cast.place_a.name not in page
    assert "Atelier du centre" not in page
