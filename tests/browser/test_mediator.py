"""A mediator logs a collective workshop with the keyboard only: an existing resident found
as they type, and a new person created on the spot."""

import re

import pytest

from learners.models import Resident, Session
from stats.demo.factories import TopicFactory
from tests.browser.conftest import check_accessibility, staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def press(page, selector, key="Space"):
    page.locator(selector).focus()
    page.keyboard.press(key)


def test_a_mediator_logs_a_workshop_with_the_keyboard_only(page, live_server, cast):
    TopicFactory(pole="leisure", name="Photo numérique")
    staff_page(page, live_server, cast.mediator_a)
    page.goto("/sessions/new/")
    check_accessibility(page, "session-form")

    press(page, "input[name=format][value=collective]")
    press(page, "input[name=pole][value=leisure]")
    press(page, "label:has-text('Photo numérique') input")
    page.get_by_label("Titre de l'atelier").focus()
    page.keyboard.type("Retoucher ses photos")

    # An existing resident, found as one types, chosen with the arrow keys.
    page.locator("#resident-search").focus()
    page.keyboard.type("Garn")
    page.locator("#resident-results button[data-resident]").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    first_row = page.locator("[data-participant]").nth(0)
    assert "Éloïse Garnier" in first_row.locator("[data-person-label]").inner_text()
    # The focus is back in the search box, for the next name.
    assert page.evaluate("document.activeElement.id") == "resident-search"

    # A new person, created inline: their row comes first, the focus in its first field.
    press(page, "#add-new-person", "Enter")
    row = page.locator("[data-participant]").nth(0)
    assert page.evaluate("document.activeElement.name") == "p-1-last_name"
    page.keyboard.type("Martin")
    page.keyboard.press("Tab")
    page.keyboard.type("Lucie")
    row.locator("input[name$='-birth_year']").focus()
    page.keyboard.type("1958")
    row.locator("input[name$='-consent']").focus()
    page.keyboard.press("Space")

    press(page, "button[type=submit]:has-text('Enregistrer')", "Enter")
    page.wait_for_url(re.compile(r"/sessions/$"))

    session = Session.objects.get(workshop_title="Retoucher ses photos")
    assert session.format == "collective" and session.pole == "leisure"
    assert set(session.participations.values_list("resident__last_name", flat=True)) == {
        "Garnier",
        "Martin",
    }
    lucie = Resident.objects.get(last_name="Martin")
    assert lucie.sharing_consent and lucie.created_by_actor == cast.actor_a
    assert "Retoucher ses photos" in page.locator("main").inner_text()
