"""Where a resident shows their certificate, on a desktop and on a phone (390 × 844): the
"Ajouter à LinkedIn" link built for the certificate, the baked badge downloaded with its
credential inside, the learner record; and a mediator's Pix import and journey."""

import importlib
import urllib.parse
from pathlib import Path

import pytest

from certificates import badges, credentials, signing
from certificates.models import PixResult
from certificates.services import certificate_issue
from learners.models import ResidentLink
from pathway.models import NationalProgramme
from stats.demo.factories import PlaceFactory, ResidentFactory, UserFactory, completed_module
from tests.browser.conftest import check_accessibility, staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def framework():
    """The CRCN comes from a data migration, which the transactional tests run before these
    ones emptied: load it again."""
    from django.apps import apps

    importlib.import_module("pathway.migrations.0002_crcn_competences").load(apps, None)


@pytest.fixture
def issued(settings):
    settings.LINKEDIN_ORGANIZATION_ID = "10373482"
    resident = ResidentFactory(first_name="Éloïse", last_name="Garnier")
    module = completed_module(resident, targets={"2.1": 3, "4.1": 2})
    return certificate_issue(resident=resident, module=module)


def open_space(page, certificate):
    _link, token = ResidentLink.create_for(certificate.resident)
    page.goto(f"/me/link/{token}/")
    page.goto(f"/me/certificates/{certificate.code}/")


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_resident_adds_the_certificate_to_linkedin_and_downloads_the_badge(
    page, phone, issued, size
):
    tab = page if size == "desktop" else phone
    if size == "phone":
        tab.set_viewport_size(PHONE)
    open_space(tab, issued)
    check_accessibility(tab, f"resident-certificate-badge-{size}")
    assert fits_the_screen(tab)

    link = tab.get_by_role("link", name="Ajouter à LinkedIn")
    url = urllib.parse.urlsplit(link.get_attribute("href"))
    assert (url.scheme, url.netloc, url.path) == ("https", "www.linkedin.com", "/profile/add")
    fields = urllib.parse.parse_qs(url.query)
    assert fields["startTask"] == ["CERTIFICATION_NAME"]
    assert fields["organizationId"] == ["10373482"]
    assert fields["certId"] == [issued.code]
    assert fields["certUrl"] == [issued.verify_url]
    assert fields["name"] == [f"Attestation de compétences numériques — {issued.module.name}"]

    badge = tab.get_by_role("img", name=f"Badge de l'attestation : {issued.module.name}")
    assert tab.evaluate("(image) => image.complete && image.naturalWidth", badge.element_handle())
    with tab.expect_download() as download:
        tab.get_by_role("link", name="Télécharger le badge (PNG)").click()
    assert download.value.suggested_filename == f"badge-{issued.code}.png"
    baked = badges.png_credential(Path(download.value.path()).read_bytes())
    assert baked == issued.credential
    key = signing.load_key(issued.key_id).credential_public
    assert credentials.verify(baked, public_key=key)


def test_a_resident_prepares_and_downloads_their_passport_on_a_phone(phone, issued):
    phone.set_viewport_size(PHONE)
    open_space(phone, issued)
    phone.get_by_role("link", name="Mon passeport").first.click()
    phone.get_by_role("button", name="Préparer mon passeport").click()
    phone.get_by_text("Votre passeport numérique est prêt.").wait_for()
    check_accessibility(phone, "resident-passport-phone")
    assert fits_the_screen(phone)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Télécharger mon passeport (PDF)").click()
    record = issued.resident.learner_records.get()
    with record.pdf.open("rb") as stored:
        assert Path(download.value.path()).read_bytes() == stored.read()
    phone.goto(f"/verify/{record.code}/")
    phone.get_by_text("Passeport numérique authentique.").wait_for()
    check_accessibility(phone, "verify-passport-phone")
    assert fits_the_screen(phone)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_mediator_imports_pix_results_and_sees_them_on_the_journey(
    page, phone, live_server, tmp_path, size
):
    from tests.certificates.test_pix import pix_csv

    tab = page if size == "desktop" else phone
    if size == "phone":
        tab.set_viewport_size(PHONE)
    resident = ResidentFactory(first_name="Éloïse", last_name="Garnier")
    mediator = UserFactory(mediator=True, actors=[resident.created_by_actor])
    PlaceFactory(name="Cyber-base", national_programmes=[NationalProgramme.PIX])
    path = tmp_path / "resultats.csv"
    path.write_bytes(pix_csv([{"last": "Garnier", "first": "Éloïse", "ref": resident.reference}]))
    staff_page(tab, live_server, mediator)
    tab.goto("/pix/")
    check_accessibility(tab, f"pix-import-{size}")
    tab.get_by_label("Le fichier des résultats de la campagne (CSV ou XLSX)").set_input_files(
        str(path)
    )
    tab.get_by_role("button", name="Vérifier le fichier").click()
    tab.get_by_role("button", name="Importer ces résultats").wait_for()
    check_accessibility(tab, f"pix-import-report-{size}")
    assert fits_the_screen(tab)
    tab.get_by_role("button", name="Importer ces résultats").click()
    tab.get_by_text("Résultats Pix importés : 1 nouveaux").wait_for()
    assert PixResult.objects.get().resident == resident

    tab.goto(f"/residents/{resident.reference}/")
    tab.get_by_role("heading", name="Niveaux Pix").wait_for()
    assert "Prêt pour la certification Pix" in tab.locator("main").inner_text()
    check_accessibility(tab, f"journey-pix-{size}")
    assert fits_the_screen(tab)
