"""A parent ambassador on their phone (390 × 844): the link from the invitation email, the
family referred with the consent text read from the screen, the status coming back."""

import re

import pytest
from django.core import mail

from learners.models import Referral
from network.ambassadors import ambassador_invite
from tests.browser.conftest import check_accessibility, scrolls_sideways

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


def inside_the_screen(locator):
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH


def checked(phone, name):
    phone.wait_for_load_state("networkidle")
    check_accessibility(phone, f"phone-{name}")
    assert not scrolls_sideways(phone), f"{name} is wider than the phone"


def test_an_ambassador_refers_a_family_from_their_phone(phone, live_server, cast):
    ambassador_invite(
        by=cast.network_admin,
        first_name="Nadia",
        last_name="Benali",
        email="nadia@example.fr",
        schools=[cast.school],
    )
    link = re.search(r"/ambassadeurs/lien/\S+/", mail.outbox[0].body).group(0)
    phone.goto(link)
    checked(phone, "ambassador-link")
    phone.get_by_role("button", name="Ouvrir mon espace").click()
    phone.wait_for_url("**/ambassadeurs/")
    checked(phone, "ambassador-home-empty")

    phone.get_by_role("link", name="Orienter une famille").first.click()
    phone.wait_for_url("**/ambassadeurs/orienter/")
    checked(phone, "ambassador-refer")
    phone.get_by_label("Prénom de la personne").fill("Samira")
    phone.get_by_label("Téléphone", exact=True).fill("06 12 34 56 78")
    phone.get_by_label("Suivre la scolarité en ligne (ENT, Pronote)").check()
    phone.get_by_label("Vers quelle structure ?").select_option(label=cast.actor_b.name)
    # The text to read aloud, whole and in view once scrolled to.
    text = phone.locator(".consent-text")
    text.scroll_into_view_if_needed()
    assert "rien d'autre" in text.inner_text() and inside_the_screen(text)
    # Sending without the family's agreement: said plainly, nothing sent.
    phone.get_by_role("button", name="Envoyer").click()
    assert "La famille doit être d'accord" in phone.locator("#form-errors").inner_text()
    assert not Referral.objects.exists()
    phone.get_by_label("La famille est d'accord").check()
    phone.get_by_role("button", name="Envoyer").click()
    phone.wait_for_url("**/ambassadeurs/")
    card = phone.locator(".ambassador-referrals .card").first
    assert "Samira" in card.inner_text() and "Envoyée" in card.inner_text()
    assert inside_the_screen(card)
    checked(phone, "ambassador-home")

    referral = Referral.objects.get()
    assert referral.to_actor == cast.actor_b
    referral.mark_received(by=cast.mediator_b)
    phone.reload()
    assert (
        "Reçue par la structure" in phone.locator(".ambassador-referrals .card").first.inner_text()
    )

    phone.get_by_role("link", name="Ateliers à proposer").first.click()
    phone.wait_for_url("**/ambassadeurs/ateliers/")
    checked(phone, "ambassador-workshops")


def test_the_ambassador_pages_as_pictures(phone, live_server, cast):
    """The README's phone pictures of the ambassador's pages (make screenshots)."""
    import os

    from network.ambassadors import ambassador_refer
    from tests.browser.conftest import SCREENSHOTS, staff_page

    for name in ("Samira", "Karim", "Lucie"):
        ambassador_refer(
            ambassador=cast.ambassador,
            school=cast.school,
            to_actor=cast.actor_b,
            first_name=name,
            phone="06 00 00 00 00",
            need="school_tools",
            consent=True,
        )
    staff_page(phone, live_server, cast.ambassador)
    for path, name in (
        ("/ambassadeurs/", "66-phone-ambassador"),
        ("/ambassadeurs/orienter/", "67-phone-ambassador-refer"),
    ):
        phone.goto(path)
        checked(phone, name)
        if SCREENSHOTS:
            phone.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"))
