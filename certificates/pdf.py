"""The certificate PDF (A4, one page, in French or in English), drawn in memory with
reportlab in the house style of every printed document (pathway.pdf: DejaVu Sans embedded,
colours, a QR code drawn as vectors), then signed (certificates.signing).
"""

import io
from decimal import Decimal
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from pathway.pdf import BRAND, INK, SOFT, day, draw, draw_qr, paragraph_styles

LINE = colors.HexColor("#d0d7de")
PAPER_SOFT = colors.HexColor("#f3f6f8")

# The certificate's own words, in each language it is issued in. Not gettext: a French
# interface may issue an English certificate, and its text is part of what is signed.
TEXT = {
    "fr": {
        "title": "Attestation de compétences numériques",
        "awarded_to": "délivrée à",
        "module": "pour le module de formation « {module} »",
        "training": (
            "{hours} de formation suivies du {start} au {end}, auprès de {actor}. Niveaux "
            "atteints dans le Cadre de référence des compétences numériques (CRCN) et leur "
            "équivalent européen DigComp 2.2 :"
        ),
        "hours_one": "{n} heure",
        "hours_many": "{n} heures",
        "columns": ["CRCN", "DigComp 2.2", "Compétence", "Niveau atteint"],
        "level": "{level} sur 8 — {band}",
        "bands": "Niveaux du CRCN : 1 et 2 débutant, 3 et 4 indépendant, 5 et 6 avancé, "
        "7 et 8 expert.",
        "issued": "Délivrée le {date} par {actor}.",
        "expires": "Valable jusqu'au {date}.",
        "signatory": "{name}, {role}",
        "check": "Vérifier cette attestation",
        "code": "Code de vérification : {code}",
        "signed": (
            "Document signé électroniquement par {network}. Il contient l'attestation numérique "
            "au format Open Badges 3.0. Toute modification rend la signature invalide."
        ),
        "subject": "Attestation de compétences numériques : {module}",
        "lang": "fr-FR",
    },
    "en": {
        "title": "Certificate of digital skills",
        "awarded_to": "awarded to",
        "module": "for the training module “{module}”",
        "training": (
            "{hours} of training attended from {start} to {end}, with {actor}. Levels reached "
            "in the French digital competence framework (CRCN) and its European equivalent "
            "DigComp 2.2:"
        ),
        "hours_one": "{n} hour",
        "hours_many": "{n} hours",
        "columns": ["CRCN", "DigComp 2.2", "Competence", "Level reached"],
        "level": "{level} of 8 — {band}",
        "bands": "CRCN levels: 1 and 2 beginner, 3 and 4 independent, 5 and 6 advanced, "
        "7 and 8 expert.",
        "issued": "Issued on {date} by {actor}.",
        "expires": "Valid until {date}.",
        "signatory": "{name}, {role}",
        "check": "Check this certificate",
        "code": "Verification code: {code}",
        "signed": (
            "Document electronically signed by {network}. It contains the digital credential "
            "in the Open Badges 3.0 format. Any change makes the signature invalid."
        ),
        "subject": "Certificate of digital skills: {module}",
        "lang": "en-GB",
    },
}
BANDS = {
    "fr": {1: "débutant", 3: "indépendant", 5: "avancé", 7: "expert"},
    "en": {1: "beginner", 3: "independent", 5: "advanced", 7: "expert"},
}
LANGUAGES = list(TEXT)


def level_words(level, language):
    """Level 4 → "indépendant" (the CRCN's four bands of two levels)."""
    return BANDS[language][level - (level + 1) % 2]


def hours_text(hours, language):
    hours = Decimal(hours).normalize()
    n = f"{hours:f}".replace(".", "," if language == "fr" else ".")
    return TEXT[language]["hours_one" if hours <= 1 else "hours_many"].format(n=n)


