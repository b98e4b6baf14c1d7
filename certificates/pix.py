"""Importing a Pix Orga campaign's results file: the residents' Pix levels, beside the
levels mediators assess (Pix measures the same framework, the CRCN: 16 competences, levels
1 to 8; 0 there means "not yet level 1").

The file is the export of a "collecte de profils" campaign as Pix Orga writes it (1024pix/pix,
api/src/prescription/campaign/infrastructure/serializers/csv/campaign-profiles-collection-
export.js, headers from api/translations/fr.json): a UTF-8 CSV with a BOM, separated by
semicolons, one line per participant:

    Nom de l'organisation; ID Campagne; Code; Nom de la campagne; Nom du Participant;
    Prénom du Participant; [the campaign's external id column, additional columns];
    Envoi (O/N); Date de l'envoi; Nombre de pix total; Certifiable (O/N);
    Nombre de compétences certifiables; then for each competence "Niveau pour la
    compétence <name>" and "Nombre de pix pour la compétence <name>".

A participant who has not sent their results has "Non" and "NA" in the result columns.
A resident is found by their Parcours reference, in a column whose heading starts with
"Référence" or "Identifiant" (the campaign's external id: ask participants to type their
reference), or else by name and birth year (a column "Année de naissance" or "Date de
naissance" added to the file), among the residents the importing user may see.

pix_import() checks every line first and writes nothing when one is wrong (all or nothing);
the same file imported twice changes nothing (a result is one per resident, campaign and
date sent)."""

import datetime
import re
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import (
    PIX_CERTIFIABLE_COMPETENCES,
    PIX_CERTIFIABLE_LEVEL,
    PIX_LEVEL_MAX,
    PixLevel,
    PixResult,
)
from learners.models import AccessAction, AccessLog, Resident, normalise
from learners.sheets import FileError, read_dataset
from pathway.models import Competence


class Outcome:
    NEW = "new"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    SKIP = "skip"
    ERROR = "error"


# Headings of the Pix Orga export (French), normalised (learners.models.normalise).
LAST_NAME = normalise("Nom du Participant")
FIRST_NAME = normalise("Prénom du Participant")
CAMPAIGN_ID = normalise("ID Campagne")
CAMPAIGN_CODE = normalise("Code")
CAMPAIGN_NAME = normalise("Nom de la campagne")
ORGANIZATION = normalise("Nom de l'organisation")
SHARED = normalise("Envoi (O/N)")
SHARED_ON = normalise("Date de l'envoi")
PIX_SCORE = normalise("Nombre de pix total")
CERTIFIABLE = normalise("Certifiable (O/N)")
LEVEL_PREFIX = normalise("Niveau pour la compétence") + " "
PIX_PREFIX = normalise("Nombre de pix pour la compétence") + " "
REQUIRED = {
    LAST_NAME: "Nom du Participant",
    FIRST_NAME: "Prénom du Participant",
    CAMPAIGN_ID: "ID Campagne",
    CAMPAIGN_NAME: "Nom de la campagne",
    SHARED: "Envoi (O/N)",
    SHARED_ON: "Date de l'envoi",
}
REFERENCE_HEADINGS = ("reference", "identifiant")
BIRTH_HEADINGS = ("annee de naissance", "date de naissance")
YES, NO = {"oui", "o", "yes", "y"}, {"non", "n", "no"}
NOT_AVAILABLE = {"", "na", "n a"}


APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


def words(heading):
    """A heading or a name in the form names are compared in (learners.models.normalise),
    typographic apostrophes first made plain: Pix writes "veille d’information", the
    CRCN "veille d'information"."""
    return normalise(str(heading or "").translate(APOSTROPHES))


@dataclass
class Columns:
    """Where each piece of a Pix Orga file is (column indexes)."""

    at: dict = field(default_factory=dict)  # normalised heading -> index
    levels: dict = field(default_factory=dict)  # competence id -> index
    pix: dict = field(default_factory=dict)  # competence id -> index
    reference: int | None = None
    birth: int | None = None


