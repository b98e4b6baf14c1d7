"""The issuer's keys, and the PAdES signature of certificate PDFs (pyHanko).

Keys live outside the database, in ISSUER_KEYS_DIR (default var/keys/, never in git), one
folder per key set, made by `python manage.py create_issuer_keys`:

    var/keys/current                       the id of the key set that signs new certificates
    var/keys/20261128-3f9a1c2b/
        credential-key.pem                 Ed25519 private key: proofs of the credentials
        credential-public.pem              its public key
        pdf-key.pem                        ECDSA P-256 private key: PDF signatures
        pdf-certificate.pem                its self-signed X.509 certificate

Rotating keys makes a new folder the current one; the old folders stay (their private keys
may be deleted), so that certificates signed with them can still be checked.

Signing flow: render the PDF (certificates.pdf), embed_attachment() the signed credential,
then IssuerKey.sign_pdf(); the public check runs verify_pdf() and compares the attachment
with the record.
"""

import asyncio
import datetime
import functools
import hashlib
import io
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import cms, parser
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.embed import EmbeddedFileObject, EmbeddedFileParams, FileSpec, embed_file
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from certificates import credentials

logger = logging.getLogger(__name__)

CURRENT_FILE = "current"
CREDENTIAL_KEY = "credential-key.pem"
CREDENTIAL_PUBLIC = "credential-public.pem"
PDF_KEY = "pdf-key.pem"
PDF_CERTIFICATE = "pdf-certificate.pem"

# Room for the CMS signature, in hex digits (2048 bytes). Ours (P-256, one self-signed
# certificate) takes about 1.1 KB. Given explicitly, pyHanko skips a dummy signature it
# would make to estimate the size; not more, because every reserved digit is read when
# checking.
SIGNATURE_HEX_DIGITS = 4096
SIGNATURE_FIELD = "Signature1"


class IssuerKeysMissing(Exception):
    def __init__(self, detail=""):
        super().__init__(
            _(
                "Les clés de signature des attestations n'existent pas encore. La coordination "
                "doit lancer « python manage.py create_issuer_keys »."
            )
            + (f" ({detail})" if detail else "")
        )


# The keys -----------------------------------------------------------------------------------


def load_certificate(pem):
    """An asn1crypto certificate from PEM bytes (exactly one)."""
    (certificate,) = load_certs_from_pemder_data(pem)
    return certificate


def keys_dir():
    return Path(settings.ISSUER_KEYS_DIR)


@dataclass(frozen=True)
class IssuerKey:
    """One key set: what signs (when its private keys are present) and what checks."""

    key_id: str
    credential_public: object  # Ed25519PublicKey
    certificate_pem: bytes
    credential_private: object = None  # Ed25519PrivateKey, absent for a retired key set
    pdf_signer: object = field(default=None, repr=False)

    @functools.cached_property
    def certificate(self):
        return load_certificate(self.certificate_pem)

    @functools.cached_property
    def fingerprint(self):
        """SHA-256 of the PDF signing certificate, as PDF readers show it (AB:CD:…)."""
        digest = hashlib.sha256(self.certificate.dump()).hexdigest().upper()
        return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))

    @functools.cached_property
    def public_key_multibase(self):
        return credentials.public_key_multibase(self.credential_public)

    def sign_pdf(self, pdf, *, reason, location, signer_name):
        if self.pdf_signer is None:
            raise IssuerKeysMissing(_("clé %(key)s retirée") % {"key": self.key_id})
        return self.pdf_signer.sign(pdf, reason=reason, location=location, signer_name=signer_name)


