"""A resident's journey across actors and poles, as the journey page shows it: the timeline,
the date each pole was first reached, autonomy over time, competences, modules, referrals
and certificates — read in a constant number of queries whatever the length of the journey.

The journey is derived from participations and assessments; the denormalised fields kept by
services.resident_refresh_journey() give the pole dates. Certificates, which sit above this
app, are read through the resident's reverse relation (`resident.certificates`)."""

import dataclasses
import datetime

from django.utils import formats
from django.utils.translation import gettext as _

from learners.models import Autonomy, CompetenceAssessment, Participation, Referral
from pathway.models import Level, Module, ModuleCompetence, Pole
from pathway.sorting import sort_key

CHART_WIDTH, CHART_HEIGHT = 640, 200
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 150, 24, 20, 44


@dataclasses.dataclass
class ModuleProgress:
    module: Module
    sessions: int = 0
    minutes: int = 0
    first_on: datetime.date | None = None
    last_on: datetime.date | None = None
    completed: bool = False
    certificate: object = None  # its certificates.Certificate, when issued and not revoked

    @property
    def hours(self):
        return round(self.minutes / 60, 1)


@dataclasses.dataclass
class CompetenceReached:
    competence: object
    level: int
    reached_on: datetime.date

    @property
    def band(self):
        return Level.band(self.level)


@dataclasses.dataclass
class Journey:
    resident: object
    participations: list
    competences: list
    modules: list
    referrals: list
    certificates: list

    @property
    def poles(self):
        """Each pole with the date it was first reached (None: not yet)."""
        return [
            (pole, getattr(self.resident, f"{pole.value}_on"))
            for pole in Pole  # necessity_on, achievement_on, leisure_on
        ]

    @property
    def actors(self):
        return sorted({p.actor.name for p in self.participations}, key=sort_key)

    @property
    def modules_completed(self):
        return [m for m in self.modules if m.completed]

    @property
    def modules_in_progress(self):
        return [m for m in self.modules if not m.completed]

    @property
    def autonomy_points(self):
        """(date, level, label) of every participation with an autonomy level, oldest first."""
        return [
            (p.date, p.autonomy, Autonomy(p.autonomy).label)
            for p in self.participations
            if p.autonomy
        ]

    def autonomy_chart(self):
        """Geometry of the small autonomy chart (inline SVG drawn by the template), with the
        sentence that describes it to people who cannot see it."""
        points = self.autonomy_points
        if not points:
            return None
        first, last = points[0][0], points[-1][0]
        span = max((last - first).days, 1)
        width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
        height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM

        def x(day):
            if first == last:
                return CHART_LEFT + width / 2
            return round(CHART_LEFT + width * (day - first).days / span, 1)

        def y(level):
            return round(CHART_TOP + height * (3 - level) / 2, 1)

        dots = [
            {
                "x": x(day),
                "y": y(level),
                "label": f"{formats.date_format(day, 'SHORT_DATE_FORMAT')} : "
                f"{Autonomy(level).label}",
            }
            for day, level, _label in points
        ]
        levels = [
            {"y": y(level.value), "label": level.label, "value": level.value} for level in Autonomy
        ]
        start, end = points[0][1], points[-1][1]
        description = _(
            "%(count)s mesures d'autonomie du %(first)s au %(last)s. "
            "Au début : %(start)s. À la dernière séance : %(end)s."
        ) % {
            "count": len(points),
            "first": formats.date_format(first, "SHORT_DATE_FORMAT"),
            "last": formats.date_format(last, "SHORT_DATE_FORMAT"),
            "start": Autonomy(start).label.lower(),
            "end": Autonomy(end).label.lower(),
        }
        return {
            "width": CHART_WIDTH,
            "height": CHART_HEIGHT,
            "left": CHART_LEFT,
            "right": CHART_WIDTH - CHART_RIGHT,
            "bottom": CHART_HEIGHT - CHART_BOTTOM,
            "polyline": " ".join(f"{d['x']},{d['y']}" for d in dots),
            "dots": dots,
            "levels": levels,
            "first": first,
            "last": last,
            "label_y": CHART_HEIGHT - CHART_BOTTOM + 24,
            "description": description,
        }


