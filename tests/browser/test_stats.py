"""An official narrows the statistics down with the filters, then downloads a table; and a
visitor switches the interface to English, scripts included."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility, staff_page
from tests.stats.test_stats_dashboard import populate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_official_filters_the_dashboard_and_exports_a_table(page, live_server, cast):
    populate([cast.actor_a, cast.actor_b], 6)
    staff_page(page, live_server, cast.official)
    page.goto("/stats/")
    check_accessibility(page, "stats-dashboard")

    page.get_by_label("Période").select_option("quarter")
    page.get_by_label("Année").select_option("2026")
    page.get_by_label("Trimestre").select_option("1")
    page.get_by_label("Structure", exact=True).select_option(label=cast.actor_a.name)
    page.get_by_role("button", name="Afficher les chiffres").press("Enter")
    page.wait_for_url(re.compile(r"period=quarter"))

    scope = page.locator(".stats-scope").inner_text()
    assert "1er trimestre" in scope and cast.actor_a.name in scope
    check_accessibility(page, "stats-filtered")

    with page.expect_download() as download:
        page.locator("a[href^='/stats/export/chiffres-cles.csv']").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert download.value.suggested_filename.endswith("-chiffres-cles.csv")
    assert cast.actor_a.name in text and "1er trimestre" in text
    assert "Habitants accompagnés" in text
    assert "Garnier" not in text


def test_a_visitor_switches_to_english_and_the_scripts_follow(page, live_server, cast):
    page.goto("/guide/")
    page.get_by_role("button", name="English").press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Skip to content").count() == 1
    check_accessibility(page, "guide-english")

    # The language stays for the session's next pages, the session form's script included.
    staff_page(page, live_server, cast.mediator_a)
    page.goto("/sessions/new/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("#add-new-person").press("Enter")
    expect(page.locator("#participants-status")).to_have_text(
        "New person added: fill in their record."
    )
    assert "complétez" not in page.locator("main").inner_text()
    check_accessibility(page, "session-form-english")
