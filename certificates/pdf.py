"""The certificate PDF (A4, one page, in French or in English), drawn in memory with
reportlab in the house style of every printed document (pathway.pdf: DejaVu Sans embedded,
colours, a QR code drawn as vectors), then signed (certificates.signing).
"""

import functools
import io
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core import checks
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from pathway.french import with_preposition
from pathway.pdf import BRAND, INK, SOFT, day, draw, draw_qr, paragraph_styles

LINE = colors.HexColor("#d0d7de")
PAPER_SOFT = colors.HexColor("#f3f6f8")
# The neutral mark printed when the town has not set its own logo (TOWN_LOGO).
DEFAULT_LOGO = Path(settings.BASE_DIR) / "static" / "img" / "town-logo.png"

# The certificate's own words, in each language it is issued in. Not gettext: a French
# interface may issue an English certificate, and its text is part of what is signed.
TEXT = {
    "fr": {
        "title": "Attestation de compétences numériques",
        "awarded_to": "délivrée à",
        "module": "pour le module de formation « {module} »",
        "training": (
            "{hours} de formation suivies du {start} au {end}, {with_actor}. Niveaux "
            "atteints dans le Cadre de référence des compétences numériques (CRCN), celui de "
            "la certification Pix, et leur équivalent européen DigComp 2.2 :"
        ),
        "with_actor": "auprès de",
        "by_actor": "par",
        "hours_one": "{n} heure",
        "hours_many": "{n} heures",
        "columns": ["Compétence", "Niveau atteint", "CRCN", "DigComp 2.2"],
        "level": "niveau {level} sur 8 ({band})",
        "bands_title": "Ce que veulent dire les niveaux du CRCN (de 1 à 8) :",
        "band": "{levels} {band} : {meaning}",
        "issued": "Délivrée le {date} {by_actor}.",
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
            "{hours} of training attended from {start} to {end}, {with_actor}. Levels reached "
            "in the French digital competence framework (CRCN, the framework of the Pix "
            "certification) and its European equivalent DigComp 2.2:"
        ),
        "with_actor": "with",
        "by_actor": "by",
        "hours_one": "{n} hour",
        "hours_many": "{n} hours",
        "columns": ["Competence", "Level reached", "CRCN", "DigComp 2.2"],
        "level": "level {level} of 8 ({band})",
        "bands_title": "What the CRCN levels (1 to 8) mean:",
        "band": "{levels} {band}: {meaning}",
        "issued": "Issued on {date} {by_actor}.",
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
# What a level means at work, in one line an employer understands (after the CRCN's own
# description of its four bands of two levels).
MEANINGS = {
    "fr": {
        1: "fait des tâches simples et connues, avec de l'aide si besoin",
        3: "fait seul les tâches courantes et s'adapte à des situations nouvelles",
        5: "mène des tâches variées et complexes, et peut guider les autres",
        7: "maîtrise les situations complexes, conseille et forme les autres",
    },
    "en": {
        1: "does simple, familiar tasks, with help when needed",
        3: "does everyday tasks alone and adapts to new situations",
        5: "handles varied and complex tasks, and can guide others",
        7: "masters complex situations, advises and trains others",
    },
}
LANGUAGES = list(TEXT)


def level_words(level, language):
    """Level 4 → "indépendant" (the CRCN's four bands of two levels)."""
    return BANDS[language][level - (level + 1) % 2]


def level_meaning(level, language):
    """Level 4 → what an independent user does, in one line."""
    return MEANINGS[language][level - (level + 1) % 2]


def level_text(level, language):
    """Level 2 → "niveau 2 sur 8 (débutant)"."""
    return TEXT[language]["level"].format(level=level, band=level_words(level, language))


def actor_after(preposition_key, actor_name, language):
    """ "auprès de l'Espace emploi municipal" (French articles and elision), "with …"."""
    preposition = TEXT[language][preposition_key]
    if language == "fr":
        return with_preposition(preposition, actor_name)
    return f"{preposition} {actor_name}"


def hours_text(hours, language):
    hours = Decimal(hours).normalize()
    n = f"{hours:f}".replace(".", "," if language == "fr" else ".")
    return TEXT[language]["hours_one" if hours <= 1 else "hours_many"].format(n=n)


@functools.cache
def town_logo(path):
    """The installation's logo (settings.TOWN_LOGO, PNG or JPEG), read once; the neutral
    mark shipped with the application when the file cannot be read (manage.py check says
    so)."""
    try:
        return ImageReader(str(path))
    except (OSError, ValueError):
        return ImageReader(str(DEFAULT_LOGO))


# Town logos read from the storage, by file name (a new upload gets a new name); a failed
# read is not kept, so that a storage back at work prints the logo again.
STORED_LOGOS = {}
STORED_LOGOS_KEPT = 32


def logo_of(town):
    """The logo printed for `town` (pathway.Town): its own (Town.logo, read through
    Django's storage, which may be an object store), else TOWN_LOGO's, else the neutral
    mark."""
    if town is not None and town.logo:
        name = town.logo.name
        if name not in STORED_LOGOS:
            try:
                with town.logo.storage.open(name, "rb") as file:
                    reader = ImageReader(io.BytesIO(file.read()))
                reader.getSize()  # a file that is not an image fails here, not in the PDF
            except Exception:  # any storage or image error: the fallback below
                return town_logo(settings.TOWN_LOGO)
            if len(STORED_LOGOS) >= STORED_LOGOS_KEPT:
                STORED_LOGOS.clear()
            STORED_LOGOS[name] = reader
        return STORED_LOGOS[name]
    return town_logo(settings.TOWN_LOGO)


def check_town_logo(app_configs=None, **kwargs):
    """manage.py check: a TOWN_LOGO that cannot be read is said at start-up, not found out
    on a printed certificate (which then carries the neutral mark)."""
    try:
        ImageReader(str(settings.TOWN_LOGO)).getSize()
    except (OSError, ValueError) as error:
        return [
            checks.Warning(
                f"Le logo de la ville (TOWN_LOGO={settings.TOWN_LOGO}) ne se lit pas : {error}. "
                "Les attestations portent la marque neutre à sa place.",
                hint="Donnez le chemin d'un fichier PNG ou JPEG lisible par l'application.",
                id="certificates.W001",
            )
        ]
    return []


def skills_table(rows, language, width, *, font_size, meanings, domains=True, padding):
    """The competences table: competence and domain, the level in words with what it
    means, the CRCN and DigComp codes."""
    fonts, s = paragraph_styles()
    text = TEXT[language]
    cell = ParagraphStyle("skill", parent=s["body"], fontSize=font_size, leading=font_size * 1.3)
    strong = ParagraphStyle("skill_level", parent=cell, fontName=fonts.bold)
    small = ParagraphStyle(
        "skill_note",
        parent=cell,
        fontSize=font_size - 2,
        leading=(font_size - 2) * 1.3,
        textColor=SOFT,
    )
    head = ParagraphStyle("skill_head", parent=s["head"], fontSize=font_size - 1.5)
    data = [[Paragraph(escape(label), head) for label in text["columns"]]]
    for line in rows:
        competence = line.competence
        name = competence.name_en if language == "en" else competence.name_fr
        domain = competence.domain_en if language == "en" else competence.domain_fr
        level = [Paragraph(escape(level_text(line.level, language)), strong)]
        if meanings:
            level.append(Paragraph(escape(level_meaning(line.level, language)), small))
        data.append(
            [
                [Paragraph(escape(name), cell)]
                + ([Paragraph(escape(domain), small)] if domains else []),
                level,
                Paragraph(escape(competence.code), cell),
                Paragraph(escape(competence.digcomp_code), cell),
            ]
        )
    codes = 1.6 * cm + 3.0 * cm
    table = Table(
        data, colWidths=[(width - codes) * 0.45, (width - codes) * 0.55, 1.6 * cm, 3.0 * cm]
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), PAPER_SOFT),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 1), (-1, -1), padding),
                ("BOTTOMPADDING", (0, 1), (-1, -1), padding),
            ]
        )
    )
    return table


