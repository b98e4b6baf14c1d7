"""The machine-readable side of a certificate: an Open Badges 3.0 credential (W3C Verifiable
Credentials 2.0) with an Ed25519 Data Integrity proof, cryptosuite `eddsa-rdfc-2022`, and the
Bitstring Status List that says which certificates were revoked.

- JSON-LD contexts are bundled in `contexts/` and served by an offline loader: nothing is
  ever fetched from the network.
- Canonicalisation (RDFC-1.0, named URDNA2015 in PyLD) runs in a strict mode that refuses
  terms the contexts do not define: JSON-LD silently drops them, so they would not be
  covered by the signature and anyone could change them.
- `sign()` reproduces the official Open Badges 3.0 test vector exactly (a test checks it).

Specifications: W3C "Data Integrity EdDSA Cryptosuites v1.0" (§3.3 eddsa-rdfc-2022),
"Controlled Identifiers v1.0" (Multikey), "Bitstring Status List v1.0", 1EdTech Open Badges
3.0.
"""

import base64
import copy
import datetime
import functools
import gzip
import hashlib
import json
import re
import secrets
import threading
from pathlib import Path

import base58
from cachetools import LRUCache
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.urls import reverse
from frozendict import frozendict
from pyld import jsonld
from pyld.canon import URDNA2015, UnknownFormatError
from pyld.context_resolver import ContextResolver
from pyld.identifier_issuer import IdentifierIssuer

from pathway.areas import installation_names

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
# Comprehensive Learner Record 2.0: the learner record, after VC 2.0 and before OB 3.0.3.
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
BUNDLED_CONTEXTS = {
    VC_CONTEXT: "credentials-v2.context.jsonld",
    OB_CONTEXT: "openbadges-3.0.3.context.json",
    CLR_CONTEXT: "clr-2.0.1.context.json",
    # Those of the issuer and key documents (issuer_document(), multikey_document()).
    DID_CONTEXT: "did-v1.context.jsonld",
    MULTIKEY_CONTEXT: "multikey-v1.context.jsonld",
}

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"


class CredentialError(Exception):
    """A document cannot be canonicalised safely, or is not shaped like a credential."""


class UnknownContextError(CredentialError):
    """The document names a JSON-LD context that is not bundled (it is never fetched)."""

    def __init__(self, url):
        self.url = url
        super().__init__(f"JSON-LD context {url!r} is not bundled and is never fetched.")


class UnsafeDocumentError(CredentialError):
    """The document holds data that JSON-LD would drop from the signed form."""


# Offline JSON-LD ----------------------------------------------------------------------------


@functools.cache
def parsed_context(url):
    return json.loads((CONTEXTS_DIR / BUNDLED_CONTEXTS[url]).read_text(encoding="utf-8"))


def offline_document_loader(url, options=None):
    """PyLD document loader that serves the bundled contexts and refuses anything else."""
    if url not in BUNDLED_CONTEXTS:
        raise UnknownContextError(url)
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        # A copy: PyLD may rewrite a context in place, and the parsed one is shared.
        "document": copy.deepcopy(parsed_context(url)),
        # "static" lets PyLD keep the resolved context in the cache below: a bundled
        # context is processed once per process instead of once per canonicalisation.
        "tag": "static",
    }


class LockedCache:
    """PyLD's context resolver only calls get() and []=; cachetools caches are not
    thread-safe, and the server may run several threads. Bounded, because a document under
    verification can carry any number of inline contexts."""

    def __init__(self, maxsize):
        self.cache = LRUCache(maxsize=maxsize)
        self.lock = threading.Lock()

    def get(self, key, default=None):
        with self.lock:
            return self.cache.get(key, default)

    def __setitem__(self, key, value):
        with self.lock:
            self.cache[key] = value


# Our own cache rather than PyLD's module-level one, which another library with a network
# loader could fill with a different copy of the same URL.
CONTEXT_CACHE = LockedCache(maxsize=100)


