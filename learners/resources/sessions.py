"""Spreadsheets of sessions with their participants and outcomes, one row per session.

The participants' columns hold one value per participant, in the order of the references,
separated by "|" (one value alone applies to every participant). Sessions are read in bulk
(SessionReader: the file's syntax into writing.SessionInput, then the one resolver) and
written by writing.sessions_write(), a batch at a time; `fast=False` runs the same rows
through django-import-export's standard row-by-row import instead (one row, one write),
which the bench measures as its baseline."""

import dataclasses
import re
from itertools import batched

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from import_export.results import RowResult

from learners.models import (
    Autonomy,
    BlockedReason,
    CompetenceAssessment,
    Equipment,
    Location,
    PaperworkResult,
    Participation,
    RedirectionKind,
    Session,
    SessionFormat,
    WorkshopLevel,
)
from learners.resources.people import journal_export
from learners.services import participations_changed
from learners.writing import (
    FirstVisits,
    ParticipantInput,
    SessionChoices,
    SessionErrors,
    SessionInput,
    SessionResolver,
    sessions_write,
)
from pathway.models import (
    Level,
    Pole,
)
from pathway.resources import (
    ActorWidget,
    BooleanWidget,
    ChoiceListWidget,
    ChoiceWidget,
    DateWidget,
    IntegerWidget,
    ScopedResource,
    TextWidget,
    TimeWidget,
    column,
    is_empty,
    normalised,
    record_id,
)

# Sessions -------------------------------------------------------------------------------

# Columns of a sessions file, by field: the export writes them, the import reads them.
SESSION_COLUMNS = {
    "id": "identifiant",
    "date": "date",
    "start_time": "heure",
    "duration_minutes": "durée (minutes)",
    "format": "format",
    "actor": "structure",
    "place": "lieu",
    "location": "où",
    "pole": "pôle",
    "topics": "thématiques",
    "module": "module",
    "equipment": "matériel",
    "workshop_title": "titre de l'atelier",
    "workshop_level": "niveau de l'atelier",
    "unregistered_count": "participants non inscrits",
    "notes": "notes",
    "procedure_name": "démarche administrative",
    "redirected": "réorientée",
    "redirection_kind": "réorientée vers",
    "participants": "participants (références)",
    "autonomy": "autonomie (1 fait pour, 2 fait avec, 3 fait seul)",
    "operator": "organisme",
    "paperwork_result": "résultat de la démarche",
    "blocked_reason": "raison du blocage",
    "levels": "compétences évaluées (code=niveau)",
    "created_by": "saisi par",
}
REQUIRED_SESSION_COLUMNS = ["date", "duration_minutes", "actor", "pole"]
# In the participants' column, instead of the reference of a person the reader may not see
# (Participation.person_reference): read back, it keeps that person as they are.
NOT_SHARED_CELL = "personne non partagée"


def autonomy_words():
    return {normalised(label): value for value, label in Autonomy.choices}


class ImportChoices(SessionChoices):
    """SessionChoices, and the sessions a batch of rows names by id (read once a batch)."""

    def __init__(self, user):
        super().__init__(user)
        self.sessions = {}

    def session_queryset(self):
        participations = Participation.objects.with_shown(self.user).order_by("id")
        return (
            Session.objects.visible_to(self.user)
            .select_related("actor", "place", "module")
            .prefetch_related(
                "topics",
                Prefetch("participations", queryset=participations),
                "assessments",
            )
        )

    def load_sessions(self, rows):
        identifier = SESSION_COLUMNS["id"]
        ids = {pk for row in rows if (pk := record_id(row.get(identifier))) is not None}
        self.sessions = {}
        for batch in batched(sorted(ids), 2000):
            self.sessions |= {s.pk: s for s in self.session_queryset().filter(pk__in=batch)}

    def session(self, pk):
        if pk not in self.sessions:
            self.sessions[pk] = self.session_queryset().filter(pk=pk).first()
        return self.sessions[pk]


class OptionalBooleanWidget(BooleanWidget):
    """Oui, non, or an empty cell: not stated."""

    def clean(self, value, row=None, **kwargs):
        return None if is_empty(value) else super().clean(value, row, **kwargs)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else super().render(value, obj, **kwargs)


