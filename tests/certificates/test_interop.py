"""Our credentials in other hands: the issuer and key documents are JSON-LD a verifier can
read offline, and two implementations that share no code with ours, nor with each other,
verify real certificates, learner records, endorsements and status lists, refuse a changed
one and read the revocation from the status list:

- Digital Bazaar's @digitalbazaar/vc (Node, the library behind common web verifiers and
  wallets, with its own JSON-LD processor and RDF canonicaliser). Its packages live in
  tests/js (installed by `make test` with `npm ci`); without Node its tests are skipped,
  except in CI. It also takes the credential out of a baked badge image itself.
- openvc (openvc-core on PyPI, Python, offline): its own eddsa-rdfc-2022 and Bitstring
  Status List code. It canonicalises with PyLD, as ours does: it checks our proofs, not
  our canonicaliser (Digital Bazaar's does that). Its stricter check that a document is in
  compacted JSON-LD form refuses the learner record: see the test below."""

import base64
import copy
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from openvc.multibase import decode_multibase
from openvc.proof.data_integrity import DataIntegrityProofSuite
from openvc.proof.errors import ProofError, ProofMalformed
from openvc.status.status_list import check_credential_status

from certificates import credentials
from certificates.models import Endorser, EndorserKind
from certificates.services import (
    certificate_issue,
    certificate_revoke,
    endorsement_issue,
    learner_record_issue,
)
from stats.demo.factories import ResidentFactory, completed_module

pytestmark = pytest.mark.django_db

JS_DIR = Path(__file__).resolve().parent.parent / "js"
NODE = shutil.which("node")


def node_required():
    """As for the browser tests: .ci/run sets REQUIRE_BROWSER_TESTS=1 (and CI runs it with
    CI=true), and there a missing Node is a failure, not a skip."""
    return any(
        os.environ.get(name, "") not in ("", "0", "false")
        for name in ("REQUIRE_BROWSER_TESTS", "CI")
    )


