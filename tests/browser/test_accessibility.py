"""axe-core on every page a person can open, at 1280 × 900 and on a phone (390 × 844): the
pages of tests/test_permission_walk.py's ROUTES (each page opened as the first role that
may, so a new page is checked as soon as it is said who may open it), the API's
documentation, the Django admin's main pages, the error pages, and a few states a page
only reaches by clicking (the menu unfolded on a phone, a certificate about to be issued).
No serious or critical violation, no script or CSP error; on the phone no page is wider
than the screen, also with the guide's larger text."""

import datetime
import importlib
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from certificates.services import certificate_issue
from learners.services import participations_changed
from stats.demo.factories import (
    ParticipationFactory,
    ReferralFactory,
    SessionFactory,
    completed_module,
)
from tests.browser.conftest import check_accessibility, scrolls_sideways, staff_page
from tests.stats.test_stats_dashboard import populate
from tests.test_permission_walk import ROUTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Files, JSON and redirections rather than pages.
NOT_PAGES = re.compile(
    r"^(v1:|api_schema$|javascript_catalog$|open_data_|guide_pdf$|(town_)?issuer_|(town_)?status_list$"
    r"|stats_export$|export_download$|resident_export$|me_export$|me_open$|.*_pdf$"
    r"|.*credential$|certificate_download$|resident_search$|.*_badge_(png|svg)$"
    r"|endorser_profile$|endorser_key$|document_download$|calendar_ics$)"
)
# Each page is opened as the first of these who may open it.
ROLES = [
    "anonymous",
    "resident",
    "mediator_a",
    "coordinator_a",
    "official",
    "network_admin",
    "ambassador",
]
SIZES = ["page", "phone"]  # the fixtures of tests/browser/conftest.py


def pages_of(role):
    """ROUTES' pages that `role` is the first of ROLES to open (200)."""
    found = []
    for name, (path, expected) in sorted(ROUTES.items()):
        if NOT_PAGES.match(name):
            continue
        first = next((r for r in ROLES if expected.get(r) == 200), None)
        if first == role:
            found.append((name, path))
    return found


def test_every_page_of_the_walk_is_checked_by_someone():
    checked = {name for role in ROLES for name, _path in pages_of(role)}
    pages = {
        name
        for name, (_path, expected) in ROUTES.items()
        if not NOT_PAGES.match(name) and 200 in expected.values()
    }
    assert checked == pages
    assert {"api_docs", "admin:index", "stats", "resident_journey", "me"} <= checked


@pytest.fixture
def town(cast):
    """The cast, with enough for pages to show their tables, chart and figures."""
    from django.apps import apps

    importlib.import_module("pathway.migrations.0002_crcn_competences").load(apps, None)
    for day, level in [(3, 1), (17, 2), (28, 3)]:
        ParticipationFactory(
            session=SessionFactory(
                actor=cast.actor_a,
                created_by=cast.mediator_a,
                pole="necessity",
                date=datetime.date(2026, 3, day),
            ),
            resident=cast.resident,
            autonomy=level,
        )
    ReferralFactory(
        resident=cast.resident,
        from_actor=cast.actor_a,
        to_actor=cast.actor_b,
        created_by=cast.mediator_a,
    )
    participations_changed([cast.resident.pk])
    populate([cast.actor_a, cast.actor_b], 6)
    return cast


def sign_in(page, live_server, town, role):
    if role == "resident":
        page.goto(f"/me/link/{town.resident_token}/")
    elif role != "anonymous":
        staff_page(page, live_server, getattr(town, role))


def visit(page, size, label):
    page.wait_for_load_state("networkidle")
    check_accessibility(page, f"{size}-{label}")
    if size == "phone":
        assert not scrolls_sideways(page), f"{label} is wider than the phone"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe(request, live_server, town, role, size):
    page = request.getfixturevalue(size)
    sign_in(page, live_server, town, role)
    for name, path in pages_of(role):
        response = page.goto(path(town) if callable(path) else path)
        assert response.status == 200, name
        if name == "api_docs":
            page.locator(".opblock").first.wait_for()  # Swagger UI has drawn the operations
        visit(page, size, name)
    if role == "anonymous":
        page.goto("/cette-page-n-existe-pas/")
        visit(page, size, "404")
        if size == "phone":
            # The guide with its larger text: still no page wider than the screen.
            page.goto("/guide/")
            page.get_by_role("button", name="Agrandir le texte").click()
            page.wait_for_url("**/guide/")
            for path in ["/guide/", "/guide/carte/", "/guide/ateliers/"]:
                page.goto(path)
                visit(page, size, f"large-text-{path}")


@pytest.mark.parametrize("size", SIZES)
def test_the_unfolded_menu_and_the_step_before_issuing_pass_axe(request, live_server, town, size):
    page = request.getfixturevalue(size)
    completed_module(town.resident, mediator=town.mediator_a)
    sign_in(page, live_server, town, "mediator_a")
    page.goto("/certificates/eligible/")
    if size == "phone":
        page.get_by_role("button", name="Menu").click()
        assert page.get_by_role("link", name="Habitants").is_visible()
        visit(page, size, "menu-open")
    page.get_by_role("button", name="Délivrer à Éloïse Garnier seulement").click()
    page.wait_for_url("**/certificates/issue/")
    visit(page, size, "certificate-issue-confirm")


def admin_pages(town):
    """The admin's index, each app's index, and for every model its list and its form to
    add one; the form of one record of each of the network's own models."""
    paths = ["/admin/"]
    request = _AdminRequest(town.network_admin)
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_module_permission(request):
            continue  # the installation's pages, the superuser's (config/urls.py)
        info = (model._meta.app_label, model._meta.model_name)
        paths.append(reverse("admin:app_list", args=[info[0]]))
        paths.append(reverse(f"admin:{info[0]}_{info[1]}_changelist"))
        if model_admin.has_add_permission(request=request):
            paths.append(reverse(f"admin:{info[0]}_{info[1]}_add"))
        if info[0] in {"pathway", "learners", "certificates"}:
            first = model._default_manager.order_by("pk").first()
            if first is not None:
                paths.append(reverse(f"admin:{info[0]}_{info[1]}_change", args=[first.pk]))
    return list(dict.fromkeys(paths))


class _AdminRequest:
    def __init__(self, user):
        self.user = user


@pytest.mark.parametrize("size", SIZES)
def test_the_admins_main_pages_pass_axe(request, live_server, town, size):
    certificate_issue(resident=town.resident, module=completed_module(town.resident))
    page = request.getfixturevalue(size)
    sign_in(page, live_server, town, "network_admin")
    for path in admin_pages(town):
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        check_accessibility(page, f"{size}-admin-{path}")
