"""A resident's own certificates, in the space their personal link opens."""

import urllib.parse

import pytest
from django.utils import timezone

from certificates.services import certificate_issue
from learners.models import ResidentLink
from stats.demo.factories import ResidentFactory, completed_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(cast):
    module = completed_module(cast.resident, mediator=cast.mediator_a)
    return certificate_issue(resident=cast.resident, module=module, issued_by=cast.mediator_a)


def test_the_resident_sees_their_certificates_from_their_journey(cast, certificate):
    client = cast.client("resident")
    journey = client.get("/me/").content.decode()
    assert certificate.module.name in journey and "Valide" in journey
    listing = client.get("/me/certificates/").content.decode()
    assert f"/me/certificates/{certificate.code}/" in listing


def test_each_certificate_of_the_list_downloads_from_its_own_line(cast, certificate):
    from certificates.services import certificate_revoke

    other = certificate_issue(
        resident=cast.resident,
        module=completed_module(cast.resident, mediator=cast.mediator_a),
        issued_by=cast.mediator_a,
    )
    certificate_revoke(certificate=other, reason="Erreur de module", revoked_by=cast.network_admin)
    client = cast.client("resident")
    listing = client.get("/me/certificates/").content.decode()
    cards = listing.split('<li class="card">')[1:]
    assert len(cards) == 2
    (valid,) = [card for card in cards if certificate.code in card]
    (revoked,) = [card for card in cards if other.code in card]
    assert f'href="/me/certificates/{certificate.code}/pdf/">Télécharger le PDF' in valid
    # A revoked certificate is not handed out any more: no button on its line.
    assert "Télécharger" not in revoked
    download = client.get(f"/me/certificates/{certificate.code}/pdf/")
    assert download.content.startswith(b"%PDF-")


def test_the_html_version_states_everything_the_pdf_does(cast, certificate):
    page = cast.client("resident").get(f"/me/certificates/{certificate.code}/").content.decode()
    for claim in [
        "Éloïse Garnier",
        certificate.module.name,
        "1.1",
        "3.1",
        "Claire Martin, Directrice",
        certificate.code,
        "<caption>",  # the competences are a real table, with a caption
        '<th scope="row">',
    ]:
        assert claim in page, claim


def test_download_share_and_linkedin(cast, certificate):
    client = cast.client("resident")
    page = client.get(f"/me/certificates/{certificate.code}/").content.decode()
    assert f'value="http://127.0.0.1:8000/verify/{certificate.code}/"' in page
    download = client.get(f"/me/certificates/{certificate.code}/pdf/")
    assert download["Content-Disposition"] == (
        f'attachment; filename="attestation-{certificate.code}.pdf"'
    )
    assert download.content.startswith(b"%PDF-")
    start = page.index("https://www.linkedin.com/profile/add?")
    url = page[start : page.index('"', start)].replace("&amp;", "&")
    fields = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    issued = timezone.localdate(certificate.issued_at)
    assert fields == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": [f"Attestation de compétences numériques — {certificate.module.name}"],
        "organizationName": ["Réseau Parcours numérique de Miramas"],
        "issueYear": [str(issued.year)],
        "issueMonth": [str(issued.month)],
        "certUrl": [f"http://127.0.0.1:8000/verify/{certificate.code}/"],
        "certId": [certificate.code],
    }


def test_another_residents_certificate_does_not_exist_here(cast, certificate):
    other = ResidentFactory(first_name="Bernard", created_by_actor=cast.actor_a)
    _link, token = ResidentLink.create_for(other)
    client = cast.client("anonymous")
    client.get(f"/me/link/{token}/")
    assert client.get(f"/me/certificates/{certificate.code}/").status_code == 404
    assert client.get(f"/me/certificates/{certificate.code}/pdf/").status_code == 404
    assert certificate.code not in client.get("/me/certificates/").content.decode()


def test_a_revoked_certificate_is_shown_as_such_without_anything_to_share(cast, certificate):
    certificate.revoked_at = timezone.now()
    certificate.revocation_reason = "Erreur."
    certificate.save()
    client = cast.client("resident")
    page = client.get(f"/me/certificates/{certificate.code}/").content.decode()
    assert "Attestation révoquée" in page
    assert "linkedin.com" not in page and "Télécharger le PDF" not in page
    assert client.get(f"/me/certificates/{certificate.code}/pdf/").status_code == 404
    assert "Valide" not in client.get("/me/").content.decode()
