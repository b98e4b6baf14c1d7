"""The eddsa-rdfc-2022 proofs of credentials: the official Open Badges 3.0 test vector,
tampering, offline contexts, Multikey and the Bitstring Status List."""

import base64
import copy
import gzip
import hashlib
import json
import socket
from pathlib import Path

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

from certificates import credentials as vc

DATA = Path(__file__).parent / "data"
VECTOR = json.loads((DATA / "openbadges-3.0-eddsa-rdfc-2022-test-vector.json").read_text())
EXPECTED = VECTOR["expected"]
OPTIONS = VECTOR["proof_options"]
CONTEXTS = Path(vc.__file__).parent / "contexts"


@pytest.fixture
def vector_key():
    # private_key_hex is the 64-byte expanded form: seed, then public key.
    raw = bytes.fromhex(VECTOR["private_key_hex"])
    assert raw[32:] == bytes.fromhex(VECTOR["public_key_hex"])
    return Ed25519PrivateKey.from_private_bytes(raw[:32])


@pytest.fixture
def signed_vector(vector_key):
    return vc.sign(
        VECTOR["unsigned_credential"],
        private_key=vector_key,
        verification_method=OPTIONS["verificationMethod"],
        created=OPTIONS["created"],
    )


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to reach the network fails the test: "offline" is shown, not assumed."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


# The official test vector --------------------------------------------------------------------


def test_the_document_and_proof_hashes_are_the_vectors():
    document = vc.canonize(VECTOR["unsigned_credential"])
    config = vc.canonize({"@context": VECTOR["unsigned_credential"]["@context"], **OPTIONS})
    assert hashlib.sha256(document.encode()).hexdigest() == EXPECTED["document_hash_hex"]
    assert hashlib.sha256(config.encode()).hexdigest() == EXPECTED["proof_hash_hex"]


@pytest.mark.usefixtures("no_network")
def test_signing_the_vector_gives_its_proof_value_exactly(signed_vector):
    assert signed_vector["proof"] == {**OPTIONS, "proofValue": EXPECTED["proof_value"]}
    assert base58.b58decode(EXPECTED["proof_value"][1:]).hex() == EXPECTED["signature_hex"]
    assert {k: v for k, v in signed_vector.items() if k != "proof"} == VECTOR["unsigned_credential"]


def test_the_vectors_key_is_its_multikey(vector_key):
    assert vc.public_key_multibase(vector_key.public_key()) == VECTOR["public_key_multibase"]
    assert OPTIONS["verificationMethod"].endswith("#" + VECTOR["public_key_multibase"])


def test_the_vector_verifies(signed_vector, vector_key):
    assert vc.verification_failure(signed_vector, public_key=vector_key.public_key()) is None


# Verified without this project's code ------------------------------------------------------


def plain_canon(document):
    """RDFC-1.0 with PyLD's one-pass normalize() and a throw-away loader (the bundled files
    are the standards' copies: see test_the_bundled_contexts_are_the_standards_copies)."""
    files = {
        vc.VC_CONTEXT: "credentials-v2.context.jsonld",
        vc.OB_CONTEXT: "openbadges-3.0.3.context.json",
    }

    def loader(url, options):
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": json.loads((CONTEXTS / files[url]).read_text()),
        }

    return jsonld.normalize(
        document,
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader},
    ).encode()


def independent_verify(secured, public_key_raw):
    """eddsa-rdfc-2022 verification with PyLD and cryptography only."""
    document = {k: v for k, v in secured.items() if k != "proof"}
    proof = dict(secured["proof"])
    signature = base58.b58decode(proof.pop("proofValue")[1:])
    proof["@context"] = document["@context"]
    data = (
        hashlib.sha256(plain_canon(proof)).digest() + hashlib.sha256(plain_canon(document)).digest()
    )
    try:
        Ed25519PublicKey.from_public_bytes(public_key_raw).verify(signature, data)
    except Exception:  # noqa: BLE001
        return False
    return True


