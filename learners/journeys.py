"""A resident's journey across actors and poles, as the journey page shows it: the timeline,
the date each pole was first reached, autonomy over time, competences, modules, referrals
and certificates — read in a constant number of queries whatever the length of the journey.

The journey is derived from participations and assessments; the denormalised fields kept by
services.resident_refresh_journey() give the pole dates."""

import dataclasses
import datetime

from django.utils import formats
from django.utils.translation import gettext as _

from certificates.models import Certificate, CertificateStatus
from learners.models import Autonomy, CompetenceAssessment, Participation, Referral
from pathway.models import Level, Module, ModuleCompetence, Pole

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
    certificate: Certificate | None = None

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
        return sorted({p.actor.name for p in self.participations})

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
    certificates = list(
        Certificate.objects.filter(resident=resident).select_related("module", "actor")
    )
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
    certified = {
        c.module_id: c for c in certificates if c.status(today=today) != CertificateStatus.REVOKED
    }
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
