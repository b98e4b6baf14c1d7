"""What every PDF of the project shares: fonts with French accents, embedded; the house
colours and paragraph styles; dates in words; QR codes drawn as vectors.

reportlab's built-in fonts (Helvetica…) are not embedded and miss characters; DejaVu Sans
is vendored under static/vendor/dejavu/ (with its licence) so that a fresh machine renders
"é, è, à, ç, œ, «»" the same way. Used by the printable guide (pathway.guide), the
resident's carnet and data (learners) and the certificates.

    from pathway.pdf import register_fonts
    fonts = register_fonts()          # idempotent
    canvas.setFont(fonts.bold, 14)
"""

import functools
from dataclasses import dataclass
from pathlib import Path

import qrcode
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.fonts import addMapping
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.pathobject import PDFPathObject

FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "dejavu"

BRAND = colors.HexColor("#0b5a7a")
INK = colors.HexColor("#1f2328")
SOFT = colors.HexColor("#57606a")


@dataclass(frozen=True)
class Fonts:
    regular: str = "DejaVuSans"
    bold: str = "DejaVuSans-Bold"
    italic: str = "DejaVuSans-Oblique"


@functools.cache
def register_fonts():
    """Register DejaVu Sans (regular, bold, italic) with reportlab, once per process, as a
    family, so that <b> and <i> in Paragraphs use the embedded faces."""
    fonts = Fonts()
    for name in (fonts.regular, fonts.bold, fonts.italic):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))
    addMapping(fonts.regular, 0, 0, fonts.regular)
    addMapping(fonts.regular, 1, 0, fonts.bold)
    addMapping(fonts.regular, 0, 1, fonts.italic)
    addMapping(fonts.regular, 1, 1, fonts.bold)
    return fonts


def paragraph_styles():
    fonts = register_fonts()
    body = ParagraphStyle("body", fontName=fonts.regular, fontSize=10.5, leading=14, textColor=INK)
    return fonts, {
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12),
        "cell_small": ParagraphStyle(
            "cell_small", parent=body, fontSize=8, leading=10, textColor=SOFT
        ),
        "head": ParagraphStyle("head", parent=body, fontName=fonts.bold, fontSize=9, leading=11),
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, textColor=SOFT),
    }


def day(value, language):
    with translation.override(language):
        return date_format(value, "j F Y")


def draw_qr(pdf, url, x, y, size):
    """A QR code as one vector path, dark runs of each row merged into one rectangle."""
    pdf.saveState()
    pdf.setFillColor(colors.black)
    pdf.drawPath(qr_path(url, x, y, size), stroke=0, fill=1)
    pdf.restoreState()


@functools.lru_cache(maxsize=32)
def qr_path(url, x, y, size):
    """The path of draw_qr(), made once for a document that prints the same code on every
    page (the learner record's foot): encoding the URL and writing a few hundred
    rectangles cost about 3 ms a page. drawPath() only reads the path.

    The mask pattern is fixed: every reader accepts any of the eight, and searching the
    best one costs ten times the rest of the code (~11 ms of a certificate's budget)."""
    code = qrcode.QRCode(border=0, error_correction=ERROR_CORRECT_M, mask_pattern=2)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    cell = size / len(matrix)
    path = PDFPathObject()
    for row, cells in enumerate(matrix):
        top = y + size - (row + 1) * cell
        start = None
        for column, dark in enumerate([*cells, False]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                path.rect(x + start * cell, top, (column - start) * cell, cell)
                start = None
    return path


def draw(pdf, flowable, x, y, width):
    """Draw a flowable whose top is at `y`; return the y below it."""
    _w, h = flowable.wrapOn(pdf, width, 1000)
    flowable.drawOn(pdf, x, y - h)
    return y - h
