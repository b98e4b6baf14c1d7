"""The pages people open on a phone (390 × 844), as they see them: tables as cards that
show every column, the journey's newest session first and its chart drawn, erasing apart
from harmless actions, a certificate's levels in view, a header that leaves room for the
page, the map before the filters, and what opens next when nothing is open now."""

import datetime
import importlib

import pytest
from django.utils import timezone

from certificates.services import certificate_issue
from learners.services import participations_changed
from stats.demo.factories import (
    ParticipationFactory,
    PlaceFactory,
    SessionFactory,
    completed_module,
)
from tests.browser.conftest import check_accessibility, scrolls_sideways, staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 390, 844


@pytest.fixture(autouse=True)
def framework():
    from django.apps import apps

    importlib.import_module("pathway.migrations.0002_crcn_competences").load(apps, None)


def inside_the_screen(locator):
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH


def test_my_sessions_are_cards_showing_every_column(phone, live_server, cast):
    today = timezone.localdate()
    for days in (1, 2, 3):
        SessionFactory(
            actor=cast.actor_a,
            created_by=cast.mediator_a,
            date=today - datetime.timedelta(days=days),
            workshop_title=f"Atelier {days}",
        )
    staff_page(phone, live_server, cast.mediator_a)
    phone.goto("/sessions/")
    first = phone.locator("main table tbody tr").first
    assert "Atelier 1" in first.inner_text()
    # Each cell in view, after the name of its column.
    labels = first.locator("td[data-label]").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert labels == ['"Date"', '"Pôle"', '"Lieu"', '"Participants"', '"Durée"']
    for i in range(5):
        assert inside_the_screen(first.locator("td[data-label]").nth(i))
    edit = first.get_by_role("link", name="Modifier")
    assert edit.is_visible() and inside_the_screen(edit)
    assert not scrolls_sideways(phone)
    check_accessibility(phone, "phone-sessions")


def test_the_journey_on_a_phone(phone, live_server, cast):
    for day, level in [(3, 1), (17, 2), (28, 3)]:
        ParticipationFactory(
            session=SessionFactory(
                actor=cast.actor_a,
                created_by=cast.mediator_a,
                date=datetime.date(2026, 3, day),
                workshop_title=f"Atelier du {day} mars",
            ),
            resident=cast.resident,
            autonomy=level,
        )
    participations_changed([cast.resident.pk])
    staff_page(phone, live_server, cast.mediator_a)
    phone.goto(f"/residents/{cast.resident.reference}/")

    # The timeline: cards, the newest first.
    cards = phone.locator("table.timeline tbody tr")
    tops = [cards.nth(i).bounding_box()["y"] for i in range(3)]  # oldest first in the page
    assert tops[2] < tops[1] < tops[0]
    assert "Atelier du 28 mars" in cards.nth(2).inner_text()

    # The autonomy chart is drawn: three dots, each higher than the one before.
    dots = phone.locator("svg.chart circle.chart-dot")
    heights = [dots.nth(i).bounding_box()["y"] for i in range(3)]
    assert heights[0] > heights[1] > heights[2]

    # Erasing the person's data stands apart, after everything else, in the danger colour.
    assert phone.locator(".shortcuts").get_by_text("Effacer ses données").count() == 0
    erase = phone.locator(".danger-zone").get_by_role("link", name="Effacer ses données")
    certificates = phone.locator("#certificates-title").bounding_box()["y"]
    assert erase.bounding_box()["y"] > certificates
    assert erase.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(164, 22, 26)"
    assert not scrolls_sideways(phone)
    check_accessibility(phone, "phone-journey")