def certificate_pdf(certificate, *, competences, verify_url):
    """The certificate as PDF bytes (unsigned). `competences` are its CertificateCompetence
    rows with their competence loaded; `verify_url` is the public check page."""
    language = certificate.language if certificate.language in TEXT else "fr"
    text = TEXT[language]
    fonts, s = paragraph_styles()
    actor = certificate.actor
    module_name = certificate.module.name
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, lang=text["lang"], pageCompression=1)
    pdf.setTitle(f"{text['title']} — {certificate.resident.display_name}")
    pdf.setAuthor(f"{actor.name} — {settings.NETWORK_NAME}")
    pdf.setSubject(text["subject"].format(module=module_name))
    pdf.setKeywords(["CRCN", "DigComp 2.2", "Open Badges 3.0", certificate.code])
    pdf.setCreator("Parcours numérique")
    width, height = A4
    margin = 2 * cm

    # Header band: the town and the network.
    pdf.setFillColor(BRAND)
    pdf.rect(0, height - 2.2 * cm, width, 2.2 * cm, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    pdf.setFont(fonts.bold, 13)
    pdf.drawString(margin, height - 1.35 * cm, f"Parcours numérique · {settings.TOWN_NAME}")
    pdf.setFont(fonts.regular, 9)
    pdf.drawRightString(width - margin, height - 1.35 * cm, settings.NETWORK_NAME)

    y = height - 4.2 * cm
    pdf.setFillColor(BRAND)
    pdf.setFont(fonts.bold, 22)
    pdf.drawCentredString(width / 2, y, text["title"])
    y -= 1.1 * cm
    pdf.setFillColor(SOFT)
    pdf.setFont(fonts.regular, 11)
    pdf.drawCentredString(width / 2, y, text["awarded_to"])
    y -= 1.0 * cm
    pdf.setFillColor(INK)
    pdf.setFont(fonts.bold, 20)
    pdf.drawCentredString(width / 2, y, str(certificate.resident.display_name))
    y -= 0.8 * cm
    pdf.setFont(fonts.regular, 12)
    pdf.drawCentredString(width / 2, y, text["module"].format(module=module_name))
    y -= 0.6 * cm

    frame_width = width - 2 * margin
    intro = Paragraph(
        escape(
            text["training"].format(
                hours=hours_text(certificate.hours, language),
                start=day(certificate.period_start, language),
                end=day(certificate.period_end, language),
                actor=actor.name,
            )
        ),
        s["body"],
    )
    y = draw(pdf, intro, margin, y, frame_width)

    rows = [[Paragraph(escape(label), s["head"]) for label in text["columns"]]]
    for line in competences:
        competence = line.competence
        name = competence.name_en if language == "en" else competence.name_fr
        domain = competence.domain_en if language == "en" else competence.domain_fr
        rows.append(
            [
                Paragraph(escape(competence.code), s["cell"]),
                Paragraph(escape(competence.digcomp_code), s["cell"]),
                [
                    Paragraph(escape(name), s["cell"]),
                    Paragraph(escape(domain), s["cell_small"]),
                ],
                Paragraph(
                    escape(
                        text["level"].format(
                            level=line.level, band=level_words(line.level, language)
                        )
                    ),
                    s["cell"],
                ),
            ]
        )
    table = Table(
        rows,
        colWidths=[1.5 * cm, 2.7 * cm, frame_width - 9.0 * cm, 4.8 * cm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), PAPER_SOFT),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    y = draw(pdf, table, margin, y - 0.3 * cm, frame_width)
    y = draw(pdf, Paragraph(escape(text["bands"]), s["small"]), margin, y - 0.2 * cm, frame_width)

    issued = [
        text["issued"].format(
            date=day(timezone.localdate(certificate.issued_at), language), actor=actor.name
        )
    ]
    address = ", ".join(
        part for part in [actor.address, f"{actor.postcode} {actor.city}".strip()] if part
    )
    if certificate.expires_on:
        issued.append(text["expires"].format(date=day(certificate.expires_on, language)))
    y = draw(pdf, Paragraph(escape(" ".join(issued)), s["body"]), margin, y - 0.5 * cm, frame_width)
    if address:
        y = draw(pdf, Paragraph(escape(address), s["small"]), margin, y, frame_width)
    pdf.setFont(fonts.bold, 11)
    pdf.drawString(
        margin,
        y - 0.8 * cm,
        text["signatory"].format(name=certificate.signatory_name, role=certificate.signatory_role),
    )

    # Footer: how to check it.
    box = 3.4 * cm
    bottom = 1.6 * cm
    pdf.setStrokeColor(LINE)
    pdf.line(margin, bottom + box + 0.5 * cm, width - margin, bottom + box + 0.5 * cm)
    draw_qr(pdf, verify_url, margin, bottom, box)
    left = margin + box + 0.6 * cm
    pdf.setFillColor(BRAND)
    pdf.setFont(fonts.bold, 12)
    pdf.drawString(left, bottom + box - 0.5 * cm, text["check"])
    pdf.setFillColor(INK)
    pdf.setFont(fonts.regular, 9.5)
    pdf.drawString(left, bottom + box - 1.1 * cm, verify_url)
    pdf.setFont(fonts.bold, 10.5)
    pdf.drawString(left, bottom + box - 1.7 * cm, text["code"].format(code=certificate.code))
    draw(
        pdf,
        Paragraph(escape(text["signed"].format(network=settings.NETWORK_NAME)), s["small"]),
        left,
        bottom + box - 2.0 * cm,
        width - margin - left,
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def learner_record_pdf(record, certificates, endorsements):
    """The "passeport numérique" as PDF bytes (unsigned): every certificate in force of the
    resident with its competences and levels, the partners' endorsements, and how to check
    it all (QR code, address, code). In French, on as many A4 pages as it takes.

    `certificates` have their claims loaded (Certificate.objects.with_claims());
    `endorsements` are those about them or their modules, endorser loaded."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer

    fonts, s = paragraph_styles()
    title = ParagraphStyle(
        "title",
        parent=s["body"],
        fontName=fonts.bold,
        fontSize=22,
        leading=28,
        textColor=BRAND,
        alignment=TA_CENTER,
    )
    name_style = ParagraphStyle(
        "name",
        parent=s["body"],
        fontName=fonts.bold,
        fontSize=18,
        leading=24,
        alignment=TA_CENTER,
    )
    centred = ParagraphStyle("centred", parent=s["body"], alignment=TA_CENTER)
    heading = ParagraphStyle(
        "heading",
        parent=s["body"],
        fontName=fonts.bold,
        fontSize=12.5,
        leading=16,
        textColor=BRAND,
        spaceBefore=6,
    )
    resident = record.resident
    buffer = io.BytesIO()
    width, height = A4
    margin = 2 * cm
    footer_height = 4.4 * cm
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=3.0 * cm,
        bottomMargin=footer_height + 0.4 * cm,
        title=f"Passeport numérique — {resident.display_name}",
        author=settings.NETWORK_NAME,
        subject="Passeport numérique : attestations de compétences numériques",
        keywords=["CRCN", "DigComp 2.2", "Comprehensive Learner Record 2.0", record.code],
        creator="Parcours numérique",
        lang="fr-FR",
        pageCompression=1,
    )
    frame_width = width - 2 * margin

    def decorate(pdf, doc):
        pdf.saveState()
        pdf.setFillColor(BRAND)
        pdf.rect(0, height - 2.2 * cm, width, 2.2 * cm, stroke=0, fill=1)
        pdf.setFillColor(colors.white)
        pdf.setFont(fonts.bold, 13)
        pdf.drawString(margin, height - 1.35 * cm, f"Parcours numérique · {settings.TOWN_NAME}")
        pdf.setFont(fonts.regular, 9)
        pdf.drawRightString(width - margin, height - 1.35 * cm, settings.NETWORK_NAME)
        box = 3.2 * cm
        bottom = 1.2 * cm
        pdf.setStrokeColor(LINE)
        pdf.line(margin, bottom + box + 0.4 * cm, width - margin, bottom + box + 0.4 * cm)
        draw_qr(pdf, record.verify_url, margin, bottom, box)
        left = margin + box + 0.6 * cm
        pdf.setFillColor(BRAND)
        pdf.setFont(fonts.bold, 12)
        pdf.drawString(left, bottom + box - 0.5 * cm, "Vérifier ce passeport numérique")
        pdf.setFillColor(INK)
        pdf.setFont(fonts.regular, 9.5)
        pdf.drawString(left, bottom + box - 1.1 * cm, record.verify_url)
        pdf.setFont(fonts.bold, 10.5)
        pdf.drawString(left, bottom + box - 1.7 * cm, f"Code de vérification : {record.code}")
        pdf.setFont(fonts.regular, 8.5)
        pdf.setFillColor(SOFT)
        pdf.drawString(left, bottom + box - 2.3 * cm, f"Page {doc.page}")
        pdf.restoreState()

    issued = day(timezone.localdate(record.issued_at), "fr")
    count = len(certificates)
    story = [
        Paragraph("Passeport numérique", title),
        Spacer(1, 0.3 * cm),
        Paragraph(escape(str(resident.display_name)), name_style),
        Spacer(1, 0.2 * cm),
        Paragraph(
            escape(
                f"{count} attestation{'s' if count > 1 else ''} de compétences numériques en "
                f"vigueur le {issued}, délivrée{'s' if count > 1 else ''} par le "
                f"{settings.NETWORK_NAME}. Niveaux du Cadre de référence des compétences "
                "numériques (CRCN, celui de Pix) et leur équivalent européen DigComp 2.2."
            ),
            centred,
        ),
        Spacer(1, 0.4 * cm),
    ]
    endorsed = {}
    for endorsement in endorsements:
        key = (
            ("module", endorsement.module_id)
            if endorsement.module_id
            else ("certificate", endorsement.certificate_id)
        )
        endorsed.setdefault(key, []).append(endorsement)
    text = TEXT["fr"]
    for certificate in certificates:
        block = [
            Paragraph(
                escape(f"{certificate.module.name} — attestation {certificate.code}"), heading
            ),
            Paragraph(
                escape(
                    f"Délivrée le {day(timezone.localdate(certificate.issued_at), 'fr')} par "
                    f"{certificate.actor.name}, après "
                    f"{hours_text(certificate.hours, 'fr')} de formation du "
                    f"{day(certificate.period_start, 'fr')} au {day(certificate.period_end, 'fr')}."
                    + (
                        f" Valable jusqu'au {day(certificate.expires_on, 'fr')}."
                        if certificate.expires_on
                        else ""
                    )
                ),
                s["body"],
            ),
            Spacer(1, 0.15 * cm),
        ]
        rows = [[Paragraph(escape(label), s["head"]) for label in text["columns"]]]
        for line in certificate.competences.all():
            competence = line.competence
            rows.append(
                [
                    Paragraph(escape(competence.code), s["cell"]),
                    Paragraph(escape(competence.digcomp_code), s["cell"]),
                    Paragraph(escape(competence.name_fr), s["cell"]),
                    Paragraph(
                        escape(
                            text["level"].format(
                                level=line.level, band=level_words(line.level, "fr")
                            )
                        ),
                        s["cell"],
                    ),
                ]
            )
        table = Table(rows, colWidths=[1.5 * cm, 2.7 * cm, frame_width - 9.0 * cm, 4.8 * cm])
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), PAPER_SOFT),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        block.append(table)
        for endorsement in endorsed.get(("module", certificate.module_id), []) + endorsed.get(
            ("certificate", certificate.pk), []
        ):
            block.append(
                Paragraph(
                    escape(
                        f"Recommandé par {endorsement.endorser.name} : « {endorsement.comment} »"
                    ),
                    s["small"],
                )
            )
        block.append(Spacer(1, 0.35 * cm))
        story.append(KeepTogether(block))
    story.append(Paragraph(escape(text["bands"]), s["small"]))
    story.append(Spacer(1, 0.2 * cm))
    story.append(
        Paragraph(
            escape(
                f"Document signé électroniquement par {settings.NETWORK_NAME}. Il contient le "
                "relevé numérique au format Comprehensive Learner Record 2.0, avec l'attestation "
                "Open Badges 3.0 de chaque module. Toute modification rend la signature "
                "invalide. Chaque attestation se vérifie aussi seule avec son code."
            ),
            s["small"],
        )
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
