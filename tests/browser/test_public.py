"""The public finds a place near them, with the keyboard only."""

import datetime

import pytest
from django.utils import timezone

from stats.demo.factories import PlaceFactory
from tests.browser.conftest import check_accessibility, scrolls_sideways

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


def test_a_visitor_finds_a_place_open_now(page, monkeypatch):
    # Wednesday 25 November 2026, 10:30 in Miramas.
    wednesday_morning = timezone.make_aware(datetime.datetime(2026, 11, 25, 10, 30))
    monkeypatch.setattr("pathway.views.current_time", lambda: wednesday_morning)
    PlaceFactory(
        name="Médiathèque Jean-Giono",
        actor__name="Médiathèque",
        opening_hours="Mo-Fr 09:00-12:00; PH off",
    )
    PlaceFactory(name="Fab lab Le Hangar", actor__name="Fab lab", opening_hours="Sa 14:00-18:00")

    page.goto("/guide/")
    page.get_by_label("Ouvert maintenant").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Chercher").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**open_now=on**")
    results = page.locator("main").inner_text()
    assert "Médiathèque Jean-Giono" in results
    assert "Fab lab Le Hangar" not in results
    assert "ferme à 12 h" in results
    check_accessibility(page, "guide-open-now")


@pytest.mark.parametrize("size", ["page", "phone"])
def test_a_visitor_chooses_their_town_with_the_keyboard(request, two_towns, size):
    """Several towns: the selector (no script needed), the chosen town's places, map and
    the French page of an unknown town pass axe, on a desktop and on a phone."""
    page = request.getfixturevalue(size)
    two_towns.istres.map_latitude, two_towns.istres.map_longitude = 43.5138, 4.9894
    two_towns.istres.save()

    page.goto("/")
    check_accessibility(page, f"home-towns-{size}")
    page.goto("/guide/")
    check_accessibility(page, f"guide-towns-{size}")
    page.get_by_label("Ville", exact=True).focus()
    page.keyboard.press("ArrowDown")  # Istres, first by name
    page.get_by_role("button", name="Voir cette ville").click()
    page.wait_for_url("**/guide/?ville=istres")
    results = page.locator("main").inner_text()
    assert "France services d'Istres" in results
    assert "France services de Miramas" not in results
    assert page.locator(".brand-town").inner_text() == "Istres"
    check_accessibility(page, f"guide-istres-{size}")
    assert not scrolls_sideways(page)

    page.get_by_role("link", name="La carte", exact=True).click()
    page.wait_for_url("**/guide/carte/?ville=istres")
    page.wait_for_selector("#map.map-ready")
    centre = page.evaluate(
        "[document.getElementById('map').dataset.centreLat,"
        " document.getElementById('map').dataset.centreLon]"
    )
    assert centre == ["43.51380", "4.98940"]
    check_accessibility(page, f"map-istres-{size}")

    page.goto("/guide/?ville=paris")
    assert "Le guide ne connaît pas de ville « paris »." in page.locator("main").inner_text()
    check_accessibility(page, f"town-not-found-{size}")
