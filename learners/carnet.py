"""The one-page "carnet" a mediator prints for a resident: the address of their personal
space, as a QR code and in plain words. Drawn in memory (pathway.pdf's house style) and
never stored, since it carries the resident's secret link."""

import io
from html import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from pathway.areas import names_of
from pathway.pdf import BRAND, INK, SOFT, day, draw, draw_qr, paragraph_styles


def carnet_pdf(resident, *, url, expires_at, next_step=None):
    """The one-page "carnet" a mediator prints for a resident: a QR code and the address
    of their personal space, in plain words; and their next step (learners.next_step),
    with up to three coming workshops and where to sign up. It names the resident's town
    and its network (the town of the actor that recorded them)."""
    town_name, network_name = names_of(resident.created_by_actor.town)
    fonts, s = paragraph_styles()
    big = ParagraphStyle("big", parent=s["body"], fontSize=14, leading=20)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, lang="fr-FR", pageCompression=1)
    pdf.setTitle(f"Mon carnet Parcours numérique — {resident.display_name}")
    pdf.setAuthor(network_name)
    pdf.setSubject("Lien personnel vers mon espace : mon parcours et mes attestations")
    width, height = A4
    margin = 2 * cm
    pdf.setFillColor(BRAND)
    pdf.rect(0, height - 2.2 * cm, width, 2.2 * cm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    pdf.setFont(fonts.bold, 13)
    pdf.drawString(margin, height - 1.35 * cm, f"Parcours numérique · {town_name}")
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
    if next_step is not None:
        y = draw_next_step(pdf, next_step, s, margin, y - 0.3 * cm, width - 2 * margin)
    pdf.setFillColor(SOFT)
    pdf.setFont(fonts.regular, 9)
    pdf.drawString(margin, 1.5 * cm, network_name)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


CARNET_WORKSHOPS = 2  # what fits above the footer


def draw_next_step(pdf, step, s, x, y, width):
    """ "Ma prochaine étape": the advice, then each coming workshop with its sign-up
    address. Returns the new y."""
    pdf.setStrokeColor(SOFT)
    pdf.line(x, y, x + width, y)
    y -= 0.3 * cm
    heading = ParagraphStyle("step", parent=s["head"], fontSize=13, leading=17)
    y = draw(pdf, Paragraph("Ma prochaine étape", heading), x, y, width) - 0.1 * cm
    y = draw(
        pdf, Paragraph(f"<b>{escape(step.title)}</b> {escape(step.text)}", s["body"]), x, y, width
    )
    for workshop in step.workshops[:CARNET_WORKSHOPS]:
        line = (
            f"• <b>{escape(workshop.title)}</b>, {escape(str(workshop.when_text))}, "
            f"{escape(workshop.place.name)}. S'inscrire : {escape(workshop.signup_url)}"
        )
        y = draw(pdf, Paragraph(line, s["cell"]), x, y - 0.1 * cm, width)
    return y
