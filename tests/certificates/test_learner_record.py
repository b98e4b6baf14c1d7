"""The learner record ("passeport numérique"): one signed PDF and one Comprehensive Learner
Record 2.0 credential gathering a resident's certificates in force, made from their space,
checked at /verify/<code>/ like a certificate; changing a byte is caught."""

import copy
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pyld import jsonld
from pyld.context_resolver import ContextResolver
from pypdf import PdfReader

from certificates import credentials, signing
from certificates.models import Endorsement, Endorser, EndorserKind, LearnerRecord
from certificates.services import (
    certificate_check_pdf,
    certificate_issue,
    certificate_revoke,
    endorsement_issue,
    learner_record_issue,
)
from stats.demo.factories import completed_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_certificates(cast):
    first = completed_module(cast.resident, targets={"2.1": 3, "4.1": 2}, mediator=cast.mediator_a)
    second = completed_module(cast.resident, targets={"1.1": 4}, mediator=cast.mediator_a)
    return [
        certificate_issue(resident=cast.resident, module=module, issued_by=cast.mediator_a)
        for module in (first, second)
    ]


def stored(document):
    with document.pdf.open("rb") as handle:
        return handle.read()


def public_key(document):
    return signing.load_key(document.key_id).credential_public


def test_the_record_is_a_signed_clr_credential_carrying_each_certificate(cast, two_certificates):
    record = learner_record_issue(resident=cast.resident)

    credential = record.credential
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "ClrCredential"]
    assert credential["id"] == f"http://127.0.0.1:8000/verify/{record.code}/"
    subject = credential["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    # Each certificate's own credential, exactly as issued: its proof holds on its own.
    assert subject["verifiableCredential"] == [c.credential for c in two_certificates]
    for inner in subject["verifiableCredential"]:
        assert credentials.verify(inner, public_key=public_key(record))
    assert [a["name"] for a in subject["achievement"]] == [c.module.name for c in two_certificates]
    # Competences and levels, through the certificates' results.
    levels = {
        (r["resultDescription"].rsplit("-", 1)[-1], r["value"])
        for inner in subject["verifiableCredential"]
        for r in inner["credentialSubject"]["result"]
    }
    assert levels == {("2.1", "3"), ("4.1", "2"), ("1.1", "4")}
    assert "Éloïse" not in json.dumps(credential)  # the name only as a salted hash
    assert credentials.verify(credential, public_key=public_key(record))


def test_a_changed_level_breaks_the_record_proof(cast, two_certificates):
    record = learner_record_issue(resident=cast.resident)
    tampered = copy.deepcopy(record.credential)
    tampered["credentialSubject"]["verifiableCredential"][0]["credentialSubject"]["result"][0][
        "value"
    ] = "8"
    assert credentials.verification_failure(tampered, public_key=public_key(record)) == (
        "the signature does not match: the document or the proof was changed"
    )


def test_the_record_pdf_is_signed_and_carries_the_credential(cast, two_certificates):
    record = learner_record_issue(resident=cast.resident)
    data = stored(record)

    report = certificate_check_pdf(data=data)
    assert report.authentic and report.same_file
    assert report.record == record and report.certificate is None

    text = "\n".join(
        page.extract_text() for page in PdfReader(__import__("io").BytesIO(data)).pages
    )
    assert "Passeport numérique" in text
    assert "Éloïse Garnier" in text
    for certificate in two_certificates:
        assert certificate.code in text
        assert certificate.module.name in text
    # The level's words may wrap in their narrow column.
    assert "niveau 3 sur 8 (indépendant)" in " ".join(text.split())
    assert record.code in text


def pyld_canon(document):
    """RDFC-1.0 by PyLD's own normalize(), which expands the document twice, with a fresh
    context cache: what credentials.canonize() shortens (remembered scoped contexts, one
    expansion) must give the same N-Quads."""
    return jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "base": None,
            "documentLoader": credentials.offline_document_loader,
            "contextResolver": ContextResolver({}, credentials.offline_document_loader),
        },
    )