def write_private(path, data):
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def create_key_set(*, directory=None, now=None):
    """Make a new key set and make it the current one; returns its id."""
    directory = Path(directory or keys_dir())
    now = now or datetime.datetime.now(datetime.UTC)
    credential_key = Ed25519PrivateKey.generate()
    public_pem = credential_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key_id = f"{now:%Y%m%d}-{hashlib.sha256(public_pem).hexdigest()[:8]}"
    pdf_key_pem, certificate_pem = pdf_identity(now=now)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = directory / key_id
    folder.mkdir(mode=0o700)
    write_private(folder / CREDENTIAL_KEY, pem_private(credential_key))
    (folder / CREDENTIAL_PUBLIC).write_bytes(public_pem)
    write_private(folder / PDF_KEY, pdf_key_pem)
    (folder / PDF_CERTIFICATE).write_bytes(certificate_pem)
    # Written last and replaced atomically: a server reading it sees the old or the new id.
    temporary = directory / f".{CURRENT_FILE}.{key_id}"
    temporary.write_text(key_id + "\n")
    temporary.replace(directory / CURRENT_FILE)
    return key_id


def pem_private(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def signer_name_attributes():
    """Who holds the keys, as a new signing certificate names it: the installation's
    operator (INSTALLATION_NAME), who signs for every town; without one, the first town's
    network, as a single-town installation always has. Read from the environment only: the
    keys are made before the database may exist. A certificate is made once, with its key
    set (create_issuer_keys): those made before keep the name they were signed with, and
    the PDFs they signed stay valid; the next rotation takes the new name."""
    if settings.INSTALLATION_NAME:
        return [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.INSTALLATION_NAME),
            x509.NameAttribute(NameOID.COMMON_NAME, settings.INSTALLATION_NAME),
        ]
    return [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, settings.TOWN_NAME),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.NETWORK_NAME),
        x509.NameAttribute(NameOID.COMMON_NAME, settings.NETWORK_NAME),
    ]


