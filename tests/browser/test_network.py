"""The network's own pages at desktop size (1280 × 900), filled: the annual report with its
charts, the directory, a meeting after it was held, the ambassadors' statistics. Each is
axe-clean; with SCREENSHOTS_DIR set (make screenshots) they are the README's pictures."""

import datetime
import os

import pytest
from django.utils import timezone

from network.calendar import record_minutes, register
from network.directory import refresh_search
from network.models import DirectoryEntry, Meeting, MeetingKind, Registration
from stats.demo.factories import TopicFactory
from tests.browser.conftest import SCREENSHOTS, check_accessibility, staff_page
from tests.stats.test_stats_dashboard import populate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    page.wait_for_load_state("networkidle")
    check_accessibility(page, f"page-{name}")
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"))


def test_the_network_pages_at_desktop_size(page, live_server, cast):
    year = timezone.localdate().year
    populate([cast.actor_a, cast.actor_b], 6, year=year - 1)
    populate([cast.actor_a, cast.actor_b], 8, year=year)
    entry = DirectoryEntry.objects.create(
        user=cast.mediator_a,
        listed=True,
        job_title="Conseiller numérique",
        phone="04 90 58 00 11",
        email="conseiller@example.fr",
        languages="arabe, anglais",
    )
    entry.topics.set([TopicFactory(name="Pronote et ENT"), TopicFactory(name="Déclaration CAF")])
    refresh_search(entry)
    start = timezone.now() - datetime.timedelta(days=3)
    held = Meeting.objects.create(
        kind=MeetingKind.STEERING,
        title="Comité de pilotage de l'automne",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        location="Mairie, salle du conseil",
    )
    for user in (cast.mediator_a, cast.coordinator_a, cast.mediator_b):
        Registration.objects.create(meeting=held, user=user)
    record_minutes(
        held,
        by=cast.network_admin,
        minutes="Bilan du trimestre ; point sur les orientations entre structures.",
        decisions="Ouvrir un créneau le samedi matin\nInviter la CAF au prochain comité",
        attended=list(held.registrations.values_list("pk", flat=True)[:2]),
    )
    coming = Meeting.objects.create(
        kind=MeetingKind.ASSISES,
        title=f"Assises du numérique {year + 1}",
        starts_at=timezone.now() + datetime.timedelta(days=60),
        ends_at=timezone.now() + datetime.timedelta(days=60, hours=6),
        public_registration=True,
        capacity=120,
        location="Théâtre de la Colonne",
    )
    register(coming, user=cast.mediator_a)

    staff_page(page, live_server, cast.network_admin)
    page.goto(f"/stats/rapport/{year}/")
    # A year with no session: the charts with nothing to draw are left out (issue 15), the
    # funnel stays.
    assert page.locator("svg.chart-svg").count() >= 1
    shot(page, "60-annual-report")
    page.goto("/reseau/annuaire/?q=pronote")
    assert "04 90 58 00 11" in page.locator(".directory-people").inner_text()
    shot(page, "61-directory")
    page.goto(f"/reseau/agenda/{held.pk}/")
    shot(page, "62-meeting-minutes")
    page.goto("/reseau/agenda/")
    shot(page, "63-calendar")
    page.goto("/reseau/equipe/")
    shot(page, "64-team")
    page.goto(f"/evenements/{coming.pk}/")
    shot(page, "65-assises-registration")
