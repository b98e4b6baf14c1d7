"""A resident shares their certificate; an employer checks it by code and by file; a
mediator issues one from the list, with the keyboard."""

import importlib
from pathlib import Path

import pytest

from certificates.models import Certificate
from certificates.services import certificate_issue
from learners.models import ResidentLink
from stats.demo.factories import ResidentFactory, UserFactory, completed_module
from tests.browser.conftest import check_accessibility, staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def framework():
    """The CRCN comes from a data migration, which the transactional tests run before these
    ones emptied: load it again."""
    from django.apps import apps

    importlib.import_module("pathway.migrations.0002_crcn_competences").load(apps, None)


@pytest.fixture
def issued():
    resident = ResidentFactory(first_name="Éloïse", last_name="Garnier")
    module = completed_module(resident)
    return certificate_issue(resident=resident, module=module)


def test_a_resident_copies_the_share_link_of_their_certificate(page, issued, live_server):
    _link, token = ResidentLink.create_for(issued.resident)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"/me/link/{token}/")
    page.get_by_role("link", name=issued.module.name).first.click()
    page.wait_for_url(f"**/me/certificates/{issued.code}/")
    check_accessibility(page, "resident-certificate")
    page.get_by_role("button", name="Copier le lien").click()
    page.get_by_text("Lien copié").wait_for()
    assert page.evaluate("navigator.clipboard.readText()").endswith(f"/verify/{issued.code}/")


def test_a_resident_opens_their_link_and_downloads_their_certificate(page, issued):
    _link, token = ResidentLink.create_for(issued.resident)
    page.goto(f"/me/link/{token}/")
    check_accessibility(page, "resident-space")
    page.get_by_role("link", name="Mes attestations").first.click()
    page.get_by_role("link", name=issued.module.name).first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger").first.click()
    body = Path(download.value.path()).read_bytes()
    with issued.pdf.open("rb") as stored:
        assert body == stored.read()  # the signed PDF, exactly as issued


def test_an_employer_checks_a_code_then_the_file(page, issued, tmp_path):
    page.goto("/verify/")
    check_accessibility(page, "verify-index")
    page.get_by_label("Code de l'attestation").fill(issued.code.lower().replace("-", " "))
    page.get_by_role("button", name="Vérifier", exact=True).click()
    page.wait_for_url(f"**/verify/{issued.code}/")
    assert "Attestation valide." in page.locator("main").inner_text()
    check_accessibility(page, "verify-certificate")

    path = tmp_path / "attestation.pdf"
    with issued.pdf.open("rb") as handle:
        path.write_bytes(handle.read())
    page.goto("/verify/check/")
    page.get_by_label("Le fichier PDF de l'attestation").set_input_files(str(path))
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.get_by_text("Ce fichier est authentique et l'attestation est valide.").wait_for()
    check_accessibility(page, "verify-file")


def test_a_mediator_issues_a_certificate_from_the_list(page, live_server):
    resident = ResidentFactory(first_name="Bernard", last_name="Martin")
    mediator = UserFactory(mediator=True, actors=[resident.created_by_actor])
    completed_module(resident, mediator=mediator)
    staff_page(page, live_server, mediator)
    page.goto("/certificates/eligible/")
    check_accessibility(page, "certificates-eligible")
    page.get_by_role("button", name="Délivrer à Bernard Martin seulement").focus()
    page.keyboard.press("Enter")
    # Nothing is signed yet: the next page says who gets what, then the mediator confirms.
    page.wait_for_url("**/certificates/issue/")
    assert "Bernard Martin" in page.locator("main").inner_text()
    assert not Certificate.objects.exists()
    check_accessibility(page, "certificate-issue-confirm")
    page.get_by_role("button", name="Signer et délivrer l'attestation").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/certificates/MRM-*/")
    assert "1 attestation délivrée et signée." in page.locator("main").inner_text()
    assert Certificate.objects.get().resident == resident
    check_accessibility(page, "certificate-detail")
