"""Stored files are private: signed certificate PDFs (which name the person, and stay stored
after a revocation) and import files waiting to be confirmed (residents' names, contacts,
notes). No URL serves MEDIA_ROOT, whatever DEBUG says; every page, the API and the admin
link to the views that check who asks (issue 13, finding 13)."""

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches

import config.urls
from certificates.services import certificate_issue, certificate_revoke
from learners.models import ImportJob
from stats.demo.factories import ResidentFactory, completed_module

pytestmark = [pytest.mark.django_db, pytest.mark.security_review]


@pytest.fixture
def stored(cast):
    """A certificate in force, a revoked one and an import file waiting to be confirmed,
    each stored under MEDIA_ROOT."""
    module = completed_module(cast.resident, mediator=cast.mediator_a)
    valid = certificate_issue(resident=cast.resident, module=module, issued_by=cast.mediator_a)
    other = ResidentFactory(created_by_actor=cast.actor_a, first_name="Yanis", last_name="Roux")
    revoked = certificate_issue(
        resident=other,
        module=completed_module(other, mediator=cast.mediator_a),
        issued_by=cast.mediator_a,
    )
    certificate_revoke(
        certificate=revoked, reason="Erreur de module.", revoked_by=cast.network_admin
    )
    content = "nom,prénom,téléphone\nHaddad,Karim,06 12 34 56 78\n".encode()
    cast.client("mediator_a").post(
        "/imports/",
        {"kind": "residents", "file": SimpleUploadedFile("habitants.csv", content)},
    )
    job = ImportJob.objects.get()
    assert job.status == "checked"  # waiting for its confirmation, file kept
    return valid, revoked, job


@pytest.fixture
def root_urls(settings):
    """Rebuild the root URLs as a server started with the given DEBUG would have them (they
    are read once, when config.urls is imported)."""

    def build(debug):
        settings.DEBUG = debug
        importlib.reload(config.urls)
        clear_url_caches()

    original = settings.DEBUG
    yield build
    build(original)


def test_no_url_serves_stored_files_with_debug_on_or_off(cast, stored, settings, root_urls):
    valid, revoked, job = stored
    names = [valid.pdf.name, revoked.pdf.name, job.file.name]
    for name in names:
        assert (settings.MEDIA_ROOT / name).is_file(), name
    with pytest.raises(ValueError, match="no URL"):
        valid.pdf.url  # noqa: B018 (a stored file has no address to print)
    for debug in [True, False]:
        root_urls(debug)
        for role in ["anonymous", "resident", "mediator_a", "network_admin"]:
            client = cast.client(role)
            for name in names:
                response = client.get(f"/media/{name}")
                assert response.status_code == 404, (debug, role, name)
                assert b"%PDF" not in response.content and b"Haddad" not in response.content


def test_pages_api_and_admin_link_no_stored_file(cast, stored):
    valid, revoked, job = stored
    urls_by_role = {
        "anonymous": [
            f"/verify/{valid.code}/",
            f"/verify/{revoked.code}/",
            f"/verify/{valid.code}/credential.json",
            f"/verify/{revoked.code}/pdf/",
        ],
        "resident": ["/me/certificates/", f"/me/certificates/{valid.code}/", "/me/data/"],
        "mediator_a": [
            "/certificates/",
            f"/certificates/{valid.code}/",
            f"/certificates/{revoked.code}/",
            "/imports/",
            f"/imports/{job.pk}/",
        ],
        "network_admin": [
            "/api/v1/certificates/",
            f"/api/v1/certificates/{valid.code}/",
            f"/api/v1/certificates/{revoked.code}/",
            "/admin/certificates/certificate/",
            f"/admin/certificates/certificate/{valid.pk}/change/",
            f"/admin/certificates/certificate/{revoked.pk}/change/",
            "/admin/learners/importjob/",
            f"/admin/learners/importjob/{job.pk}/change/",
        ],
    }
    for role, urls in urls_by_role.items():
        client = cast.client(role)
        for url in urls:
            response = client.get(url)
            assert response.status_code in {200, 410}, (role, url, response.status_code)
            content = response.content.decode()
            assert "/media/" not in content, (role, url)
            for name in [valid.pdf.name, revoked.pdf.name, job.file.name]:
                assert name not in content, (role, url, name)
    # The verify JSON's pdf_url is the public check's own view.
    data = cast.client("anonymous").get(f"/verify/{valid.code}/", HTTP_ACCEPT="application/json")
    assert data.json()["pdf_url"].endswith(f"/verify/{valid.code}/pdf/")


def test_the_admin_downloads_a_certificate_through_the_checked_view(cast, stored):
    valid, revoked, _job = stored
    client = cast.client("network_admin")
    for certificate in [valid, revoked]:
        page = client.get(f"/admin/certificates/certificate/{certificate.pk}/change/")
        assert f'href="/certificates/{certificate.code}/pdf/"' in page.content.decode()
        response = client.get(f"/certificates/{certificate.code}/pdf/")
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
    # The view checks who asks: another actor's mediator gets nothing.
    assert cast.client("mediator_b").get(f"/certificates/{valid.code}/pdf/").status_code == 404
