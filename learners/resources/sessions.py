"""Spreadsheets of sessions with their participants and outcomes, one row per session.

The participants' columns hold one value per participant, in the order of the references,
separated by "|" (one value alone applies to every participant). Sessions are read in bulk
(SessionResource.import_data) and written by services.sessions_import(); `fast=False` runs
the same rows through django-import-export's standard row-by-row import instead
(services.session_create for each row), which the bench measures as its baseline."""

import dataclasses
import re
from itertools import batched

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.results import RowResult

from learners import services
from learners.models import (
    Autonomy,
    BlockedReason,
    CompetenceAssessment,
    Equipment,
    Location,
    PaperworkResult,
    Participation,
    Resident,
    Session,
    SessionFormat,
    WorkshopLevel,
    normalise,
)
from learners.resources.people import journal_export
from pathway.models import (
    Actor,
    Competence,
    Level,
    Module,
    ModuleCompetence,
    Operator,
    Place,
    Pole,
    Topic,
)
from pathway.resources import (
    ActorWidget,
    ChoiceListWidget,
    ChoiceWidget,
    DateWidget,
    IntegerWidget,
    ScopedResource,
    TextWidget,
    TimeWidget,
    column,
    find_actor,
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


class Catalogue:
    """What the rows of a sessions file name, found for `user`. Preloaded (`rows` given),
    every table is read once for the whole file (residents and sessions by the references
    and ids the file holds, a batch at a time); otherwise each name is looked up when a row
    needs it — django-import-export's usual way, one query per name per row."""

    def __init__(self, user, *, rows=None):
        self.user = user
        self.preloaded = rows is not None
        self.actor_ids = None if user.is_network_admin else set(user.actor_ids)
        if self.preloaded:
            self.load(rows)

    def load(self, rows):
        references, ids = set(), set()
        participants, identifier = SESSION_COLUMNS["participants"], SESSION_COLUMNS["id"]
        for row in rows:
            references |= {r.strip().upper() for r in str(row.get(participants) or "").split("|")}
            if (pk := record_id(row.get(identifier))) is not None:
                ids.add(pk)
        references.discard("")
        self.actors = {}
        for actor in Actor.objects.all():
            self.actors[normalise(actor.name)] = actor
            if actor.siret:
                self.actors[actor.siret] = actor
        self.places = {(p.actor_id, normalise(p.name)): p for p in Place.objects.all()}
        self.topics = {(t.pole, normalise(t.name)): t for t in Topic.objects.all()}
        self.modules = {normalise(m.name): m for m in self.module_queryset()}
        self.operators = {normalise(o.name): o for o in Operator.objects.all()}
        self.competences = {c.code: c for c in Competence.objects.all()}
        self.residents = {}
        for batch in batched(sorted(references), 2000):
            for pk, reference in self.resident_queryset(batch).values_list("pk", "reference"):
                self.residents[reference] = ResidentRef(pk, reference)
        self.sessions = {}
        for batch in batched(sorted(ids), 2000):
            self.sessions |= {s.pk: s for s in self.session_queryset().filter(pk__in=batch)}

    def module_queryset(self):
        targets = ModuleCompetence.objects.select_related("competence")
        modules = Module.objects.prefetch_related(Prefetch("targets", queryset=targets))
        if self.actor_ids is not None:
            modules = modules.filter(Q(actor__isnull=True) | Q(actor__in=self.actor_ids))
        return modules

    def resident_queryset(self, references):
        return Resident.objects.visible_to(self.user).filter(reference__in=references)

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

    def actor(self, value):
        text = str(value).strip()
        siret = re.sub(r"\s", "", text)
        if self.preloaded:
            actor = self.actors.get(siret) or self.actors.get(normalised(text))
        else:
            actor = find_actor(text)
        if actor is not None and self.actor_ids is not None and actor.pk not in self.actor_ids:
            return None
        return actor

    def place(self, actor, value):
        if self.preloaded:
            return self.places.get((actor.pk, normalised(value)))
        return Place.objects.filter(actor=actor, name__iexact=str(value).strip()).first()

    def topic(self, pole, value):
        if self.preloaded:
            return self.topics.get((pole, normalised(value)))
        return Topic.objects.filter(pole=pole, name__iexact=str(value).strip()).first()

    def module(self, value):
        if self.preloaded:
            return self.modules.get(normalised(value))
        return self.module_queryset().filter(name__iexact=str(value).strip()).first()

    def operator(self, value):
        if self.preloaded:
            return self.operators.get(normalised(value))
        return Operator.objects.filter(name__iexact=str(value).strip()).first()

    def resident(self, reference):
        reference = reference.strip().upper()
        if self.preloaded:
            return self.residents.get(reference)
        return self.resident_queryset([reference]).first()

    def session(self, pk):
        if self.preloaded:
            return self.sessions.get(pk)
        return self.session_queryset().filter(pk=pk).first()


@dataclasses.dataclass(frozen=True, slots=True)
class ResidentRef:
    """A resident named by a file: all an import needs of them (a whole Resident for each
    of 100,000 rows would cost time and memory)."""

    pk: int
    reference: str

    @property
    def display_name(self):
        return self.reference


def split_values(value):
    """The "|"-separated values of a cell ([] for an empty cell)."""
    if is_empty(value):
        return []
    return [item.strip() for item in str(value).split("|")]


class SessionReader:
    """Reads rows of a sessions file into services.ImportedSession, raising
    ValidationError({field: [French messages]}) for a row that cannot be imported."""

    def __init__(self, user, catalogue, *, today=None):
        self.user, self.catalogue = user, catalogue
        self.today = today or timezone.localdate()
        self.seen_ids, self.seen_keys = {}, {}
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
        }
        self.result_widget = ChoiceWidget(PaperworkResult, blank=True)
        self.reason_widget = ChoiceWidget(BlockedReason, blank=True)

    def read(self, row, line):
        errors = {}

        def cell(name):
            return row.get(SESSION_COLUMNS[name])

        def fail(name, message):
            errors.setdefault(name, []).append(str(message))

        fields = {}
        for name, widget in self.widgets.items():
            try:
                fields[name] = widget.clean(cell(name))
            except ValueError as error:
                fail(name, error)
        if not errors.get("date") and fields.get("date") is None:
            fail("date", _("la date est obligatoire"))
        if not errors.get("duration_minutes") and fields.get("duration_minutes") is None:
            fail("duration_minutes", _("la durée est obligatoire"))
        fields["format"] = fields.get("format") or SessionFormat.INDIVIDUAL
        fields["location"] = fields.get("location") or Location.ON_SITE
        fields["unregistered_count"] = fields.get("unregistered_count") or 0
        pole = fields.get("pole")

        session = None
        identifier = str(cell("id") or "").strip()
        if identifier:
            pk = record_id(identifier)
            session = self.catalogue.session(pk) if pk is not None else None
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

        actor = None
        if is_empty(cell("actor")):
            fail("actor", _("indiquez la structure (son nom ou son SIRET)"))
        else:
            actor = self.catalogue.actor(cell("actor"))
            if actor is None:
                fail(
                    "actor",
                    _("« %(value)s » n'est pas une de vos structures (nom ou SIRET)")
                    % {"value": cell("actor")},
                )
        fields["actor"] = actor
        fields["place"] = None
        if not is_empty(cell("place")) and actor is not None:
            fields["place"] = self.catalogue.place(actor, cell("place"))
            if fields["place"] is None:
                fail(
                    "place",
                    _("« %(value)s » n'est pas un lieu de %(actor)s")
                    % {"value": cell("place"), "actor": actor.name},
                )
        topics = []
        for name in split_values(cell("topics")):
            topic = self.catalogue.topic(pole, name) if pole else None
            if topic is None:
                fail(
                    "topics",
                    _("thématique inconnue pour ce pôle : « %(value)s »") % {"value": name},
                )
            topics.append(topic)
        fields["module"] = None
        if not is_empty(cell("module")):
            fields["module"] = self.catalogue.module(cell("module"))
            if fields["module"] is None:
                fail(
                    "module",
                    _("module inconnu ou d'une autre structure : « %(value)s »")
                    % {"value": cell("module")},
                )

        outcomes = self.outcomes(row, fields.get("module"), fail, updating=session is not None)
        if not errors:
            try:
                services.session_check(fields, outcomes, today=self.today)
            except ValidationError as error:
                errors[NON_FIELD_ERRORS] = error.messages
        if not errors and session is None:
            key = (
                fields["date"],
                fields["start_time"],
                actor.pk,
                fields["pole"],
                fields["workshop_title"],
                tuple(o.resident.pk for o in outcomes),
            )
            if key in self.seen_keys:
                errors[NON_FIELD_ERRORS] = [
                    _("ligne en double : même accompagnement qu'à la ligne %(line)s")
                    % {"line": self.seen_keys[key] + 1}
                ]
            self.seen_keys.setdefault(key, line)
        if errors:
            raise ValidationError(errors)
        return services.ImportedSession(
            fields=fields, topics=topics, outcomes=outcomes, session=session
        )

    def outcomes(self, row, module, fail, *, updating=False):
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
        operators = aligned("operator", self.operator)
        results = aligned("paperwork_result", self.result_widget.clean)
        reasons = aligned("blocked_reason", self.reason_widget.clean)
        levels = aligned("levels", lambda value: self.levels(value, module))
        outcomes = []
        for index, reference in enumerate(references):
            if normalised(reference) == normalised(NOT_SHARED_CELL):
                # Someone the importer may not see: the session keeps them as they are
                # (services.hidden_outcomes); a new session cannot name them.
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
            resident = self.catalogue.resident(reference) if reference else None
            if resident is None:
                fail(
                    "participants",
                    _("aucune fiche accessible n'a la référence « %(ref)s »") % {"ref": reference},
                )
                continue
            if results[index] == PaperworkResult.BLOCKED and not reasons[index]:
                fail("blocked_reason", _("indiquez ce qui bloque la démarche"))
            outcomes.append(
                services.Outcome(
                    resident=resident,
                    autonomy=autonomies[index],
                    operator=operators[index],
                    paperwork_result=results[index] or "",
                    blocked_reason=reasons[index] or "",
                    levels=levels[index] or {},
                )
            )
        return outcomes

    @staticmethod
    def autonomy(value):
        text = normalised(value)
        if text in {"1", "2", "3"}:
            return int(text)
        if text in autonomy_words():
            return autonomy_words()[text]
        raise ValueError(_("l'autonomie est 1, 2 ou 3, pas « %(value)s »") % {"value": value})

    def operator(self, value):
        found = self.catalogue.operator(value)
        if found is None:
            raise ValueError(_("organisme inconnu « %(value)s »") % {"value": value})
        return found

    def levels(self, value, module):
        """ "4.1=3 4.2=2": levels reached on competences of the session's module."""
        targets = {t.competence.code: t.competence for t in module.targets.all()} if module else {}
        levels = {}
        for item in re.split(r"[\s,;]+", value.strip()):
            code, _sep, level = item.partition("=")
            if code not in targets:
                raise ValueError(
                    _("la compétence « %(code)s » ne fait pas partie du module de la séance")
                    % {"code": code}
                )
            if not level.isdigit() or not Level.MIN <= int(level) <= Level.MAX:
                raise ValueError(
                    _("niveau de %(code)s : de 1 à 8 (écrivez %(code)s=3)") % {"code": code}
                )
            levels[targets[code]] = int(level)
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
        for o in item.outcomes
    ]
    new_levels = {
        o.resident.pk: {c.pk: level for c, level in o.levels.items()}
        for o in item.outcomes
        if o.levels
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
        return self.catalogue().session(pk) if pk is not None else None

    def catalogue(self, rows=None):
        if self.reader is None:
            self.reader = SessionReader(
                self.user, Catalogue(self.user, rows=rows), today=self.today
            )
        return self.reader.catalogue

    def import_instance(self, instance, row, **kwargs):
        self.catalogue()
        item = self.reader.read(row, kwargs.get("row_number", 0))
        for name, value in item.fields.items():
            setattr(instance, name, value)
        instance._imported = item

    def save_instance(self, instance, is_create, row, **kwargs):
        if kwargs.get("dry_run"):
            return
        item = instance._imported
        if is_create:
            session, _created = services.session_create(
                by=self.user, outcomes=item.outcomes, topics=item.topics, **item.fields
            )
            instance.pk = session.pk
        else:
            services.session_update(
                session=item.session,
                by=self.user,
                outcomes=item.outcomes,
                topics=item.topics,
                **item.fields,
            )

    def save_m2m(self, instance, row, **kwargs):
        pass  # topics are written by the services

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
        progress = Progress(self.progress, total=2 * len(dataset))
        rows = (dict(zip(headers, values, strict=False)) for values in dataset)
        self.reader = SessionReader(self.user, Catalogue(self.user, rows=rows), today=self.today)
        items = []
        for number, values in enumerate(dataset, 1):
            row = dict(zip(headers, values, strict=False))
            row_result = RowResult()
            row_result.number = number
            try:
                item = self.reader.read(row, number)
            except ValidationError as error:
                row_result.import_type = RowResult.IMPORT_TYPE_INVALID
                row_result.validation_error = error
                result.append_invalid_row(number, row, error)
            else:
                if unchanged(item):
                    row_result.import_type = RowResult.IMPORT_TYPE_SKIP
                else:
                    row_result.import_type = (
                        RowResult.IMPORT_TYPE_NEW
                        if item.session is None
                        else RowResult.IMPORT_TYPE_UPDATE
                    )
                    items.append(item)
                row_result.object_id = item.session.pk if item.session else None
                if number <= PREVIEW_ROWS:
                    row_result.object_repr = describe(item)
            result.increment_row_result_total(row_result)
            if number <= PREVIEW_ROWS or not row_result.is_valid():
                result.append_row_result(row_result)
            if number % 1000 == 0:
                progress(number)
        progress(len(dataset))
        if not dry_run and not result.has_validation_errors() and items:
            written = len(dataset)
            services.sessions_import(
                by=self.user,
                sessions=items,
                progress=lambda done: progress(written + done),
            )
        return result


# Rows of a preview kept in the result (every error is kept).
PREVIEW_ROWS = 200


def describe(item):
    fields = item.fields
    label = f"{fields['date']:%d/%m/%Y} — {fields['actor'].name} — {Pole(fields['pole']).label}"
    if item.outcomes:
        label += " — " + ", ".join(o.resident.reference for o in item.outcomes[:5])
    return label