def journey_of(resident, *, today=None):
    """Everything the journey page shows of `resident` (already checked visible)."""
    participations = list(
        Participation.objects.filter(resident=resident)
        .select_related("session__module", "session__place", "actor", "operator")
        .prefetch_related("session__topics")
        .order_by("date", "session__start_time", "id")
    )
    assessments = list(
        CompetenceAssessment.objects.filter(resident=resident)
        .select_related("competence")
        .order_by("assessed_on", "id")
    )
    certificates = list(resident.certificates.select_related("module", "actor"))
    referrals = list(
        Referral.objects.filter(resident=resident).select_related(
            "from_actor", "to_actor", "created_by", "received_by"
        )
    )

    best = {}
    for assessment in assessments:
        known = best.get(assessment.competence_id)
        if known is None or assessment.level > known.level:
            best[assessment.competence_id] = CompetenceReached(
                assessment.competence, assessment.level, assessment.assessed_on
            )
    competences = sorted(best.values(), key=lambda c: c.competence.code)

    progress = {}
    for participation in participations:
        module = participation.session.module
        if module is None:
            continue
        entry = progress.setdefault(module.pk, ModuleProgress(module, first_on=participation.date))
        entry.sessions += 1
        entry.minutes += participation.session.duration_minutes
        entry.last_on = participation.date
    certified = {c.module_id: c for c in certificates if c.revoked_at is None}
    for certificate in certified.values():
        progress.setdefault(certificate.module_id, ModuleProgress(certificate.module))
    if progress:
        targets = ModuleCompetence.objects.filter(module_id__in=progress).values_list(
            "module_id", "competence_id", "target_level"
        )
        missing = {}
        for module_id, competence_id, target in targets:
            reached = best.get(competence_id)
            if reached is None or reached.level < target:
                missing[module_id] = True
            else:
                missing.setdefault(module_id, False)
        for module_id, entry in progress.items():
            entry.certificate = certified.get(module_id)
            # Completed: certified, or every target competence assessed at its level.
            entry.completed = entry.certificate is not None or missing.get(module_id) is False
    modules = sorted(progress.values(), key=lambda m: m.first_on or datetime.date.max)

    return Journey(
        resident=resident,
        participations=participations,
        competences=competences,
        modules=modules,
        referrals=referrals,
        certificates=certificates,
    )


# The resident's own data, for the right of access and portability (GDPR art. 15 and 20) ---


def _iso(value):
    return value.isoformat() if value else None


def resident_data(resident, *, today=None):
    """Everything the network keeps about `resident`, as plain JSON-ready data."""
    journey = journey_of(resident, today=today)
    return {
        "exported_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "resident": {
            "reference": resident.reference,
            "first_name": resident.first_name,
            "last_name": resident.last_name,
            "birth_year": resident.birth_year,
            "neighbourhood": resident.neighbourhood.name if resident.neighbourhood else None,
            "phone": resident.phone,
            "email": resident.email,
            "social_status": resident.get_social_status_display(),
            "created_by_actor": resident.created_by_actor.name,
            "created_at": _iso(resident.created_at),
            "sharing_consent": resident.sharing_consent,
            "shared_across_towns": resident.shared_across_towns,
            "consent_at": _iso(resident.consent_at),
            "consent_version": resident.consent_version,
            "consent_text": str(resident.consent_text),
        },
        "sessions": [
            {
                "date": _iso(p.date),
                "actor": p.actor.name,
                "place": p.session.place.name if p.session.place else None,
                "pole": p.get_pole_display(),
                "format": p.session.get_format_display(),
                "duration_minutes": p.session.duration_minutes,
                "topics": [t.name for t in p.session.topics.all()],
                "module": p.session.module.name if p.session.module else None,
                "autonomy": p.get_autonomy_display() if p.autonomy else None,
                "operator": p.operator.name if p.operator else None,
                "paperwork_result": p.get_paperwork_result_display() or None,
                "blocked_reason": p.get_blocked_reason_display() or None,
            }
            for p in journey.participations
        ],
        "competences": [
            {
                "code": c.competence.code,
                "name": c.competence.name,
                "level": c.level,
                "reached_on": _iso(c.reached_on),
            }
            for c in journey.competences
        ],
        "referrals": [
            {
                "sent_at": _iso(r.sent_at),
                "from": r.from_actor.name,
                "to": r.to_actor.name if r.to_actor else r.get_to_pole_display(),
                "reason": r.reason,
                "status": r.get_status_display(),
            }
            for r in journey.referrals
        ],
        "certificates": [
            {
                "code": c.code,
                "module": c.module.name,
                "issued_at": _iso(c.issued_at),
                "status": c.status(today=today).label,
            }
            for c in journey.certificates
        ],
    }