def test_the_canonical_form_is_pyld_normalize_exactly(cast, two_certificates):
    partner = Endorser.objects.create(
        name="Mission locale", kind=EndorserKind.MISSION_LOCALE, slug="mission-locale"
    )
    for endorsed in ({"module": two_certificates[0].module}, {"certificate": two_certificates[1]}):
        endorsement_issue(
            endorser=partner, comment="Bien.", issued_by=cast.network_admin, **endorsed
        )
    record = learner_record_issue(resident=cast.resident)
    document = {k: v for k, v in record.credential.items() if k != "proof"}
    assert document["credentialSubject"]["achievement"][0]["endorsement"]
    config = {"@context": document["@context"], **record.credential["proof"]}
    del config["proofValue"]
    others = [c.credential for c in two_certificates] + [
        e.credential for e in Endorsement.objects.all()
    ]
    for _ in range(2):  # the second time, with every context remembered
        for each in [document, config, *others]:
            assert credentials.canonize(each) == pyld_canon(each)


def test_a_changed_byte_in_the_record_pdf_is_caught(cast, two_certificates):
    record = learner_record_issue(resident=cast.resident)
    data = bytearray(stored(record))
    position = data.index(b"Passeport")
    data[position] = ord("p")
    report = certificate_check_pdf(data=bytes(data))
    assert not report.authentic
    assert not report.signature.ok


def test_the_same_contents_give_the_same_record_and_new_ones_a_new_record(cast, two_certificates):
    first = learner_record_issue(resident=cast.resident)
    assert learner_record_issue(resident=cast.resident) == first
    assert LearnerRecord.objects.count() == 1

    certificate_revoke(
        certificate=two_certificates[1], reason="Erreur de module.", revoked_by=cast.network_admin
    )
    second = learner_record_issue(resident=cast.resident)
    assert second != first
    assert list(second.certificates.all()) == [two_certificates[0]]
    assert [c["id"] for c in second.credential["credentialSubject"]["verifiableCredential"]] == [
        two_certificates[0].verify_url
    ]


def test_no_record_without_a_certificate(cast):
    with pytest.raises(ValidationError) as error:
        learner_record_issue(resident=cast.resident)
    assert "Pas encore d'attestation valide" in error.value.messages[0]
    assert not LearnerRecord.objects.exists()


def test_the_resident_downloads_the_record_from_their_space(cast, two_certificates):
    client = cast.client("resident")
    page = client.get("/me/passeport/")
    assert page.status_code == 200
    assert "Mon passeport numérique" in page.content.decode()

    made = client.post("/me/passeport/")
    record = LearnerRecord.objects.get()
    assert made.status_code == 302 and made["Location"] == "/me/passeport/"
    pdf = client.get("/me/passeport/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == stored(record)
    wallet = client.get("/me/passeport/credential.json")
    assert wallet["Content-Disposition"].startswith("attachment;")
    assert wallet.json() == record.credential


def test_another_person_sees_no_record_in_their_space(cast, two_certificates):
    learner_record_issue(resident=cast.resident)
    from learners.models import ResidentLink
    from stats.demo.factories import ResidentFactory

    other = ResidentFactory(created_by_actor=cast.actor_a)
    _link, token = ResidentLink.create_for(other)
    client = cast.client("anonymous")
    client.get(f"/me/link/{token}/")
    assert client.get("/me/passeport/pdf/").status_code == 404


def test_the_record_check_page_and_its_json(cast, two_certificates):
    record = learner_record_issue(resident=cast.resident)
    certificate_revoke(
        certificate=two_certificates[1], reason="Erreur de module.", revoked_by=cast.network_admin
    )
    client = cast.client("anonymous")
    page = client.get(f"/verify/{record.code}/").content.decode()
    assert "Passeport numérique authentique" in page
    assert "Éloïse Garnier" in page
    assert two_certificates[0].code in page and two_certificates[1].code in page
    assert "Révoquée" in page

    data = client.get(f"/verify/{record.code}/", HTTP_ACCEPT="application/json").json()
    assert data["kind"] == "learner_record"
    assert data["status"] == "valid"
    assert [(c["code"], c["status"]) for c in data["certificates"]] == [
        (two_certificates[0].code, "valid"),
        (two_certificates[1].code, "revoked"),
    ]
    assert data["pdf_url"].endswith(f"/verify/{record.code}/pdf/")
    assert client.get(f"/verify/{record.code}/pdf/").content == stored(record)
    assert client.get(f"/verify/{record.code}/credential.json").json() == record.credential


def test_the_pdf_check_page_recognises_a_record(cast, two_certificates):
    record = learner_record_issue(resident=cast.resident)
    upload = SimpleUploadedFile("passeport.pdf", stored(record), content_type="application/pdf")
    page = cast.client("anonymous").post("/verify/check/", {"file": upload}).content.decode()
    assert "Ce passeport numérique est authentique" in page
    assert f"/verify/{record.code}/" in page