def competences_by_name():
    """Competence ids by normalised French name. Pix names them as the CRCN does, with its
    own spelling here and there ("multimedia", typographic apostrophes): normalised, they
    are the same words."""
    return {words(c.name_fr): c for c in Competence.objects.all()}


def read_columns(headers):
    """Find every column of a Pix Orga file, or raise FileError saying what is missing."""
    columns = Columns()
    names = competences_by_name()
    unknown = []
    for index, heading in enumerate(headers):
        key = words(heading)
        if key.startswith(LEVEL_PREFIX) or key.startswith(PIX_PREFIX):
            prefix = LEVEL_PREFIX if key.startswith(LEVEL_PREFIX) else PIX_PREFIX
            competence = names.get(key.removeprefix(prefix))
            if competence is None:
                unknown.append(heading)
                continue
            (columns.levels if prefix == LEVEL_PREFIX else columns.pix)[competence.pk] = index
        elif key.startswith(REFERENCE_HEADINGS):
            if columns.reference is not None:
                raise FileError(
                    _(
                        "Ce fichier a deux colonnes de référence (« %(heading)s ») : gardez "
                        "celle qui contient la référence Parcours des personnes."
                    )
                    % {"heading": heading}
                )
            columns.reference = index
        elif key.startswith(BIRTH_HEADINGS):
            columns.birth = index
        else:
            columns.at.setdefault(key, index)
    missing = [label for key, label in REQUIRED.items() if key not in columns.at]
    if missing:
        raise FileError(
            _(
                "Ce fichier n'est pas l'export des résultats d'une campagne Pix Orga : il lui "
                "manque les colonnes %(columns)s. Dans Pix Orga, ouvrez la campagne, onglet "
                "« Résultats », bouton « Exporter les résultats »."
            )
            % {"columns": ", ".join(f"« {label} »" for label in missing)}
        )
    if unknown:
        raise FileError(
            _("Ces colonnes ne nomment pas une compétence du CRCN : %(columns)s.")
            % {"columns": ", ".join(f"« {h} »" for h in unknown)}
        )
    if not columns.levels:
        raise FileError(
            _(
                "Ce fichier n'a aucune colonne « Niveau pour la compétence … » : exportez les "
                "résultats d'une campagne de collecte de profils."
            )
        )
    return columns


def text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def number(value, *, low, high):
    """An integer between low and high written in a cell ("3", 3, 3.0), or None when not
    available, or raise ValueError."""
    value = text(value)
    if normalise(value) in NOT_AVAILABLE:
        return None
    if not re.fullmatch(r"\d{1,6}(\.0+)?", value):
        raise ValueError(value)
    result = int(float(value))
    if not low <= result <= high:
        raise ValueError(value)
    return result


def day(value):
    """A date written AAAA-MM-JJ (Pix Orga), JJ/MM/AAAA, or a spreadsheet's date cell."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    value = text(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def birth_year(value):
    value = text(value)
    if not value:
        return None
    year = int(value) if re.fullmatch(r"\d{4}", value) else day(value).year
    if not 1900 <= year <= 2100:
        raise ValueError(value)
    return year


@dataclass
class Line:
    """One participant's line, read and checked."""

    number: int
    name: str
    outcome: str = ""
    message: str = ""
    resident: Resident | None = None
    result: PixResult | None = None
    levels: dict = field(default_factory=dict)  # competence id -> (level, pix)