def test_the_vector_verifies_independently(signed_vector):
    public = bytes.fromhex(VECTOR["public_key_hex"])
    assert independent_verify(signed_vector, public)
    tampered = copy.deepcopy(signed_vector)
    tampered["name"] = "Teamwork Badge!"
    assert not independent_verify(tampered, public)


# Tampering: verification says no, and never raises --------------------------------------------


def setter(path, value):
    def change(document):
        *parents, last = path.split(".")
        node = document
        for key in parents:
            node = node[key]
        node[last] = value

    return change


TAMPERINGS = {
    "name": setter("name", "Teamwork Badge (forged)"),
    "subject id": setter("credentialSubject.id", "did:example:someone-else"),
    "validFrom": setter("validFrom", "2010-01-01T00:00:01Z"),
    "issuer name": setter("issuer.name", "Example Corp."),
    "achievement name": setter("credentialSubject.achievement.name", "Leadership"),
    "criteria": setter("credentialSubject.achievement.criteria.narrative", "None."),
    "id": setter("id", "http://example.com/credentials/3528"),
    "type dropped": setter("type", ["VerifiableCredential"]),
    "proof created": setter("proof.created", "2010-01-01T19:23:25Z"),
    "proof key": setter("proof.verificationMethod", "https://evil.example/k#1"),
    "proofValue": setter("proof.proofValue", EXPECTED["proof_value"][:-1] + "s"),
    "proofValue not base58": setter("proof.proofValue", "z0OIl"),
    "cryptosuite": setter("proof.cryptosuite", "eddsa-jcs-2022"),
    "proofPurpose": setter("proof.proofPurpose", "authentication"),
    "proof removed": lambda document: document.pop("proof"),
    "proof in a list": lambda document: document.update(proof=[document["proof"]]),
    "undefined term added": setter("foo", "bar"),
    "relative subject id": setter("credentialSubject.id", "someone"),
    "subject is a number": setter("credentialSubject", 5),
    "unknown context": lambda document: document["@context"].append("https://evil.example/c"),
    "context removed": lambda document: document.pop("@context"),
    "validFrom not a date": setter("validFrom", {"@value": []}),
}


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("change", TAMPERINGS.values(), ids=TAMPERINGS.keys())
def test_any_change_fails_verification(change, signed_vector, vector_key):
    tampered = copy.deepcopy(signed_vector)
    change(tampered)
    assert vc.verify(tampered, public_key=vector_key.public_key()) is False
    assert vc.verification_failure(tampered, public_key=vector_key.public_key())


def test_another_key_fails(signed_vector):
    other = Ed25519PrivateKey.generate().public_key()
    assert not vc.verify(signed_vector, public_key=other)


# Offline, strict canonicalisation ----------------------------------------------------------


@pytest.mark.usefixtures("no_network")
def test_an_unknown_context_is_refused_without_fetching_it(vector_key):
    credential = copy.deepcopy(VECTOR["unsigned_credential"])
    credential["@context"].append("https://example.org/other/context.jsonld")
    with pytest.raises(vc.UnknownContextError) as error:
        vc.sign(
            credential,
            private_key=vector_key,
            verification_method=OPTIONS["verificationMethod"],
            created=OPTIONS["created"],
        )
    assert error.value.url == "https://example.org/other/context.jsonld"


def test_the_loader_serves_only_bundled_copies_that_callers_cannot_spoil():
    for url in ("https://w3id.org/security/v2", "http://www.w3.org/ns/credentials/v2"):
        with pytest.raises(vc.UnknownContextError):
            vc.offline_document_loader(url)
    served = vc.offline_document_loader(vc.VC_CONTEXT)
    served["document"]["@context"]["id"] = "changed"
    assert vc.offline_document_loader(vc.VC_CONTEXT)["document"]["@context"]["id"] == "@id"


