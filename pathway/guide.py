"""The printable guide du numérique: an A4 brochure made from live data (reportlab).

Cover, table of contents, how the pathway works, the places by neighbourhood (address,
hours, contacts, services) and by pole, the coming workshops, and a QR code to the online
map. Large print (13 pt body) for readers with poor sight. Served at /guide.pdf and written
to a file by `manage.py build_guide`.
"""

import io
from collections import defaultdict
from itertools import groupby
from xml.sax.saxutils import escape

import qrcode
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)
from reportlab.platypus.tableofcontents import TableOfContents

from pathway import hours
from pathway.areas import Area
from pathway.french import with_preposition
from pathway.models import Place, PlannedWorkshop, Pole
from pathway.pdf import register_fonts
from pathway.sorting import Alphabetical, sort_key

BRAND = colors.HexColor("#0b5a7a")
POLE_COLOURS = {
    Pole.NECESSITY: colors.HexColor("#0b5a7a"),
    Pole.ACHIEVEMENT: colors.HexColor("#6a3d9a"),
    Pole.LEISURE: colors.HexColor("#1d6b36"),
}
POLE_STORY = {
    Pole.NECESSITY: gettext_lazy(
        "On vous aide à faire vos papiers en ligne : CAF, impôts, Ameli, carte grise, France "
        "Travail, retraite. On le fait avec vous, puis vous apprenez à le faire seul."
    ),
    Pole.ACHIEVEMENT: gettext_lazy(
        "Vous apprenez à vous servir d'un ordinateur, d'un téléphone, d'internet. À la fin, "
        "vous recevez une attestation de compétences à montrer à un employeur."
    ),
    Pole.LEISURE: gettext_lazy(
        "Vous profitez du numérique pour vous : photo, vidéo, musique, jeux, musée "
        "numérique, fab lab. Pour le plaisir, avec d'autres."
    ),
}


def styles():
    fonts = register_fonts()
    base = ParagraphStyle("body", fontName=fonts.regular, fontSize=13, leading=18, spaceAfter=4)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=12, leading=16, spaceAfter=2),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=fonts.bold,
            fontSize=34,
            leading=42,
            textColor=BRAND,
            alignment=TA_CENTER,
            spaceAfter=18,
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=12
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=fonts.bold,
            fontSize=24,
            leading=30,
            textColor=BRAND,
            spaceBefore=6,
            spaceAfter=12,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=fonts.bold,
            fontSize=18,
            leading=24,
            spaceBefore=12,
            spaceAfter=6,
        ),
        "place": ParagraphStyle(
            "place",
            parent=base,
            fontName=fonts.bold,
            fontSize=15,
            leading=20,
            spaceBefore=10,
            spaceAfter=2,
        ),
        "toc1": ParagraphStyle("toc1", parent=base, fontName=fonts.bold, fontSize=14, leading=22),
        "toc2": ParagraphStyle("toc2", parent=base, fontSize=13, leading=18, leftIndent=18),
    }


class GuideDocument(BaseDocTemplate):
    """A4 pages with a footer; headings feed the table of contents."""

    def __init__(self, buffer, **kwargs):
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=2 * cm,
            rightMargin=2 * cm,
            topMargin=2 * cm,
            bottomMargin=2.2 * cm,
            # Without it reportlab declares Helvetica (not embedded) on every page.
            initialFontName=register_fonts().regular,
            **kwargs,
        )
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates(
            [
                PageTemplate(id="cover", frames=[frame]),
                PageTemplate(id="page", frames=[frame], onPage=self.footer),
            ]
        )

    def footer(self, canvas, doc):
        fonts = register_fonts()
        canvas.saveState()
        canvas.setFont(fonts.regular, 10)
        canvas.setFillColor(colors.HexColor("#4a5260"))
        canvas.drawString(2 * cm, 1.2 * cm, self.title)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, _("page %(n)s") % {"n": doc.page})
        canvas.restoreState()

    def afterFlowable(self, flowable):
        level = getattr(flowable, "toc_level", None)
        if level is not None:
            key = f"h{id(flowable)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level)
            self.notify("TOCEntry", (level, flowable.getPlainText(), self.page, key))


def heading(text, style, level):
    paragraph = Paragraph(escape(text), style)
    paragraph.toc_level = level
    return paragraph


