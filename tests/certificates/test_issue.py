"""Issuing a certificate: who earned what, the signed PDF as an employer reads it, the
credential as any verifier checks it, and every refusal."""

import datetime
import hashlib
import io
import json

import base58
import pypdf
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.exceptions import ValidationError
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from certificates import signing
from certificates.models import Certificate, CertificateCompetence, earned_modules
from certificates.services import certificate_issue, certificate_issue_many
from learners.models import Resident
from stats.demo.factories import (
    CompetenceAssessmentFactory,
    ResidentFactory,
    SignatoryFactory,
    UserFactory,
    completed_module,
)
from tests.certificates.test_credentials import independent_verify

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)
DAYS = [datetime.date(2026, 10, 6), datetime.date(2026, 10, 13), datetime.date(2026, 10, 20)]


@pytest.fixture
def module(cast):
    return completed_module(
        cast.resident,
        targets={"1.1": 3, "4.2": 2},
        levels={"1.1": 4},
        mediator=cast.mediator_a,
        days=DAYS,
    )


@pytest.fixture
def certificate(cast, module):
    return certificate_issue(
        resident=cast.resident, module=module, issued_by=cast.mediator_a, now=NOW
    )


def pdf_bytes(certificate):
    with certificate.pdf.open("rb") as handle:
        return handle.read()


def test_a_resident_earns_a_module_when_every_competence_reached_its_target(cast, module):
    halfway = ResidentFactory(created_by_actor=cast.actor_a)
    CompetenceAssessmentFactory(resident=halfway, level=5)  # 1.1 only, not 4.2
    earned = list(earned_modules(Resident.objects.all()))
    assert earned == [(cast.resident.pk, module.pk)]


def test_the_certificate_records_levels_hours_period_and_signatory(cast, certificate):
    assert certificate.code.startswith("MRM-") and len(certificate.code) == 18
    assert certificate.actor == cast.actor_a
    assert (certificate.signatory_name, certificate.signatory_role) == (
        "Claire Martin",
        "Directrice",
    )
    assert certificate.issued_by == cast.mediator_a
    # Three sessions of two hours, from the first to the last one.
    assert str(certificate.hours) == "6.0"
    assert (certificate.period_start, certificate.period_end) == (DAYS[0], DAYS[-1])
    levels = dict(
        CertificateCompetence.objects.filter(certificate=certificate).values_list(
            "competence__code", "level"
        )
    )
    assert levels == {"1.1": 4, "4.2": 2}  # the best level reached, not the target
    assert certificate.key_id == signing.current_key_id()
    assert certificate.status_index == certificate.pk


def test_the_stored_pdf_is_what_its_sha256_says_and_is_served_as_stored(cast, certificate):
    data = pdf_bytes(certificate)
    assert hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
    for client, url in [
        (cast.client("anonymous"), f"/verify/{certificate.code}/pdf/"),
        (cast.client("mediator_a"), f"/certificates/{certificate.code}/pdf/"),
        (cast.client("resident"), f"/me/certificates/{certificate.code}/pdf/"),
    ]:
        response = client.get(url)
        assert response["Content-Type"] == "application/pdf"
        assert response.content == data, url


def test_the_pdf_reads_back_with_every_claim(cast, certificate):
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes(certificate)))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())  # lines joined
    for expected in [
        "Éloïse Garnier",
        "Attestation de compétences numériques",
        certificate.module.name,
        "1.1",
        "4.2",
        "Mener une recherche et une veille d'information",
        "Protéger les données personnelles et la vie privée",
        "niveau 4 sur 8 (indépendant)",
        "niveau 2 sur 8 (débutant)",
        "6 heures de formation suivies du 6 octobre 2026 au 20 octobre 2026",
        "auprès de France services de Miramas",
        "Claire Martin, Directrice",
        "Délivrée le 20 novembre 2026",
        certificate.code,
        f"http://127.0.0.1:8000/verify/{certificate.code}/",
    ]:
        assert expected in text, expected
    metadata = reader.metadata
    assert metadata.title == "Attestation de compétences numériques — Éloïse Garnier"
    assert metadata.author == "France services de Miramas — Réseau Parcours numérique de Miramas"
    assert certificate.module.name in metadata.subject
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"
    # The text is in DejaVu Sans, embedded (a TrueType subset in the file).
    embedded = [
        font.get_object()["/FontDescriptor"]
        for font in reader.pages[0]["/Resources"]["/Font"].values()
        if "DejaVuSans" in font.get_object()["/BaseFont"]
    ]
    assert len(embedded) == 2 and all("/FontFile2" in d for d in embedded)  # regular, bold


