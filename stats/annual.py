"""The yearly report for the assises: per actor or for the network, the dashboard's own
tables for the year (stats_report, so the same numbers as /stats/ and the API, hidden the
same way) with the year before beside each figure, the places and workshops of the year,
as a web page, a PDF and a command (annual_report)."""

import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from pathway.models import Place, PlannedWorkshop
from stats.disclosure import Cell, Row, Table
from stats.forms import stats_report

# The dashboard's tables the report takes, in its order (the months and the public's
# breakdowns stay on the dashboard).
REPORT_TABLES = [
    "chiffres-cles",
    "parcours",
    "autonomie",
    "demarches",
    "modules",
    "orientations",
    "boucles",
]


@dataclass
class AnnualReport:
    year: int
    scope: str  # "the network" or the actor's name
    current: object  # stats.report.Report of the year
    previous: object  # of the year before, or None (no data, or not a year of the data)
    tables: list = field(default_factory=list)  # comparison tables, REPORT_TABLES' order
    offer: Table = None  # places and workshops
    # What the network decided the year before (network.models.Meeting.decisions): the
    # assises' (with their workshops) and the other meetings', [MeetingDecisions].
    assises_decisions: list = field(default_factory=list)
    other_decisions: list = field(default_factory=list)

    @property
    def decisions_year(self):
        return self.year - 1


@dataclass
class MeetingDecisions:
    day: object  # date
    title: str
    decisions: list  # one line each


def decisions_of(year, reader):
    """The decisions and commitments recorded on the network's meetings of `year`, one a
    line, in date order: (those of the assises and their workshops, those of the other
    meetings). They are the network's, the same in every actor's report: those of the
    reader's towns' meetings (and of those for every town)."""
    from network.models import Meeting, MeetingKind

    assises, others = [], []
    meetings = (
        Meeting.objects.visible_to(reader)
        .filter(starts_at__year=year)
        .exclude(decisions="")
        .select_related("parent")
        .order_by("starts_at", "pk")
    )
    for meeting in meetings:
        if not meeting.decision_list:
            continue
        item = MeetingDecisions(
            timezone.localtime(meeting.starts_at).date(), meeting.title, meeting.decision_list
        )
        parent_kind = meeting.parent.kind if meeting.parent else None
        if MeetingKind.ASSISES in (meeting.kind, parent_kind):
            assises.append(item)
        else:
            others.append(item)
    return assises, others


def _query(year, actor):
    data = QueryDict(mutable=True)
    data.update({"period": "year", "year": str(year)})
    if actor:
        data["actor"] = str(actor)
    return data


def annual_report(user, year, *, actor=None):
    """The report of `year` for `user` (their own actors for a coordinator), for one actor
    or every one they may read. Raises ValidationError with the form's French messages."""
    form, current = stats_report(_query(year, actor), user)
    if current is None:
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    _form, previous = stats_report(_query(year - 1, actor), user)
    scope = dict(current.filters.described).get(_("Structure"), _("Tout le réseau"))
    report = AnnualReport(year=year, scope=scope, current=current, previous=previous)
    for slug in REPORT_TABLES:
        report.tables.append(beside(current.by_slug[slug], previous, year))
    report.offer = _offer(year, current.filters.actor_ids)
    report.assises_decisions, report.other_decisions = decisions_of(year - 1, user)
    return report


def beside(table, previous, year):
    """`table` with, after each column, the same column the year before (matched by row
    label; "—" when the year before has no such row)."""
    before = previous.by_slug.get(table.slug) if previous else None
    rows_before = {row.label: row for row in before.rows} if before else {}
    columns = []
    for column in table.columns:
        columns += [f"{column} {year}", f"{column} {year - 1}"]
    rows = []
    for row in table.rows:
        old = rows_before.get(row.label)
        cells = []
        for i, cell in enumerate(row.cells):
            cells += [cell, old.cells[i] if old and i < len(old.cells) else Cell("—")]
        rows.append(Row(row.label, cells, total=row.total, key=row.key))
    return Table(
        table.slug,
        table.title,
        table.label_header,
        columns,
        rows,
        note=table.note,
        part_labels=table.part_labels,
        chart=table.chart,  # this year's, drawn from the same cells
    )


def _offer(year, actor_ids):
    """Places in the guide (today) and workshops announced for the year, and the year
    before: counts of places and events, not of people (nothing to hide)."""
    places = Place.objects.in_guide()
    workshops = PlannedWorkshop.objects.all()
    if actor_ids is not None:
        places = places.filter(actor__in=actor_ids)
        workshops = workshops.filter(actor__in=actor_ids)
    by_year = {y: workshops.filter(starts_at__year=y).count() for y in (year, year - 1)}
    seats = {
        y: sum(workshops.filter(starts_at__year=y).values_list("seats", flat=True))
        for y in (year, year - 1)
    }
    return Table(
        "lieux-ateliers",
        _("Lieux et ateliers"),
        _("Indicateur"),
        [str(year), str(year - 1)],
        [
            Row(_("Lieux dans le guide (aujourd'hui)"), [Cell.number(places.count()), Cell("—")]),
            Row(
                _("Ateliers annoncés"), [Cell.number(by_year[year]), Cell.number(by_year[year - 1])]
            ),
            Row(_("Places proposées"), [Cell.number(seats[year]), Cell.number(seats[year - 1])]),
        ],
    )