def qr_image(url, size):
    image = qrcode.make(url, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    return Image(buffer, width=size, height=size)


def place_block(place, s, *, today):
    """One place: name, who runs it, address, hours, contacts, services."""
    lines = [Paragraph(escape(place.name), s["place"])]
    if place.actor.name != place.name:
        lines.append(Paragraph(escape(place.actor.name), s["small"]))
    address = ", ".join(
        part
        for part in [place.address, place.address_complement, f"{place.postcode} {place.city}"]
        if part
    )
    lines.append(Paragraph(escape(address), s["body"]))
    week = hours.describe_week_grouped(place.opening_hours)
    if week:
        lines.append(
            Paragraph(f"<b>{escape(_('Horaires :'))}</b> {escape(' ; '.join(week))}", s["body"])
        )
        extra = hours.describe_exceptions(place.opening_hours, today=today, horizon_days=0)
        if extra:
            lines.append(Paragraph(escape(" ".join(extra)), s["small"]))
    else:
        lines.append(Paragraph(escape(_("Horaires : appelez avant de venir.")), s["body"]))
    contacts = []
    if place.phone:
        contacts.append(_("Tél. %(phone)s") % {"phone": place.phone_display})
    if place.email:
        contacts.append(place.email)
    if contacts:
        lines.append(Paragraph(escape(" — ".join(contacts)), s["body"]))
    services = place.services_plain
    if services:
        lines.append(
            Paragraph(
                escape(_("On peut y faire : ") + " ; ".join(str(x) for x in services) + "."),
                s["small"],
            )
        )
    return KeepTogether(lines)


def seats_text(free):
    if not free:
        return _("complet")
    if free == 1:
        return _("1 place libre")
    return _("%(n)s places libres") % {"n": free}


def guide_names(area):
    """(title, network) of the brochure: the installation's only town's when none is
    chosen (as before towns existed; the environment's defaults before any is
    recorded), the chosen town's or territory's, else (every town of several) the
    installation's, INSTALLATION_NAME, if it has a name."""
    if area.is_chosen:
        return _("Guide du numérique — %(area)s") % {"area": area.name}, area.network_name
    if area.several_towns:
        return _("Guide du numérique"), settings.INSTALLATION_NAME
    town, network = area.header_names
    french = (translation.get_language() or "fr").startswith("fr")
    # Translators: de_town is the town's name after "de" in French ("de Miramas",
    # "d'Istres"); in other languages, the name alone.
    return _("Guide du numérique %(de_town)s") % {
        "de_town": with_preposition("de", town) if french else town
    }, network


def build_guide(*, places=None, workshops=None, now=None, area=None):
    """The brochure as PDF bytes, from the places in the guide (or those given): those of
    a town or territory when `area` (pathway.areas.Area) chooses one."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    s = styles()
    area = area if area is not None else Area()
    if places is None:
        places = list(
            Place.objects.in_guide()
            .filter(area.of_places())
            .with_guide_data()
            .order_by(Alphabetical("name"), "pk")
        )
    if workshops is None:
        workshops = list(
            PlannedWorkshop.objects.public(now=now).filter(area.of_places("place__"))[:30]
        )
    title, network = guide_names(area)
    map_url = settings.SITE_URL + reverse("place_map") + area.query
    buffer = io.BytesIO()
    doc = GuideDocument(
        buffer,
        title=title,
        author=network or title,
        subject=_("Les lieux qui vous aident avec le numérique, leurs horaires et leurs ateliers"),
        lang="fr-FR",
    )
    story = []

    # Cover
    story += [
        Spacer(1, 2.5 * cm),
        Paragraph(escape(title), s["title"]),
        Paragraph(
            escape(_("Où aller pour être aidé avec l'ordinateur, le téléphone et internet")),
            s["subtitle"],
        ),
        Paragraph(
            escape(_("%(n)s lieux près de chez vous, souvent gratuits.") % {"n": len(places)}),
            s["subtitle"],
        ),
        Spacer(1, 1 * cm),
        qr_image(map_url, 6 * cm),
        Paragraph(
            escape(_("La carte et les horaires à jour : %(url)s") % {"url": map_url}),
            ParagraphStyle("center", parent=s["body"], alignment=TA_CENTER),
        ),
        Spacer(1, 1.5 * cm),
        Paragraph(
            escape(
                _("%(network)s — édition du %(date)s")
                % {"network": network, "date": date_format(today, "j F Y")}
                if network
                else _("Édition du %(date)s") % {"date": date_format(today, "j F Y")}
            ),
            ParagraphStyle("center", parent=s["body"], alignment=TA_CENTER),
        ),
        PageBreak("page"),
    ]

    # Table of contents
    toc = TableOfContents(levelStyles=[s["toc1"], s["toc2"]], dotsMinLevel=0)
    story += [Paragraph(escape(_("Sommaire")), s["h1"]), toc, PageBreak()]

    # How the pathway works
    story.append(heading(_("Comment ça marche : un parcours en trois étapes"), s["h1"], 0))
    story.append(
        Paragraph(
            escape(
                _(
                    "Vous pouvez venir pour une seule chose, ou aller plus loin. Chaque lieu "
                    "vous dit ce qu'il propose. Les médiateurs peuvent vous orienter vers un "
                    "autre lieu du réseau."
                )
            ),
            s["body"],
        )
    )
    for pole in Pole:
        story.append(
            Paragraph(
                f'<font color="{POLE_COLOURS[pole].hexval()}">{pole.rank}. '
                f"{escape(str(pole.plain_label))}</font>",
                s["h2"],
            )
        )
        story.append(Paragraph(escape(str(POLE_STORY[pole])), s["body"]))
    story.append(PageBreak())

    # Places by neighbourhood
    story.append(heading(_("Les lieux, quartier par quartier"), s["h1"], 0))
    by_neighbourhood = defaultdict(list)
    # Two towns may each have their "Centre-ville": each neighbourhood then says its town.
    several_towns = len({place.actor.town_id for place in places}) > 1
    for place in places:
        name = place.neighbourhood.name if place.neighbourhood else ""
        if name and several_towns:
            name = f"{name} ({place.actor.town.name})"
        by_neighbourhood[name].append(place)
    for name in sorted(by_neighbourhood, key=lambda n: (n == "", sort_key(n))):
        story.append(CondPageBreak(5 * cm))
        story.append(heading(name or _("Autres lieux"), s["h2"], 1))
        for place in by_neighbourhood[name]:
            story.append(place_block(place, s, today=today))

    # Places by pole
    story.append(PageBreak())
    story.append(heading(_("Les lieux, étape par étape"), s["h1"], 0))
    for pole in Pole:
        story.append(CondPageBreak(4 * cm))
        story.append(heading(f"{pole.rank}. {pole.plain_label}", s["h2"], 1))
        at_pole = [p for p in places if pole in p.poles]
        if not at_pole:
            story.append(Paragraph(escape(_("Aucun lieu pour le moment.")), s["body"]))
        for place in at_pole:
            where = place.neighbourhood.name if place.neighbourhood else place.city
            contact = place.phone_display if place.phone else ""
            text = f"<b>{escape(place.name)}</b> — {escape(where)}"
            if contact:
                text += f" — {escape(contact)}"
            story.append(Paragraph(text, s["body"]))

    # Coming workshops
    story.append(PageBreak())
    story.append(heading(_("Les prochains ateliers"), s["h1"], 0))
    if not workshops:
        story.append(
            Paragraph(escape(_("Demandez le programme dans les lieux du réseau.")), s["body"])
        )
    for day, items in groupby(workshops, key=lambda w: timezone.localtime(w.starts_at).date()):
        story.append(Paragraph(escape(date_format(day, "l j F").capitalize()), s["h2"]))
        for workshop in items:
            start = timezone.localtime(workshop.starts_at)
            seats = seats_text(workshop.seats_free)
            story.append(
                Paragraph(
                    f"<b>{escape(hours.plain_time(start.time()))}</b> — "
                    f"{escape(workshop.title)} ({escape(str(workshop.pole_plain_label))})"
                    f" — {escape(workshop.place.name)} — {escape(seats)}",
                    s["body"],
                )
            )
    story.append(Spacer(1, 1 * cm))
    story.append(
        KeepTogether(
            [
                Paragraph(escape(_("Toujours à jour sur internet")), s["h2"]),
                qr_image(map_url, 4.5 * cm),
                Paragraph(
                    escape(map_url), ParagraphStyle("center", parent=s["body"], alignment=TA_CENTER)
                ),
                Paragraph(
                    escape(
                        _(
                            "Ces informations sont aussi publiées en données ouvertes, au "
                            "format national des lieux de médiation numérique."
                        )
                    ),
                    s["small"],
                ),
            ]
        )
    )
    doc.multiBuild(story)
    return buffer.getvalue()