def jsonld_options():
    return {
        # No base IRI: with PyLD's default, relative IRIs would silently resolve against a
        # placeholder; left relative, check_iris() refuses them.
        "base": None,
        "documentLoader": offline_document_loader,
        "contextResolver": ContextResolver(CONTEXT_CACHE, offline_document_loader),
    }


class MemoisedContextProcessor(jsonld.JsonLdProcessor):
    """PyLD's processor, remembering the active contexts it computes.

    Expanding a credential applies the same few scoped contexts (the Open Badges types',
    `proof`'s…) hundreds of times. PyLD caches a processed context against the active
    context it was applied to, but a type-scoped context (propagate=False) is applied to a
    fresh copy of the active context each time: the cache never hits, every definition of
    the scoped context is rebuilt for every node of those types (half of the canonicalisation
    of a learner record). Processing a context is a pure function of the active context
    (frozen once processed, named by its unique `_uuid`), the local context (one object of a
    bundled context or of the document under expansion, kept in the entry so its id is not
    reused), the flags and the base; what it returns is frozen. So the result is remembered
    for those, and only with the bundled loader."""

    def _process_context(
        self,
        active_ctx,
        local_ctx,
        options,
        override_protected=False,
        propagate=True,
        validate_scoped=True,
        cycles=None,
    ):
        arguments = (override_protected, propagate, validate_scoped)
        if (
            cycles is not None  # pre-validating scoped contexts while defining terms
            # A scoped context is an object of a bundled context; a document's own @context
            # (a list or a URL here) is a new copy at each expansion: nothing to remember.
            or not isinstance(local_ctx, dict)
            or not isinstance(active_ctx, frozendict)
            or "_uuid" not in active_ctx
            or options.get("documentLoader") is not offline_document_loader
        ):
            return super()._process_context(active_ctx, local_ctx, options, *arguments, cycles)
        key = (active_ctx["_uuid"], id(local_ctx), *arguments, options.get("base"))
        found = PROCESSED_CONTEXTS.get(key)
        if found is not None and found[0] is local_ctx:
            return found[1]
        processed = super()._process_context(active_ctx, local_ctx, options, *arguments)
        if isinstance(processed, frozendict):
            PROCESSED_CONTEXTS[key] = (local_ctx, processed)
        return processed


# Scoped contexts of the bundled contexts in their usual active contexts: a few dozen.
PROCESSED_CONTEXTS = LockedCache(maxsize=512)


ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def find_cause(error, kind):
    """PyLD wraps a loader's errors two or three times: walk the chain."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def check_iris(node, path="$"):
    """Refuse relative IRIs in @id and @type of an expanded document: JSON-LD → RDF drops
    the triples they are part of, so `"credentialSubject": {"id": "42"}` would sign nothing
    about the subject. Blank nodes (`_:`) are fine."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            check_iris(item, f"{path}[{i}]")
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "@id":
            if not isinstance(value, str) or not (
                value.startswith("_:") or ABSOLUTE_IRI.match(value)
            ):
                raise UnsafeDocumentError(f"{path}: {value!r} is not an absolute IRI.")
        elif key == "@type":
            for kind in value if isinstance(value, list) else [value]:
                if kind != "@json" and not (
                    isinstance(kind, str) and (kind.startswith("_:") or ABSOLUTE_IRI.match(kind))
                ):
                    raise UnsafeDocumentError(f"{path}: type {kind!r} is not defined.")
        elif key not in ("@value", "@language", "@direction", "@index"):
            check_iris(value, f"{path}/{key}")


