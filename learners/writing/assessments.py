"""The one write path of competence assessments made outside a session form (the API, the
spreadsheet import): plain input, one resolver, one writer. Levels reached during a session
go with the session (SessionResolver) and follow the same rules (writing.rules).

    assessment_save(AssessmentInput(resident="HABC…", competence="4.2", level=3), by=user)

AssessmentResolver looks up the resident (among those the user may see) and the competence
(by its CRCN code), checks the level and the date (today when not given), and whether the
user may change the assessment it replaces; it returns an AssessmentDraft or raises
AssessmentErrors (French messages keyed by field). assessments_write() stores drafts and
ends with participations_changed() (the modules completed follow the levels)."""

import dataclasses
import datetime

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learners.models import CompetenceAssessment, Resident
from learners.writing.inputs import SessionErrors
from learners.writing.rules import date_problems, level_problem
from pathway.models import Competence

# Fields of an assessment as front ends name them (API, import columns map onto these).
ASSESSMENT_FIELDS = ("resident", "competence", "level", "assessed_on")


@dataclasses.dataclass
class AssessmentInput:
    """An assessment as a front end read it. `resident`: a Resident, its id (int) or its
    reference (str); `competence`: a Competence, its id (int) or its CRCN code (str);
    `assessed_on` None: today."""

    resident: object = None
    competence: object = None
    level: object = None
    assessed_on: datetime.date | None = None


@dataclasses.dataclass
class AssessmentDraft:
    """A checked assessment, ready for assessments_write(): `assessment` is the one it
    changes (None: a new one)."""

    resident: Resident
    competence: Competence
    level: int
    assessed_on: datetime.date
    assessment: CompetenceAssessment | None = None


class AssessmentErrors(SessionErrors):
    """Why an assessment cannot be written: `fields` {field or NON_FIELD_ERRORS: [messages]},
    in the shape of a session's errors (for_api() included)."""

    def __init__(self, fields):
        super().__init__(fields)


def may_change(assessment, user, *, today=None):
    """Whether `user` may change a stored assessment: its author's finding (or the network
    admin's), one made during a session following the session's rule."""
    return (
        user is not None
        and user.works_with_residents
        and assessment.can_be_changed_by(user, today=today)
    )


def refusal():
    return _(
        "Vous ne pouvez pas modifier cette évaluation : seule la personne qui l'a saisie "
        "le peut (et, pour une séance, tant que la séance peut être modifiée)."
    )


class AssessmentResolver:
    """Checks AssessmentInputs for `user`. One instance serves a request or a whole import
    (the competences are read once, each resident named once)."""

    def __init__(self, user, *, today=None):
        self.user = user
        self.today = today or timezone.localdate()
        self._competences = None
        self._residents = {}  # id or reference -> Resident the user sees, or None

    def competence(self, value):
        if isinstance(value, Competence):
            return value
        if self._competences is None:
            self._competences = {}
            for competence in Competence.objects.all():
                self._competences[competence.code] = self._competences[competence.pk] = competence
        key = value.strip() if isinstance(value, str) else value
        return self._competences.get(key)

    def resident(self, value):
        if isinstance(value, Resident):
            return value
        key = value if isinstance(value, int) else str(value or "").strip().upper()
        if key not in self._residents:
            visible = Resident.objects.visible_to(self.user)
            if isinstance(key, int):
                self._residents[key] = visible.filter(pk=key).first()
            else:
                self._residents[key] = visible.filter(reference=key).first() if key else None
        return self._residents[key]

    def found(self, data):
        """(resident, competence) that `data` names, each None when not found."""
        return self.resident(data.resident), self.competence(data.competence)

    def existing(self, data):
        """The stored assessment `data` would change: the same resident, competence and
        day (the import's rule), or None."""
        resident, competence = self.found(data)
        if resident is None or competence is None:
            return None
        return (
            CompetenceAssessment.objects.filter(
                resident=resident,
                competence=competence,
                assessed_on=data.assessed_on or self.today,
            )
            .select_related("session")
            .order_by("id")
            .first()
        )

    def resolve(self, data, *, assessment=None):
        """The draft of `data` (changing `assessment` if given); raises AssessmentErrors."""
        problems = {}

        def add(field, message):
            problems.setdefault(field, []).append(str(message))

        resident, competence = self.found(data)
        if resident is None:
            add(
                "resident",
                _("Aucune fiche accessible n'a la référence « %(ref)s ».")
                % {"ref": getattr(data.resident, "reference", data.resident) or ""},
            )
        if competence is None:
            add(
                "competence",
                _("Compétence inconnue « %(code)s » (un code CRCN, par exemple 4.2).")
                % {"code": data.competence if data.competence is not None else ""},
            )
        if (problem := level_problem(data.level)) is not None:
            add("level", problem)
        day = data.assessed_on or self.today
        for problem in date_problems(day, today=self.today):
            add("assessed_on", problem)
        if assessment is not None and not may_change(assessment, self.user, today=self.today):
            add(NON_FIELD_ERRORS, refusal())
        if problems:
            raise AssessmentErrors(problems)
        return AssessmentDraft(
            resident=resident,
            competence=competence,
            level=data.level,
            assessed_on=day,
            assessment=assessment,
        )


@transaction.atomic
def assessments_write(drafts, *, by):
    """Store checked drafts (new assessments by `by`, or changed levels and dates), then
    let the statistics follow once. Returns the assessments written."""
    from learners.services import participations_changed

    written, new = [], []
    for draft in drafts:
        assessment = draft.assessment or CompetenceAssessment(assessed_by=by)
        assessment.resident = draft.resident
        assessment.competence = draft.competence
        assessment.level = draft.level
        assessment.assessed_on = draft.assessed_on
        (new if assessment.pk is None else written).append(assessment)
    CompetenceAssessment.objects.bulk_create(new)
    for assessment in written:
        assessment.save(update_fields=["resident", "competence", "level", "assessed_on"])
    written += new
    if written:
        participations_changed({a.resident_id for a in written})
    return written


def assessment_save(data, *, by, assessment=None):
    """Write one assessment from any front end; raises AssessmentErrors, writing nothing."""
    draft = AssessmentResolver(by).resolve(data, assessment=assessment)
    [written] = assessments_write([draft], by=by)
    return written
