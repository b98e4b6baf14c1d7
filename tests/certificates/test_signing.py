"""The issuer's keys on disk, and the PAdES signature of PDFs: signed, read by other tools,
and any changed byte detected."""

import io
import stat

import pypdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from certificates import signing
from pathway.pdf import register_fonts

ATTACHED = '{"name": "Séverine Éloïse Gaëlle"}'.encode()


def small_pdf():
    fonts = register_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont(fonts.regular, 14)
    pdf.drawString(72, 700, "Attestation de compétences numériques — Éloïse")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    directory = tmp_path_factory.mktemp("keys")
    key_id = signing.create_key_set(directory=directory)
    return signing.cached_key(str(directory), key_id)


@pytest.fixture(scope="module")
def signed(keys):
    attached = signing.embed_attachment(
        small_pdf(),
        filename="attestation.json",
        data=ATTACHED,
        mime_type="application/json",
        description="Open Badges 3.0",
    )
    return keys.sign_pdf(attached, reason="Attestation", location="Miramas", signer_name="Réseau")


def check(data, keys):
    return signing.verify_pdf(data, trusted_certificates=[keys.certificate_pem])


# Keys ----------------------------------------------------------------------------------------


def test_a_key_set_is_written_outside_the_database_with_private_files_closed(tmp_path, settings):
    settings.ISSUER_KEYS_DIR = tmp_path
    key_id = signing.create_key_set()
    folder = tmp_path / key_id
    assert (tmp_path / "current").read_text().strip() == key_id
    for name in ("credential-key.pem", "pdf-key.pem"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    certificate = x509.load_pem_x509_certificate((folder / "pdf-certificate.pem").read_bytes())
    assert isinstance(certificate.public_key(), ec.EllipticCurvePublicKey)
    assert certificate.subject == certificate.issuer
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert signing.current_key().key_id == key_id


def test_a_new_key_set_signs_and_the_old_one_still_checks(tmp_path, settings):
    settings.ISSUER_KEYS_DIR = tmp_path
    old = signing.create_key_set()
    old_key = signing.current_key()
    signed = old_key.sign_pdf(small_pdf(), reason="r", location="l", signer_name="n")
    new = signing.create_key_set()
    assert signing.current_key().key_id == new != old
    # The old private keys may even be deleted: the public parts still check.
    (tmp_path / old / "credential-key.pem").unlink()
    (tmp_path / old / "pdf-key.pem").unlink()
    signing.cached_key.cache_clear()
    assert signing.load_key(old).pdf_signer is None
    trusted = [k.certificate_pem for k in signing.all_keys()]
    assert len(trusted) == 2
    assert signing.verify_pdf(signed, trusted_certificates=trusted).ok


def test_without_keys_issuing_says_what_to_do(tmp_path, settings):
    settings.ISSUER_KEYS_DIR = tmp_path / "nothing-here"
    with pytest.raises(signing.IssuerKeysMissing, match="create_issuer_keys"):
        signing.current_key()
    assert signing.all_keys() == []


# Signing -------------------------------------------------------------------------------------


def test_the_signed_pdf_checks(signed, keys):
    result = check(signed, keys)
    assert result.ok, result
    assert result.signer_name == "Réseau Parcours numérique de Miramas"
    assert result.attachments == {"attestation.json": ATTACHED}


def test_pyhanko_itself_validates_a_pades_baseline_signature(signed, keys):
    embedded = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    status = signing.without_event_loop(  # see certificates.signing
        validate_pdf_signature,
        embedded,
        signer_validation_context=ValidationContext(
            trust_roots=[keys.certificate], allow_fetching=False
        ),
    )
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert b"/SubFilter /ETSI.CAdES.detached" in signed
    attributes = {a["type"].native for a in embedded.signer_info["signed_attrs"]}
    assert "signing_certificate_v2" in attributes and "signing_time" not in attributes
    assert embedded.md_algorithm == "sha256"


def test_the_attachment_is_a_standard_associated_file(signed):
    reader = pypdf.PdfReader(io.BytesIO(signed))
    assert reader.attachments == {"attestation.json": [ATTACHED]}
    (spec,) = [reference.get_object() for reference in reader.trailer["/Root"]["/AF"]]
    assert spec["/AFRelationship"] == "/Alternative"


def test_a_signature_by_another_key_with_the_same_names_is_not_trusted(signed, keys, tmp_path):
    forger = signing.cached_key(str(tmp_path), signing.create_key_set(directory=tmp_path))
    forged = forger.sign_pdf(small_pdf(), reason="r", location="l", signer_name="n")
    result = check(forged, keys)
    assert result.signer_name == "Réseau Parcours numérique de Miramas"
    assert result.intact and result.valid and not result.trusted and not result.ok


# Tampering -----------------------------------------------------------------------------------


def flip(data, position, mask=0x01):
    changed = bytearray(data)
    changed[position] ^= mask
    return bytes(changed)


def landmarks(data):
    """Positions in each region that matters, found from the file's own structure."""
    contents = data.index(b"/Contents <") + len(b"/Contents <")
    der_digits = 2 * (4 + int(data[contents + 4 : contents + 8], 16))  # 30 82 LL LL
    return {
        "header": 0,
        "middle": len(data) // 2,
        "last byte": len(data) - 1,
        "page content": data.index(b"stream", data.index(b"/Length")) + 20,
        "attached JSON": data.index(b"stream", data.index(b"/EmbeddedFile")) + 12,
        "/ByteRange": data.index(b"/ByteRange [") + 14,
        "CMS start": contents + 2,
        "CMS outer length": contents + 6,
        "CMS digestAlgorithms": data.index(b"310F300D0609", contents) + 14,
        "CMS certificate": contents + 200,
        "CMS signature value": contents + der_digits - 6,
        "zero padding": contents + der_digits + 100,
        "trailer": data.rindex(b"startxref") + 12,
    }


@pytest.mark.parametrize("mask", [0x01, 0x20, 0x80], ids=["xor01", "case", "xor80"])
def test_one_changed_byte_anywhere_that_matters_is_detected(signed, keys, mask):
    for region, position in landmarks(signed).items():
        assert not check(flip(signed, position, mask), keys).ok, region


def test_changed_bytes_sampled_across_the_whole_file_are_detected(signed, keys):
    for position in range(0, len(signed), 997):  # a prime step drifts across objects
        assert not check(flip(signed, position), keys).ok, position


def test_a_case_change_in_the_unsigned_signer_identifier_is_detected(signed, keys):
    """X.509 names compare without case, so pyHanko alone accepts it; our check does not."""
    start, end = signed.index(b"/Contents <"), signed.index(b">", signed.index(b"/Contents <"))
    needle = "Réseau".encode().hex().upper().encode()
    # O and CN, in the certificate's issuer and subject, the signer identifier, and the
    # signed signing-certificate-v2 attribute: the fifth is the signer identifier's O.
    copies = [i for i in range(start, end) if signed.startswith(needle, i)]
    assert len(copies) == 8
    forged = flip(signed, copies[4], 0x02)  # "R" 0x52 -> "r" 0x72
    result = check(forged, keys)
    assert result.trusted  # pyHanko alone accepts it
    assert not result.ok and "signer identifier" in result.error


def test_bytes_added_after_signing_are_detected(signed, keys):
    assert not check(signed + b"\n% more\n", keys).ok
    updated = signing.embed_attachment(
        signed,
        filename="attestation.json",
        data=b"{}",
        mime_type="application/json",
        description="x",
    )
    result = check(updated, keys)
    assert result.intact and not result.whole_file and not result.ok


@pytest.mark.parametrize(
    "data", [b"", b"not a pdf", b"%PDF-1.7\n%%EOF\n"], ids=["empty", "text", "stub"]
)
def test_garbage_is_reported_not_raised(data, keys):
    result = check(data, keys)
    assert not result.ok and result.error


def test_an_unsigned_pdf_is_not_ok(keys):
    result = check(small_pdf(), keys)
    assert not result.ok and "0 signatures" in result.error


def test_signing_and_checking_work_inside_a_running_event_loop(keys):
    """pyHanko's synchronous API calls asyncio.run(); async code (or Playwright) around us
    must not break it."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def inside():
        signed = keys.sign_pdf(small_pdf(), reason="r", location="l", signer_name="n")
        return check(signed, keys)

    # A thread of its own, in case this one already runs a loop (the browser tests').
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside()).result().ok


def test_a_new_signing_certificate_names_the_installations_operator(tmp_path, settings):
    """Every town's certificates are signed with the installation's keys: with several
    towns, the keys made from then on name who runs it, not the first town's network."""

    def subject(directory):
        key = signing.cached_key(str(directory), signing.create_key_set(directory=directory))
        return x509.load_pem_x509_certificate(key.certificate_pem).subject.rfc4514_string()

    (tmp_path / "one").mkdir()
    assert subject(tmp_path / "one") == (
        "CN=Réseau Parcours numérique de Miramas,O=Réseau Parcours numérique de Miramas,"
        "L=Miramas,C=FR"
    )
    settings.INSTALLATION_NAME = "Métropole Aix-Marseille-Provence"
    (tmp_path / "several").mkdir()
    assert subject(tmp_path / "several") == (
        "CN=Métropole Aix-Marseille-Provence,O=Métropole Aix-Marseille-Provence,C=FR"
    )
