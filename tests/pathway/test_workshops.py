"""Mediators announce collective workshops ahead of time, with seats, for the public guide."""

import datetime

import pytest
from django.utils import timezone

from pathway import views
from pathway.models import PlannedWorkshop
from stats.demo.factories import PlaceFactory, PlannedWorkshopFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(views, "current_time", lambda: NOW)


def data(place, **changes):
    values = {
        "place": str(place.pk),
        "pole": "achievement",
        "title": "Atelier CV et lettre",
        "date": "2026-12-03",
        "time": "14:00",
        "duration_minutes": "90",
        "seats": "8",
        "seats_taken": "2",
        "is_published": "on",
    }
    values.update(changes)
    return values


def test_a_mediator_announces_a_workshop_at_their_actors_place(cast):
    response = cast.client("mediator_a").post("/ateliers/nouveau/", data(cast.place_a))

    assert response.status_code == 302
    workshop = PlannedWorkshop.objects.get(title="Atelier CV et lettre")
    assert workshop.actor == cast.actor_a
    assert workshop.created_by == cast.mediator_a
    assert timezone.localtime(workshop.starts_at).replace(tzinfo=None) == datetime.datetime(
        2026, 12, 3, 14, 0
    )
    assert workshop.seats_free == 6
    # It is on the public list, and on the mediator's page.
    assert (
        "Atelier CV et lettre" in cast.client("anonymous").get("/guide/ateliers/").content.decode()
    )
    assert "Atelier CV et lettre" in cast.client("colleague_a").get("/ateliers/").content.decode()
    assert (
        "Atelier CV et lettre" not in cast.client("mediator_b").get("/ateliers/").content.decode()
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date": "2026-11-29"}, "date", "date à venir"),
        ({"seats": "4", "seats_taken": "5"}, "seats_taken", "plus de places prises"),
        ({"seats": "0"}, "seats", "au moins une place"),
        ({"title": ""}, "title", "obligatoire"),
    ],
)
def test_bad_workshops_are_refused_in_french(cast, changes, field, message):
    response = cast.client("mediator_a").post("/ateliers/nouveau/", data(cast.place_a, **changes))
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert not PlannedWorkshop.objects.filter(title="Atelier CV et lettre").exists()


def test_a_mediator_cannot_use_another_actors_place(cast):
    other_place = PlaceFactory(actor=cast.actor_b)
    response = cast.client("mediator_a").post("/ateliers/nouveau/", data(other_place))
    assert response.status_code == 200
    assert "place" in response.context["form"].errors
    assert not PlannedWorkshop.objects.filter(place=other_place).exists()


def test_editing_and_deleting_stay_within_the_actor(cast):
    workshop = PlannedWorkshopFactory(
        place=cast.place_a, starts_at=NOW + datetime.timedelta(days=5)
    )
    url = f"/ateliers/{workshop.pk}/modifier/"
    assert cast.client("mediator_b").post(url, data(cast.place_a)).status_code == 404
    assert cast.client("mediator_b").post(f"/ateliers/{workshop.pk}/supprimer/").status_code == 404

    response = cast.client("colleague_a").post(url, data(cast.place_a, seats_taken="8", seats="8"))
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.seats_free == 0

    assert cast.client("colleague_a").post(f"/ateliers/{workshop.pk}/supprimer/").status_code == 302
    assert not PlannedWorkshop.objects.filter(pk=workshop.pk).exists()


def test_the_staff_list_query_count_is_constant(cast, django_assert_num_queries):
    for n in range(12):
        PlannedWorkshopFactory(
            place=cast.place_a, title=f"Atelier {n}", starts_at=NOW + datetime.timedelta(days=n + 1)
        )
    client = cast.client("mediator_a")
    client.get("/ateliers/")
    # session, user, user's actors, count, page of workshops with place and actor
    with django_assert_num_queries(6):  # with the new referrals' count
        response = client.get("/ateliers/")
    assert len(response.context["page"]) == 13


def test_seats_taken_online_while_the_form_was_open_are_kept(cast):
    from learners.signups import signup_create

    workshop = cast.workshop_a
    client = cast.client("mediator_a")
    local = timezone.localtime(workshop.starts_at)
    form = data(
        cast.place_a,
        date=f"{local:%Y-%m-%d}",
        time=f"{local:%H:%M}",
        seats="8",
        seats_taken="1",  # was 0 when the form opened: one person called
        seats_taken_seen="0",
    )
    signup_create(workshop_id=workshop.pk, first_name="A", last_name="B", phone="0611111111")
    signup_create(workshop_id=workshop.pk, first_name="C", last_name="D", phone="0622222222")

    assert client.post(f"/ateliers/{workshop.pk}/modifier/", form).status_code == 302

    workshop.refresh_from_db()
    assert workshop.seats_taken == 3  # two online, one by phone
    response = client.post(f"/ateliers/{workshop.pk}/modifier/", {**form, "seats": "2"})
    assert "Des personnes se sont inscrites entre-temps" in response.content.decode()
    workshop.refresh_from_db()
    assert (workshop.seats, workshop.seats_taken) == (8, 3)