def test_pyhanko_validates_the_signature_with_our_certificate(certificate):
    embedded = PdfFileReader(io.BytesIO(pdf_bytes(certificate))).embedded_signatures[0]
    key = signing.load_key(certificate.key_id)
    status = signing.without_event_loop(  # see certificates.signing
        validate_pdf_signature,
        embedded,
        signer_validation_context=ValidationContext(
            trust_roots=[key.certificate], allow_fetching=False
        ),
    )
    assert status.bottom_line  # intact, valid, trusted
    assert status.coverage.name == "ENTIRE_FILE"


def test_the_credential_is_attached_to_the_pdf_before_signing(certificate):
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes(certificate)))
    ((name, [attached]),) = reader.attachments.items()
    assert name == f"attestation-{certificate.code}.json"
    assert json.loads(attached) == certificate.credential


def test_the_credential_verifies_with_the_key_its_url_serves(cast, certificate):
    """As any verifier would: fetch the verificationMethod, decode the Multikey, check the
    proof with plain PyLD and cryptography (tests.certificates.test_credentials)."""
    credential = certificate.credential
    method = credential["proof"]["verificationMethod"]
    assert method == f"http://127.0.0.1:8000/issuer/keys/{certificate.key_id}/"
    document = cast.client("anonymous").get(method.removeprefix("http://127.0.0.1:8000")).json()
    assert document["type"] == "Multikey" and document["id"] == method
    decoded = base58.b58decode(document["publicKeyMultibase"][1:])
    assert decoded[:2] == b"\xed\x01"
    Ed25519PublicKey.from_public_bytes(decoded[2:])
    assert independent_verify(credential, decoded[2:])
    tampered = json.loads(json.dumps(credential))
    tampered["credentialSubject"]["result"][0]["value"] = "8"
    assert not independent_verify(tampered, decoded[2:])


def test_the_credential_is_an_open_badge_with_aligned_competences_and_no_contact_data(
    cast, certificate
):
    credential = certificate.credential
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    achievement = credential["credentialSubject"]["achievement"]
    codes = {(a["targetFramework"][:4], a["targetCode"]) for a in achievement["alignment"]}
    assert codes == {("CRCN", "1.1"), ("CRCN", "4.2"), ("DigC", "1.1"), ("DigC", "4.2")}
    results = {
        r["resultDescription"]: r["value"] for r in credential["credentialSubject"]["result"]
    }
    descriptions = {d["id"]: d for d in achievement["resultDescription"]}
    assert {descriptions[i]["name"][:8]: v for i, v in results.items()} == {
        "CRCN 1.1": "4",
        "CRCN 4.2": "2",
    }
    # The recipient: a salted hash of the name, nothing else about them.
    (identity,) = credential["credentialSubject"]["identifier"]
    assert identity["hashed"] is True
    assert (
        identity["identityHash"]
        == "sha256$" + hashlib.sha256(("Éloïse Garnier" + identity["salt"]).encode()).hexdigest()
    )
    text = json.dumps(credential, ensure_ascii=False)
    cast.resident.refresh_from_db()
    for personal in ["Éloïse", "Garnier", cast.resident.reference, str(cast.resident.birth_year)]:
        assert personal not in text
    assert credential["credentialStatus"]["statusListIndex"] == str(certificate.status_index)


def test_no_contact_data_reaches_the_pdf(cast, module):
    cast.resident.email = "eloise.garnier@example.fr"
    cast.resident.phone = "06 12 34 56 78"
    cast.resident.save()
    certificate = certificate_issue(
        resident=cast.resident, module=module, issued_by=cast.mediator_a
    )
    data = pdf_bytes(certificate)
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "eloise.garnier" not in text and "06 12 34" not in text
    assert b"eloise.garnier" not in data


def test_an_english_version(cast, module):
    certificate = certificate_issue(
        resident=cast.resident, module=module, issued_by=cast.mediator_a, language="en", now=NOW
    )
    text = " ".join(
        pypdf.PdfReader(io.BytesIO(pdf_bytes(certificate))).pages[0].extract_text().split()
    )
    assert "Certificate of digital skills" in text
    assert "Conduct information searches and monitoring" in text
    assert "level 4 of 8 (independent)" in text
    assert "Issued on 20 November 2026" in text
    assert certificate.credential["inLanguage"] == "en"


def test_the_signatory_is_chosen_per_actor(cast, module):
    other = SignatoryFactory(actor=cast.actor_a, name="Paul Roux", role="Adjoint", is_default=False)
    certificate = certificate_issue(
        resident=cast.resident, module=module, issued_by=cast.mediator_a, signatory=other
    )
    assert (certificate.signatory_name, certificate.actor) == ("Paul Roux", cast.actor_a)


