"""A Coop accompaniments file brought in (coop-activites.md §1b): the XLSX as the Coop
gives it (title and filter rows above the table) or the CSV of the same columns.

Rows are grouped into activities by their ID CRA, kept as the session's external_ref:
an activity already here (the Coop's id, or one of ours exported as parcours-N) is
skipped, so the same file twice, or a Parcours export, adds nothing. Each activity goes
through the one write path (SessionInput → SessionResolver → sessions_write), all or
nothing. Beneficiaries without a name become participants without a record, counted in
the session with what the file says of them (anonymous_participants); a named one (a
mediator's own export) becomes a new record unless one alike exists."""

import csv
import dataclasses
import datetime
import io

import openpyxl
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from learners.models import AgeBand, Session, SessionFormat
from learners.writing import (
    NewPerson,
    ParticipantInput,
    SessionErrors,
    SessionInput,
    SessionResolver,
    sessions_write,
)
from pathway import communes
from stats.coop import vocabulary as v
from stats.coop.export import GENRE, OUR_PREFIX, STATUT, TRANCHE
from stats.coop.mapping import Mapping
from stats.models import CoopMappingKind as Kind

# What an error names (translated only when a message is made: gettext at each row was
# four tenths of the check's time).
WHAT_TYPE = gettext_lazy("type")
WHAT_CANAL = gettext_lazy("canal")
WHAT_MATERIEL = gettext_lazy("matériel")
WHAT_THEMATIQUE = gettext_lazy("thématique")
WHAT_STRUCTURE = gettext_lazy("structure")
WHAT_NIVEAU = gettext_lazy("niveau")
WHAT_AUTONOMIE = gettext_lazy("autonomie")
WHAT_GENRE = gettext_lazy("genre")
WHAT_TRANCHE = gettext_lazy("tranche d'âge")
WHAT_STATUT = gettext_lazy("statut")

REQUIRED = ["Date", "Type", "Participants", "Canaux d’accompagnement", "Durée (min)", "ID CRA"]
OPTIONAL_EXTRA = {"Source de la donnée"}
MAX_ROWS = 200_000


class CoopFileError(ValueError):
    """The file as a whole cannot be read (French message)."""


@dataclasses.dataclass
class RowReport:
    line: int
    cra: str
    status: str  # "new", "present", "error"
    errors: list


@dataclasses.dataclass
class ImportReport:
    rows: list
    activities_new: int = 0
    activities_present: int = 0
    written: int = 0

    @property
    def errors(self):
        return [r for r in self.rows if r.status == "error"]

    @property
    def nothing_to_add(self):
        return not self.errors and self.activities_new == 0


def label_index(enum):
    return {label: code for code, label in enum.items()}


def read_table(content, name=""):
    """(header, [(line, {column: value})]) of the file's table."""
    if name.lower().endswith(".csv") or content[:3] == b"\xef\xbb\xbf":
        text = content.decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    else:
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:
            raise CoopFileError(_("Ce fichier n'est pas un classeur XLSX lisible.")) from error
        sheet = workbook[v.SHEET] if v.SHEET in workbook.sheetnames else workbook.worksheets[0]
        lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    for index, line in enumerate(lines):
        cells = [str(c).strip() if c is not None else "" for c in line]
        if "Date" in cells and "ID CRA" in cells:
            header, header_at = list(cells), index
            break
    else:
        raise CoopFileError(
            _(
                "Ce fichier n'a pas les colonnes d'un export « accompagnements » de la Coop "
                "(une ligne d'en-tête avec « Date » … « ID CRA »)."
            )
        )
    while header and not header[-1]:
        header.pop()
    known = set(v.columns(own=True)) | set(v.columns(own=False)) | OPTIONAL_EXTRA
    unknown = [c for c in header if c not in known]
    missing = [c for c in REQUIRED if c not in header]
    if unknown or missing:
        parts = []
        if missing:
            parts.append(_("colonnes manquantes : %(c)s") % {"c": ", ".join(missing)})
        if unknown:
            parts.append(_("colonnes inconnues : %(c)s") % {"c": ", ".join(unknown)})
        raise CoopFileError(
            _("Ce fichier n'a pas la disposition d'un export de la Coop : %(details)s.")
            % {"details": " ; ".join(parts)}
        )
    rows = []
    for number, line in enumerate(lines[header_at + 1 :], start=header_at + 2):
        values = {h: line[i] if i < len(line) else None for i, h in enumerate(header) if h}
        if all(value in (None, "") for value in values.values()):
            continue
        rows.append((number, values))
    if len(rows) > MAX_ROWS:
        raise CoopFileError(_("Plus de %(n)s lignes : coupez le fichier.") % {"n": MAX_ROWS})
    return header, rows


def text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = text(value)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("date illisible « %(value)s » (JJ/MM/AAAA attendu)") % {"value": raw})


def split_labels(value):
    raw = text(value)
    return [part.strip() for part in raw.split(", ")] if raw else []