def read_line(line_number, row, columns):
    """The result on one line, or the line with its French error."""
    cell = lambda key: row[columns.at[key]] if key in columns.at else ""  # noqa: E731
    name = f"{text(cell(FIRST_NAME))} {text(cell(LAST_NAME))}".strip()
    line = Line(number=line_number, name=name or _("(sans nom)"))
    shared = normalise(text(cell(SHARED)))
    if shared in NO:
        line.outcome = Outcome.SKIP
        line.message = _("n'a pas encore envoyé ses résultats : ligne ignorée")
        return line
    if shared not in YES:
        return failed(line, _("« Envoi (O/N) » doit être Oui ou Non."))
    campaign_id = text(cell(CAMPAIGN_ID))
    if not campaign_id:
        return failed(line, _("« ID Campagne » est vide."))
    try:
        shared_on = day(cell(SHARED_ON))
    except ValueError:
        return failed(
            line,
            _("« Date de l'envoi » doit être une date (AAAA-MM-JJ ou JJ/MM/AAAA), pas « %(v)s ».")
            % {"v": text(cell(SHARED_ON))},
        )
    try:
        score = number(cell(PIX_SCORE), low=0, high=1_000_000)
    except ValueError:
        return failed(line, _("« Nombre de pix total » doit être un nombre entier."))
    certifiable = normalise(text(cell(CERTIFIABLE)))
    line.result = PixResult(
        campaign_id=campaign_id[:30],
        campaign_code=text(cell(CAMPAIGN_CODE))[:30],
        campaign_name=text(cell(CAMPAIGN_NAME))[:255],
        organization_name=text(cell(ORGANIZATION))[:255],
        shared_on=shared_on,
        pix_score=score,
        certifiable=True if certifiable in YES else False if certifiable in NO else None,
    )
    errors = []
    for competence_id, index in columns.levels.items():
        try:
            level = number(row[index], low=0, high=PIX_LEVEL_MAX)
            pix = None
            if competence_id in columns.pix:
                pix = number(row[columns.pix[competence_id]], low=0, high=32_767)
        except ValueError as error:
            errors.append(str(error))
            continue
        if level is not None:
            line.levels[competence_id] = (level, pix)
    if errors:
        return failed(
            line,
            _("niveau ou nombre de pix illisible (%(values)s) : un niveau va de 0 à 8.")
            % {"values": ", ".join(f"« {v} »" for v in errors)},
        )
    if not line.levels:
        return failed(line, _("aucun niveau de compétence sur cette ligne."))
    return line


def failed(line, message):
    line.outcome = Outcome.ERROR
    line.message = message
    return line


def find_residents(lines, rows, columns, user):
    """Match each line to a resident the user may see: by reference, else by name and
    birth year. Two queries whatever the number of lines."""
    visible = Resident.objects.visible_to(user).filter(
        merged_into__isnull=True, erased_at__isnull=True
    )
    wanted = {}
    for line, row in zip(lines, rows, strict=True):
        if line.outcome:
            continue
        if columns.reference is not None and text(row[columns.reference]):
            wanted[line.number] = ("reference", text(row[columns.reference]).upper())
            continue
        try:
            year = birth_year(row[columns.birth]) if columns.birth is not None else None
        except ValueError:
            failed(
                line,
                _("année de naissance illisible : « %(v)s ».") % {"v": text(row[columns.birth])},
            )
            continue
        if year is None:
            failed(
                line,
                _(
                    "ni référence ni année de naissance : ajoutez la référence Parcours de la "
                    "personne (colonne « Référence ») ou son année de naissance (colonne "
                    "« Année de naissance »)."
                ),
            )
            continue
        wanted[line.number] = (
            "name",
            (
                normalise(text(row[columns.at[LAST_NAME]])),
                normalise(text(row[columns.at[FIRST_NAME]])),
                year,
            ),
        )
    references = {value for kind, value in wanted.values() if kind == "reference"}
    by_reference = (
        {r.reference: r for r in visible.filter(reference__in=references)} if references else {}
    )
    names = {value for kind, value in wanted.values() if kind == "name"}
    by_name = {}
    if names:
        for resident in visible.filter(search_last__in={last for last, _f, _y in names}):
            key = (resident.search_last, resident.search_first, resident.birth_year)
            by_name.setdefault(key, []).append(resident)
    for line in lines:
        if line.number not in wanted:
            continue
        kind, value = wanted[line.number]
        if kind == "reference":
            line.resident = by_reference.get(value)
            if line.resident is None:
                failed(
                    line,
                    _("la référence %(ref)s ne correspond à aucune personne que vous suivez.")
                    % {"ref": value},
                )
            continue
        found = by_name.get(value, [])
        if len(found) == 1:
            line.resident = found[0]
        elif not found:
            failed(
                line,
                _(
                    "aucune personne de ce nom née en %(year)s parmi celles que vous suivez : "
                    "ajoutez sa référence Parcours."
                )
                % {"year": value[2]},
            )
        else:
            failed(
                line,
                _(
                    "%(n)s personnes de ce nom sont nées en %(year)s : ajoutez la référence "
                    "Parcours pour dire laquelle."
                )
                % {"n": len(found), "year": value[2]},
            )


