"""An official narrows the statistics down with the filters, then downloads a table; and a
visitor switches the interface to English, scripts included."""

import re

import pytest
from playwright.sync_api import expect

from learners.models import ReferralStatus
from stats.demo.factories import ActorFactory, ReferralFactory, ResidentFactory
from tests.browser.conftest import check_accessibility, scrolls_sideways, staff_page
from tests.stats.test_stats_dashboard import populate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_official_filters_the_dashboard_and_exports_a_table(page, live_server, cast):
    populate([cast.actor_a, cast.actor_b], 6)
    staff_page(page, live_server, cast.official)
    page.goto("/stats/")
    check_accessibility(page, "stats-dashboard")

    page.get_by_text("Changer les filtres").click()
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


def test_a_quarter_chosen_without_changing_the_period_type_is_the_quarter_shown(
    page, live_server, cast
):
    populate([cast.actor_a, cast.actor_b], 6)
    staff_page(page, live_server, cast.official)
    page.goto("/stats/?year=2026")
    page.get_by_text("Changer les filtres").click()
    assert page.get_by_label("Période").input_value() == "year"
    page.get_by_label("Trimestre").select_option("3")  # "Période" stays "Une année"
    page.get_by_role("button", name="Afficher les chiffres").click()
    page.wait_for_url(re.compile(r"quarter=3"))
    expect(page.locator("#stats-period")).to_have_text("Du 1er juillet au 30 septembre 2026")
    # The filters' line says it too, and the form, opened again, shows the type applied.
    assert "3e trimestre" in page.locator(".stats-filters summary").inner_text()
    page.get_by_text("Changer les filtres").click()
    assert page.get_by_label("Période").input_value() == "quarter"
    check_accessibility(page, "stats-quarter")


def referrals_between(cast):
    """Enough referrals for the matrix to show figures, to structures of long names."""
    far = ActorFactory(name="Centre communal d'action sociale et maison des solidarités")
    for to_actor, count in ((cast.actor_b, 10), (far, 6)):
        for i in range(count):
            referral = ReferralFactory(
                resident=ResidentFactory(created_by_actor=cast.actor_a),
                from_actor=cast.actor_a,
                to_actor=to_actor,
                created_by=cast.mediator_a,
            )
            referral.status = ReferralStatus.CLOSED if i < 5 else ReferralStatus.SEEN
            referral.save()


def funnel_box(page):
    page.evaluate("window.scrollTo(0, 0)")
    return page.locator("#parcours figure.chart").bounding_box()


def test_an_official_reads_the_funnel_in_the_first_screen(page, live_server, cast):
    populate([cast.actor_a, cast.actor_b], 6)
    referrals_between(cast)
    staff_page(page, live_server, cast.official)
    page.goto("/stats/?year=2026")
    # Filters folded in one line that opens; key figures, then the funnel, at once.
    assert not page.get_by_label("Période").is_visible()
    assert "Tout le réseau" in page.locator(".stats-filters summary").inner_text()
    box = funnel_box(page)
    assert box["y"] + box["height"] <= 900, box
    # The referrals summed up, the whole matrix on demand.
    summary = page.locator(".referral-summary").inner_text()
    assert "Les principaux trajets" in summary
    assert f"De {cast.actor_a.name} vers {cast.actor_b.name} : 10 envoyées" in summary
    matrix = page.locator("#orientations table")
    assert not matrix.is_visible()
    page.get_by_text("Toutes les orientations, structure par structure").click()
    assert matrix.is_visible()
    check_accessibility(page, "stats-desktop-layout")


def test_on_a_phone_the_funnel_within_two_screens_and_the_matrix_as_a_list(
    phone, live_server, cast
):
    populate([cast.actor_a, cast.actor_b], 6)
    referrals_between(cast)
    staff_page(phone, live_server, cast.official)
    phone.goto("/stats/?year=2026")
    box = funnel_box(phone)
    assert box["y"] + box["height"] <= 2 * 844, box
    assert not scrolls_sideways(phone)
    phone.get_by_text("Toutes les orientations, structure par structure").click()
    # No table of one column per structure: a list of who sent whom where.
    assert not phone.locator("#orientations table").is_visible()
    flows = phone.locator("#orientations .matrix-list")
    assert flows.is_visible()
    assert "vers Centre communal d'action sociale" in flows.inner_text()
    assert not scrolls_sideways(phone)
    check_accessibility(phone, "stats-phone-matrix")
    # Larger text (the browser's text size at 150 %): still nothing wider than the screen.
    phone.evaluate("document.documentElement.style.fontSize = '150%'")
    assert not scrolls_sideways(phone)
    phone.get_by_text("Changer les filtres").click()
    assert phone.get_by_label("Période").is_visible()
    assert not scrolls_sideways(phone)


@pytest.mark.parametrize("size", ["page", "phone"])
def test_the_territory_coordinator_compares_the_towns(request, live_server, size):
    """Three towns of one intercommunality side by side, on a desk and on a phone; one
    town chosen on the dashboard."""
    from pathway.models import Town
    from stats.demo.factories import TerritoryFactory, TownFactory, UserFactory
    from tests.stats.test_towns_stats import helped

    screen = request.getfixturevalue(size)
    metropole = TerritoryFactory(name="Métropole Aix-Marseille-Provence", code="200054807")
    miramas = Town.objects.default()
    miramas.territories.add(metropole)
    istres = TownFactory(territories=[metropole])
    grans = TownFactory(insee_code="13044", name="Grans", postcode="13450")
    grans.territories.add(metropole)
    helped(ActorFactory(name="France services de Miramas"), 8)
    helped(ActorFactory(name="France services d'Istres", town=istres), 6)
    helped(ActorFactory(name="CCAS de Grans", town=grans), 2)
    coordinator = UserFactory(username="coord", territory_coordinator=True, territory=metropole)
    staff_page(screen, live_server, coordinator)
    screen.goto("/")
    screen.wait_for_url(re.compile(r"/stats/territoire/"))
    table = screen.get_by_role("table")
    expect(table.get_by_role("row", name=re.compile("^Miramas"))).to_contain_text("8")
    expect(table.get_by_role("row", name=re.compile("^Grans"))).to_contain_text("< 5")
    assert not scrolls_sideways(screen)
    check_accessibility(screen, f"{size}-stats-territory")

    screen.goto("/stats/")
    if size == "phone":
        screen.get_by_text("Changer les filtres").click()
    else:
        screen.get_by_text("Changer les filtres").click()
    screen.get_by_label("Ville").select_option(label="Istres")
    screen.get_by_role("button", name="Afficher les chiffres").press("Enter")
    screen.wait_for_url(re.compile(r"town="))
    expect(screen.locator(".stats-scope")).to_contain_text("Istres")
    check_accessibility(screen, f"{size}-stats-town")