def split_values(value):
    """The "|"-separated values of a cell ([] for an empty cell)."""
    if is_empty(value):
        return []
    return [item.strip() for item in str(value).split("|")]


def cell_message(message):
    """A message of the write path as the import report words its cells' errors: "indiquez
    ce qui bloque la démarche", like the messages of the cells' own syntax."""
    message = str(message).rstrip(".")
    if len(message) > 1 and message[0].isupper() and not message[1].isupper():
        message = message[0].lower() + message[1:]
    return message


# Cells whose values repeat from row to row (dates, choices): each is read once.
REPEATED = {
    "date",
    "start_time",
    "duration_minutes",
    "format",
    "location",
    "pole",
    "equipment",
    "workshop_level",
    "unregistered_count",
}

# Columns where the errors of a participant's fields show.
PARTICIPANT_COLUMNS = {"resident": "participants"}


class SessionReader:
    """Reads rows of a sessions file into writing.SessionInput (the file's own syntax:
    names, "|"-separated participants' values), then checks them through the one resolver
    a batch at a time, into drafts (writing.SessionDraft) or ValidationError({field:
    [French messages]}) for a row that cannot be imported."""

    def __init__(self, user, choices=None, *, today=None):
        self.user = user
        self.choices = choices or ImportChoices(user)
        self.resolver = SessionResolver(user, today=today, choices=self.choices)
        self.today = self.resolver.today
        self.seen_ids, self.seen_keys = {}, {}
        self.cleaned = {}  # (column, cell) -> (value, error) of the cells that repeat
        self.widgets = {
            "date": DateWidget(),
            "start_time": TimeWidget(),
            "duration_minutes": IntegerWidget(minimum=1, maximum=Session.MAX_MINUTES),
            "format": ChoiceWidget(SessionFormat, blank=True),
            "location": ChoiceWidget(Location, blank=True),
            "pole": ChoiceWidget(Pole),
            "equipment": ChoiceListWidget(Equipment),
            "workshop_title": TextWidget(),
            "workshop_level": ChoiceWidget(WorkshopLevel, blank=True),
            "unregistered_count": IntegerWidget(minimum=0, maximum=500),
            "notes": TextWidget(),
            "procedure_name": TextWidget(),
            "redirected": OptionalBooleanWidget(),
            "redirection_kind": ChoiceWidget(RedirectionKind, blank=True),
        }
        self.result_widget = ChoiceWidget(PaperworkResult, blank=True)
        self.reason_widget = ChoiceWidget(BlockedReason, blank=True)

    def read(self, row, line):
        """One row: its draft, or ValidationError."""
        [(_line, found)] = self.read_many([(row, line)])
        if isinstance(found, ValidationError):
            raise found
        return found

    def read_many(self, rows):
        """[(row, line)] → [(line, draft or ValidationError)], in the rows' order."""
        self.choices.load_sessions([row for row, _line in rows])
        parsed = []
        for row, line in rows:
            try:
                parsed.append((line, self.parse(row, line)))
            except ValidationError as error:
                parsed.append((line, error))
        good = [item for _line, item in parsed if not isinstance(item, ValidationError)]
        resolved = iter(self.resolver.resolve_many(good))
        results = []
        for line, item in parsed:
            if not isinstance(item, ValidationError):
                item = next(resolved)
                if isinstance(item, SessionErrors):
                    item = self.row_errors(item)
                else:
                    item = self.check_repeated(item, line)
            results.append((line, item))
        return results

    @staticmethod
    def row_errors(errors):
        found = {}
        for field, messages in errors.fields.items():
            found.setdefault(field, []).extend(
                messages if field == NON_FIELD_ERRORS else map(cell_message, messages)
            )
        for problems in errors.participants.values():
            for field, messages in problems.items():
                column = PARTICIPANT_COLUMNS.get(field, field)
                found.setdefault(column, []).extend(map(cell_message, messages))
        return ValidationError(found)

    def check_repeated(self, draft, line):
        """The same new session twice in the file."""
        if draft.session is not None:
            return draft
        fields = draft.fields
        key = hash(
            (
                fields["date"],
                fields["start_time"],
                fields["actor"].pk,
                fields["pole"],
                fields["workshop_title"],
                tuple(o.resident.pk for o in draft.outcomes),
            )
        )
        if key in self.seen_keys:
            return ValidationError(
                {
                    NON_FIELD_ERRORS: [
                        _("ligne en double : même accompagnement qu'à la ligne %(line)s")
                        % {"line": self.seen_keys[key] + 1}
                    ]
                }
            )
        self.seen_keys[key] = line
        return draft

    def parse(self, row, line):
        """(SessionInput, the session it replaces or None) of a row, or ValidationError."""
        errors = {}

        def cell(name):
            return row.get(SESSION_COLUMNS[name])

        def fail(name, message):
            errors.setdefault(name, []).append(str(message))

        fields = {}
        for name, widget in self.widgets.items():
            value = cell(name)
            key = (name, value) if name in REPEATED else None
            found = self.cleaned.get(key) if key is not None else None
            if found is None:
                try:
                    found = (widget.clean(value), None)
                except ValueError as error:
                    found = (None, error)
                if key is not None and len(self.cleaned) < 100_000:
                    self.cleaned[key] = found
            cleaned, error = found
            if error is not None:
                fail(name, error)
            else:
                fields[name] = cleaned
        if not errors.get("date") and fields.get("date") is None:
            fail("date", _("la date est obligatoire"))
        if not errors.get("duration_minutes") and fields.get("duration_minutes") is None:
            fail("duration_minutes", _("la durée est obligatoire"))

        session = None
        identifier = str(cell("id") or "").strip()
        if identifier:
            pk = record_id(identifier)
            session = self.choices.session(pk) if pk is not None else None
            if session is None:
                fail(
                    "id",
                    _("aucun accompagnement accessible n'a l'identifiant « %(id)s »")
                    % {"id": identifier},
                )
            elif not session.can_be_changed_by(self.user, today=self.today):
                fail(
                    "id",
                    _("vous ne pouvez plus modifier l'accompagnement %(id)s") % {"id": identifier},
                )
                session = None
            elif identifier in self.seen_ids:
                fail(
                    "id",
                    _("ligne en double : même accompagnement qu'à la ligne %(line)s")
                    % {"line": self.seen_ids[identifier] + 1},
                )
            self.seen_ids.setdefault(identifier, line)

        if is_empty(cell("actor")):
            fail("actor", _("indiquez la structure (son nom ou son SIRET)"))
        participants = self.participants(row, fail, updating=session is not None)
        if errors:
            raise ValidationError(errors)
        data = SessionInput(
            **{name: value for name, value in fields.items() if value is not None},
            actor=str(cell("actor")).strip(),
            place=None if is_empty(cell("place")) else str(cell("place")).strip(),
            module=None if is_empty(cell("module")) else str(cell("module")).strip(),
            topics=split_values(cell("topics")),
            participants=participants,
        )
        return data, session

    def participants(self, row, fail, *, updating=False):
        references = split_values(row.get(SESSION_COLUMNS["participants"]))
        count = len(references)

        def aligned(name, parse):
            values = split_values(row.get(SESSION_COLUMNS[name]))
            if not any(values):
                return [None] * count
            if len(values) == 1:
                values = values * count
            if len(values) != count:
                fail(
                    name,
                    _(
                        "%(values)s valeurs pour %(count)s participants : une par participant, "
                        "dans l'ordre des références, séparées par |"
                    )
                    % {"values": len(values), "count": count},
                )
                return [None] * count
            parsed = []
            for value in values:
                try:
                    parsed.append(parse(value) if value else None)
                except ValueError as error:
                    fail(name, error)
                    parsed.append(None)
            return parsed

        autonomies = aligned("autonomy", self.autonomy)
        operators = aligned("operator", str)
        results = aligned("paperwork_result", self.result_widget.clean)
        reasons = aligned("blocked_reason", self.reason_widget.clean)
        levels = aligned("levels", self.levels)
        participants = []
        for index, reference in enumerate(references):
            if normalised(reference) == normalised(NOT_SHARED_CELL):
                # Someone the importer may not see: the session keeps them as they are
                # (writing.hidden_outcomes); a new session cannot name them.
                if not updating:
                    fail(
                        "participants",
                        _(
                            "« %(value)s » : cette personne ne partage pas son parcours avec "
                            "vous, elle ne peut pas être ajoutée à un nouvel accompagnement"
                        )
                        % {"value": reference},
                    )
                continue
            participants.append(
                ParticipantInput(
                    resident=reference,
                    autonomy=autonomies[index],
                    operator=operators[index],
                    paperwork_result=results[index] or "",
                    blocked_reason=reasons[index] or "",
                    levels=levels[index] or {},
                )
            )
        return participants

    @staticmethod
    def autonomy(value):
        text = normalised(value)
        if text in {"1", "2", "3"}:
            return int(text)
        if text in autonomy_words():
            return autonomy_words()[text]
        raise ValueError(_("l'autonomie est 1, 2 ou 3, pas « %(value)s »") % {"value": value})

    @staticmethod
    def levels(value):
        """ "4.1=3 4.2=2": levels reached, by competence code (the resolver checks they
        belong to the session's module)."""
        levels = {}
        for item in re.split(r"[\s,;]+", value.strip()):
            code, _sep, level = item.partition("=")
            if not level.isdigit() or not Level.MIN <= int(level) <= Level.MAX:
                raise ValueError(
                    _("niveau de %(code)s : de 1 à 8 (écrivez %(code)s=3)") % {"code": code}
                )
            levels[code] = int(level)
        return levels


