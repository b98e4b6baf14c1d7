"""What a resident or a structure receives names the network of the town it is about (the
referral's actor's, the resident's, the workshop's), never the installation's first town."""

import io

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from learners import sms
from learners.carnet import carnet_pdf
from learners.notifications import send_referral_emails
from learners.services import resident_link_email
from learners.signups import signup_cancel, signup_create
from stats.demo.factories import (
    PlannedWorkshopFactory,
    ReferralFactory,
    ResidentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ISTRES_NETWORK = "Réseau Parcours numérique d'Istres"
MIRAMAS_NETWORK = "Réseau Parcours numérique de Miramas"


def test_a_referral_email_names_the_network_of_the_town_it_comes_from(two_towns):
    colleague = UserFactory(username="collegue_istres", mediator=True, actors=[two_towns.actor_i])
    colleague.notify_referrals = True
    colleague.save()
    resident = ResidentFactory(created_by_actor=two_towns.actor_i)
    referral = ReferralFactory(resident=resident, to_actor=two_towns.actor_i)
    mail.outbox.clear()

    assert send_referral_emails(referral.pk) == 1
    assert ISTRES_NETWORK in mail.outbox[0].body
    assert "Miramas" not in mail.outbox[0].body


def test_a_residents_link_and_carnet_name_their_towns_network(two_towns):
    resident = ResidentFactory(created_by_actor=two_towns.actor_i, email="lina@example.fr")
    resident_link_email(resident=resident)
    assert ISTRES_NETWORK in mail.outbox[0].body and "Miramas" not in mail.outbox[0].body

    pdf = carnet_pdf(resident, url="https://example.fr/moi/x/", expires_at=timezone.now())
    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert "Parcours numérique · Istres" in text and ISTRES_NETWORK in text
    assert "Miramas" not in text and reader.metadata.author == ISTRES_NETWORK


def test_workshop_messages_name_the_network_of_the_workshops_town(
    two_towns, django_capture_on_commit_callbacks
):
    workshop = PlannedWorkshopFactory(place=two_towns.place_i, seats=1)
    with django_capture_on_commit_callbacks(execute=True):
        first, _token = signup_create(
            workshop_id=workshop.pk, first_name="A", last_name="B", email="a@example.fr"
        )
        signup_create(workshop_id=workshop.pk, first_name="C", last_name="D", email="c@example.fr")
    with django_capture_on_commit_callbacks(execute=True):
        signup_cancel(signup=first)  # the waiting person moves up

    # Confirmed, waiting, then moved up: each signed by Istres' network.
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert ISTRES_NETWORK in message.body and "Miramas" not in message.body
    assert not sms.outbox


def test_a_single_town_installation_signs_as_before(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup_create(
            workshop_id=cast.workshop_a.pk, first_name="A", last_name="B", email="a@example.fr"
        )
    assert MIRAMAS_NETWORK in mail.outbox[0].body
