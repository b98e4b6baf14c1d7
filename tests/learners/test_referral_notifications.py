"""Referrals do not arrive unseen: the count of new ones in the navigation and on the
mediator's first page, in one query whatever their number, and an email to the staff of the
receiving structure who asked for it (and to nobody else)."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learners.models import Referral
from stats.demo.factories import ReferralFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def referrals_to_b(cast, count):
    for _ in range(count):
        resident = ResidentFactory(created_by_actor=cast.actor_a)
        resident.give_consent()  # the referral shares the person with the other structure
        resident.save()
        ReferralFactory(
            resident=resident,
            from_actor=cast.actor_a,
            to_actor=cast.actor_b,
            created_by=cast.mediator_a,
        )


def nav_count(content):
    found = re.search(r'Orientations <span class="count-new">(\d+)<', content)
    return int(found[1]) if found else None


def test_new_referrals_are_counted_in_the_navigation_and_on_the_first_page(cast):
    referrals_to_b(cast, 2)
    receiver = cast.client("mediator_b")
    home = receiver.get("/", follow=True).content.decode()
    assert nav_count(home) == 2
    assert "2 nouvelles orientations reçues, sans réponse encore" in home
    # Once someone of the structure has answered one, it is no longer new.
    Referral.objects.first().mark_received(by=cast.mediator_b)
    home = receiver.get("/sessions/").content.decode()
    assert nav_count(home) == 1
    assert "1 nouvelle orientation reçue, sans réponse encore" in home
    # The sender's structure has nothing new; neither has an official (no such menu).
    sender = cast.client("mediator_a").get("/sessions/").content.decode()
    assert nav_count(sender) is None and "nouvelle orientation" not in sender
    assert "count-new" not in cast.client("official").get("/stats/").content.decode()


@pytest.mark.parametrize("path", ["/sessions/", "/referrals/", "/residents/"])
def test_the_count_costs_one_query_whatever_the_number(cast, path):
    client = cast.client("mediator_b")

    def queries():
        client.get(path)  # warm the session and caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    referrals_to_b(cast, 1)
    one = queries()
    referrals_to_b(cast, 5)
    assert queries() == one


def refer(cast, client="mediator_a"):
    cast.resident.give_consent()
    cast.resident.save()
    return cast.client(client).post(
        f"/residents/{cast.resident.reference}/refer/",
        {
            "from_actor": cast.actor_a.pk,
            "to_actor": cast.actor_b.pk,
            "reason": "Souhaite apprendre l'ordinateur.",
        },
    )


def test_an_email_goes_to_the_receiving_staff_who_asked_for_it(
    cast, django_capture_on_commit_callbacks
):
    # Off by default: nobody is written to.
    assert not cast.mediator_b.notify_referrals
    with django_capture_on_commit_callbacks(execute=True):
        assert refer(cast).status_code == 302
    assert mail.outbox == []

    # Mediator B asks for it on the referrals page.
    cast.mediator_b.email = "b@mediatheque.example"
    cast.mediator_b.save()
    client = cast.client("mediator_b")
    response = client.post("/referrals/notifications/", {"notify": "on"}, follow=True)
    assert "Vous recevrez un e-mail à b@mediatheque.example" in response.content.decode()
    cast.mediator_b.refresh_from_db()
    assert cast.mediator_b.notify_referrals
    # Colleague A asked too, but the referral is not for their structure.
    cast.colleague_a.notify_referrals = True
    cast.colleague_a.email = "a@franceservices.example"
    cast.colleague_a.save()

    with django_capture_on_commit_callbacks(execute=True):
        assert refer(cast).status_code == 302
    assert [message.to for message in mail.outbox] == [["b@mediatheque.example"]]
    message = mail.outbox[0]
    referral = Referral.objects.latest("pk")
    assert message.subject == "Nouvelle orientation reçue : Médiathèque de Miramas"
    assert "France services de Miramas a orienté une personne" in message.body
    assert f"/referrals/{referral.pk}/" in message.body
    assert "Garnier" not in message.body and "Éloïse" not in message.body

    # Unticked: no more email.
    client.post("/referrals/notifications/", {})
    cast.mediator_b.refresh_from_db()
    assert not cast.mediator_b.notify_referrals
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        refer(cast)
    assert mail.outbox == []


def test_the_choice_is_ones_own_and_only_by_post(cast):
    cast.mediator_b.email = ""
    cast.mediator_b.save()
    assert cast.client("mediator_b").get("/referrals/notifications/").status_code == 405
    assert cast.client("official").post(
        "/referrals/notifications/", {"notify": "on"}
    ).status_code in (
        302,
        403,
        404,
    )
    cast.official.refresh_from_db()
    assert not cast.official.notify_referrals
    page = cast.client("mediator_b").get("/referrals/").content.decode()
    assert "Me prévenir par e-mail à chaque orientation reçue par ma structure" in page
    assert "aucune adresse e-mail n'est enregistrée pour vous" in page.lower()