def canonize(document):
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document, from bundled contexts only.

    Raises CredentialError (UnknownContextError, UnsafeDocumentError) when the document
    cannot be canonicalised safely; never touches the network."""
    if not isinstance(document, dict):
        raise CredentialError("A JSON-LD document is a JSON object.")
    dropped = []
    processor = MemoisedContextProcessor(on_property_dropped=lambda term: dropped.append(str(term)))
    try:
        expanded = processor.expand(dict(document), jsonld_options())
    except jsonld.JsonLdError as error:
        unknown = find_cause(error, UnknownContextError)
        if unknown is not None:
            raise UnknownContextError(unknown.url) from None
        raise CredentialError(f"JSON-LD processing failed: {error}") from error
    if dropped:
        raise UnsafeDocumentError(f"Terms not defined by the contexts: {sorted(set(dropped))}")
    check_iris(expanded)
    try:
        return URDNA2015().main(rdf_dataset(processor, expanded), {"format": N_QUADS})
    except (jsonld.JsonLdError, UnknownFormatError) as error:
        raise CredentialError(f"RDF canonicalisation failed: {error}") from error


N_QUADS = "application/n-quads"


def rdf_dataset(processor, expanded):
    """The RDF dataset of an expanded document: JsonLdProcessor.to_rdf() without its first
    step, which would expand the document a second time (expanding an expanded document
    gives it back unchanged, at the cost of a walk over the whole of it).
    jsonld.normalize(expanded, URDNA2015) = URDNA2015().main(rdf_dataset(expanded)); a test
    compares the two."""
    options = {"produceGeneralizedRdf": False, "processingMode": "json-ld-1.1"}
    issuer = IdentifierIssuer("_:b")
    node_map = {"@default": {}}
    processor._create_node_map(expanded, node_map, "@default", issuer)
    return {
        name: processor._graph_to_rdf(graph, issuer, options)
        for name, graph in sorted(node_map.items())
        # to_rdf() drops graphs named by a relative IRI; check_iris() refused those already.
        if name == "@default" or jsonld._is_absolute_iri(name)
    }


# The eddsa-rdfc-2022 proof ------------------------------------------------------------------

DATETIME_STAMP = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def xsd_datetime(moment):
    """An aware datetime as `2026-03-14T09:30:00Z`."""
    if moment.tzinfo is None:
        raise ValueError("A naive datetime is ambiguous.")
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_datetime_stamp(value):
    if not isinstance(value, str) or not DATETIME_STAMP.match(value):
        return False
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def hash_data(document, proof_config):
    """sha256(canon(proof configuration)) + sha256(canon(document)), proof first
    (vc-di-eddsa §3.3.4)."""
    proof_hash = hashlib.sha256(canonize(proof_config).encode()).digest()
    document_hash = hashlib.sha256(canonize(document).encode()).digest()
    return proof_hash + document_hash


def sign(credential, *, private_key, verification_method, created):
    """A copy of `credential` with an eddsa-rdfc-2022 proof made with the Ed25519
    `private_key`. `created` is an xsd:dateTimeStamp (see xsd_datetime)."""
    if not isinstance(credential, dict) or "@context" not in credential:
        raise CredentialError("A credential is a JSON object with an @context.")
    if "proof" in credential:
        raise CredentialError("The credential already has a proof.")
    if not is_datetime_stamp(created):
        raise CredentialError(f"created={created!r} is not an xsd:dateTimeStamp.")
    document = copy.deepcopy(credential)
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    # The proof configuration is canonicalised with the credential's own @context.
    config = {"@context": copy.deepcopy(document["@context"]), **options}
    signature = private_key.sign(hash_data(document, config))
    return {
        **document,
        "proof": {**options, "proofValue": "z" + base58.b58encode(signature).decode()},
    }


def verification_failure(credential, *, public_key):
    """None when `credential` carries a valid eddsa-rdfc-2022 proof by `public_key`, else
    why not (vc-di-eddsa §3.3.2). Never raises, whatever was changed in the document.

    The caller chooses the key (ours, from its verificationMethod URL), never a key found
    in the document under test."""
    if not isinstance(credential, dict):
        return "not a JSON object"
    proof = credential.get("proof")
    if not isinstance(proof, dict):
        return "no single proof object"
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return f"the proof is not a {PROOF_TYPE} with cryptosuite {CRYPTOSUITE}"
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        return f"proofPurpose is not {PROOF_PURPOSE}"
    if "created" in proof and not is_datetime_stamp(proof["created"]):
        return "proof.created is not an xsd:dateTimeStamp"
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        return "proofValue is not base58btc multibase"
    try:
        signature = base58.b58decode(value[1:])
    except ValueError:
        return "proofValue is not base58"
    if len(signature) != 64:
        return "proofValue is not a 64-byte Ed25519 signature"
    document = {key: value for key, value in credential.items() if key != "proof"}
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in options:
        # The document's @context must start with the proof's.
        proof_context = options["@context"]
        proof_context = proof_context if isinstance(proof_context, list) else [proof_context]
        context = document.get("@context")
        context = context if isinstance(context, list) else [context]
        if context[: len(proof_context)] != proof_context:
            return "the document @context does not start with the proof @context"
        document["@context"] = options["@context"]
    if "@context" not in document:
        return "the document has no @context"
    try:
        data = hash_data(document, {**options, "@context": document["@context"]})
    except Exception as error:  # noqa: BLE001 - PyLD raises TypeError, KeyError… on odd shapes
        return f"cannot canonicalise: {error}"
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return "the signature does not match: the document or the proof was changed"
    return None


def verify(credential, *, public_key):
    return verification_failure(credential, public_key=public_key) is None


# Multikey -----------------------------------------------------------------------------------

ED25519_PUB_PREFIX = b"\xed\x01"  # multicodec ed25519-pub as an unsigned varint


def public_key_multibase(public_key):
    """The Multikey `publicKeyMultibase` (z6Mk…) of an Ed25519 public key."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58.b58encode(ED25519_PUB_PREFIX + raw).decode()


