"""The public finds a place near them, with the keyboard only."""

import pytest

from tests.browser.conftest import check_accessibility
from tests.factories import PlaceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_finds_a_place_with_the_keyboard(page):
    PlaceFactory(name="Médiathèque Jean-Giono", actor__name="Médiathèque de Miramas")
    PlaceFactory(name="Centre social La Carraire", actor__name="Centre social La Carraire")

    page.goto("/")
    check_accessibility(page, "home")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Aller au contenu"

    page.goto("/guide/")
    check_accessibility(page, "guide")
    page.get_by_label("Chercher un lieu").focus()
    page.keyboard.type("Giono")
    page.keyboard.press("Enter")
    page.wait_for_url("**/guide/?*")
    results = page.locator("main").inner_text()
    assert "Médiathèque Jean-Giono" in results
    assert "La Carraire" not in results