def same_result(existing, line):
    return (
        existing.pix_score == line.result.pix_score
        and existing.certifiable == line.result.certifiable
        and existing.campaign_name == line.result.campaign_name
        and {lv.competence_id: (lv.level, lv.pix) for lv in existing.levels.all()} == line.levels
    )


def compare(lines):
    """New, changed or unchanged, against what is stored and what the file said above."""
    keys = {
        (line.resident.pk, line.result.campaign_id, line.result.shared_on)
        for line in lines
        if not line.outcome
    }
    stored = {}
    if keys:
        for result in PixResult.objects.filter(
            resident_id__in={k[0] for k in keys}, campaign_id__in={k[1] for k in keys}
        ).prefetch_related("levels"):
            stored[result.resident_id, result.campaign_id, result.shared_on] = result
    seen = {}
    for line in lines:
        if line.outcome:
            continue
        key = (line.resident.pk, line.result.campaign_id, line.result.shared_on)
        if key in seen:
            first = seen[key]
            if first.levels == line.levels and first.result.pix_score == line.result.pix_score:
                line.outcome = Outcome.UNCHANGED
                line.message = _("la même que la ligne %(n)s") % {"n": first.number}
            else:
                failed(
                    line,
                    _(
                        "même personne, même campagne et même date d'envoi que la ligne "
                        "%(n)s, mais d'autres niveaux : gardez la bonne."
                    )
                    % {"n": first.number},
                )
            continue
        seen[key] = line
        existing = stored.get(key)
        line.result.resident = line.resident
        if existing is None:
            line.outcome = Outcome.NEW
        elif same_result(existing, line):
            line.outcome = Outcome.UNCHANGED
            line.result = existing
        else:
            line.outcome = Outcome.UPDATE
            line.result.pk = existing.pk


@dataclass
class PixReport:
    """What pix_import() found: one entry per line, and the totals."""

    lines: list
    imported: bool = False

    def count(self, outcome):
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def errors(self):
        return [line for line in self.lines if line.outcome == Outcome.ERROR]

    @property
    def residents(self):
        return [line.resident for line in self.lines if line.resident is not None]

    def as_json(self):
        return {
            "imported": self.imported,
            "counts": {
                outcome: self.count(outcome)
                for outcome in (Outcome.NEW, Outcome.UPDATE, Outcome.UNCHANGED, Outcome.SKIP)
            },
            "errors": len(self.errors),
            "lines": [
                {
                    "line": line.number,
                    "name": line.name,
                    "reference": line.resident.reference if line.resident else "",
                    "outcome": line.outcome,
                    "message": line.message,
                }
                for line in self.lines
            ],
        }


def pix_import(*, source, file_name, user, dry_run, now=None, max_rows=None):
    """Check a Pix Orga results file, and unless `dry_run` (or a line is wrong) store its
    results: all of them or none. Returns a PixReport; raises FileError (French) for a file
    that cannot be read as a Pix Orga export."""
    now = now or timezone.now()
    dataset = read_dataset(source, file_name, max_rows=max_rows)
    columns = read_columns(dataset.headers)
    rows = list(dataset)
    lines = [read_line(n + 2, row, columns) for n, row in enumerate(rows)]
    find_residents(lines, rows, columns, user)
    compare(lines)
    report = PixReport(lines=lines)
    if dry_run or report.errors:
        return report
    write(report, user=user, now=now)
    report.imported = True
    return report


