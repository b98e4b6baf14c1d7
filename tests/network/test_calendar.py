"""The network calendar: registrations up to the capacity, the .ics feed of each person,
minutes, decisions and attendance after a meeting, and the assises' public registration
with its confirmation and reminder."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from network import calendar as service
from network.models import Meeting, MeetingKind, Registration

pytestmark = pytest.mark.django_db


def meeting(**fields):
    start = fields.pop("start", timezone.now() + datetime.timedelta(days=5))
    return Meeting.objects.create(
        kind=fields.pop("kind", MeetingKind.COORDINATION),
        title=fields.pop("title", "Réunion de coordination"),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        **fields,
    )


def test_staff_register_up_to_the_capacity(cast):
    small = meeting(capacity=2, location="Médiathèque, salle 2")
    for role in ("mediator_a", "mediator_b"):
        response = cast.client(role).post(f"/reseau/agenda/{small.pk}/", {"action": "register"})
        assert response.status_code == 302
    cast.client("colleague_a").post(f"/reseau/agenda/{small.pk}/", {"action": "register"})
    assert small.registrations.count() == 2
    with pytest.raises(Exception, match="Complet"):
        service.register(small, user=cast.colleague_a)
    with pytest.raises(Exception, match="Complet|déjà inscrit"):
        service.register(small, user=cast.mediator_a)


def test_each_person_has_an_ics_feed_of_their_dates(cast, client):
    mine = meeting(title="Copil ; budget, bilan", kind=MeetingKind.STEERING, location="Mairie")
    meeting(title="Une autre date")
    service.register(mine, user=cast.mediator_a)
    response = client.get(f"/reseau/agenda/flux/{service.feed_token(cast.mediator_a)}.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.count("BEGIN:VEVENT") == 1 and "Une autre date" not in text
    assert "SUMMARY:Copil \\; budget\\, bilan\r\n" in text
    start = mine.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}\r\n" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert client.get("/reseau/agenda/flux/faux.ics").status_code == 404
    ambassador = service.feed_token(cast.ambassador)
    assert client.get(f"/reseau/agenda/flux/{ambassador}.ics").status_code == 404


def test_a_long_description_is_folded(cast):
    long = meeting(description="Ordre du jour : " + "é" * 120)
    text = service.ics([long], name="x")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:Ordre du jour : " + "é" * 120 in unfolded


def test_minutes_decisions_and_attendance_after_the_meeting(cast):
    held = meeting(start=timezone.now() - datetime.timedelta(days=2))
    came = Registration.objects.create(meeting=held, user=cast.mediator_a)
    Registration.objects.create(meeting=held, user=cast.mediator_b)
    coordinator = cast.client("coordinator_a")
    coordinator.post(
        f"/reseau/agenda/{held.pk}/",
        {
            "action": "minutes",
            "minutes": "Point sur les orientations.",
            "decisions": "Ouvrir un créneau le samedi\nInviter la CAF",
            "attended": [came.pk],
        },
    )
    held.refresh_from_db()
    assert held.decisions.splitlines() == ["Ouvrir un créneau le samedi", "Inviter la CAF"]
    assert held.minutes_by == cast.coordinator_a
    assert list(held.registrations.filter(attended=True)) == [came]
    page = cast.client("mediator_b").get(f"/reseau/agenda/{held.pk}/").content.decode()
    assert "Inviter la CAF" in page and "Point sur les orientations." in page
    # A mediator reads them, and may not write them.
    cast.client("mediator_b").post(
        f"/reseau/agenda/{held.pk}/", {"action": "minutes", "minutes": "Autre chose"}
    )
    held.refresh_from_db()
    assert held.minutes == "Point sur les orientations."


def test_the_assises_take_public_registrations_with_confirmation_and_reminder(cast, client):
    assises = meeting(
        kind=MeetingKind.ASSISES,
        title="Assises du numérique 2027",
        public_registration=True,
        capacity=2,
        start=timezone.now() + datetime.timedelta(hours=30),
    )
    meeting(title="Atelier : les parents et Pronote", parent=assises)
    page = client.get(f"/evenements/{assises.pk}/").content.decode()
    assert "Encore 2 places" in page and "Pronote" in page
    response = client.post(
        f"/evenements/{assises.pk}/",
        {"name": "Marc Petit", "organisation": "Secours populaire", "email": "marc@example.fr"},
    )
    assert "une confirmation vient de vous être envoyée" in response.content.decode()
    assert mail.outbox[-1].to == ["marc@example.fr"]
    again = client.post(
        f"/evenements/{assises.pk}/",
        {"name": "Marc Petit", "organisation": "", "email": "MARC@example.fr"},
    )
    assert "déjà inscrit" in again.content.decode()
    client.post(f"/evenements/{assises.pk}/", {"name": "Zoé", "email": "zoe@example.fr"})
    assert "Complet" in client.get(f"/evenements/{assises.pk}/").content.decode()
    assert assises.registrations.count() == 2
    # The reminder, once, 48 hours ahead.
    mail.outbox.clear()
    assert service.send_reminders() == 2
    assert service.send_reminders() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["marc@example.fr", "zoe@example.fr"]
    # A date without public registration does not exist for the public.
    assert client.get(f"/evenements/{meeting().pk}/").status_code == 404
    # The attendance list, for the organisers.
    page = cast.client("network_admin").get(f"/reseau/agenda/{assises.pk}/").content.decode()
    assert "Marc Petit (Secours populaire)" in page