def unchanged(item):
    """Whether an ImportedSession would leave its session as it is."""
    session = item.session
    if session is None:
        return False
    if any(getattr(session, name) != value for name, value in item.fields.items()):
        return False
    if {t.pk for t in session.topics.all()} != {t.pk for t in item.topics}:
        return False
    # Participants the importer may not see are not in the file and stay as they are.
    shown = [p for p in session.participations.all() if p.shown]
    shown_ids = {p.resident_id for p in shown}
    hidden_ids = {p.resident_id for p in session.participations.all() if not p.shown}
    outcomes = [o for o in item.outcomes if o.resident.pk not in hidden_ids]
    levels = {}
    for assessment in session.assessments.all():
        if assessment.resident_id in shown_ids:
            levels.setdefault(assessment.resident_id, {})[assessment.competence_id] = (
                assessment.level
            )
    before = [
        (p.resident_id, p.autonomy, p.operator_id, p.paperwork_result, p.blocked_reason)
        for p in shown
    ]
    after = [
        (
            o.resident.pk,
            o.autonomy,
            o.operator.pk if o.operator else None,
            o.paperwork_result,
            o.blocked_reason,
        )
        for o in outcomes
    ]
    new_levels = {
        o.resident.pk: {c.pk: level for c, level in o.levels.items()} for o in outcomes if o.levels
    }
    return before == after and levels == new_levels


