"""Following a resident in the neighbouring towns, in a browser at 1280 × 900 and on a phone
(390 × 844): the pages that record the consent, the journey and the search as a neighbouring
town's mediator sees them, and the resident stopping it in their own space. axe-core finds
no serious or critical violation, and no page is wider than the phone's screen."""

import pytest

from learners.models import ACROSS_TOWNS_CONSENT_VERSION, ResidentLink
from stats.demo.factories import ParticipationFactory, ResidentFactory, SessionFactory
from tests.browser.conftest import check_accessibility, scrolls_sideways, staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["page", "phone"])
def screen(request):
    return request.getfixturevalue(request.param), request.param


@pytest.fixture
def mover(towns):
    """Inès Vidal, of Miramas, followed in the neighbouring towns, seen once in Miramas."""
    ines = ResidentFactory(
        created_by_actor=towns.actor_m,
        first_name="Inès",
        last_name="Vidal",
        consented=True,
        shared_across_towns=True,
        consent_version=ACROSS_TOWNS_CONSENT_VERSION,
    )
    ParticipationFactory(
        session=SessionFactory(actor=towns.actor_m, created_by=towns.mediator_m), resident=ines
    )
    return ines


def checked(page, size, name):
    check_accessibility(page, f"{name}-{size}")
    if size == "phone":
        assert not scrolls_sideways(page), name


def test_the_consent_is_offered_on_the_pages_that_record_it(screen, live_server, towns, mover):
    page, size = screen
    staff_page(page, live_server, towns.mediator_m)
    page.goto("/residents/new/")
    assert page.get_by_label("La personne accepte d'être suivie dans les villes voisines")
    checked(page, size, "towns-resident-new")
    page.goto(f"/residents/{mover.reference}/edit/")
    assert page.get_by_label(
        "La personne accepte d'être suivie dans les villes voisines"
    ).is_checked()
    checked(page, size, "towns-resident-edit")
    page.goto("/sessions/new/")
    page.locator("#add-new-person").click()
    row = page.locator("[data-participant]").nth(0)
    row.get_by_label("La personne accepte d'être suivie dans les villes voisines").wait_for()
    checked(page, size, "towns-session-new-person")


def test_the_neighbouring_mediator_sees_whose_record_it_is(screen, live_server, towns, mover):
    page, size = screen
    staff_page(page, live_server, towns.mediator_i)
    page.goto("/residents/?q=vidal")
    assert "Fiche de la ville de Miramas" in page.locator("main").inner_text()
    checked(page, size, "towns-resident-search")
    page.goto(f"/residents/{mover.reference}/")
    main = page.locator("main").inner_text()
    assert "Fiche de la ville de Miramas" in main and "Voir ou modifier la fiche" not in main
    checked(page, size, "towns-journey-neighbour")


def test_the_resident_stops_it_in_their_space(screen, live_server, towns, mover):
    page, size = screen
    _link, token = ResidentLink.create_for(mover)
    page.goto(f"/me/link/{token}/")
    page.goto("/me/data/")
    assert "suivi dans les villes voisines : Istres" in page.locator("main").inner_text()
    checked(page, size, "towns-me-data")
    page.get_by_role(
        "button", name="Ne plus partager mon parcours avec les villes voisines"
    ).click()
    page.get_by_text("les villes voisines ne voient plus votre parcours").wait_for()
    checked(page, size, "towns-me-data-stopped")
    mover.refresh_from_db()
    assert mover.sharing_consent and not mover.shared_across_towns
