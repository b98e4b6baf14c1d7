"""Our credentials in other hands: the issuer and key documents are JSON-LD a verifier can
read offline, and Digital Bazaar's @digitalbazaar/vc (Node, the library behind common web
verifiers and wallets) verifies real certificates, refuses a changed one and reads the
revocation from the status list. Its packages live in tests/js (installed by `make test`
with `npm ci`); without Node this module's Node test is skipped, except in CI."""

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from certificates import credentials
from certificates.services import certificate_issue, certificate_revoke
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


def digital_bazaar_verify(node, documents, named_credentials):
    run = subprocess.run(
        [node, "verify-credentials.mjs"],
        cwd=JS_DIR,
        input=json.dumps({"documents": documents, "credentials": named_credentials}),
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
