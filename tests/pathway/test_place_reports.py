"""« Signaler une erreur » on a place's page: a queue for the place's coordinator and the
network admin, and the place's "last checked" date shown."""

import pytest
from django.test import Client
from django.utils import timezone

from pathway.models import PlaceReport
from stats.demo.factories import PlaceFactory, UserFactory
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_anyone_reports_an_error_and_the_places_coordinator_deals_with_it(cast):
    place = cast.place_a
    page = Client().get(place.get_absolute_url()).content.decode()
    assert "Signaler une erreur" in page
    assert "Informations pas encore vérifiées" in page

    response = Client().post(
        f"/guide/lieux/{place.pk}/signaler/",
        {"message": "Fermé le mercredi maintenant.", "contact": "06 11 22 33 44"},
    )

    assert response.status_code == 302
    report = PlaceReport.objects.get()
    assert (report.place, report.contact) == (place, "06 11 22 33 44")
    queue = cast.client("coordinator_a").get("/lieux/signalements/").content.decode()
    assert "Fermé le mercredi maintenant." in queue
    assert "1 erreur signalée" in cast.client("coordinator_a").get("/lieux/").content.decode()
    assert (
        "Fermé le mercredi"
        in cast.client("network_admin").get("/lieux/signalements/").content.decode()
    )
    # Another actor's coordinator neither sees nor closes it.
    other = PlaceFactory()
    stranger = UserFactory(coordinator=True, actors=[other.actor])
    client = sign_in(Client(), stranger)
    assert "Fermé le mercredi" not in client.get("/lieux/signalements/").content.decode()
    assert client.post(f"/lieux/signalements/{report.pk}/traite/").status_code == 404

    cast.client("coordinator_a").post(f"/lieux/signalements/{report.pk}/traite/")

    report.refresh_from_db()
    assert report.resolved_at and report.resolved_by == cast.coordinator_a
    assert report.contact == ""  # the contact goes once the report is dealt with
    place.refresh_from_db()
    assert place.checked_on == timezone.localdate()
    page = Client().get(place.get_absolute_url()).content.decode()
    assert "Informations vérifiées le" in page


def test_an_empty_report_is_refused_and_robots_are_ignored(cast):
    url = f"/guide/lieux/{cast.place_a.pk}/signaler/"
    response = Client().post(url, {"message": ""})
    assert "Dites-nous en quelques mots ce qui ne va pas." in response.content.decode()
    Client().post(url, {"message": "Achetez !", "website": "http://spam.example"})
    assert not PlaceReport.objects.exists()