class CoopImport:
    """Reads a Coop file for `user`: check() fills the report; write() stores it all."""

    def __init__(self, user, *, today=None):
        self.user = user
        self.today = today or timezone.localdate()
        self.mapping = Mapping()
        self.resolver = SessionResolver(user, today=self.today)
        self.topic_pole = {str(t.pk): t.pole for t in self.mapping.topics}
        self.reverse = {kind: self.mapping.reverse(kind) for kind in Kind}
        places = {str(p.pk) for p in self.resolver.choices.places}
        self.places = {
            code: value for code, value in self.reverse[Kind.PLACE].items() if value in places
        }
        self.drafts = []

    def check(self, content, name=""):
        header, rows = read_table(content, name)
        activities = {}
        for line, values in rows:
            activities.setdefault(text(values.get("ID CRA")), []).append((line, values))
        present = self.present(set(activities) - {""})
        reports, inputs, lines_of = [], [], []
        for cra, lines in activities.items():
            if cra and cra in present:
                reports += [RowReport(line, cra, "present", []) for line, _values in lines]
                continue
            errors = {}
            try:
                data = self.activity(cra, lines, errors)
            except ValueError as error:
                errors.setdefault(lines[0][0], []).append(str(error))
                data = None
            if errors or data is None:
                for line, _values in lines:
                    reports.append(RowReport(line, cra, "error", errors.get(line, [])))
                continue
            inputs.append((data, None))
            lines_of.append((cra, lines))
            reports += [RowReport(line, cra, "new", []) for line, _values in lines]
        by_line = {r.line: r for r in reports}
        for (_cra, lines), result in zip(lines_of, self.resolver.resolve_many(inputs), strict=True):
            if isinstance(result, SessionErrors):
                messages = [m for ms in result.fields.values() for m in ms]
                messages += [
                    m for p in result.participants.values() for ms in p.values() for m in ms
                ]
                for line, _values in lines:
                    by_line[line].status, by_line[line].errors = "error", messages
            else:
                self.drafts.append(result)
        report = ImportReport(sorted(reports, key=lambda r: r.line))
        report.activities_new = len(self.drafts)
        report.activities_present = len({r.cra for r in reports if r.status == "present"})
        self.report = report
        return report

    def write(self):
        """Store every new activity, or nothing when a row is wrong."""
        if self.report.errors:
            return 0
        with transaction.atomic():
            written = sessions_write(self.drafts, by=self.user)
        self.report.written = len(written)
        return len(written)

    def present(self, ids):
        """The ID CRA of this file already here (visible to the user)."""
        visible = Session.objects.visible_to(self.user)
        found = set(visible.filter(external_ref__in=ids).values_list("external_ref", flat=True))
        ours = {
            int(i.removeprefix(OUR_PREFIX)): i
            for i in ids
            if i.startswith(OUR_PREFIX) and i.removeprefix(OUR_PREFIX).isdigit()
        }
        if ours:
            found |= {
                ours[pk]
                for pk in visible.filter(Q(pk__in=ours), external_ref="").values_list(
                    "pk", flat=True
                )
            }
        return found

    def code(self, enum, value, what, line, errors):
        label = text(value)
        if not label:
            return ""
        code = label_index(enum).get(label)
        if code is None:
            errors.setdefault(line, []).append(
                _("%(what)s inconnu(e) de la Coop : « %(label)s »") % {"what": what, "label": label}
            )
        return code or ""

    def ours(self, kind, code, what, line, errors):
        if not code:
            return None
        value = self.reverse[kind].get(code)
        if value is None:
            errors.setdefault(line, []).append(
                _(
                    "%(what)s « %(code)s » sans correspondance dans Parcours : choisissez-la "
                    "dans les correspondances avec la Coop"
                )
                % {"what": what, "code": code}
            )
        return value

    def activity(self, cra, lines, errors):
        """The SessionInput of one activity (its rows), errors by line."""
        first_line, first = lines[0]
        if not cra:
            errors.setdefault(first_line, []).append(_("« ID CRA » vide"))
        try:
            date = parse_date(first.get("Date"))
        except ValueError as error:
            errors.setdefault(first_line, []).append(str(error))
            date = None
        if date is not None and (date > self.today or date.year < 2000):
            errors.setdefault(first_line, []).append(
                _("date hors limites : %(date)s") % {"date": date.strftime("%d/%m/%Y")}
            )
        type_code = self.code(v.TYPE_ACTIVITE, first.get("Type"), WHAT_TYPE, first_line, errors)
        collective = type_code == "Collectif"
        try:
            duration = int(text(first.get("Durée (min)")))
        except ValueError:
            errors.setdefault(first_line, []).append(_("durée illisible"))
            duration = None
        lieu = self.code(
            v.TYPE_LIEU, first.get("Canaux d’accompagnement"), WHAT_CANAL, first_line, errors
        )
        location = self.ours(Kind.LOCATION, lieu, WHAT_CANAL, first_line, errors)
        place = None
        if lieu == "LieuActivite" and text(first.get("Nom du lieu")):
            place = self.places.get(text(first.get("Nom du lieu")))
        equipment = []
        for label in split_labels(first.get("Matériel numérique utilisé")):
            code = self.code(v.MATERIEL, label, WHAT_MATERIEL, first_line, errors)
            value = self.ours(Kind.EQUIPMENT, code, WHAT_MATERIEL, first_line, errors)
            if value and value not in equipment:
                equipment.append(value)
        topics, poles = [], []
        for label in split_labels(first.get("Thématique(s) d’accompagnement")):
            code = self.code(v.THEMATIQUE, label, WHAT_THEMATIQUE, first_line, errors)
            value = self.ours(Kind.TOPIC, code, WHAT_THEMATIQUE, first_line, errors)
            if value is not None:
                topics.append(int(value))
                poles.append(self.topic_pole[value])
        pole = max(set(poles), key=poles.count) if poles else None
        if pole is None:
            pole = self.reverse[Kind.POLE].get("AideAuxDemarchesAdministratives") or "necessity"
        if len(set(poles)) > 1:
            errors.setdefault(first_line, []).append(
                _("thématiques de pôles différents dans un même accompagnement")
            )
        level = ""
        redirected_text = text(first.get("Bénéficiaire réorienté"))
        redirected = {"": None, v.YES: True, v.NO: False}.get(redirected_text, "?")
        if redirected == "?":
            errors.setdefault(first_line, []).append(
                _("« Bénéficiaire réorienté » : Oui, Non ou vide, pas « %(v)s »")
                % {"v": redirected_text}
            )
            redirected = None
        structure = self.code(
            v.STRUCTURE_REDIRECTION,
            first.get("Structure de redirection"),
            WHAT_STRUCTURE,
            first_line,
            errors,
        )
        redirection = (
            self.ours(Kind.REDIRECTION, structure, WHAT_STRUCTURE, first_line, errors) or ""
        )
        participants, anonymous = [], []
        for line, values in lines:
            stars = text(values.get("Niveau d’autonomie (ou de l’atelier)"))
            autonomy = None
            if stars:
                count = stars.split("/")[0]
                if collective:
                    code = {str(n): c for c, n in v.NIVEAU_STARS.items()}.get(count)
                    level = self.ours(Kind.WORKSHOP_LEVEL, code, WHAT_NIVEAU, line, errors) or ""
                else:
                    code = {str(n): c for c, n in v.AUTONOMIE_STARS.items()}.get(count)
                    found = self.ours(Kind.AUTONOMY, code, WHAT_AUTONOMIE, line, errors)
                    autonomy = int(found) if found else None
                if code is None:
                    errors.setdefault(line, []).append(
                        _("niveau illisible « %(v)s » (1/3, 2/3 ou 3/3)") % {"v": stars}
                    )
            genre = self.code(
                v.GENRE, values.get("Genre du bénéficiaire"), WHAT_GENRE, line, errors
            )
            tranche = self.code(
                v.TRANCHE_AGE,
                values.get("Tranche d’âge du bénéficiaire"),
                WHAT_TRANCHE,
                line,
                errors,
            )
            statut = self.code(
                v.STATUT_SOCIAL, values.get("Statut du bénéficiaire"), WHAT_STATUT, line, errors
            )
            profile = {
                "autonomy": autonomy,
                "gender": {c: g for g, c in GENRE.items()}.get(genre, "not_stated"),
                "age_band": {c: a for a, c in TRANCHE.items()}.get(
                    tranche, AgeBand.NOT_STATED.value
                ),
                "social_status": {c: s for s, c in STATUT.items()}.get(statut, "not_stated"),
                "commune_insee": text(values.get("Code Insee du bénéficiaire")),
                "commune_postcode": text(values.get("Code postal du bénéficiaire")),
                "commune_name": text(values.get("Commune du bénéficiaire")),
            }
            name = text(values.get("Bénéficiaire"))
            if name:
                first_name, _sep, last_name = name.partition(" ")
                participants.append(
                    ParticipantInput(
                        resident=NewPerson(
                            first_name=first_name,
                            last_name=last_name or first_name,
                            gender=profile["gender"],
                            social_status=profile["social_status"],
                            commune=communes.get(profile["commune_insee"]),
                        ),
                        autonomy=autonomy,
                    )
                )
            else:
                anonymous.append(profile)
        if errors:
            return None
        return SessionInput(
            date=date,
            duration_minutes=duration,
            format=SessionFormat.COLLECTIVE if collective else SessionFormat.INDIVIDUAL,
            location=location,
            place=int(place) if place else None,
            pole=pole,
            topics=topics,
            equipment=equipment,
            workshop_title=text(first.get("Nom de l’atelier")),
            workshop_level=level,
            procedure_name=text(first.get("Nom de la démarche administrative")),
            redirected=redirected,
            redirection_kind=redirection,
            notes=text(first.get("Notes supplémentaires")),
            external_ref=cra,
            unregistered_count=len(anonymous),
            anonymous_participants=anonymous,
            participants=participants,
        )