# Refusals: clear French messages, nothing written --------------------------------------------


def refused(match, **kwargs):
    files_before = Certificate.objects.count()
    with pytest.raises(ValidationError) as error:
        certificate_issue_many(**kwargs)
    assert any(match in message for message in error.value.messages), error.value.messages
    assert Certificate.objects.count() == files_before
    return error.value.messages


def test_issuing_without_the_required_competences_is_refused(cast):
    module = completed_module(
        cast.resident, targets={"1.1": 3, "4.2": 2}, levels={"1.1": 2}, mediator=cast.mediator_a
    )
    (message,) = refused(
        "n'a pas encore toutes les compétences",
        pairs=[(cast.resident, module)],
        issued_by=cast.mediator_a,
    )
    assert "1.1 niveau 2 sur 3 visé" in message


def test_issuing_twice_is_refused_with_the_code_of_the_first(cast, module, certificate):
    (message,) = refused(
        "elle n'est pas délivrée deux fois",
        pairs=[(cast.resident, module)],
        issued_by=cast.colleague_a,
    )
    assert certificate.code in message


def test_a_revoked_certificate_can_be_issued_again(cast, module, certificate):
    certificate.revoked_at = timezone.now()
    certificate.save()
    again = certificate_issue(resident=cast.resident, module=module, issued_by=cast.mediator_a)
    assert again.code != certificate.code


def test_a_bulk_issue_is_refused_whole_when_one_person_is_not_ready(cast, module):
    missing = ResidentFactory(first_name="Bernard", created_by_actor=cast.actor_a)
    messages = refused(
        "Bernard",
        pairs=[(cast.resident, module), (missing, module)],
        issued_by=cast.mediator_a,
    )
    assert len(messages) == 1


def test_a_failure_while_signing_leaves_no_row_and_no_file(cast, module, settings, monkeypatch):
    from certificates import services

    other = ResidentFactory(created_by_actor=cast.actor_a)
    completed_module(other, targets={"1.1": 3, "4.2": 2}, mediator=cast.mediator_a)
    real = services.sign_certificate
    calls = []

    def fail_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "sign_certificate", fail_on_second)
    with pytest.raises(OSError):
        certificate_issue_many(
            pairs=[(cast.resident, module), (other, module)], issued_by=cast.mediator_a
        )
    assert Certificate.objects.count() == 0
    assert CertificateCompetence.objects.count() == 0
    assert not list(settings.MEDIA_ROOT.rglob("*.pdf"))


def test_a_mediator_cannot_issue_to_a_resident_they_do_not_follow(cast, module):
    refused("Vous ne suivez pas", pairs=[(cast.resident, module)], issued_by=cast.mediator_b)


def test_a_mediator_cannot_sign_for_another_actor(cast, module):
    theirs = SignatoryFactory(actor=cast.actor_b, is_default=False)
    refused(
        "signataire de votre structure",
        pairs=[(cast.resident, module)],
        issued_by=cast.mediator_a,
        signatory=theirs,
    )


def test_officials_do_not_issue(cast, module):
    refused("Seuls les médiateurs", pairs=[(cast.resident, module)], issued_by=cast.official)


def test_an_actor_without_a_signatory_cannot_issue(cast):
    lonely = ResidentFactory(created_by_actor=cast.actor_b)
    mediator = UserFactory(mediator=True, actors=[cast.actor_b])
    module = completed_module(lonely, mediator=mediator)
    cast.actor_b.signatories.all().delete()
    refused("pas de signataire", pairs=[(lonely, module)], issued_by=mediator)


def test_without_issuer_keys_nothing_is_issued(cast, module, settings, tmp_path):
    settings.ISSUER_KEYS_DIR = tmp_path / "empty"
    refused("create_issuer_keys", pairs=[(cast.resident, module)], issued_by=cast.mediator_a)


def test_an_expiry_in_the_past_is_refused(cast, module):
    refused(
        "après aujourd'hui",
        pairs=[(cast.resident, module)],
        issued_by=cast.mediator_a,
        expires_on=datetime.date(2020, 1, 1),
    )


def test_a_resident_without_a_name_gets_no_certificate(cast):
    anonymous = ResidentFactory(first_name="", last_name="", created_by_actor=cast.actor_a)
    module = completed_module(anonymous, mediator=cast.mediator_a)
    refused("n'a pas de nom dans sa fiche", pairs=[(anonymous, module)], issued_by=cast.mediator_a)
