"""On a phone (390 × 844): a resident signs up for a workshop, gets the confirmation and
cancels; a mediator takes the attendance and the session appears in the journey; the
orientation guide works without JavaScript."""

import datetime

import pytest
from django.utils import timezone

from learners import sms
from learners.models import Session, WorkshopSignup
from pathway.models import Pole, Service
from stats.demo.factories import PlaceFactory, PlannedWorkshopFactory
from tests.browser.conftest import check_accessibility, scrolls_sideways, staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_signs_up_gets_the_confirmation_and_cancels(phone, cast):
    workshop = PlannedWorkshopFactory(place=cast.place_a, title="Envoyer ses photos", seats=6)
    phone.goto("/guide/ateliers/")
    phone.get_by_role("link", name="Envoyer ses photos", exact=True).click()
    check_accessibility(phone, "workshop_detail_phone")
    assert not scrolls_sideways(phone)
    phone.get_by_label("Prénom").fill("Nadia")
    phone.locator("#id_last_name").fill("Benali")
    phone.get_by_label("Téléphone").fill("06 12 34 56 78")
    phone.locator("#id_data_use").check()
    phone.get_by_role("button", name="Je m’inscris").or_(
        phone.get_by_role("button", name="Je m'inscris")
    ).click()

    phone.get_by_text("une place vous attend").wait_for()
    check_accessibility(phone, "signup_detail_phone")
    workshop.refresh_from_db()
    assert workshop.seats_free == 5
    assert sms.outbox and sms.outbox[-1].to == "0612345678"
    assert phone.url.endswith("/") and "/guide/inscription/" in phone.url

    phone.get_by_role("button", name="Je ne pourrai pas venir : annuler").click()

    phone.get_by_text("Votre inscription est annulée").first.wait_for()
    workshop.refresh_from_db()
    assert workshop.seats_free == 6


def test_a_mediator_takes_attendance_and_the_session_is_in_the_journey(phone, live_server, cast):
    workshop = PlannedWorkshopFactory(
        place=cast.place_a,
        title="Atelier tablette",
        starts_at=timezone.now() - datetime.timedelta(minutes=30),
    )
    WorkshopSignup.objects.create(
        workshop=workshop,
        first_name="Nadia",
        last_name="Benali",
        phone="0612345678",
        sharing_consent=True,
        consent_version="2026-01",
        token_hash="browser-test",
    )
    staff_page(phone, live_server, cast.mediator_a)
    phone.goto(f"/ateliers/{workshop.pk}/presence/")
    check_accessibility(phone, "workshop_attendance_phone")
    assert not scrolls_sideways(phone)
    phone.get_by_label("Nadia Benali").check()
    phone.locator("#first_name-w0").fill("Karim")
    phone.locator("#last_name-w0").fill("Haddad")
    phone.get_by_role("button", name="Enregistrer la présence").click()

    phone.get_by_text("La présence a été enregistrée").wait_for()
    assert Session.objects.get().participant_count == 2
    phone.get_by_role("link", name="Nadia Benali").click()
    phone.get_by_text("Atelier tablette").first.wait_for()


def test_the_orientation_guide_works_without_javascript(browser, live_server, cast):
    PlaceFactory(
        name="Centre social des Molières",
        services=[Service.PAPERWORK],
        opening_hours="Mo-Fr 14:00-17:00",
    )
    today = timezone.localdate()
    tuesday = today + datetime.timedelta(days=(1 - today.weekday()) % 7 or 7)
    PlannedWorkshopFactory(
        place=cast.place_a,
        pole=Pole.NECESSITY,
        title="Faire sa déclaration",
        starts_at=timezone.make_aware(datetime.datetime.combine(tuesday, datetime.time(14))),
    )
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    try:
        phone.goto("/guide/")
        phone.get_by_role("link", name="Je ne sais pas où aller").first.click()
        phone.get_by_label("Remplir un papier ou faire une démarche en ligne").check()
        phone.get_by_role("button", name="Suivant").click()
        assert not phone.locator("#near-me").is_visible()  # needs JavaScript: hidden
        phone.get_by_label("Partout dans la ville").check()
        phone.get_by_role("button", name="Suivant").click()
        phone.get_by_label("En semaine, l’après-midi").or_(
            phone.get_by_label("En semaine, l'après-midi")
        ).check()
        phone.get_by_role("button", name="Voir les lieux").click()
        phone.get_by_role("link", name="Centre social des Molières").wait_for()
        phone.get_by_role("link", name="Faire sa déclaration").wait_for()
        assert not scrolls_sideways(phone)
    finally:
        context.close()
