"""The one-page "carnet" a mediator prints for a resident: the address of their personal
space, as a QR code and in plain words. Drawn in memory (pathway.pdf's house style) and
never stored, since it carries the resident's secret link."""

import io

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from pathway.pdf import BRAND, INK, SOFT, day, draw, draw_qr, paragraph_styles


def carnet_pdf(resident, *, url, expires_at):
    """The one-page "carnet" a mediator prints for a resident: a QR code and the address
    of their personal space, in plain words."""
    fonts, s = paragraph_styles()
    big = ParagraphStyle("big", parent=s["body"], fontSize=14, leading=20)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, lang="fr-FR", pageCompression=1)
    pdf.setTitle(f"Mon carnet Parcours numérique — {resident.display_name}")
    pdf.setAuthor(settings.NETWORK_NAME)
    pdf.setSubject("Lien personnel vers mon espace : mon parcours et mes attestations")
    width, height = A4
    margin = 2 * cm
    pdf.setFillColor(BRAND)
    pdf.rect(0, height - 2.2 * cm, width, 2.2 * cm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    pdf.setFont(fonts.bold, 13)
    pdf.drawString(margin, height - 1.35 * cm, f"Parcours numérique · {settings.TOWN_NAME}")
    pdf.setFillColor(BRAND)
    pdf.setFont(fonts.bold, 26)
    pdf.drawCentredString(width / 2, height - 4.4 * cm, "Mon carnet")
    pdf.setFillColor(INK)
    pdf.setFont(fonts.bold, 18)
    pdf.drawCentredString(width / 2, height - 5.6 * cm, str(resident.display_name))
    size = 7 * cm
    draw_qr(pdf, url, (width - size) / 2, height - 13.6 * cm, size)
    y = height - 14.6 * cm
    lines = [
        "Avec ce carnet, vous ouvrez votre espace : votre parcours et vos attestations.",
        "<b>1.</b> Ouvrez l'appareil photo de votre téléphone.",
        "<b>2.</b> Visez le carré noir et blanc, puis touchez le lien qui apparaît.",
        "Sur un ordinateur, tapez cette adresse :",
    ]
    for line in lines:
        y = draw(pdf, Paragraph(line, big), margin, y, width - 2 * margin) - 0.2 * cm
    pdf.setFont(fonts.bold, 11)
    pdf.drawString(margin, y - 0.4 * cm, url)
    y -= 1.2 * cm
    expiry = day(timezone.localdate(expires_at), "fr")
    for line in [
        f"<b>Ce lien est à vous seul.</b> Ne le montrez pas. Il marche jusqu'au {expiry}.",
        "Si vous perdez ce carnet, dites-le à un médiateur : il bloque l'ancien lien et vous "
        "en donne un nouveau.",
    ]:
        y = draw(pdf, Paragraph(line, s["body"]), margin, y, width - 2 * margin) - 0.2 * cm
    pdf.setFillColor(SOFT)
    pdf.setFont(fonts.regular, 9)
    pdf.drawString(margin, 1.5 * cm, settings.NETWORK_NAME)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
