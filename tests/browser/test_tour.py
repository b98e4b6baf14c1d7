"""A tour of the main pages of every role on a small demo town: each page passes axe-core
(no serious or critical violation) with no CSP violation or script error, and, with
SCREENSHOTS_DIR set (`make screenshots`), is photographed for the README."""

import importlib

import pytest

from certificates.models import Certificate
from learners.models import Resident, ResidentLink, User
from tests.browser.conftest import check_accessibility, staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def town():
    from django.apps import apps

    # The CRCN comes from a data migration that transactional tests flush: load it again.
    importlib.import_module("pathway.migrations.0002_crcn_competences").load(apps, None)
    from stats.demo.town import seed

    seed(residents=120, sessions=600, certificates=3)
    return Resident.objects.get(first_name="Nadia", last_name="Benhamou")


def visit(page, path, name):
    page.goto(path)
    page.wait_for_load_state("networkidle")
    check_accessibility(page, name)


def test_the_public_pages(page, town):
    visit(page, "/", "01-home")
    visit(page, "/guide/", "02-guide")
    page.locator("main a[href^='/guide/lieux/']").first.click()
    page.wait_for_load_state("networkidle")
    check_accessibility(page, "03-place")
    visit(page, "/guide/ateliers/", "04-workshops")
    certificate = Certificate.objects.filter(revoked_at__isnull=True).first()
    visit(page, f"/verify/{certificate.code}/", "05-verify")


def test_the_mediators_pages(page, live_server, town):
    staff_page(page, live_server, User.objects.get(username="mediatrice.fs"))
    visit(page, "/sessions/", "10-sessions")
    visit(page, "/sessions/new/", "11-session-form")
    visit(page, "/residents/", "12-residents")
    visit(page, f"/residents/{town.reference}/", "13-journey")
    visit(page, "/referrals/", "14-referrals")
    visit(page, "/certificates/eligible/", "15-eligible")


def test_the_network_admins_and_officials_pages(page, live_server, town):
    staff_page(page, live_server, User.objects.get(username="coordination"))
    visit(page, "/journal/", "20-journal")
    visit(page, "/imports/", "21-imports")
    visit(page, "/privacy/register/", "22-register")
    page.context.clear_cookies()
    staff_page(page, live_server, User.objects.get(username="elu"))
    visit(page, "/stats/", "30-stats")


def test_the_residents_own_space(page, town):
    _link, token = ResidentLink.create_for(town)
    page.goto(f"/me/link/{token}/")
    check_accessibility(page, "40-me")
    visit(page, "/me/certificates/", "41-me-certificates")
    visit(page, "/me/data/", "42-me-data")


def test_the_pages_on_a_phone(phone, live_server, town):
    """The same product on a phone (390 × 844): the guide, its map, a mediator's sessions,
    a journey and the unfolded menu, a resident's certificate, the statistics."""
    visit(phone, "/guide/", "50-phone-guide")
    visit(phone, "/guide/carte/", "51-phone-map")
    staff_page(phone, live_server, User.objects.get(username="mediatrice.fs"))
    visit(phone, "/sessions/", "52-phone-sessions")
    visit(phone, f"/residents/{town.reference}/", "53-phone-journey")
    phone.get_by_role("button", name="Menu").click()
    check_accessibility(phone, "54-phone-menu")
    phone.context.clear_cookies()
    _link, token = ResidentLink.create_for(town)
    phone.goto(f"/me/link/{token}/")
    certificate = Certificate.objects.filter(resident=town, revoked_at__isnull=True).first()
    visit(phone, f"/me/certificates/{certificate.code}/", "55-phone-certificate")
    phone.context.clear_cookies()
    staff_page(phone, live_server, User.objects.get(username="elu"))
    visit(phone, "/stats/", "56-phone-stats")