def bands_legend(language):
    """The four bands of the CRCN and what each means, for the whole page."""
    _fonts, s = paragraph_styles()
    text = TEXT[language]
    lines = [f"<b>{escape(text['bands_title'])}</b>"]
    for first, band in BANDS[language].items():
        line = text["band"].format(
            levels=f"{first}–{first + 1}", band=band, meaning=MEANINGS[language][first]
        )
        lines.append(escape(line))
    return Paragraph("<br/>".join(lines), s["small"])


def certificate_pdf(certificate, *, competences, verify_url):
    """The certificate as PDF bytes (unsigned). `competences` are its CertificateCompetence
    rows with their competence loaded; `verify_url` is the public check page.

    One A4 page: the town's logo and name, who earned what, where and when; the skills in
    the middle of the page, each level in words with what it means at work; then the
    signatory, and at the foot how to check it (QR code, address, code)."""
    language = certificate.language if certificate.language in TEXT else "fr"
    text = TEXT[language]
    fonts, s = paragraph_styles()
    actor = certificate.actor
    town = actor.town
    module_name = certificate.module.name
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, lang=text["lang"], pageCompression=1)
    pdf.setTitle(f"{text['title']} — {certificate.resident.display_name}")
    pdf.setAuthor(f"{actor.name} — {town.network_name}")
    pdf.setSubject(text["subject"].format(module=module_name))
    pdf.setKeywords(["CRCN", "DigComp 2.2", "Open Badges 3.0", certificate.code])
    pdf.setCreator("Parcours numérique")
    width, height = A4
    margin = 2 * cm
    frame_width = width - 2 * margin

    # Header: the issuing town's logo and name, its network, a line in the network's colour.
    logo = 2.2 * cm
    top = height - 1.2 * cm
    pdf.drawImage(
        logo_of(town),
        margin,
        top - logo,
        width=logo,
        height=logo,
        preserveAspectRatio=True,
        mask="auto",
    )
    pdf.setFillColor(INK)
    pdf.setFont(fonts.bold, 16)
    pdf.drawString(margin + logo + 0.5 * cm, top - 0.8 * cm, town.name)
    pdf.setFillColor(SOFT)
    pdf.setFont(fonts.regular, 10)
    pdf.drawString(margin + logo + 0.5 * cm, top - 1.45 * cm, town.network_name)
    pdf.drawString(margin + logo + 0.5 * cm, top - 1.95 * cm, "Parcours numérique")
    pdf.setStrokeColor(BRAND)
    pdf.setLineWidth(2)
    pdf.line(margin, top - logo - 0.4 * cm, width - margin, top - logo - 0.4 * cm)
    pdf.setLineWidth(1)

    y = top - logo - 1.9 * cm
    pdf.setFillColor(BRAND)
    pdf.setFont(fonts.bold, 22)
    pdf.drawCentredString(width / 2, y, text["title"])
    y -= 1.0 * cm
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
    y -= 0.7 * cm
    intro = Paragraph(
        escape(
            text["training"].format(
                hours=hours_text(certificate.hours, language),
                start=day(certificate.period_start, language),
                end=day(certificate.period_end, language),
                with_actor=actor_after("with_actor", actor.name, language),
            )
        ),
        s["body"],
    )
    y = draw(pdf, intro, margin, y, frame_width) - 0.4 * cm

    # Foot of the page, drawn from the bottom up: how to check it, then who signed.
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
        Paragraph(escape(text["signed"].format(network=town.network_name)), s["small"]),
        left,
        bottom + box - 2.0 * cm,
        width - margin - left,
    )
    issued = [
        text["issued"].format(
            date=day(timezone.localdate(certificate.issued_at), language),
            by_actor=actor_after("by_actor", actor.name, language),
        )
    ]
    if certificate.expires_on:
        issued.append(text["expires"].format(date=day(certificate.expires_on, language)))
    address = ", ".join(
        part for part in [actor.address, f"{actor.postcode} {actor.city}".strip()] if part
    )
    signature = [Paragraph(escape(" ".join(issued)), s["body"])]
    if address:
        signature.append(Paragraph(escape(address), s["small"]))
    signature.append(
        Paragraph(
            "<b>"
            + escape(
                text["signatory"].format(
                    name=certificate.signatory_name, role=certificate.signatory_role
                )
            )
            + "</b>",
            s["body"],
        )
    )
    signature_height = sum(p.wrap(frame_width, 1000)[1] for p in signature) + 0.2 * cm
    floor = bottom + box + 0.9 * cm  # above the line of the foot
    y_signature = floor + signature_height
    for paragraph in signature:
        y_signature = draw(pdf, paragraph, margin, y_signature, frame_width)

    # The skills fill what is left between the introduction and the signature: the largest
    # type and spacing that fit, each level with what it means at work.
    legend = bands_legend(language)
    legend_height = legend.wrap(frame_width, 1000)[1] + 0.4 * cm
    room = y - (floor + signature_height + 0.6 * cm)
    # (type size, the meaning under each level, the domain under each competence, the
    # legend of the bands): the first that fits, the last one shrinks a long module.
    layouts = [
        (10.5, True, True, True),
        (10, True, True, True),
        (9, True, True, True),
        (9, False, True, True),
        (8, False, False, True),
        (7, False, False, False),
    ]
    for font_size, meanings, domains, with_legend in layouts:
        space = room - (legend_height if with_legend else 0)
        options = {"font_size": font_size, "meanings": meanings, "domains": domains}
        table = skills_table(competences, language, frame_width, padding=3, **options)
        natural = table.wrap(frame_width, 10_000)[1]
        if natural <= space:
            break
    # Spread the rows over the room left (up to a comfortable spacing).
    padding = min(3 + max(space - natural, 0) / (2 * max(len(competences), 1)), 26)
    table = skills_table(competences, language, frame_width, padding=padding, **options)
    y = draw(pdf, table, margin, y, frame_width)
    if with_legend:
        draw(pdf, legend, margin, y - 0.4 * cm, frame_width)
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
    town = record.town
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
        author=town.network_name,
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
        pdf.drawString(margin, height - 1.35 * cm, f"Parcours numérique · {town.name}")
        pdf.setFont(fonts.regular, 9)
        pdf.drawRightString(width - margin, height - 1.35 * cm, town.network_name)
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
                f"{town.network_name}. Niveaux du Cadre de référence des compétences "
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
                    Paragraph(escape(level_text(line.level, "fr")), s["cell"]),
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
    story.append(bands_legend("fr"))
    story.append(Spacer(1, 0.2 * cm))
    story.append(
        Paragraph(
            escape(
                f"Document signé électroniquement par {town.network_name}. Il contient le "
                "relevé numérique au format Comprehensive Learner Record 2.0, avec l'attestation "
                "Open Badges 3.0 de chaque module. Toute modification rend la signature "
                "invalide. Chaque attestation se vérifie aussi seule avec son code."
            ),
            s["small"],
        )
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