def multikey_document(public_key, *, id, controller):
    """What a verificationMethod URL answers."""
    return {
        "@context": MULTIKEY_CONTEXT,
        "id": id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": public_key_multibase(public_key),
    }


# Bitstring Status List ----------------------------------------------------------------------

STATUS_LIST_SIZE = 131_072  # the specification's minimum (16 KiB of bits): herd privacy


def encode_status_list(indices, size=STATUS_LIST_SIZE):
    """The `encodedList` with these bits set: bit 0 is the most significant bit of the
    first byte; GZIP, then base64url without padding, prefixed with the multibase `u`.
    `mtime=0` makes an unchanged list encode to the same text."""
    bits = bytearray(size // 8)
    for index in indices:
        if not 0 <= index < size:
            raise ValueError(f"Status index {index} outside 0..{size - 1}.")
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


# Recipient ----------------------------------------------------------------------------------


def identity_hash(identity, salt):
    """Open Badges' hashed identity: `sha256$` + hex SHA-256 of the identity then the salt."""
    return "sha256$" + hashlib.sha256((identity + salt).encode()).hexdigest()


def new_salt():
    return secrets.token_hex(16)


# The credential of a certificate ------------------------------------------------------------

# Where the two frameworks are published, for the alignments' targetUrl.
CRCN_URL = "https://pix.fr/competences"
DIGCOMP_URL = "https://publications.jrc.ec.europa.eu/repository/handle/JRC128415"
TITLES = {
    "fr": "Attestation de compétences numériques",
    "en": "Certificate of digital skills",
}


def first_town(town):
    """Whether `town` (pathway.Town, or None) is the installation's first town, whose
    network's issuer has the installation's addresses (/issuer/, /issuer/keys/…): those
    of every credential signed before an installation had several towns."""
    return town is None or town.insee_code == settings.TOWN_INSEE_CODE


def issuer_url(name, town, *args):
    """The URL of an issuer's document: the installation's for the first town, under
    /issuer/towns/<INSEE code>/ for every other town (the INSEE code, which does not
    change when the town's name or slug does)."""
    if first_town(town):
        return settings.SITE_URL + reverse(name, args=args)
    return settings.SITE_URL + reverse(f"town_{name}", args=[town.insee_code, *args])


def issuer_profile(town=None):
    """The network of `town` (pathway.Town, the issuing actor's) as an Open Badges issuer:
    its name, its address, and its own id, the URL where a verifier reads this same
    profile and the keys it signs with (issuer_document). The first town's network (or
    the environment's defaults, without `town`) is at /issuer/.

    Each town's network has its own id because a verifier takes the issuer of a credential
    to be the profile at its id: under one id, an Istres credential would be issued by
    whoever /issuer/ names. Each issuer has its key documents (same keys, held by the
    installation, each controlled by the issuer that uses them) and its status lists:
    verifiers require the issuer of a credential and of its status list to be the same."""
    address = {
        "type": ["Address"],
        "addressLocality": town.name if town else settings.TOWN_NAME,
        "postalCode": town.postcode if town else settings.TOWN_POSTCODE,
        "addressCountry": "France",
        "addressCountryCode": "FR",
    }
    return {
        "id": issuer_url("issuer_profile", town),
        "type": ["Profile"],
        "name": town.network_name if town else settings.NETWORK_NAME,
        "url": settings.SITE_URL + "/",
        # A town may have no postcode recorded: no empty field in a signed document.
        "address": {key: value for key, value in address.items() if value},
    }


def issuer_document(verification_methods, town=None):
    """What an issuer's id answers: the Open Badges profile of its credentials, and the
    controller document of the keys (`verification_methods`) whose proofs it stands behind.

    A verifier reads `assertionMethod` in JSON-LD, framing the document in safe mode
    (@digitalbazaar/vc does): the term must be defined by a context, or the document cannot
    be read and every credential fails. The VC and Open Badges contexts do not define it
    outside proofs; the DID v1 context does, and verifiers bundle it (we do too)."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT, DID_CONTEXT],
        **issuer_profile(town),
        "assertionMethod": list(verification_methods),
    }


def verification_method(key_id, town=None):
    """The URL of key `key_id` as the issuer of `town` signs with it."""
    return issuer_url("issuer_key", town, key_id)


def status_list_url(number, town=None):
    return issuer_url("status_list", town, number)


def module_achievement_id(module):
    """The Open Badges Achievement of a module: what its certificates award, and what a
    partner endorses when it endorses the module."""
    return f"{issuer_profile()['id']}#module-{module.slug}"


def recipient_identifier(resident, salt):
    """The recipient as a salted hash of their name: no contact data, and only someone who
    knows the name can match it."""
    return {
        "type": "IdentityObject",
        "identityHash": identity_hash(str(resident.display_name), salt),
        "identityType": "name",
        "hashed": True,
        "salt": salt,
    }


def certificate_credential(certificate, lines, *, targets, salt, endorsements=()):
    """The unsigned Open Badges 3.0 credential of a certificate.

    `lines` are its CertificateCompetence rows (competence loaded), `targets` the module's
    target level of each competence id, `endorsements` the signed EndorsementCredentials of
    the module when it is issued (they travel inside the achievement, signed with it). The
    recipient is a salted hash of their name (recipient_identifier).
    Each competence is aligned to its CRCN and DigComp 2.2 entries, and its level is a
    `result` against a `resultDescription` of the achievement. The issuer is named after
    the issuing actor's town's network."""
    town = certificate.actor.town
    issuer = issuer_profile(town)
    module, actor = certificate.module, certificate.actor
    english = certificate.language == "en"
    achievement_id = module_achievement_id(module)
    alignments, descriptions, results = [], [], []
    for line in lines:
        competence = line.competence
        crcn = {
            "type": ["Alignment"],
            "targetType": "ceasn:Competency",
            "targetFramework": "CRCN — Cadre de référence des compétences numériques",
            "targetCode": competence.code,
            "targetName": competence.name_en if english else competence.name_fr,
            "targetUrl": CRCN_URL,
        }
        digcomp = {
            "type": ["Alignment"],
            "targetType": "ceasn:Competency",
            "targetFramework": "DigComp 2.2",
            "targetCode": competence.digcomp_code,
            "targetName": competence.digcomp_name,
            "targetUrl": DIGCOMP_URL,
        }
        alignments += [crcn, digcomp]
        description_id = f"{achievement_id}-crcn-{competence.code}"
        descriptions.append(
            {
                "id": description_id,
                "type": ["ResultDescription"],
                "name": f"CRCN {competence.code} — {crcn['targetName']}",
                "resultType": "PerformanceLevel",
                "valueMin": "1",
                "valueMax": "8",
                "requiredValue": str(targets[competence.id]),
            }
        )
        results.append(
            {"type": ["Result"], "resultDescription": description_id, "value": str(line.level)}
        )
    period = (
        f"{certificate.period_start:%Y-%m-%d} → {certificate.period_end:%Y-%m-%d}, "
        f"{certificate.hours} h"
    )
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": certificate.verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer,
        "validFrom": xsd_datetime(certificate.issued_at),
        "awardedDate": xsd_datetime(certificate.issued_at),
        "name": f"{TITLES[certificate.language]} — {module.name}",
        "description": (
            f"{actor.name} ({period}). "
            + ("Signed by" if english else "Signée par")
            + f" {certificate.signatory_name}, {certificate.signatory_role}."
        ),
        "inLanguage": certificate.language,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [recipient_identifier(certificate.resident, salt)],
            "activityStartDate": f"{certificate.period_start:%Y-%m-%d}T00:00:00Z",
            "activityEndDate": f"{certificate.period_end:%Y-%m-%d}T23:59:59Z",
            "source": {
                "id": f"{issuer['id']}#actor-{actor.slug}",
                "type": ["Profile"],
                "name": actor.name,
            },
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": module.name,
                "description": module.description or module.name,
                "criteria": {
                    "narrative": (
                        "Every competence of the module assessed by a mediator at or above "
                        "its target level of the CRCN (levels 1 to 8)."
                        if english
                        else "Chaque compétence du module évaluée par un médiateur au niveau "
                        "visé du CRCN ou au-dessus (niveaux 1 à 8)."
                    )
                },
                "alignment": alignments,
                "resultDescription": descriptions,
            },
            "result": results,
        },
        "credentialStatus": {
            "id": f"{status_list_url(certificate.status_index // STATUS_LIST_SIZE, town)}"
            f"#{certificate.status_index % STATUS_LIST_SIZE}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_index % STATUS_LIST_SIZE),
            "statusListCredential": status_list_url(
                certificate.status_index // STATUS_LIST_SIZE, town
            ),
        },
    }
    if certificate.expires_on:
        credential["validUntil"] = f"{certificate.expires_on:%Y-%m-%d}T23:59:59Z"
    if endorsements:
        credential["credentialSubject"]["achievement"]["endorsement"] = list(endorsements)
    return credential


def status_list_credential(number, revoked_indices, *, now, town=None):
    """The unsigned Bitstring Status List credential number `number` of the issuer of
    `town`. The indices are the installation's (a certificate's id): every issuer's list
    number n says the same of the same indices, so that a credential signed under the
    first town's issuer before its town had its own still finds its revocation."""
    url = status_list_url(number, town)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_url("issuer_profile", town),
        "validFrom": xsd_datetime(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_status_list(revoked_indices),
        },
    }


