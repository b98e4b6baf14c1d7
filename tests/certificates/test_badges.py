"""Where the resident shows a certificate: the baked badge images (PNG and SVG, the
credential inside as the Open Badges 3.0 baking rules say), the check page's JSON that
lists them, LinkedIn with the organisation's id, the download for a wallet."""

import json
import struct
import urllib.parse
import zlib

import pytest
from PIL import Image

from certificates import badges, credentials, signing
from certificates.services import certificate_issue, certificate_revoke
from stats.demo.factories import completed_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(cast):
    module = completed_module(cast.resident, targets={"2.1": 3, "4.1": 2}, mediator=cast.mediator_a)
    return certificate_issue(resident=cast.resident, module=module, issued_by=cast.mediator_a)


def chunks(data):
    """(type, body) of every chunk of a PNG file, read by hand."""
    offset, found = 8, []
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        found.append((kind, data[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    return found


def test_the_png_badge_carries_the_credential_in_one_uncompressed_itxt_chunk(cast, certificate):
    response = cast.client("anonymous").get(f"/verify/{certificate.code}/badge.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    data = response.content
    itxt = [body for kind, body in chunks(data) if kind == b"iTXt"]
    assert len(itxt) == 1
    keyword, rest = itxt[0].split(b"\0", 1)
    assert keyword == b"openbadgecredential"
    assert rest[:2] == b"\0\0"  # compression flag 0, method 0
    language, rest = rest[2:].split(b"\0", 1)
    translated, text = rest.split(b"\0", 1)
    assert (language, translated) == (b"", b"")
    baked = json.loads(text.decode("utf-8"))
    assert baked == certificate.credential
    # Extracted by another reader too (Pillow), and its proof holds.
    assert json.loads(Image.open(__import__("io").BytesIO(data)).text["openbadgecredential"]) == (
        certificate.credential
    )
    key = signing.load_key(certificate.key_id)
    assert credentials.verify(badges.png_credential(data), public_key=key.credential_public)
    assert Image.open(__import__("io").BytesIO(data)).size == (400, 400)


def test_the_svg_badge_carries_the_credential_right_after_the_svg_tag(cast, certificate):
    response = cast.client("anonymous").get(f"/verify/{certificate.code}/badge.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    text = response.content.decode()
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in text
    svg_tag_end = text.index(">", text.index("<svg"))
    assert text[svg_tag_end + 1 :].startswith("<openbadges:credential><![CDATA[")
    assert text.count("<openbadges:credential>") == 1
    baked = badges.svg_credential(text)
    assert baked == certificate.credential
    key = signing.load_key(certificate.key_id)
    assert credentials.verify(baked, public_key=key.credential_public)
    assert certificate.module.name in text


def test_a_credential_that_would_close_the_cdata_section_still_round_trips(certificate):
    certificate.credential = {**certificate.credential, "name": "Tableaux ]]> et listes"}
    text = badges.badge_svg(certificate)
    assert "]]> et" not in text
    assert badges.svg_credential(text)["name"] == "Tableaux ]]> et listes"


def test_a_changed_badge_is_caught(cast, certificate):
    data = bytearray(badges.badge_png(certificate))
    position = data.index(b'"value":"3"')
    data[position + 9] = ord("8")
    with pytest.raises(badges.BadgeError, match="damaged"):
        badges.png_credential(bytes(data))
    # Rewritten with a valid checksum, the chunk is read, and the proof fails.
    kind_at = bytes(data).index(b"iTXt")
    (length,) = struct.unpack(">I", bytes(data[kind_at - 4 : kind_at]))
    body = bytes(data[kind_at + 4 : kind_at + 4 + length])
    data[kind_at + 4 + length : kind_at + 8 + length] = struct.pack(
        ">I", zlib.crc32(b"iTXt" + body)
    )
    baked = badges.png_credential(bytes(data))
    key = signing.load_key(certificate.key_id)
    assert not credentials.verify(baked, public_key=key.credential_public)


def test_a_revoked_certificate_has_no_badge(cast, certificate):
    certificate_revoke(certificate=certificate, reason="Erreur.", revoked_by=cast.network_admin)
    client = cast.client("anonymous")
    assert client.get(f"/verify/{certificate.code}/badge.png").status_code == 410
    assert client.get(f"/verify/{certificate.code}/badge.svg").status_code == 410
    assert client.get("/verify/MRM-2222-3333-4444/badge.png").status_code == 404


def test_the_check_json_lists_the_badges(cast, certificate):
    data = (
        cast.client("anonymous")
        .get(f"/verify/{certificate.code}/", HTTP_ACCEPT="application/json")
        .json()
    )
    assert data["badge_png_url"] == f"http://127.0.0.1:8000/verify/{certificate.code}/badge.png"
    assert data["badge_svg_url"] == f"http://127.0.0.1:8000/verify/{certificate.code}/badge.svg"
    assert data["endorsements"] == []


def test_downloads_for_a_cv_and_a_wallet(cast, certificate):
    client = cast.client("resident")
    page = client.get(f"/me/certificates/{certificate.code}/").content.decode()
    for link in [
        f"/verify/{certificate.code}/badge.png?download=1",
        f"/verify/{certificate.code}/badge.svg?download=1",
        f"/verify/{certificate.code}/credential.json?download=1",
    ]:
        assert link in page
        response = client.get(link)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
    assert "portefeuille numérique" in page
    wallet = client.get(f"/verify/{certificate.code}/credential.json?download=1")
    assert wallet.json() == certificate.credential


def test_linkedin_names_the_organisation_page_when_its_id_is_set(cast, certificate, settings):
    settings.LINKEDIN_ORGANIZATION_ID = "10373482"
    page = cast.client("resident").get(f"/me/certificates/{certificate.code}/").content.decode()
    start = page.index("https://www.linkedin.com/profile/add?")
    url = page[start : page.index('"', start)].replace("&amp;", "&")
    fields = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert fields["organizationId"] == ["10373482"]
    assert "organizationName" not in fields
    assert fields["certId"] == [certificate.code]
    assert fields["certUrl"] == [certificate.verify_url]