def resident_data_pdf(resident, *, today=None):
    """The same data as a readable A4 document, in French."""
    from io import BytesIO
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from pathway.pdf import register_fonts

    fonts = register_fonts()
    data = resident_data(resident, today=today)
    body = ParagraphStyle("body", fontName=fonts.regular, fontSize=10.5, leading=14)
    title = ParagraphStyle("title", parent=body, fontName=fonts.bold, fontSize=18, leading=22)
    heading = ParagraphStyle(
        "h2",
        parent=body,
        fontName=fonts.bold,
        fontSize=13,
        leading=18,
        spaceBefore=10,
        spaceAfter=4,
    )
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=11)

    def p(text, style=body):
        return Paragraph(escape(str(text)), style)

    def table(rows, widths):
        t = Table(
            [[p(cell, small) for cell in row] for row in rows], colWidths=widths, repeatRows=1
        )
        t.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), fonts.bold),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#c9d0d8")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    person = data["resident"]
    name = f"{person['first_name']} {person['last_name']}".strip() or person["reference"]
    story = [
        p(_("Vos données dans Parcours numérique"), title),
        Spacer(1, 4 * mm),
        p(
            _("Document établi le %(date)s pour %(name)s (référence %(ref)s).")
            % {
                "date": formats.date_format(datetime.date.today(), "j F Y"),
                "name": name,
                "ref": person["reference"],
            }
        ),
        p(_("Vos informations"), heading),
    ]
    fields = [
        (_("Prénom"), person["first_name"]),
        (_("Nom"), person["last_name"]),
        (_("Année de naissance"), person["birth_year"] or "—"),
        (_("Quartier"), person["neighbourhood"] or "—"),
        (_("Téléphone"), person["phone"] or "—"),
        (_("Courriel"), person["email"] or "—"),
        (_("Situation"), person["social_status"]),
        (_("Structure qui a créé la fiche"), person["created_by_actor"]),
        (
            _("Partage avec le réseau"),
            _("accepté (texte %(v)s)") % {"v": person["consent_version"]}
            if person["sharing_consent"]
            else _("non accepté"),
        ),
    ]
    if person["shared_across_towns"]:
        fields.append((_("Suivi dans les villes voisines"), _("accepté")))
    story.append(table([(_("Information"), _("Valeur")), *fields], [60 * mm, 110 * mm]))
    story.append(p(_("Vos accompagnements"), heading))
    rows = [(_("Date"), _("Structure"), _("Étape"), _("Sujet"), _("Résultat"))]
    for s in data["sessions"]:
        subject = ", ".join(s["topics"]) or s["module"] or "—"
        result = s["paperwork_result"] or s["autonomy"] or "—"
        rows.append((s["date"], s["actor"], s["pole"], subject, result))
    story.append(
        table(rows, [22 * mm, 45 * mm, 35 * mm, 38 * mm, 30 * mm])
        if data["sessions"]
        else p(_("Aucun accompagnement."))
    )
    story.append(p(_("Vos compétences"), heading))
    if data["competences"]:
        rows = [(_("Compétence"), _("Niveau"), _("Atteint le"))] + [
            (f"{c['code']} {c['name']}", c["level"], c["reached_on"]) for c in data["competences"]
        ]
        story.append(table(rows, [110 * mm, 20 * mm, 40 * mm]))
    else:
        story.append(p(_("Aucune compétence évaluée.")))
    story.append(p(_("Vos orientations"), heading))
    if data["referrals"]:
        rows = [(_("Date"), _("De"), _("Vers"), _("État"))] + [
            (r["sent_at"][:10], r["from"], r["to"], r["status"]) for r in data["referrals"]
        ]
        story.append(table(rows, [25 * mm, 55 * mm, 55 * mm, 35 * mm]))
    else:
        story.append(p(_("Aucune orientation.")))
    story.append(p(_("Vos attestations"), heading))
    if data["certificates"]:
        rows = [(_("Code"), _("Module"), _("Délivrée le"), _("État"))] + [
            (c["code"], c["module"], c["issued_at"][:10], c["status"]) for c in data["certificates"]
        ]
        story.append(table(rows, [45 * mm, 65 * mm, 30 * mm, 30 * mm]))
    else:
        story.append(p(_("Aucune attestation.")))

    buffer = BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("Vos données dans Parcours numérique"),
        author="Parcours numérique",
        lang="fr-FR",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    ).build(story)
    return buffer.getvalue()