def test_the_bundled_contexts_are_the_standards_copies():
    assert (
        hashlib.sha256((CONTEXTS / "credentials-v2.context.jsonld").read_bytes()).hexdigest()
        == "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"
    )
    assert (
        hashlib.sha256((CONTEXTS / "openbadges-3.0.3.context.json").read_bytes()).hexdigest()
        == "ef2fa9c7846dce233cc166b43639027278be4ee44f00bb1d45c75de2dd0cd761"
    )
    # The issuer and key documents' contexts, as verifiers bundle them (contexts/README.md).
    assert (
        hashlib.sha256((CONTEXTS / "did-v1.context.jsonld").read_bytes()).hexdigest()
        == "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f"
    )
    assert (
        hashlib.sha256((CONTEXTS / "multikey-v1.context.jsonld").read_bytes()).hexdigest()
        == "c5f3806f8286920573221938917988a18a4cc5a09e968d29649613c7a1c2b1f6"
    )


def test_strict_canonicalisation_gives_what_plain_pyld_gives():
    assert vc.canonize(VECTOR["unsigned_credential"]).encode() == plain_canon(
        VECTOR["unsigned_credential"]
    )


@pytest.mark.parametrize(
    "change",
    [
        setter("foo", "bar"),
        setter("credentialSubject.nickname", "x"),
        setter("credentialSubject.id", "42"),
        setter("type", ["VerifiableCredential", "Diploma"]),
    ],
    ids=["top-level term", "nested term", "relative id", "undefined type"],
)
def test_data_that_would_not_be_signed_is_refused(change, vector_key):
    credential = copy.deepcopy(VECTOR["unsigned_credential"])
    change(credential)
    with pytest.raises(vc.UnsafeDocumentError):
        vc.sign(
            credential,
            private_key=vector_key,
            verification_method=OPTIONS["verificationMethod"],
            created=OPTIONS["created"],
        )


@pytest.mark.parametrize("created", ["2026-03-14", "2026-03-14T09:30:00", "2026-13-01T00:00:00Z"])
def test_a_bad_creation_time_is_refused(created, vector_key):
    with pytest.raises(vc.CredentialError):
        vc.sign(
            VECTOR["unsigned_credential"],
            private_key=vector_key,
            verification_method=OPTIONS["verificationMethod"],
            created=created,
        )


def test_french_text_survives_any_json_encoding():
    key = Ed25519PrivateKey.generate()
    credential = copy.deepcopy(VECTOR["unsigned_credential"])
    credential["credentialSubject"]["achievement"]["name"] = "Séverine Éloïse Gaëlle — œuvre"
    signed = vc.sign(
        credential,
        private_key=key,
        verification_method="https://x.example/k",
        created=OPTIONS["created"],
    )
    for text in (json.dumps(signed), json.dumps(signed, ensure_ascii=False)):
        assert vc.verify(json.loads(text), public_key=key.public_key())
    signed["credentialSubject"]["achievement"]["name"] = "Severine Eloise Gaelle — œuvre"
    assert not vc.verify(signed, public_key=key.public_key())


# Multikey and status list --------------------------------------------------------------------


def test_the_multikey_document():
    key = Ed25519PrivateKey.generate().public_key()
    document = vc.multikey_document(
        key, id="https://x.example/keys/1/", controller="https://x.example/"
    )
    value = document["publicKeyMultibase"]
    assert value.startswith("z6Mk") and len(value) == 48
    decoded = base58.b58decode(value[1:])
    assert decoded[:2] == b"\xed\x01" and decoded[2:] == key.public_bytes_raw()
    assert document["type"] == "Multikey" and document["controller"] == "https://x.example/"


def decode_list(encoded):
    """Bitstring Status List decoding, by the specification's own steps."""
    assert encoded.startswith("u")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_the_status_list_sets_the_bits_of_revoked_indices():
    bits = decode_list(vc.encode_status_list({0, 7, 8, 4242, 131_071}))
    assert len(bits) == 131_072 // 8
    # Bit 0 is the most significant bit of the first byte.
    assert bits[0] == 0b1000_0001 and bits[1] == 0b1000_0000
    assert bits[4242 // 8] == 0x80 >> (4242 % 8)
    assert bits[-1] == 1
    assert sum(bin(byte).count("1") for byte in bits) == 5
    assert vc.encode_status_list({3}) == vc.encode_status_list({3})  # cacheable


def test_a_status_index_outside_the_list_is_refused():
    with pytest.raises(ValueError):
        vc.encode_status_list({131_072})