# Endorsements -------------------------------------------------------------------------------


def endorser_profile(endorser):
    """A partner as the Open Badges issuer of its endorsements."""
    profile = {"id": endorser.profile_url, "type": ["Profile"], "name": endorser.name}
    if endorser.website:
        profile["url"] = endorser.website
    return profile


def endorser_verification_method(endorser, key_id):
    """The network's key `key_id`, as a verification method controlled by the partner's
    profile: a verifier checks that the issuer of a credential controls the key of its
    proof, and the issuer of an endorsement is the partner."""
    return settings.SITE_URL + reverse("endorser_key", args=[endorser.slug, key_id])


def installation_signer():
    """Who signs for the partners, whose endorsements are the installation's and not one
    town's: its only town's network, or with several towns INSTALLATION_NAME (one
    query)."""
    return installation_names()[1]


def endorser_document(endorser, key_ids):
    """What a partner's profile URL answers: its profile, and the controller document of
    the keys the network signs its endorsements with (see issuer_document)."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT, DID_CONTEXT],
        **endorser_profile(endorser),
        "description": (
            f"Profil publié par {installation_signer()}, qui signe pour le compte de "
            f"{endorser.name} les recommandations que ce partenaire lui a confiées."
        ),
        "assertionMethod": [endorser_verification_method(endorser, key_id) for key_id in key_ids],
    }


def endorsement_credential(endorsement):
    """The unsigned Open Badges 3.0 EndorsementCredential of an endorsement: the partner is
    the issuer; the subject is the module's achievement, or the certificate's credential."""
    endorser = endorsement.endorser
    if endorsement.module_id:
        subject_id = module_achievement_id(endorsement.module)
        about = f"le module de formation « {endorsement.module.name} »"
    else:
        subject_id = endorsement.certificate.verify_url
        about = (
            f"l'attestation {endorsement.certificate.code} "
            f"(« {endorsement.certificate.module.name} »)"
        )
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": endorsement.credential_url,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "issuer": endorser_profile(endorser),
        "validFrom": xsd_datetime(endorsement.issued_at),
        "awardedDate": xsd_datetime(endorsement.issued_at),
        "name": f"Recommandation de {endorser.name}",
        "description": (
            f"{endorser.name} recommande {about}. Recommandation signée pour son compte par "
            f"{installation_signer()}."
        ),
        "credentialSubject": {
            "id": subject_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": endorsement.comment,
        },
    }


# The learner record -------------------------------------------------------------------------

RECORD_TITLE = "Passeport numérique"


def learner_record_credential(record, certificates, *, endorsements, salt):
    """The unsigned Comprehensive Learner Record 2.0 credential of a learner record.

    Its subject carries each certificate's own signed credential, as issued (each keeps its
    proof and its revocation status), and the achievements they award, with the partners'
    endorsements of each module as they stand today (`endorsements`: module id → signed
    EndorsementCredentials). The issuer is named after the resident's town's network."""
    issuer = issuer_profile(record.town)
    achievements = {}
    for certificate in certificates:
        module = certificate.module
        if module.pk in achievements:
            continue
        achievement = {
            "id": module_achievement_id(module),
            "type": ["Achievement"],
            "achievementType": "Certificate",
            "name": module.name,
            "description": module.description or module.name,
            "criteria": {
                "narrative": "Chaque compétence du module évaluée par un médiateur au niveau "
                "visé du CRCN ou au-dessus (niveaux 1 à 8)."
            },
        }
        if endorsements.get(module.pk):
            achievement["endorsement"] = list(endorsements[module.pk])
        achievements[module.pk] = achievement
    count = len(certificates)
    return {
        "@context": [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT],
        "id": record.verify_url,
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": issuer,
        "validFrom": xsd_datetime(record.issued_at),
        "awardedDate": xsd_datetime(record.issued_at),
        "name": f"{RECORD_TITLE} — {issuer['name']}",
        "description": (
            f"{count} attestation{'s' if count > 1 else ''} de compétences numériques en "
            f"vigueur le {record.issued_at:%d/%m/%Y}, chacune signée et vérifiable."
        ),
        "credentialSubject": {
            "type": ["ClrSubject"],
            "identifier": [recipient_identifier(record.resident, salt)],
            "verifiableCredential": [certificate.credential for certificate in certificates],
            "achievement": list(achievements.values()),
        },
    }