@dataclasses.dataclass
class Progress:
    """Where an import is: rows read, then sessions written (for the progress bar)."""

    callback: object = None
    total: int = 0

    def __call__(self, done):
        if self.callback:
            self.callback(done, self.total)


class SessionResource(ScopedResource):
    """Sessions with their participants and outcomes, one row per session."""

    export_kind = "sessions"
    id = column("id", SESSION_COLUMNS["id"], IntegerWidget())
    date = column("date", SESSION_COLUMNS["date"], DateWidget())
    start_time = column("start_time", SESSION_COLUMNS["start_time"], TimeWidget())
    duration_minutes = column(
        "duration_minutes", SESSION_COLUMNS["duration_minutes"], IntegerWidget()
    )
    format = column("format", SESSION_COLUMNS["format"], ChoiceWidget(SessionFormat))
    actor = column("actor", SESSION_COLUMNS["actor"], ActorWidget())
    place = column("place__name", SESSION_COLUMNS["place"])
    location = column("location", SESSION_COLUMNS["location"], ChoiceWidget(Location))
    pole = column("pole", SESSION_COLUMNS["pole"], ChoiceWidget(Pole))
    topics = column(None, SESSION_COLUMNS["topics"])
    module = column("module__name", SESSION_COLUMNS["module"])
    equipment = column("equipment", SESSION_COLUMNS["equipment"], ChoiceListWidget(Equipment))
    workshop_title = column("workshop_title", SESSION_COLUMNS["workshop_title"])
    workshop_level = column(
        "workshop_level", SESSION_COLUMNS["workshop_level"], ChoiceWidget(WorkshopLevel, blank=True)
    )
    unregistered_count = column(
        "unregistered_count", SESSION_COLUMNS["unregistered_count"], IntegerWidget()
    )
    notes = column("notes", SESSION_COLUMNS["notes"])
    procedure_name = column("procedure_name", SESSION_COLUMNS["procedure_name"])
    redirected = column("redirected", SESSION_COLUMNS["redirected"], OptionalBooleanWidget())
    redirection_kind = column(
        "redirection_kind",
        SESSION_COLUMNS["redirection_kind"],
        ChoiceWidget(RedirectionKind, blank=True),
    )
    participants = column(None, SESSION_COLUMNS["participants"])
    autonomy = column(None, SESSION_COLUMNS["autonomy"])
    operator = column(None, SESSION_COLUMNS["operator"])
    paperwork_result = column(None, SESSION_COLUMNS["paperwork_result"])
    blocked_reason = column(None, SESSION_COLUMNS["blocked_reason"])
    levels = column(None, SESSION_COLUMNS["levels"])
    created_by = column("created_by__username", SESSION_COLUMNS["created_by"], readonly=True)

    class Meta:
        model = Session
        fields = list(SESSION_COLUMNS)
        import_id_fields = []
        report_skipped = True

    def __init__(self, *, fast=True, today=None, progress=None, **kwargs):
        super().__init__(**kwargs)
        self.fast, self.today = fast, today
        self.progress = progress
        self.reader = None
        self.exported = []  # references of the participants written to an export

    # Export ---------------------------------------------------------------------------

    def get_queryset(self):
        participations = (
            Participation.objects.with_shown(self.user)
            .select_related("resident", "operator")
            .order_by("id")
        )
        assessments = CompetenceAssessment.objects.select_related("competence").order_by(
            "competence__code"
        )
        return (
            Session.objects.visible_to(self.user)
            .select_related("actor", "place", "module", "created_by")
            .prefetch_related(
                "topics",
                Prefetch("participations", queryset=participations),
                Prefetch("assessments", queryset=assessments),
            )
            .order_by("date", "id")
        )

    def get_chunk_size(self):
        return 1000

    # (An unsaved session has no related rows: django-import-export's diff reads new rows.)

    def dehydrate_topics(self, session):
        if session.pk is None:
            return ""
        return "|".join(t.name for t in session.topics.all())

    def dehydrate_participants(self, session):
        if session.pk is None:
            return ""
        references = [p.person_reference for p in session.participations.all()]
        self.exported += [r for r in references if r]
        return "|".join(r or NOT_SHARED_CELL for r in references)

    def after_export(self, queryset, dataset, **kwargs):
        journal_export(self)

    def dehydrate_autonomy(self, session):
        if session.pk is None:
            return ""
        return "|".join(str(p.autonomy or "") for p in session.participations.all())

    def dehydrate_operator(self, session):
        if session.pk is None:
            return ""
        return "|".join(p.operator.name if p.operator else "" for p in session.participations.all())

    def dehydrate_paperwork_result(self, session):
        if session.pk is None:
            return ""
        widget = ChoiceWidget(PaperworkResult, blank=True)
        return "|".join(widget.render(p.paperwork_result) for p in session.participations.all())

    def dehydrate_blocked_reason(self, session):
        if session.pk is None:
            return ""
        widget = ChoiceWidget(BlockedReason, blank=True)
        return "|".join(widget.render(p.blocked_reason) for p in session.participations.all())

    def dehydrate_levels(self, session):
        if session.pk is None:
            return ""
        levels = {}
        for assessment in session.assessments.all():
            levels.setdefault(assessment.resident_id, []).append(
                f"{assessment.competence.code}={assessment.level}"
            )
        if not levels:
            return ""
        return "|".join(
            " ".join(levels.get(p.resident_id, [])) for p in session.participations.all()
        )

    # Import, the standard way of django-import-export (one row at a time) ---------------

    def get_instance(self, instance_loader, row):
        pk = record_id(row.get(SESSION_COLUMNS["id"]))
        return self.session_reader().choices.session(pk) if pk is not None else None

    def session_reader(self):
        if self.reader is None:
            self.reader = SessionReader(self.user, today=self.today)
        return self.reader

    def import_instance(self, instance, row, **kwargs):
        item = self.session_reader().read(row, kwargs.get("row_number", 0))
        for name, value in item.fields.items():
            setattr(instance, name, value)
        instance._imported = item

    def save_instance(self, instance, is_create, row, **kwargs):
        if kwargs.get("dry_run"):
            return
        [written] = sessions_write([instance._imported], by=self.user)
        instance.pk = written.pk if is_create else instance.pk

    def save_m2m(self, instance, row, **kwargs):
        pass  # topics are written by the writer

    def may_write(self, instance):
        # The reader has checked the actor, residents and session against the user's rights.
        return self.user is not None and self.user.works_with_residents

    # Import in bulk ---------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        if not self.fast:
            return super().import_data(
                dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs
            )
        result = self.get_result_class()()
        result.total_rows = len(dataset)
        headers = dataset.headers or []
        missing = [
            SESSION_COLUMNS[n]
            for n in REQUIRED_SESSION_COLUMNS
            if SESSION_COLUMNS[n] not in headers
        ]
        if missing:
            result.append_base_error(
                self.get_error_result_class()(
                    ValueError(
                        _("colonnes manquantes : %(columns)s") % {"columns": ", ".join(missing)}
                    )
                )
            )
            return result
        # Rows are read, checked and written a batch at a time, all in one transaction
        # undone at the end if any row was wrong: memory stays that of a batch (`dataset`
        # may be sheets.SheetRows, the file read as it goes).
        with transaction.atomic():
            self.import_batches(dataset, headers, result, dry_run=dry_run)
            if dry_run or result.has_validation_errors():
                transaction.set_rollback(True)
        result.total_rows = len(dataset)
        return result

    def import_batches(self, dataset, headers, result, *, dry_run):
        total = getattr(dataset, "expected", None) or len(dataset)
        progress = Progress(self.progress, total=2 * total)
        self.reader = SessionReader(self.user, today=self.today)
        resident_ids, visits = set(), FirstVisits()
        rows = (
            (dict(zip(headers, values, strict=False)), n) for n, values in enumerate(dataset, 1)
        )
        for batch in batched(rows, IMPORT_BATCH):
            drafts = []
            for number, item in self.reader.read_many(batch):
                row_result = RowResult()
                row_result.number = number
                if isinstance(item, ValidationError):
                    row_result.import_type = RowResult.IMPORT_TYPE_INVALID
                    row_result.validation_error = item
                    result.append_invalid_row(number, batch[number - batch[0][1]][0], item)
                else:
                    if unchanged(item):
                        row_result.import_type = RowResult.IMPORT_TYPE_SKIP
                    else:
                        row_result.import_type = (
                            RowResult.IMPORT_TYPE_NEW
                            if item.session is None
                            else RowResult.IMPORT_TYPE_UPDATE
                        )
                        drafts.append(item)
                    row_result.object_id = item.session.pk if item.session else None
                    if number <= PREVIEW_ROWS:
                        row_result.object_repr = describe(item)
                result.increment_row_result_total(row_result)
                if number <= PREVIEW_ROWS or not row_result.is_valid():
                    result.append_row_result(row_result)
            done = batch[-1][1]
            if drafts and not dry_run and not result.has_validation_errors():
                written = sessions_write(drafts, by=self.user, refresh=False, visits=visits)
                resident_ids |= written.resident_ids
            progress(2 * done if not dry_run else done)
        progress(2 * total)
        if resident_ids and not result.has_validation_errors():
            participations_changed(resident_ids)


# Rows read, checked and written together by an import.
IMPORT_BATCH = 1000
# Rows of a preview kept in the result (every error is kept).
PREVIEW_ROWS = 200


def describe(item):
    fields = item.fields
    label = f"{fields['date']:%d/%m/%Y} — {fields['actor'].name} — {Pole(fields['pole']).label}"
    if item.outcomes:
        label += " — " + ", ".join(o.resident.reference for o in item.outcomes[:5])
    return label
