"""Badge images with the credential baked in, as the Open Badges 3.0 baking rules say
("Baked Badge", §5.3 of the specification): a resident attaches the image to a CV or an
email, and software that knows Open Badges reads the signed credential inside it.

- PNG: one iTXt chunk with the keyword `openbadgecredential`, not compressed, whose text is
  the JSON of the credential (its embedded proof included).
- SVG: an `xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"` attribute on the <svg>
  tag and, right after it, an <openbadges:credential> element whose body is the JSON of the
  credential in a CDATA section.

The picture itself is drawn here (Pillow for the PNG, plain markup for the SVG) from the
certificate's own words: nothing is fetched, nothing is stored."""

import functools
import io
import json
import struct
import textwrap
import zlib
from xml.sax.saxutils import escape

from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

from pathway.pdf import FONT_DIR

PNG_KEYWORD = "openbadgecredential"
SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SIZE = 400
BRAND = "#0b5a7a"
INK = "#1f2328"


class BadgeError(Exception):
    """An image without a baked credential, or a damaged one."""


def credential_text(credential):
    """The credential as compact JSON text (UTF-8 in the PNG chunk, as iTXt requires) that
    also fits in the SVG: `]]>`, which would end the CDATA section, can only occur inside a
    JSON string, where `>` is written \\u003e instead: the text still parses to the very
    same credential, so its proof still holds."""
    return json.dumps(credential, ensure_ascii=False, separators=(",", ":")).replace(
        "]]>", "]]\\u003e"
    )


def badge_lines(certificate):
    """What the picture says: the module (on up to three lines), the network, the year."""
    module_lines = textwrap.wrap(certificate.module.name, width=22)[:3] or [""]
    return {
        "title": "Attestation de compétences numériques",
        "module": module_lines,
        "town": f"Parcours numérique · {certificate.actor.town.name}",
        "year": str(timezone.localdate(certificate.issued_at).year),
        "code": certificate.code,
    }


@functools.cache
def font(name, size):
    return ImageFont.truetype(str(FONT_DIR / f"{name}.ttf"), size)


def badge_png(certificate):
    """The badge as PNG bytes, the signed credential baked in."""
    lines = badge_lines(certificate)
    image = Image.new("RGB", (SIZE, SIZE), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=BRAND)
    draw.ellipse((28, 28, SIZE - 28, SIZE - 28), outline="white", width=3)
    centre = SIZE / 2
    draw.text((centre, 88), lines["town"], font=font("DejaVuSans", 15), fill="white", anchor="mm")
    draw.text(
        (centre, 116), "Attestation de", font=font("DejaVuSans", 18), fill="white", anchor="mm"
    )
    draw.text(
        (centre, 140),
        "compétences numériques",
        font=font("DejaVuSans", 18),
        fill="white",
        anchor="mm",
    )
    top = 200 - 17 * (len(lines["module"]) - 1)
    for n, text in enumerate(lines["module"]):
        draw.text(
            (centre, top + 34 * n),
            text,
            font=font("DejaVuSans-Bold", 26),
            fill="white",
            anchor="mm",
        )
    draw.text(
        (centre, 296), lines["year"], font=font("DejaVuSans-Bold", 22), fill="white", anchor="mm"
    )
    draw.text((centre, 328), lines["code"], font=font("DejaVuSans", 15), fill="white", anchor="mm")
    info = PngInfo()
    # Uncompressed (zip=False), empty language tag and translated keyword: the baking rules.
    info.add_itxt(PNG_KEYWORD, credential_text(certificate.credential), lang="", tkey="", zip=False)
    output = io.BytesIO()
    image.save(output, "PNG", pnginfo=info, optimize=False, compress_level=6)
    return output.getvalue()


def badge_svg(certificate):
    """The badge as SVG text, the signed credential baked in."""
    lines = badge_lines(certificate)
    top = 200 - 17 * (len(lines["module"]) - 1)
    module = "".join(
        f'<text x="200" y="{top + 34 * n + 9}" font-size="26" font-weight="bold">'
        f"{escape(text)}</text>"
        for n, text in enumerate(lines["module"])
    )
    label = escape(f"{lines['title']} : {certificate.module.name} ({lines['town']})")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{SVG_NAMESPACE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" height="{SIZE}" role="img" '
        f'aria-label="{label}">'
        f"<openbadges:credential><![CDATA[{credential_text(certificate.credential)}]]>"
        "</openbadges:credential>"
        f"<title>{label}</title>"
        f'<circle cx="200" cy="200" r="192" fill="{BRAND}"/>'
        '<circle cx="200" cy="200" r="172" fill="none" stroke="#fff" stroke-width="3"/>'
        '<g fill="#fff" font-family="DejaVu Sans, Verdana, sans-serif" text-anchor="middle">'
        f'<text x="200" y="92" font-size="15">{escape(lines["town"])}</text>'
        '<text x="200" y="122" font-size="18">Attestation de</text>'
        '<text x="200" y="146" font-size="18">compétences numériques</text>'
        f"{module}"
        f'<text x="200" y="304" font-size="22" font-weight="bold">{lines["year"]}</text>'
        f'<text x="200" y="334" font-size="15">{escape(lines["code"])}</text>'
        "</g></svg>\n"
    )


# Extracting ---------------------------------------------------------------------------------


def png_credential(data):
    """The credential baked in PNG bytes: the text of the first iTXt chunk whose keyword is
    `openbadgecredential` (the rest of the file is not read), parsed as JSON."""
    if not data.startswith(PNG_SIGNATURE):
        raise BadgeError("not a PNG file")
    offset = len(PNG_SIGNATURE)
    while offset + 8 <= len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if len(body) != length:
            break
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length] or b"\0" * 4)
        if zlib.crc32(kind + body) != crc:
            raise BadgeError(f"damaged {kind!r} chunk")
        if kind == b"iTXt":
            keyword, _, rest = body.partition(b"\0")
            if keyword == PNG_KEYWORD.encode():
                compressed, _method = rest[0], rest[1]
                _language, _, rest = rest[2:].partition(b"\0")
                _translated, _, text = rest.partition(b"\0")
                if compressed:
                    raise BadgeError("the credential chunk is compressed")
                return json.loads(text.decode("utf-8"))
        if kind == b"IEND":
            break
        offset += 12 + length
    raise BadgeError("no openbadgecredential iTXt chunk")


def svg_credential(text):
    """The credential baked in SVG text: the body of the first <openbadges:credential>
    element (namespace https://purl.imsglobal.org/ob/v3p0), parsed as JSON."""
    from xml.etree import ElementTree

    # An SVG of ours carries no DTD; refuse one rather than expand its entities.
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise BadgeError("an SVG with a DTD is not read")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise BadgeError(f"not an SVG file: {error}") from None
    element = root.find(f"{{{SVG_NAMESPACE}}}credential")
    if element is None:
        raise BadgeError("no openbadges:credential element")
    return json.loads(element.text or "")
