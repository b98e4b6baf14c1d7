"""What every PDF of the project shares: fonts with French accents, embedded.

reportlab's built-in fonts (Helvetica…) are not embedded and miss characters; DejaVu Sans
is vendored under static/vendor/dejavu/ (with its licence) so that a fresh machine renders
"é, è, à, ç, œ, «»" the same way. Used by the printable guide (pathway.guide) and meant for
the certificates too.

    from pathway.pdf import register_fonts
    fonts = register_fonts()          # idempotent
    canvas.setFont(fonts.bold, 14)
"""

import functools
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "dejavu"


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