@transaction.atomic
def write(report, *, user, now):
    new = [line for line in report.lines if line.outcome == Outcome.NEW]
    changed = [line for line in report.lines if line.outcome == Outcome.UPDATE]
    for line in new + changed:
        line.result.imported_at = now
        line.result.imported_by = user
    PixResult.objects.bulk_create([line.result for line in new], batch_size=1000)
    if changed:
        PixResult.objects.bulk_update(
            [line.result for line in changed],
            [
                "campaign_code",
                "campaign_name",
                "organization_name",
                "pix_score",
                "certifiable",
                "imported_at",
                "imported_by",
            ],
            batch_size=1000,
        )
        PixLevel.objects.filter(result__in=[line.result.pk for line in changed]).delete()
    PixLevel.objects.bulk_create(
        [
            PixLevel(result=line.result, competence_id=competence_id, level=level, pix=pix)
            for line in new + changed
            for competence_id, (level, pix) in line.levels.items()
        ],
        batch_size=2000,
    )
    touched = [line.resident for line in new + changed]
    if touched:
        AccessLog.write(
            user=user, action=AccessAction.EDIT_RECORD, residents=touched, path="import_pix"
        )


# Pix on the journey -------------------------------------------------------------------------

# Below this Pix level a competence is "to work on": level 3 is the CRCN's first
# "indépendant" level, the one an employer expects for everyday office work.
LOW_PIX_LEVEL = 3
SUGGESTED_MODULES = 3


@dataclass
class PixProfile:
    """What the journey shows of a resident's Pix results: the latest sharing, each
    competence's Pix level beside the level mediators assessed, modules to suggest where
    Pix is low, and whether Pix would let them take its certification now."""

    result: PixResult
    rows: list  # (competence, assessed level or None, Pix level or None)
    suggestions: list  # (module, [competence codes it would raise])
    places: list  # places running the Pix certification

    @property
    def ready(self):
        reached = sum(1 for _c, _a, pix in self.rows if (pix or 0) >= PIX_CERTIFIABLE_LEVEL)
        return reached >= PIX_CERTIFIABLE_COMPETENCES


def pix_profile(resident):
    """The resident's PixProfile, or None without any imported result: one query then,
    seven with results, whatever their number."""
    from django.db.models import Max

    from certificates.models import Certificate
    from learners.models import CompetenceAssessment
    from pathway.models import ChoiceListField, ModuleCompetence, NationalProgramme, Place

    result = (
        PixResult.objects.filter(resident=resident)
        .order_by("-shared_on", "-pk")
        .prefetch_related(models.Prefetch("levels", queryset=PixLevel.objects.order_by()))
        .first()
    )
    if result is None:
        return None
    pix = {level.competence_id: level.level for level in result.levels.all()}
    assessed = dict(
        CompetenceAssessment.objects.filter(resident=resident)
        .values_list("competence_id")
        .annotate(best=Max("level"))
        .order_by()
    )
    competences = list(Competence.objects.order_by("code"))
    rows = [(c, assessed.get(c.pk), pix.get(c.pk)) for c in competences]
    low = {c.pk: c for c, _a, level in rows if level is not None and level < LOW_PIX_LEVEL}
    certified = set(
        Certificate.objects.filter(resident=resident, revoked_at__isnull=True).values_list(
            "module_id", flat=True
        )
    )
    raises = {}
    for target in (
        ModuleCompetence.objects.filter(competence_id__in=list(low), module__is_active=True)
        .select_related("module")
        .order_by("module__name")
    ):
        if target.module_id not in certified and target.target_level > pix[target.competence_id]:
            module, codes = raises.setdefault(target.module_id, (target.module, []))
            codes.append(low[target.competence_id].code)
    suggestions = sorted(raises.values(), key=lambda pair: (-len(pair[1]), pair[0].name))
    places = list(
        Place.objects.published()
        .filter(ChoiceListField.has("national_programmes", NationalProgramme.PIX), is_active=True)
        .select_related("actor")
        .order_by("name")[:5]
    )
    return PixProfile(
        result=result, rows=rows, suggestions=suggestions[:SUGGESTED_MODULES], places=places
    )
