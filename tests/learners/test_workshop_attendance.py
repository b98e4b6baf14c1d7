"""The workshop's attendance sheet becomes its collective session: sign-ups matched to
residents' records (never merged silently) or recorded with the consent they gave."""

import datetime

import pytest
from django.utils import timezone

from learners.models import Resident, Session, SessionFormat, WorkshopSignup
from learners.signups import signup_create
from stats.demo.factories import PlannedWorkshopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(cast):
    """A workshop of actor A that started an hour ago, with two sign-ups: Nadia (new to the
    network, consents to sharing) and Éloïse Garnier (the cast's resident, already known)."""
    workshop = PlannedWorkshopFactory(
        place=cast.place_a,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        title="Premiers pas sur tablette",
    )
    # Signed up before the workshop started.
    for first, last, phone, consent in [
        ("Nadia", "Benali", "0612345678", True),
        ("Eloise", "Garnier", "0698765432", False),
    ]:
        WorkshopSignup.objects.create(
            workshop=workshop,
            first_name=first,
            last_name=last,
            phone=phone,
            sharing_consent=consent,
            consent_version="2026-01" if consent else "",
            token_hash=f"{first}-hash",
        )
    return workshop


def lines(workshop):
    return {s.first_name: f"s{s.pk}" for s in workshop.signups.all()}


def test_the_sheet_proposes_the_likely_record_and_saves_nothing_until_chosen(cast, workshop):
    client = cast.client("mediator_a")
    url = f"/ateliers/{workshop.pk}/presence/"
    page = client.get(url).content.decode()
    assert "Est-ce une de ces fiches ?" in page
    assert cast.resident.reference in page
    keys = lines(workshop)

    response = client.post(url, {f"came-{keys['Nadia']}": "on", f"came-{keys['Eloise']}": "on"})

    assert response.status_code == 400
    assert "ressemble à une fiche existante" in response.content.decode()
    assert not Session.objects.exists()
    assert Resident.objects.count() == 1


def test_saving_the_sheet_logs_the_collective_session_through_the_write_path(cast, workshop):
    client = cast.client("mediator_a")
    url = f"/ateliers/{workshop.pk}/presence/"
    keys = lines(workshop)
    response = client.post(
        url,
        {
            "rows": "3",
            f"came-{keys['Nadia']}": "on",
            f"came-{keys['Eloise']}": "on",
            f"match-{keys['Eloise']}": str(cast.resident.pk),
            "first_name-w0": "Karim",
            "last_name-w0": "Haddad",
            "unregistered_count": "2",
            "save": "1",
        },
    )

    assert response.status_code == 302
    session = Session.objects.get()
    assert session.format == SessionFormat.COLLECTIVE
    assert (session.actor, session.place, session.pole) == (
        cast.actor_a,
        cast.place_a,
        workshop.pole,
    )
    assert session.workshop_title == "Premiers pas sur tablette"
    assert session.date == timezone.localdate(workshop.starts_at)
    assert (session.participant_count, session.unregistered_count) == (3, 2)
    assert session.created_by == cast.mediator_a
    people = {p.resident.first_name: p.resident for p in session.participations.all()}
    assert set(people) == {"Nadia", "Éloïse", "Karim"}
    # The known person was not duplicated; the new ones carry the consent they gave.
    assert people["Éloïse"] == cast.resident
    assert Resident.objects.count() == 3
    assert people["Nadia"].sharing_consent and people["Nadia"].phone == "0612345678"
    assert not people["Karim"].sharing_consent
    assert people["Nadia"].created_by_actor == cast.actor_a
    nadia = WorkshopSignup.objects.get(first_name="Nadia")
    assert (nadia.resident, nadia.session) == (people["Nadia"], session)
    # The session is in the person's journey, and the sheet now shows what was saved.
    journey = client.get(f"/residents/{people['Nadia'].reference}/").content.decode()
    assert "Premiers pas sur tablette" in journey
    done = client.get(url).content.decode()
    assert "La présence a été enregistrée" in done and "Karim Haddad" in done
    # Posting again logs nothing more.
    client.post(url, {f"came-{keys['Nadia']}": "on", "save": "1"})
    assert Session.objects.count() == 1


def test_a_walk_in_who_looks_like_a_record_is_proposed_it_not_merged(cast, workshop):
    client = cast.client("mediator_a")
    url = f"/ateliers/{workshop.pk}/presence/"
    data = {"rows": "3", "first_name-w0": "Éloïse", "last_name-w0": "GARNIER", "save": "1"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert cast.resident.reference in response.content.decode()
    response = client.post(url, {**data, "match-w0": "new"})
    assert response.status_code == 302
    assert Resident.objects.filter(last_name__iexact="garnier").count() == 2


def test_only_the_actors_staff_take_attendance_and_not_before_the_day(cast, workshop):
    url = f"/ateliers/{workshop.pk}/presence/"
    assert cast.client("mediator_b").get(url).status_code == 404
    assert cast.client("mediator_b").post(url, {"unregistered_count": "3"}).status_code == 404
    assert cast.client("official").get(url).status_code == 404
    later = PlannedWorkshopFactory(place=cast.place_a)  # next week
    signup_create(workshop_id=later.pk, first_name="A", last_name="B", phone="0611111111")
    response = cast.client("mediator_a").post(
        f"/ateliers/{later.pk}/presence/", {"unregistered_count": "3", "save": "1"}
    )
    assert response.status_code == 400
    assert not Session.objects.exists()


def test_an_empty_sheet_is_refused_with_a_clear_message(cast, workshop):
    response = cast.client("mediator_a").post(
        f"/ateliers/{workshop.pk}/presence/", {"unregistered_count": "zéro", "save": "1"}
    )
    assert response.status_code == 400
    assert "nombre entier" in response.content.decode()
    response = cast.client("mediator_a").post(f"/ateliers/{workshop.pk}/presence/", {"save": "1"})
    assert "Cochez au moins une personne venue" in response.content.decode()
    assert not Session.objects.exists()
