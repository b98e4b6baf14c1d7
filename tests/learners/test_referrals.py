"""Referrals that close the loop: sent by one actor, answered by the other, followed by the
sender, flagged when nobody answers."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from learners.models import Referral, ReferralStatus
from pathway.models import Pole
from stats.demo.factories import ReferralFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def refer(cast, **data):
    return cast.client("mediator_a").post(
        f"/residents/{cast.resident.reference}/refer/",
        {"from_actor": cast.actor_a.pk, "reason": "Souhaite apprendre l'ordinateur.", **data},
    )


def test_referring_needs_the_residents_consent_to_reach_another_actor(cast):
    response = refer(cast, to_actor=cast.actor_b.pk)
    assert response.status_code == 200
    assert "elle doit accepter le partage" in response.content.decode()
    assert not Referral.objects.exists()

    response = refer(cast, to_actor=cast.actor_b.pk, consent="on")

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.from_actor, referral.to_actor, referral.status) == (
        cast.actor_a,
        cast.actor_b,
        "sent",
    )
    assert referral.created_by == cast.mediator_a
    cast.resident.refresh_from_db()
    assert cast.resident.sharing_consent and cast.resident.consent_version


def test_a_referral_needs_a_destination_and_a_reason(cast):
    response = refer(cast, reason="  ", consent="on")
    content = response.content.decode()
    assert "Choisissez la structure ou le pôle" in content
    assert "Ce champ est obligatoire" in content or "Indiquez le motif" in content
    assert not Referral.objects.exists()
    assert (
        "Choisissez une autre structure" in refer(cast, to_actor=cast.actor_a.pk).content.decode()
    )


def test_the_receiving_actor_answers_from_its_inbox_and_the_sender_follows(cast):
    cast.resident.give_consent()
    cast.resident.save()
    refer(cast, to_actor=cast.actor_b.pk, to_pole="leisure")
    referral = Referral.objects.get()

    inbox = cast.client("mediator_b").get("/referrals/")
    assert list(inbox.context["page"].object_list) == [referral]
    assert not cast.client("mediator_a").get("/referrals/").context["page"].object_list

    receiver = cast.client("mediator_b")
    assert receiver.post(f"/referrals/{referral.pk}/", {"step": "received"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == "received" and referral.received_by == cast.mediator_b
    receiver.post(f"/referrals/{referral.pk}/", {"step": "seen"})
    referral.refresh_from_db()
    assert referral.status == "seen" and referral.seen_at is not None

    # The sender sees where it stands, and may close it.
    sent = cast.client("colleague_a").get("/referrals/?box=sent").content.decode()
    assert "Personne venue" in sent
    page = cast.client("mediator_a").get(f"/referrals/{referral.pk}/").content.decode()
    assert "Reçue le" in page and "Nous l&#x27;avons reçue" not in page
    cast.client("mediator_a").post(f"/referrals/{referral.pk}/", {"step": "closed"})
    referral.refresh_from_db()
    assert referral.status == "closed" and referral.closed_at is not None
    # Closed referrals leave the inbox unless asked for.
    assert not cast.client("mediator_b").get("/referrals/").context["page"].object_list
    assert cast.client("mediator_b").get("/referrals/?open=0").context["page"].object_list


def test_the_sender_cannot_answer_for_the_receiver(cast):
    referral = ReferralFactory(
        resident=ResidentFactory(created_by_actor=cast.actor_a, consented=True),
        from_actor=cast.actor_a,
        to_actor=cast.actor_b,
        created_by=cast.mediator_a,
    )
    response = cast.client("mediator_a").post(
        f"/referrals/{referral.pk}/", {"step": "seen"}, follow=True
    )
    assert "Seule la structure destinataire" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_a_referral_never_goes_back(cast):
    referral = ReferralFactory(
        resident=cast.resident, from_actor=cast.actor_a, to_actor=cast.actor_b, status="seen"
    )
    with pytest.raises(ValidationError, match="ne peut pas revenir en arrière"):
        referral.mark_received(by=cast.mediator_b)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SEEN


def test_an_answer_marks_the_referral_received(cast):
    referral = ReferralFactory(resident=cast.resident, to_actor=cast.actor_b)
    now = timezone.now()
    referral.mark_seen(by=cast.mediator_b, now=now)
    assert (referral.status, referral.received_at, referral.seen_at) == ("seen", now, now)


def test_a_referral_to_a_pole_reaches_every_other_actor(cast):
    cast.resident.give_consent()
    cast.resident.save()
    refer(cast, to_pole="achievement")
    referral = Referral.objects.get()
    assert referral.to_actor is None
    assert list(cast.client("mediator_b").get("/referrals/").context["page"].object_list) == [
        referral
    ]
    cast.client("mediator_b").post(f"/referrals/{referral.pk}/", {"step": "received"})
    referral.refresh_from_db()
    assert referral.status == "received" and referral.received_by == cast.mediator_b


def test_unanswered_referrals_are_flagged(cast, settings):
    settings.REFERRAL_FLAG_DAYS = 14
    resident = ResidentFactory(created_by_actor=cast.actor_a, consented=True)
    now = timezone.now()
    old = ReferralFactory(
        resident=resident,
        from_actor=cast.actor_a,
        to_actor=cast.actor_b,
        sent_at=now - datetime.timedelta(days=15),
    )
    recent = ReferralFactory(
        resident=resident,
        from_actor=cast.actor_a,
        to_actor=cast.actor_b,
        sent_at=now - datetime.timedelta(days=13),
    )
    answered = ReferralFactory(
        resident=resident,
        from_actor=cast.actor_a,
        to_actor=cast.actor_b,
        sent_at=now - datetime.timedelta(days=30),
        status="received",
    )
    assert old.is_flagged(now=now) and not recent.is_flagged(now=now)
    assert not answered.is_flagged(now=now)
    assert list(Referral.objects.unanswered_since(14, now=now)) == [old]
    content = cast.client("mediator_a").get("/referrals/?box=sent").content.decode()
    assert content.count("sans réponse depuis plus de 14 jours") == 1


def test_a_resident_without_consent_keeps_their_referrals_at_home(cast):
    referral = ReferralFactory(
        resident=cast.resident, from_actor=cast.actor_a, to_actor=cast.actor_b
    )
    assert cast.client("mediator_b").get(f"/referrals/{referral.pk}/").status_code == 404
    assert not cast.client("mediator_b").get("/referrals/").context["page"].object_list


@pytest.mark.parametrize("count", [1, 20])
def test_the_inbox_costs_the_same_queries_whatever_its_length(
    cast, count, django_assert_num_queries
):
    for _ in range(count):
        ReferralFactory(
            resident=ResidentFactory(created_by_actor=cast.actor_a, consented=True),
            from_actor=cast.actor_a,
            to_actor=cast.actor_b,
        )
    client = cast.client("mediator_b")
    # session, user, the user's actors, count, referrals with resident/actors/people, the
    # journal row, the count of new ones (navigation)
    with django_assert_num_queries(7):
        response = client.get("/referrals/")
    assert len(response.context["page"].object_list) == count


def test_a_referral_without_a_structure_or_a_pole_still_reads():
    referral = ReferralFactory.build(to_actor=None, to_pole="")
    assert str(referral) == f"{referral.resident} → destination non précisée"
    assert str(ReferralFactory.build(to_actor=None, to_pole="necessity")).endswith(
        "→ " + str(Pole("necessity").label)
    )
