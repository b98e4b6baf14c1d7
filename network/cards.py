"""The invitation card parent ambassadors hand out: A6 portrait, the house style
(pathway.pdf), a QR code to the public guide's workshops and the guide itself."""

import io

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from pathway.areas import Area
from pathway.pdf import BRAND, SOFT, draw, draw_qr, paragraph_styles


def invitation_card_pdf(area=None):
    """The card of `area` (pathway.areas.Area): its town's network, and its QR code and
    addresses leading to that town's guide (?ville=) when the installation has several."""
    area = area if area is not None else Area()
    network = area.header_names[1]
    fonts, styles = paragraph_styles()
    width, height = A6
    margin = 9 * mm
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A6, invariant=True)
    pdf.setTitle(_("Carte d'invitation — Parcours numérique"))
    pdf.setAuthor(network)

    pdf.setFillColor(BRAND)
    pdf.rect(0, height - 24 * mm, width, 24 * mm, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont(fonts.bold, 15)
    pdf.drawString(margin, height - 13 * mm, _("Le numérique, ensemble"))
    pdf.setFont(fonts.regular, 9)
    pdf.drawString(margin, height - 19 * mm, network)

    y = height - 30 * mm
    text_width = width - 2 * margin
    for line in (
        _("Des démarches en ligne, Pronote ou l'ENT de vos enfants, un ordinateur à apprivoiser ?"),
        _("Des lieux près de chez vous vous accueillent, gratuitement, avec ou sans rendez-vous."),
        _("Scannez le code pour voir les ateliers à venir et les lieux du guide."),
    ):
        y = draw(pdf, Paragraph(line, styles["body"]), margin, y, text_width) - 2.5 * mm

    workshops = settings.SITE_URL + reverse("workshop_list") + area.query
    guide = settings.SITE_URL + reverse("place_list") + area.query
    size = 34 * mm
    draw_qr(pdf, workshops, (width - size) / 2, 20 * mm, size)
    pdf.setFillColor(SOFT)
    pdf.setFont(fonts.regular, 7.5)
    pdf.drawCentredString(width / 2, 15 * mm, workshops)
    pdf.drawCentredString(width / 2, 11 * mm, _("Tous les lieux : %(url)s") % {"url": guide})
    pdf.drawCentredString(width / 2, 6 * mm, _("Remis par un parent ambassadeur"))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