@pytest.fixture(scope="module")
def node():
    """The Node verifier, or a skip (a failure in CI) saying what is missing."""
    if not NODE:
        missing = "Node.js n'est pas installé (apt-get install nodejs npm)"
    elif not (JS_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        missing = "les paquets de tests/js ne sont pas installés (make test lance npm ci)"
    else:
        return NODE
    if node_required():
        pytest.fail(f"The Node verifier must run here: {missing}.")
    pytest.skip(f"{missing} : vérification par @digitalbazaar/vc ignorée.")


def served(client, url):
    """What the product answers at `url` (one of its own, under SITE_URL), as JSON."""
    assert url.startswith(settings.SITE_URL + "/"), url
    response = client.get(url.removeprefix(settings.SITE_URL))
    assert response.status_code == 200, url
    return response.json()


def issuer_urls(document):
    """The issuer URLs a document points to (profile, keys, status lists), without fragment."""
    text = json.dumps(document)
    prefix = settings.SITE_URL + "/issuer/"
    urls = set()
    for piece in text.split('"')[1::2]:
        if piece.startswith(prefix):
            urls.add(piece.split("#")[0])
    return urls


def offline_documents(client, *documents):
    """Everything a verifier may load, as a verifier's cache would hold it: the bundled
    contexts, and every issuer document reachable from `documents` as the product serves it."""
    loaded = {url: credentials.parsed_context(url) for url in credentials.BUNDLED_CONTEXTS}
    waiting = set().union(*(issuer_urls(document) for document in documents))
    while waiting:
        url = waiting.pop()
        loaded[url] = served(client, url)
        waiting |= issuer_urls(loaded[url]) - loaded.keys()
    return loaded


def digital_bazaar_verify(node, documents, named_credentials, images=None):
    run = subprocess.run(
        [node, "verify-credentials.mjs"],
        cwd=JS_DIR,
        input=json.dumps(
            {
                "documents": documents,
                "credentials": named_credentials,
                "images": {
                    name: base64.b64encode(png).decode() for name, png in (images or {}).items()
                },
            }
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


# The issuer profile is a controller document a JSON-LD processor can read -----------------


@pytest.mark.security_review
def test_the_issuer_profile_says_in_json_ld_which_keys_sign(cast):
    """A verifier frames the profile in JSON-LD safe mode to find its assertionMethod: every
    term must be defined by its contexts, all of them bundled (our strict processor refuses
    a dropped term just as safe mode does)."""
    client = cast.client("anonymous")
    profile = client.get("/issuer/").json()
    assert profile["id"] == f"{settings.SITE_URL}/issuer/"
    # The same profile as in every credential (an Open Badges Profile), plus its keys.
    assert {key: profile[key] for key in credentials.issuer_profile()} == (
        credentials.issuer_profile()
    )
    quads = credentials.canonize(profile)
    for method in profile["assertionMethod"]:
        assert f"<{profile['id']}> <https://w3id.org/security#assertionMethod> <{method}> ." in (
            quads
        )
        key = served(client, method)
        assert key["type"] == "Multikey" and key["controller"] == profile["id"]
        assert key["publicKeyMultibase"].startswith("z6Mk")  # the DESIGN contract
        credentials.canonize(key)


# A second implementation: Digital Bazaar's verifier ------------------------------------------


@pytest.mark.security_review
def test_digital_bazaar_verifies_our_certificates_and_sees_revocation(cast, node):
    module = completed_module(cast.resident, targets={"2.1": 3, "4.1": 2}, mediator=cast.mediator_a)
    valid = certificate_issue(resident=cast.resident, module=module, issued_by=cast.mediator_a)
    other = ResidentFactory(created_by_actor=cast.actor_a)
    module = completed_module(other, targets={"1.1": 2}, mediator=cast.mediator_a)
    revoked = certificate_issue(resident=other, module=module, issued_by=cast.mediator_a)
    certificate_revoke(
        certificate=revoked, reason="Délivrée par erreur.", revoked_by=cast.network_admin
    )

    client = cast.client("anonymous")
    issued = {
        "valid": served(client, f"{settings.SITE_URL}/verify/{valid.code}/credential.json"),
        "revoked": served(client, f"{settings.SITE_URL}/verify/{revoked.code}/credential.json"),
    }
    tampered = copy.deepcopy(issued["valid"])
    tampered["credentialSubject"]["result"][0]["value"] = "8"
    issued["tampered"] = tampered
    documents = offline_documents(client, *issued.values())

    report = digital_bazaar_verify(node, documents, issued)

    assert report["valid"] == {"verified": True, "revoked": False, "errors": [], "refused": []}
    # Its proof holds; the status list (itself signed and checked) says it was revoked.
    assert report["revoked"] == {"verified": True, "revoked": True, "errors": [], "refused": []}
    assert report["tampered"]["verified"] is False
    assert "Invalid signature." in report["tampered"]["errors"], report["tampered"]


# Every kind of credential we sign, and the baked badge ----------------------------------------


@pytest.fixture
def signed(cast):
    """One of each: a certificate (its module endorsed before it was issued), a revoked
    certificate, the learner record gathering the first, a partner's endorsement of the
    certificate, the status list, a baked badge; as the product serves them."""
    module = completed_module(cast.resident, targets={"2.1": 3, "4.1": 2}, mediator=cast.mediator_a)
    partner = Endorser.objects.create(
        name="Mission locale Ouest Provence",
        kind=EndorserKind.MISSION_LOCALE,
        slug="mission-locale-ouest-provence",
    )
    endorsement_issue(
        endorser=partner, module=module, comment="Un bon départ.", issued_by=cast.network_admin
    )
    valid = certificate_issue(resident=cast.resident, module=module, issued_by=cast.mediator_a)
    employer = Endorser.objects.create(
        name="Boulangerie Garnier", kind=EndorserKind.EMPLOYER, slug="boulangerie-garnier"
    )
    endorsement = endorsement_issue(
        endorser=employer,
        certificate=valid,
        comment="Des compétences utiles chez nous.",
        issued_by=cast.network_admin,
    )
    record = learner_record_issue(resident=cast.resident)
    other = ResidentFactory(created_by_actor=cast.actor_a)
    revoked = certificate_issue(
        resident=other,
        module=completed_module(other, targets={"1.1": 2}, mediator=cast.mediator_a),
        issued_by=cast.mediator_a,
    )
    certificate_revoke(certificate=revoked, reason="Erreur.", revoked_by=cast.network_admin)
    third = ResidentFactory(created_by_actor=cast.actor_a)
    plain = certificate_issue(
        resident=third,
        module=completed_module(third, targets={"3.1": 2}, mediator=cast.mediator_a),
        issued_by=cast.mediator_a,
    )
    client = cast.client("anonymous")
    issued = {
        "certificate": served(client, valid.credential_url),
        "plain": served(client, plain.credential_url),
        "revoked": served(client, revoked.credential_url),
        "record": served(client, record.credential_url),
        "endorsement": served(client, endorsement.credential_url),
        "status_list": served(client, valid.credential["credentialStatus"]["statusListCredential"]),
    }
    badge = client.get(f"/verify/{valid.code}/badge.png").content
    plain_badge = client.get(f"/verify/{plain.code}/badge.png").content
    return issued, {"badge": badge, "plain_badge": plain_badge}, client


def tampered_copies(issued):
    changed = {}
    changed["record"] = copy.deepcopy(issued["record"])
    changed["record"]["credentialSubject"]["verifiableCredential"][0]["credentialSubject"][
        "result"
    ][0]["value"] = "8"
    changed["endorsement"] = copy.deepcopy(issued["endorsement"])
    changed["endorsement"]["credentialSubject"]["endorsementComment"] = "Ne l'embauchez pas."
    changed["status_list"] = copy.deepcopy(issued["status_list"])
    changed["status_list"]["credentialSubject"]["encodedList"] = credentials.encode_status_list([])
    return {f"tampered_{name}": document for name, document in changed.items()}


@pytest.mark.security_review
def test_digital_bazaar_verifies_every_kind_of_credential_and_the_baked_badge(cast, node, signed):
    issued, badges, client = signed
    tampered = tampered_copies(issued)
    documents = offline_documents(client, *issued.values())

    report = digital_bazaar_verify(
        node, documents, {**issued, **tampered}, images={"badge": badges["badge"]}
    )

    for name in ("certificate", "plain", "record", "endorsement", "status_list"):
        assert report[name]["verified"] is True, (name, report[name])
        assert report[name]["errors"] == [] and report[name]["refused"] == []
    assert report["certificate"]["revoked"] is False
    assert report["revoked"]["verified"] is True and report["revoked"]["revoked"] is True
    for name in tampered:
        assert report[name]["verified"] is False, name
        assert "Invalid signature." in report[name]["errors"], (name, report[name])
    # Taken out of the PNG by Node itself: the very certificate credential, and it verifies.
    assert report["badge"]["verified"] is True and report["badge"]["revoked"] is False
    assert report["badge"]["id"] == issued["certificate"]["id"]


def jwk_of(client, method):
    """The public key a verifier reads at a proof's verificationMethod URL, as a JWK."""
    key = served(client, method)
    raw = decode_multibase(key["publicKeyMultibase"])
    assert raw[:2] == b"\xed\x01"  # multicodec ed25519-pub
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": base64.urlsafe_b64encode(raw[2:]).rstrip(b"=").decode(),
    }


def openvc_verify(client, document):
    """openvc's verification of an eddsa-rdfc-2022 proof, offline: our bundled contexts as
    its extra contexts, the key read at the proof's verificationMethod URL."""
    contexts = {url: credentials.parsed_context(url) for url in credentials.BUNDLED_CONTEXTS}
    return DataIntegrityProofSuite().verify(
        document,
        public_key_jwk=jwk_of(client, document["proof"]["verificationMethod"]),
        extra_contexts=contexts,
    )


@pytest.mark.security_review
def test_openvc_verifies_certificates_endorsements_status_lists_and_the_baked_badge(cast, signed):
    issued, badges, client = signed
    for name in ("plain", "revoked", "endorsement", "status_list"):
        verified = openvc_verify(client, issued[name])
        assert verified.issuer == (
            issued[name]["issuer"]["id"]
            if isinstance(issued[name]["issuer"], dict)
            else issued[name]["issuer"]
        )
    # The embedded endorsement of the module verifies on its own too.
    (inner,) = issued["certificate"]["credentialSubject"]["achievement"]["endorsement"]
    openvc_verify(client, inner)
    # The status list read by openvc's own decoder: one revoked, one not.
    resolve = lambda url: openvc_verify(client, served(client, url)).credential  # noqa: E731
    assert (
        check_credential_status(issued["certificate"], resolve_status_list=resolve).revoked is False
    )
    assert check_credential_status(issued["revoked"], resolve_status_list=resolve).revoked is True
    # The badge's credential, read by Pillow rather than by our reader.
    from io import BytesIO

    from PIL import Image

    baked = json.loads(Image.open(BytesIO(badges["plain_badge"])).text["openbadgecredential"])
    assert openvc_verify(client, baked).credential["id"] == issued["plain"]["id"]
    for name, document in tampered_copies(issued).items():
        if name == "tampered_record":
            continue
        with pytest.raises(ProofError):
            openvc_verify(client, document)


def test_openvc_refuses_the_learner_record_for_the_clr_context_not_its_proof(cast, signed):
    """What openvc does with a ClrCredential, pinned so that a change shows: it refuses it
    before any policy, because it requires the document to come back unchanged from JSON-LD
    compaction, and the CLR 2.0.1 context as 1EdTech publishes it gives `achievement` and
    `verifiableCredential` a value type (obi:Achievement, cred:verifiableCredential) that
    compaction never selects for an object. The signature itself holds: openvc computes the
    hash over the canonical form first, and Digital Bazaar verifies the record."""
    issued, _badge, client = signed
    with pytest.raises(
        ProofMalformed, match="not in compacted form.*credentialSubject/achievement"
    ):
        openvc_verify(client, issued["record"])
