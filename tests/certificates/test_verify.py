"""The public check: by code (HTML and JSON), by PDF file, and what revocation, expiry,
key rotation and attackers see."""

import base64
import datetime
import gzip
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from certificates import signing, views
from certificates.services import certificate_issue, certificate_revoke
from learners.models import random_code
from stats.demo.factories import completed_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(cast):
    cast.resident.email = "eloise.garnier@example.fr"
    cast.resident.phone = "06 12 34 56 78"
    cast.resident.save()
    module = completed_module(cast.resident, targets={"2.1": 3, "4.1": 2}, mediator=cast.mediator_a)
    return certificate_issue(resident=cast.resident, module=module, issued_by=cast.mediator_a)


def pdf_of(certificate):
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def as_json(client, url):
    return client.get(url, HTTP_ACCEPT="application/json")


def freeze(monkeypatch, moment):
    monkeypatch.setattr(views.public, "current_time", lambda: moment)


def test_the_page_shows_every_claim_and_says_valid(cast, certificate):
    response = cast.client("anonymous").get(f"/verify/{certificate.code}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Attestation valide." in page
    for claim in [
        "Éloïse Garnier",
        certificate.module.name,
        "2.1",
        "4.1",
        "Interagir",
        "Sécuriser l&#x27;environnement numérique",
        "niveau 3 sur 8 (indépendant)",
        "niveau 2 sur 8 (débutant)",
        "France services de Miramas",
        "Claire Martin, Directrice",
        "Réseau Parcours numérique de Miramas",
        certificate.code,
        signing.load_key(certificate.key_id).fingerprint,
    ]:
        assert claim in page, claim
    for contact in ["eloise.garnier", "06 12 34", cast.resident.reference]:
        assert contact not in page


def test_the_json_answer(cast, certificate):
    data = as_json(cast.client("anonymous"), f"/verify/{certificate.code}/").json()
    assert data["code"] == certificate.code
    assert data["status"] == "valid"
    assert data["pdf_url"] == f"http://127.0.0.1:8000/verify/{certificate.code}/pdf/"
    assert data["credential_url"] == (
        f"http://127.0.0.1:8000/verify/{certificate.code}/credential.json"
    )
    assert data["holder"] == "Éloïse Garnier"
    assert [(c["crcn_code"], c["digcomp_code"], c["level"]) for c in data["competences"]] == [
        ("2.1", "2.1", 3),
        ("4.1", "4.1", 2),
    ]
    assert data["issuer_key"]["public_key_multibase"].startswith("z6Mk")
    text = json.dumps(data, ensure_ascii=False)
    assert "eloise.garnier" not in text and "06 12 34" not in text
    credential = cast.client("anonymous").get(data["credential_url"][21:]).json()
    assert credential == certificate.credential


def test_a_typed_code_is_tidied_and_an_unknown_one_is_plainly_not_found(cast, certificate):
    client = cast.client("anonymous")
    typed = certificate.code.lower().replace("-", " ")
    response = client.get("/verify/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{certificate.code}/"
    guess = "MRM-" + random_code(4) + "-" + random_code(4) + "-" + random_code(4)
    missing = client.get(f"/verify/{guess}/")
    assert missing.status_code == 404
    assert "Aucune attestation ne porte ce code" in missing.content.decode()
    assert as_json(client, f"/verify/{guess}/").json() == {"error": "not_found"}
    assert client.get(f"/verify/{guess}/pdf/").status_code == 404


def test_lookups_are_rate_limited_per_client(cast, certificate, settings):
    settings.VERIFY_RATE_LIMIT = 5
    client = cast.client("anonymous")
    for _ in range(5):
        assert (
            client.get(
                f"/verify/MRM-{random_code(4)}-{random_code(4)}-{random_code(4)}/"
            ).status_code
            == 404
        )
    # The sixth lookup of this hour is refused, even with the right code.
    blocked = client.get(f"/verify/{certificate.code}/")
    assert blocked.status_code == 429 and blocked["Retry-After"] == "3600"
    assert "Trop de vérifications" in blocked.content.decode()
    assert as_json(client, f"/verify/{certificate.code}/").json()["error"] == "rate_limited"
    assert client.get(f"/verify/{certificate.code}/pdf/").status_code == 429
    # Another client is not affected.
    other = cast.client("anonymous").get(f"/verify/{certificate.code}/", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200


def test_the_limit_counts_the_real_client_behind_our_proxy(cast, certificate, settings):
    settings.VERIFY_RATE_LIMIT = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = cast.client("anonymous")
    url = f"/verify/{certificate.code}/"
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    # A forged first entry changes nothing: the proxy appends the real address last.
    assert client.get(url, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9").status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 200


def test_the_limit_starts_again_the_next_hour(cast, certificate, settings, monkeypatch):
    settings.VERIFY_RATE_LIMIT = 1
    url = f"/verify/{certificate.code}/"
    client = cast.client("anonymous")
    freeze(monkeypatch, datetime.datetime(2026, 11, 28, 9, 10, tzinfo=datetime.UTC))
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429
    freeze(monkeypatch, datetime.datetime(2026, 11, 28, 10, 1, tzinfo=datetime.UTC))
    assert client.get(url).status_code == 200


# Revocation and expiry ------------------------------------------------------------------------


def decoded_bit(status_list, index):
    encoded = status_list["credentialSubject"]["encodedList"][1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def test_a_revoked_certificate_never_shows_as_valid(cast, certificate):
    client = cast.client("anonymous")
    status_url = certificate.credential["credentialStatus"]["statusListCredential"][21:]
    index = int(certificate.credential["credentialStatus"]["statusListIndex"])
    assert decoded_bit(client.get(status_url).json(), index) is False

    certificate_revoke(
        certificate=certificate, reason="Délivrée par erreur.", revoked_by=cast.network_admin
    )

    page = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Attestation révoquée le" in page and "Délivrée par erreur." in page
    assert "Attestation valide" not in page
    data = as_json(client, f"/verify/{certificate.code}/").json()
    assert data["status"] == "revoked" and data["revocation_reason"] == "Délivrée par erreur."
    status_list = client.get(status_url).json()
    assert decoded_bit(status_list, index) is True
    assert client.get(f"/verify/{certificate.code}/pdf/").status_code == 410
    # The status list is itself signed by our key.
    from certificates import credentials

    key = signing.current_key()
    assert credentials.verify(status_list, public_key=key.credential_public)
    # The resident and the staff see it too.
    assert "Révoquée" in cast.client("resident").get("/me/certificates/").content.decode()
    assert "Révoquée" in cast.client("mediator_a").get("/certificates/").content.decode()
    detail = cast.client("resident").get(f"/me/certificates/{certificate.code}/").content.decode()
    assert "Attestation révoquée" in detail and "Télécharger le PDF" not in detail
    # And the file check says so, though the file is the very one issued.
    upload = SimpleUploadedFile("a.pdf", pdf_of(certificate), content_type="application/pdf")
    checked = client.post("/verify/check/", {"file": upload}).content.decode()
    assert "Attestation révoquée le" in checked and "est authentique et l" not in checked


def test_an_expired_certificate_says_so(cast, monkeypatch):
    module = completed_module(cast.resident, mediator=cast.mediator_a)
    certificate = certificate_issue(
        resident=cast.resident,
        module=module,
        issued_by=cast.mediator_a,
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    client = cast.client("anonymous")
    assert as_json(client, f"/verify/{certificate.code}/").json()["status"] == "valid"
    freeze(monkeypatch, timezone.now() + datetime.timedelta(days=31))
    assert as_json(client, f"/verify/{certificate.code}/").json()["status"] == "expired"
    page = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Attestation expirée depuis le" in page and "Attestation valide" not in page
    assert certificate.credential["validUntil"].startswith(str(certificate.expires_on))


# Checking a PDF file --------------------------------------------------------------------------


def check(client, data, name="attestation.pdf"):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post("/verify/check/", {"file": upload})


def test_the_issued_pdf_is_authentic(cast, certificate):
    page = check(cast.client("anonymous"), pdf_of(certificate)).content.decode()
    assert "Ce fichier est authentique et l'attestation est valide." in page
    assert "exactement celle que nous avons enregistrée" in page
    assert "même empreinte SHA-256" in page
    assert f"/verify/{certificate.code}/" in page


def test_a_pdf_with_one_byte_changed_fails(cast, certificate):
    data = bytearray(pdf_of(certificate))
    for position in (len(data) // 3, len(data) // 2, len(data) - 20):
        changed = bytearray(data)
        changed[position] ^= 0x01
        page = check(cast.client("anonymous"), bytes(changed)).content.decode()
        assert "n'est pas une attestation authentique" in page, position
        assert "est authentique" not in page


def test_a_pdf_carrying_a_forged_credential_fails(cast, certificate, tmp_path):
    """Someone re-signs the PDF with their own key after changing the attached credential."""
    from certificates.services import sign_certificate

    forger = signing.cached_key(str(tmp_path), signing.create_key_set(directory=tmp_path))
    lines = list(certificate.competences.select_related("competence"))
    for line in lines:
        line.level = 8
    forged = sign_certificate(
        certificate,
        lines,
        targets={line.competence_id: 1 for line in lines},
        key=forger,
        now=timezone.now(),
    )
    page = check(cast.client("anonymous"), forged).content.decode()
    assert "n'est pas une attestation authentique" in page
    assert "Signé, mais pas par le réseau." in page
    assert "ne correspond pas à celle que nous avons enregistrée" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"hello", "Ce fichier n&#x27;est pas un PDF."), (b"", "Ce fichier est vide")],
)
def test_a_file_that_is_not_a_pdf_gets_a_clear_message(cast, data, message):
    response = check(cast.client("anonymous"), data)
    assert message in response.content.decode()


def test_file_checks_count_in_the_rate_limit(cast, certificate, settings):
    settings.VERIFY_RATE_LIMIT = 1
    client = cast.client("anonymous")
    assert check(client, pdf_of(certificate)).status_code == 200
    assert check(client, pdf_of(certificate)).status_code == 429


# Keys: rotation keeps old certificates checkable ----------------------------------------------


def test_after_a_key_rotation_old_certificates_still_verify(cast, certificate, settings, tmp_path):
    import shutil

    # A copy of the keys folder, so that the shared one stays as it was.
    shutil.copytree(settings.ISSUER_KEYS_DIR, tmp_path / "keys")
    settings.ISSUER_KEYS_DIR = tmp_path / "keys"
    old_key = certificate.key_id
    new_key = signing.create_key_set()
    assert new_key != old_key
    module = completed_module(cast.resident, targets={"5.1": 1}, mediator=cast.mediator_a)
    newer = certificate_issue(resident=cast.resident, module=module, issued_by=cast.mediator_a)
    assert newer.key_id == new_key
    client = cast.client("anonymous")
    assert "est authentique et l" in check(client, pdf_of(certificate)).content.decode()
    assert "est authentique et l" in check(client, pdf_of(newer)).content.decode()
    for key_id in (old_key, new_key):
        document = client.get(f"/issuer/keys/{key_id}/").json()
        assert document["publicKeyMultibase"] == signing.load_key(key_id).public_key_multibase
    profile = client.get("/issuer/").json()
    assert len(profile["assertionMethod"]) == 2
    assert as_json(client, f"/verify/{certificate.code}/").json()["issuer_key"]["id"] == old_key


def test_an_unknown_key_is_not_found(cast):
    client = cast.client("anonymous")
    assert client.get("/issuer/keys/20200101-deadbeef/").status_code == 404
    assert client.get("/issuer/keys/..%2Fcurrent/").status_code == 404


def test_a_status_list_beyond_any_index_is_not_found(cast):
    assert cast.client("anonymous").get(f"/issuer/status/{10**6}/").status_code == 404


def test_a_huge_upload_is_refused_before_it_is_read(cast):
    huge = b"%PDF-1.7\n" + b"0" * (6 * 1024 * 1024)
    response = check(cast.client("anonymous"), huge)
    assert response.status_code == 413
    assert "Ce fichier est trop gros" in response.content.decode()