def annual_report_pdf(report):
    """The report on A4 pages in the house style (pathway.pdf): a bar chart of the
    pathway, then each table with the year before beside it."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import Table as PdfTable

    from pathway.pdf import BRAND, SOFT, paragraph_styles

    fonts, styles = paragraph_styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=_("Rapport annuel %(year)s — %(scope)s")
        % {"year": report.year, "scope": report.scope},
        invariant=True,
    )
    title = styles["body"].clone("title", fontName=fonts.bold, fontSize=18, leading=22)
    heading = styles["body"].clone("h2", fontName=fonts.bold, fontSize=12.5, leading=16)
    story = [
        Paragraph(
            _("Rapport annuel %(year)s — %(scope)s") % {"year": report.year, "scope": report.scope},
            title,
        ),
        Paragraph(
            _(
                "Les chiffres du tableau de bord des statistiques pour l'année, avec l'année "
                "d'avant à côté. Moins de %(n)s personnes : le chiffre est caché (« < %(n)s »), "
                "ou « masqué » s'il permettrait de retrouver un petit chiffre."
            )
            % {"n": report.current.disclosure.threshold},
            styles["small"],
        ),
        Spacer(1, 4 * mm),
    ]
    # The headline as bars: this year and the year before, for people (where shown).
    headline = report.tables[0]
    wanted = [r for r in headline.rows if r.key in ("residents", "new", "completed", "certified")]
    values = [
        [c.value or 0 for c in (r.cells[0] for r in wanted)],
        [c.value or 0 for c in (r.cells[1] for r in wanted)],
    ]
    if wanted:
        drawing = Drawing(250 * mm, 55 * mm)
        chart = HorizontalBarChart()
        chart.x, chart.y, chart.width, chart.height = 70 * mm, 5 * mm, 150 * mm, 45 * mm
        chart.data = values
        chart.categoryAxis.categoryNames = [str(r.label) for r in wanted]
        chart.categoryAxis.labels.fontName = fonts.regular
        chart.categoryAxis.labels.fontSize = 8
        chart.categoryAxis.reverseDirection = True
        chart.valueAxis.labels.fontName = fonts.regular
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.valueMin = 0
        chart.bars[0].fillColor = BRAND
        chart.bars[1].fillColor = colors.HexColor("#9ec5d6")
        drawing.add(chart)
        drawing.add(
            String(
                225 * mm,
                44 * mm,
                str(report.year),
                fontName=fonts.bold,
                fontSize=8,
                fillColor=BRAND,
            )
        )
        drawing.add(
            String(
                225 * mm,
                39 * mm,
                str(report.year - 1),
                fontName=fonts.regular,
                fontSize=8,
                fillColor=SOFT,
            )
        )
        story += [drawing, Spacer(1, 3 * mm)]

    for table in [*report.tables, report.offer]:
        headers, keep, note = list(table.columns), None, table.note
        if len(headers) > 8:
            # A matrix between every actor (the referrals) does not fit a page: its totals
            # (the last pair of columns) do; the whole matrix is on the web page.
            keep = slice(len(headers) - 2, len(headers))
            headers = headers[keep]
            note = " ".join(
                filter(None, [note, _("Le tableau complet est sur la page web du rapport.")])
            )
        data = [[Paragraph(str(h), styles["head"]) for h in [table.label_header, *headers]]]
        for row in table.rows:
            cells = row.cells[keep] if keep else row.cells
            data.append(
                [Paragraph(str(row.label), styles["cell"])]
                + [Paragraph(str(c.text), styles["cell"]) for c in cells]
            )
        columns = len(headers)
        label_width = 70 * mm if columns <= 4 else 45 * mm
        width = (doc.width - label_width) / max(columns, 1)
        pdf_table = PdfTable(data, colWidths=[label_width] + [width] * columns, repeatRows=1)
        pdf_table.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, BRAND),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#d0d7de")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        block = [Paragraph(str(table.title), heading), Spacer(1, 2 * mm), pdf_table]
        if note:
            block.append(Paragraph(str(note), styles["small"]))
        story += [KeepTogether(block[:3]), *block[3:], Spacer(1, 5 * mm)]
    story += _decisions_story(report, heading, styles)
    story.append(
        Paragraph(
            _("Produit le %(day)s.") % {"day": timezone.localdate().strftime("%d/%m/%Y")},
            styles["small"],
        )
    )
    doc.build(story)
    return buffer.getvalue()


def decision_headings(report):
    """The titles of the decisions' parts (the page and the PDF say the same)."""
    return {
        "assises": _("Ce que nous avions décidé aux assises %(year)s")
        % {"year": report.decisions_year},
        "others": _("Décisions et engagements des autres réunions du réseau en %(year)s")
        % {"year": report.decisions_year},
    }


def _decisions_story(report, heading, styles):
    """The decisions of the year before, in the PDF: nothing when none was recorded."""
    from xml.sax.saxutils import escape

    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, ListFlowable, ListItem, Paragraph, Spacer

    titles = decision_headings(report)
    story = []
    for key, groups in (("assises", report.assises_decisions), ("others", report.other_decisions)):
        if not groups:
            continue
        block = [Paragraph(escape(titles[key]), heading), Spacer(1, 2 * mm)]
        for group in groups:
            block.append(
                Paragraph(
                    escape(f"{group.day:%d/%m/%Y} — {group.title}"),
                    styles["body"].clone("meeting", fontName=styles["head"].fontName),
                )
            )
            block.append(
                ListFlowable(
                    [ListItem(Paragraph(escape(d), styles["body"])) for d in group.decisions],
                    bulletType="bullet",
                    leftIndent=5 * mm,
                )
            )
        story += [KeepTogether(block[:4]), *block[4:], Spacer(1, 5 * mm)]
    return story