def pdf_identity(*, now, valid_days=3653):
    """An ECDSA P-256 key and its self-signed certificate, for PAdES signatures.

    P-256/SHA-256: read by Acrobat, Okular and LibreOffice, recommended by ANSSI, fast and
    small. Key usage digitalSignature + nonRepudiation, critical; no extended key usage,
    which Acrobat would check against the few purposes it knows."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(signer_name_attributes())
    public_key = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        # An hour back tolerates clocks that differ between the signing and checking machines.
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    return pem_private(key), certificate.public_bytes(serialization.Encoding.PEM)


def current_key_id():
    try:
        return (keys_dir() / CURRENT_FILE).read_text().strip()
    except (FileNotFoundError, NotADirectoryError):
        raise IssuerKeysMissing() from None


def current_key():
    """The key set that signs new certificates."""
    return load_key(current_key_id())


def load_key(key_id):
    return cached_key(str(keys_dir()), key_id)


@functools.lru_cache(maxsize=16)
def cached_key(directory, key_id):
    """Keys are parsed once per process (a few milliseconds each time otherwise)."""
    folder = Path(directory) / key_id
    if not key_id or "/" in key_id or key_id.startswith(".") or not folder.is_dir():
        raise IssuerKeysMissing(_("clé « %(key)s » introuvable") % {"key": key_id})
    public = serialization.load_pem_public_key((folder / CREDENTIAL_PUBLIC).read_bytes())
    certificate_pem = (folder / PDF_CERTIFICATE).read_bytes()
    private = pdf_signer = None
    if (folder / CREDENTIAL_KEY).exists() and (folder / PDF_KEY).exists():
        private = serialization.load_pem_private_key(
            (folder / CREDENTIAL_KEY).read_bytes(), password=None
        )
        pdf_signer = PdfSigner((folder / PDF_KEY).read_bytes(), certificate_pem)
    return IssuerKey(
        key_id=key_id,
        credential_public=public,
        certificate_pem=certificate_pem,
        credential_private=private,
        pdf_signer=pdf_signer,
    )


def all_keys():
    """Every key set, current and retired: what a certificate may have been signed with."""
    directory = keys_dir()
    if not directory.is_dir():
        return []
    return [
        load_key(folder.name)
        for folder in sorted(directory.iterdir())
        if folder.is_dir() and (folder / PDF_CERTIFICATE).exists()
    ]


# The PDF: attachment and signature ----------------------------------------------------------


def without_event_loop(function, *args, **kwargs):
    """pyHanko's synchronous API runs asyncio.run(), which fails in a thread that already
    runs an event loop (async code; Playwright's synchronous API in the browser tests): then
    the work is done in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def embed_attachment(pdf, *, filename, data, mime_type, description):
    """`pdf` with `data` attached, as an incremental update. Call it before signing, so that
    the signature covers the attachment.

    The file is in the document's /EmbeddedFiles (the attachments panel of readers) and is an
    associated file of the document (/AF, /AFRelationship /Alternative: the credential is the
    machine-readable equivalent of the printed certificate)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = EmbeddedFileObject.from_file_data(
        writer,
        data=data,
        mime_type=mime_type,
        params=EmbeddedFileParams(embed_size=True, embed_checksum=True),
    )
    spec = FileSpec(
        file_spec_string=filename,
        file_name=filename,
        embedded_data=stream,
        description=description,
        af_relationship=generic.pdf_name("/Alternative"),
    )
    embed_file(writer, spec)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


class PdfSigner:
    """A key and certificate loaded once, signing many PDFs (PAdES baseline B-B)."""

    def __init__(self, key_pem, certificate_pem):
        self.signer = signers.SimpleSigner(
            signing_cert=load_certificate(certificate_pem),
            signing_key=load_private_key_from_pemder_data(key_pem, passphrase=None),
            # Empty on purpose: pyHanko embeds the signing certificate anyway; registering
            # it here too would embed it twice.
            cert_registry=SimpleCertificateStore(),
        )

    def sign(self, pdf, *, reason, location, signer_name):
        """Sign in memory: SubFilter ETSI.CAdES.detached, SHA-256, signing-certificate-v2
        attribute, signing time in /M (PAdES forbids it in the CMS). The signature field is
        invisible: the page itself shows the issuer and how to check."""
        metadata = signers.PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD,
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES,
            reason=reason,
            location=location,
            name=signer_name,
        )
        output = io.BytesIO()
        without_event_loop(
            signers.PdfSigner(metadata, signer=self.signer).sign_pdf,
            IncrementalPdfFileWriter(io.BytesIO(pdf)),
            bytes_reserved=SIGNATURE_HEX_DIGITS,
            output=output,
        )
        return output.getvalue()


# Checking a PDF -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfCheck:
    """What verify_pdf() found. Trust the attachments only when `ok`."""

    intact: bool = False  # the signed bytes hash to the digest in the signature
    valid: bool = False  # the signature over that digest is right
    trusted: bool = False  # signed by one of our keys
    whole_file: bool = False  # nothing was added after signing
    signer_name: str = ""
    signed_at: datetime.datetime | None = None
    attachments: dict = field(default_factory=dict)
    error: str = ""  # why, when the flags alone do not say

    @property
    def ok(self):
        return not self.error and self.intact and self.valid and self.trusted and self.whole_file


def verify_pdf(pdf, *, trusted_certificates):
    """Check the single PAdES signature of a PDF we made. Never raises for bad input: a
    damaged or altered file gives a result that is not `ok`."""
    roots = [load_certificate(pem) for pem in trusted_certificates]
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        attachments = read_attachments(reader)
        signatures = reader.embedded_signatures
        if len(signatures) != 1:
            return PdfCheck(
                attachments=attachments, error=f"{len(signatures)} signatures instead of one"
            )
        embedded = signatures[0]
        status = without_event_loop(
            validate_pdf_signature,
            embedded,
            signer_validation_context=ValidationContext(trust_roots=roots, allow_fetching=False),
        )
        problem = check_unsigned_parts(pdf, embedded, status.signing_cert)
    except Exception as error:  # noqa: BLE001 - a damaged file raises anything; all mean "no"
        logger.info("PDF check failed: %s: %s", type(error).__name__, error)
        return PdfCheck(error=f"{type(error).__name__}: {error}")
    certificate = status.signing_cert
    return PdfCheck(
        intact=bool(status.intact) and not problem,
        valid=bool(status.valid) and not problem,
        trusted=bool(status.trusted),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer_name=certificate.subject.native.get("common_name", "") if certificate else "",
        signed_at=status.signer_reported_dt,
        attachments=attachments,
        error=problem or "",
    )


def read_attachments(reader):
    """{file name: decoded bytes} of the document's embedded files."""
    try:
        tree = reader.root["/Names"]["/EmbeddedFiles"]
    except KeyError:
        return {}
    found = {}
    for name, reference in name_tree(tree.get_object()):
        spec = reference.get_object()
        files = spec.get("/EF")
        if files is None:
            continue
        stream = (files.get("/UF") or files["/F"]).get_object()
        found[str(spec.get("/UF") or spec.get("/F") or name)] = stream.data
    return found


def name_tree(node, depth=0):
    if depth > 32:  # a cycle, or an absurd file
        raise ValueError("name tree too deep")
    names = node.get("/Names")
    if names is not None:
        names = names.get_object()
        for i in range(0, len(names) - 1, 2):
            yield str(names[i]), names[i + 1]
    for kid in node.get("/Kids", ()):
        yield from name_tree(kid.get_object(), depth + 1)


def der_length(length):
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def is_strict_der(data, depth=0):
    """Minimal definite lengths, constructed values exactly filled by their children.

    asn1crypto parses lazily and tolerates slack (a longer outer length followed by zero
    padding…), which let some one-byte changes through; re-encoding would catch them too but
    costs hundreds of milliseconds, this walk about one."""
    if depth > 64:
        return False
    offset = 0
    while offset < len(data):
        class_, method, tag, header, body, trailer = parser.parse(data[offset:], strict=False)
        if trailer or tag >= 31 or (class_ == 0 and tag == 0):
            return False
        if header[1:] != der_length(len(body)):
            return False
        if method == 1 and not is_strict_der(body, depth + 1):
            return False
        offset += len(header) + len(body)
    return True


def check_unsigned_parts(pdf, embedded, signer_certificate):
    """Check the bytes a PDF signature does not cover: the /Contents hex string.

    The byte range excludes /Contents, and the CMS inside only signs its signed attributes.
    Flipping every byte of a signed file showed validators (pyHanko included) ignoring the
    zero padding, the case of hex digits, fields they never read (digestAlgorithms) and the
    embedded certificate when the trusted copy matches by issuer and serial. For the PDFs we
    make ourselves, require exactly the shape PdfSigner writes. None when it is so."""
    byte_range = [int(v) for v in embedded.byte_range]
    if len(byte_range) != 4 or byte_range[0] != 0:
        return "unexpected /ByteRange"
    hole = pdf[byte_range[1] : byte_range[2]]
    contents = embedded.pkcs7_content
    digits = contents.hex().encode()
    if hole not in (b"<" + digits.upper() + b">", b"<" + digits + b">"):
        return "/Contents is not the plain hex encoding of the signature"
    _class, _method, _tag, header, body, trailer = parser.parse(contents, strict=False)
    der = contents[: len(header) + len(body) + len(trailer)]
    if contents[len(der) :].strip(b"\0"):
        return "data after the CMS signature"
    if not is_strict_der(der):
        return "the CMS signature is not canonical DER"
    signed_data = cms.ContentInfo.load(der, strict=True)["content"]
    signer_infos = signed_data["signer_infos"]
    if len(signer_infos) != 1:
        return "not exactly one signer"
    signer = signer_infos[0]
    if signed_data["version"].native != "v1" or signer["version"].native != "v1":
        return "unexpected CMS version"
    if [a.dump() for a in signed_data["digest_algorithms"]] != [signer["digest_algorithm"].dump()]:
        return "digestAlgorithms differs from the signer's"
    if signed_data["crls"].native or signer["unsigned_attrs"].native:
        return "unexpected CRLs or unsigned attributes"
    embedded_certificates = [c.chosen.dump() for c in signed_data["certificates"]]
    if signer_certificate is None or embedded_certificates != [signer_certificate.dump()]:
        return "the embedded certificate is not exactly the signer's"
    # X.509 names compare without case: compare the exact bytes instead.
    sid = signer["sid"]
    if (
        sid.name != "issuer_and_serial_number"
        or sid.chosen["issuer"].dump() != signer_certificate.issuer.dump()
        or sid.chosen["serial_number"].native != signer_certificate.serial_number
    ):
        return "the signer identifier is not exactly the signer's certificate"
    return None