def test_a_residents_certificate_on_a_phone(phone, cast):
    module = completed_module(cast.resident, mediator=cast.mediator_a)
    certificate = certificate_issue(resident=cast.resident, module=module)
    phone.goto(f"/me/link/{cast.resident_token}/")
    phone.goto("/me/certificates/")
    download = phone.get_by_role("link", name="Télécharger le PDF")
    assert download.count() == 1 and inside_the_screen(download)
    phone.goto(f"/me/certificates/{certificate.code}/")
    # Every level of the skills table is in view, with the name of its column.
    rows = phone.locator("section.certificate table tbody tr")
    assert rows.count() == 2
    for i in range(2):
        level = rows.nth(i).locator("td[data-label='Niveau atteint']")
        assert level.is_visible() and inside_the_screen(level)
        assert "sur 8" in level.inner_text()
    assert not scrolls_sideways(phone)
    check_accessibility(phone, "phone-certificate")


def test_the_header_leaves_room_and_the_menu_unfolds(phone, live_server, cast):
    for path in ["/", "/guide/"]:
        phone.goto(path)
        assert phone.locator(".site-header").bounding_box()["height"] < HEIGHT / 5, path
    staff_page(phone, live_server, cast.mediator_a)
    phone.goto("/sessions/")
    assert phone.locator(".site-header").bounding_box()["height"] < HEIGHT / 5
    assert not phone.get_by_role("link", name="Habitants").is_visible()
    menu = phone.get_by_role("button", name="Menu")
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    phone.get_by_role("link", name="Habitants").click()
    phone.wait_for_url("**/residents/")


def test_the_map_comes_before_the_filters(phone, cast):
    phone.goto("/guide/carte/")
    map_top = phone.locator("#map").bounding_box()["y"]
    filters_top = phone.locator("form.filters").bounding_box()["y"]
    assert map_top < filters_top
    assert map_top < HEIGHT / 2  # the map is in the first screen


def test_open_now_with_nothing_open_says_what_opens_next(phone, cast, monkeypatch):
    # Wednesday 25 November 2026, 20:00 in Miramas: everything is closed.
    evening = timezone.make_aware(datetime.datetime(2026, 11, 25, 20, 0))
    monkeypatch.setattr("pathway.views.current_time", lambda: evening)
    PlaceFactory(name="Médiathèque Jean-Giono", opening_hours="Mo-Fr 09:00-12:00")
    phone.goto("/guide/?open_now=on")
    main = phone.locator("main").inner_text()
    assert "Aucun lieu n'est ouvert en ce moment" in main
    assert "Médiathèque Jean-Giono" in main and "ouvre demain à 9 h" in main
    check_accessibility(phone, "phone-guide-open-now")


def test_the_coordination_export_and_last_years_decisions_on_a_phone(phone, live_server, cast):
    """A coordinator fills the export's form on a phone (a wrong period is said in French);
    the annual report's decisions of the year before fit the screen."""
    from network.models import Meeting, MeetingKind
    from tests.stats.test_stats_dashboard import populate

    populate([cast.actor_a], 6, year=2026)
    start = timezone.make_aware(datetime.datetime(2025, 11, 20, 9))
    Meeting.objects.create(
        kind=MeetingKind.ASSISES,
        title="Assises du numérique 2025",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=6),
        decisions="Ouvrir un lieu le samedi matin\n" + "Un engagement très long " * 12,
    )
    staff_page(phone, live_server, cast.coordinator_a)
    phone.goto("/reseau/agenda/")
    phone.get_by_role("link", name="Exporter le travail de coordination (Coop)").click()
    phone.wait_for_url("**/reseau/agenda/export/")
    assert not scrolls_sideways(phone)
    phone.get_by_label("Du").fill("2025-12-31")
    phone.get_by_label("Au").fill("2025-01-01")
    phone.get_by_role("button", name="Télécharger").click()
    phone.get_by_text("La date de début est après la date de fin.").first.wait_for()
    assert not scrolls_sideways(phone)
    check_accessibility(phone, "phone-coordination-export")

    staff_page(phone, live_server, cast.network_admin)
    phone.goto("/stats/rapport/2026/")
    heading = phone.get_by_role("heading", name="Ce que nous avions décidé aux assises 2025")
    assert heading.is_visible()
    assert inside_the_screen(phone.get_by_text("Ouvrir un lieu le samedi matin"))
    assert not scrolls_sideways(phone)
