"""The one write path of sessions: plain input, one resolver, one writer.

Every front end (the page's form, the API, spreadsheet imports, the demo, and the paths to
come: workshop sign-ups, activity reports of other tools) only parses its own syntax into
a SessionInput, then calls

    session_save(SessionInput(...), by=user)            # one session, new or changed
    SessionResolver(user).resolve_many(inputs)           # many, then sessions_write(drafts)

SessionResolver looks up what the input names (ids, names or references, or the records
themselves), applies every default (structure, operator of the paperwork topic) and every
rule, and returns a checked SessionDraft or raises SessionErrors: French messages keyed by
field (and by participant), which each front end attaches its own way. sessions_write()
stores drafts in bulk and ends with participations_changed().
"""

import dataclasses
import datetime
import functools
import json
from functools import cached_property
from itertools import batched

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, connections, models, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from learners.models import (
    CompetenceAssessment,
    Gender,
    Location,
    PaperworkResult,
    Participation,
    Resident,
    Session,
    SessionFormat,
    SocialStatus,
    normalise,
    resident_visibility,
)
from pathway import communes
from pathway.models import (
    Actor,
    Level,
    Module,
    ModuleCompetence,
    Neighbourhood,
    Operator,
    Place,
    Pole,
    Topic,
)
from pathway.sorting import Alphabetical

# The fields of a session that a front end writes, once for every path: the form, the API
# (input and output), the import and export, the writer.
SESSION_FIELDS = (
    "date",
    "start_time",
    "duration_minutes",
    "format",
    "actor",
    "location",
    "place",
    "pole",
    "module",
    "equipment",
    "workshop_title",
    "workshop_level",
    "unregistered_count",
    "notes",
    "procedure_name",
    "redirected",
    "redirection_kind",
    "external_ref",
    "anonymous_participants",
)
RELATED_FIELDS = ("actor", "place", "module")
EARLIEST_DATE = datetime.date(2000, 1, 1)


def session_values(session):
    """The SESSION_FIELDS of a stored session, related records as their ids."""
    return {
        name: getattr(session, f"{name}_id" if name in RELATED_FIELDS else name)
        for name in SESSION_FIELDS
    }


# Plain input ----------------------------------------------------------------------------


@dataclasses.dataclass
class NewPerson:
    """A participant without a record yet."""

    first_name: str = ""
    last_name: str = ""
    birth_year: int | None = None
    neighbourhood: object = None  # Neighbourhood, its id or its name
    gender: str = ""  # learners.models.Gender; empty: not stated
    social_status: str = ""  # learners.models.SocialStatus; empty: not stated
    commune: object = None  # pathway.communes.Commune, or its INSEE code
    consent: bool = False
    confirm_new: bool = False  # create even if a likely duplicate exists


@dataclasses.dataclass
class ParticipantInput:
    """One participant and what came of it. `resident`: a Resident (saved, or new to create
    with the session), its id (int), its reference (str), or a NewPerson."""

    resident: object = None
    autonomy: int | None = None
    operator: object = None  # Operator, its id or its name; paperwork only
    paperwork_result: str = ""
    blocked_reason: str = ""
    # competence (Competence, its id or its code) -> level reached (1–8)
    levels: dict = dataclasses.field(default_factory=dict)


# What services.session_create() has always taken.
Outcome = ParticipantInput


@dataclasses.dataclass
class SessionInput:
    """A session as a front end read it; names and ids not yet looked up. `actor` None:
    the user's default structure."""

    date: datetime.date | None = None
    start_time: datetime.time | None = None
    duration_minutes: int | None = None
    format: str = SessionFormat.INDIVIDUAL
    actor: object = None
    location: str = Location.ON_SITE
    place: object = None
    pole: str | None = None
    module: object = None
    equipment: list = dataclasses.field(default_factory=list)
    workshop_title: str = ""
    workshop_level: str = ""
    unregistered_count: int = 0
    notes: str = ""
    procedure_name: str = ""
    redirected: bool | None = None
    redirection_kind: str = ""
    external_ref: str | None = None  # None: the session's own, kept as it is
    # None: the session's own, kept as it is; else [{autonomy, gender, age_band,
    # social_status, commune_insee, commune_postcode, commune_name}] of people without a
    # record, each counted in unregistered_count.
    anonymous_participants: list | None = None
    topics: list = dataclasses.field(default_factory=list)
    participants: list = dataclasses.field(default_factory=list)
    submission_key: object = None

    @classmethod
    def of(cls, session, *, participants=(), topics=None):
        """The input that would write `session` as it is (topics from the prefetch)."""
        return cls(
            **session_values(session),
            topics=[t.pk for t in session.topics.all()] if topics is None else topics,
            participants=list(participants),
        )


@dataclasses.dataclass
class SessionDraft:
    """A checked session, ready for sessions_write(): `session` is the one it replaces."""

    fields: dict
    topics: list
    outcomes: list  # ParticipantInput with records (Resident, Operator, Competence)
    session: Session | None = None
    submission_key: object = None


class SessionErrors(ValidationError):
    """Why a session cannot be written: `fields` {field or NON_FIELD_ERRORS: [messages]},
    `participants` {index: {field: [messages]}} (index in the input's participants)."""

    def __init__(self, fields, participants=None, duplicates=None):
        self.fields, self.participants = fields, participants or {}
        # {index: [Resident]}: the likely duplicates of the new people refused
        self.duplicates = duplicates or {}
        every = [m for ms in fields.values() for m in ms]
        every += [m for p in self.participants.values() for ms in p.values() for m in ms]
        super().__init__(every)

    def for_api(self):
        """{field: [...], "participants": {index: {field: [...]}}}, NON_FIELD_ERRORS as
        DRF's non_field_errors."""
        from rest_framework.settings import api_settings

        errors = {
            api_settings.NON_FIELD_ERRORS_KEY if k == NON_FIELD_ERRORS else k: v
            for k, v in self.fields.items()
        }
        if self.participants:
            errors["participants"] = self.participants
        return errors


class Problems:
    def __init__(self):
        self.fields, self.participants, self.duplicates = {}, {}, {}

    def add(self, field, message, *, index=None):
        if index is None:
            target = self.fields.setdefault(field, [])
        else:
            target = self.participants.setdefault(index, {}).setdefault(field, [])
        if str(message) not in target:
            target.append(str(message))

    def __bool__(self):
        return bool(self.fields or self.participants)

    def raise_if_any(self):
        if self:
            raise SessionErrors(self.fields, self.participants, self.duplicates)


# What a user may pick -------------------------------------------------------------------


# Names repeat from one row of a file to the next: each is folded once.
folded = functools.lru_cache(maxsize=8192)(normalise)


def is_record(value):
    return isinstance(value, models.Model)


class SessionChoices:
    """What a staff member may name when writing a session, each list read once (per
    request, or per import): by id, by name (folded accents and case), or as records."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def actors(self):
        actors = Actor.objects.active().order_by(Alphabetical("name"), "pk")
        if not self.user.is_network_admin:
            actors = actors.filter(pk__in=self.user.actor_ids)
        return list(actors)

    @cached_property
    def places(self):
        return list(
            Place.objects.filter(actor__in=[a.pk for a in self.actors], is_active=True).order_by(
                Alphabetical("name"), "pk"
            )
        )

    @cached_property
    def topics(self):
        return list(Topic.objects.filter(is_active=True).order_by("pole", Alphabetical("name")))

    @cached_property
    def modules(self):
        """Network-wide modules and those of the user's actors, with their competences."""
        modules = (
            Module.objects.active()
            .order_by(Alphabetical("name"), "pk")
            .prefetch_related(
                Prefetch("targets", queryset=ModuleCompetence.objects.select_related("competence"))
            )
        )
        if not self.user.is_network_admin:
            modules = modules.filter(Q(actor__isnull=True) | Q(actor__in=self.user.actor_ids))
        return list(modules)

    @cached_property
    def operators(self):
        return list(Operator.objects.order_by(Alphabetical("name"), "pk"))

    @cached_property
    def neighbourhoods(self):
        return list(Neighbourhood.objects.order_by(Alphabetical("name"), "pk"))

    # Choices of the form's participant rows, built once for all the rows.
    def get_neighbourhood_choices(self):
        return [("", _("Non renseigné"))] + [(n.pk, n.name) for n in self.neighbourhoods]

    def get_operator_choices(self):
        return [("", _("Non renseigné"))] + [(o.pk, o.name) for o in self.operators]

    @staticmethod
    def by_pk(objects):
        return {o.pk: o for o in objects}

    def module_competences(self):
        """For the page's script: the competences of each module, to draw level fields."""
        return {
            str(module.pk): [
                {
                    "id": t.competence_id,
                    "code": t.competence.code,
                    "name": t.competence.name,
                    "target": t.target_level,
                }
                for t in module.targets.all()
            ]
            for module in self.modules
        }

    def default_actor(self):
        """The structure a session or a record goes to when none is named: the user's
        first structure by name (the first one a network admin may pick otherwise)."""
        own = self.user.actor_ids
        return next((a for a in self.actors if a.pk in own), None) or next(iter(self.actors), None)

    def _index(self, kind):
        """{id or folded name (or SIRET): record} of one kind, built when first needed."""
        indexes = self.__dict__.setdefault("_indexes", {})
        if kind in indexes:
            return indexes[kind]
        found = indexes[kind] = {}
        if kind == "places":
            for place in self.places:
                found[(place.actor_id, place.pk)] = place
                found.setdefault((place.actor_id, normalise(place.name)), place)
        elif kind == "topics":
            for topic in self.topics:
                found[topic.pk] = topic
                found.setdefault((topic.pole, normalise(topic.name)), topic)
                found.setdefault(normalise(topic.name), topic)
        else:
            for item in getattr(self, kind):
                found[item.pk] = item
                found.setdefault(normalise(item.name), item)
                if getattr(item, "siret", ""):
                    found.setdefault(item.siret, item)
        return found

    @staticmethod
    def _key(value):
        return value if isinstance(value, int) else folded(str(value))

    def find(self, kind, value):
        """The actor, module, operator or neighbourhood `value` names (None: unknown, or not
        the user's to pick). A record is taken as it is: its caller checked it."""
        if is_record(value):
            return value
        found = self._index(kind).get(self._key(value))
        if found is None and kind == "actors" and isinstance(value, str):
            found = self._index(kind).get("".join(value.split()))  # a SIRET with spaces
        return found

    def place(self, actor, value):
        if is_record(value):
            return value
        return self._index("places").get((actor.pk, self._key(value)))

    def topic(self, pole, value):
        """The topic `value` names, of `pole` if there are namesakes."""
        if is_record(value):
            return value
        if isinstance(value, int):
            return self._index("topics").get(value)
        key = folded(str(value))
        return self._index("topics").get((pole, key)) or self._index("topics").get(key)

    def residents(self, values):
        """{value: Resident} for the ids and references among `values` that the user may
        see, a few queries whatever their number."""
        ids = {v for v in values if isinstance(v, int)}
        references = {v.strip().upper() for v in values if isinstance(v, str)}
        allowed = resident_visibility(self.user)
        found = {}
        if allowed is None:
            return found
        for batch in batched(sorted(ids), 2000):
            found |= {r.pk: r for r in Resident.objects.filter(allowed, pk__in=batch)}
        for batch in batched(sorted(references), 2000):
            found |= {r.reference: r for r in Resident.objects.filter(allowed, reference__in=batch)}
        return found


# The resolver ---------------------------------------------------------------------------


def default_operator(topics):
    """The operator of the paperwork topics named, when there is exactly one."""
    operators = {t.operator_id for t in topics if t.operator_id}
    return operators.pop() if len(operators) == 1 else None


def new_person_problems(person, *, user, add):
    """The rules of a new record, one place for the session paths, the resident page and
    the API: a first name needs a last name, a birth year is not in the future, and a
    likely duplicate (Resident.likely_duplicates) is proposed unless the person was
    confirmed as new. `add(field, message)`; returns the likely duplicates."""
    first, last = person.first_name.strip(), person.last_name.strip()
    if first and not last:
        add(
            "last_name",
            _("Nom manquant : indiquez le nom de famille de %(first)s.") % {"first": first},
        )
    if person.birth_year is not None and person.birth_year > timezone.localdate().year:
        add("birth_year", _("L'année de naissance ne peut pas être dans le futur."))
    if person.confirm_new or not (first or last):
        return []
    return list(
        Resident.objects.visible_to(user)
        .likely_duplicates(first_name=first, last_name=last, birth_year=person.birth_year)
        .select_related("neighbourhood", "created_by_actor")[:5]
    )


class SessionResolver:
    """Checks SessionInputs for `user` and turns them into SessionDrafts. One instance
    serves a request, or a whole import (every list is read once)."""

    def __init__(self, user, *, today=None, choices=None):
        self.user = user
        self.today = today or timezone.localdate()
        self.choices = choices or SessionChoices(user)

    def resolve(self, data, *, session=None):
        """The draft of `data` (replacing `session` if given); raises SessionErrors."""
        [result] = self.resolve_many([(data, session)])
        if isinstance(result, SessionErrors):
            raise result
        return result

    def resolve_many(self, items):
        """[(SessionInput, session or None)] → [SessionDraft or SessionErrors], residents
        looked up for all of them at once."""
        named = [
            p.resident
            for data, _session in items
            for p in data.participants
            if isinstance(p.resident, int | str)
        ]
        residents = self.choices.residents(named) if named else {}
        changed = [session.pk for _data, session in items if session is not None]
        hidden = hidden_outcomes(changed, by=self.user) if changed else {}
        results = []
        for data, session in items:
            try:
                draft = self._resolve(data, session, residents)
                if session is not None:
                    draft.outcomes = with_hidden(
                        draft.outcomes, adapt_hidden(hidden.get(session.pk, []), draft.fields)
                    )
                    self.check_rules(draft)
                results.append(draft)
            except SessionErrors as errors:
                results.append(errors)
        return results

    def _resolve(self, data, session, residents):
        problems, choices = Problems(), self.choices
        add = problems.add
        fields = {name: getattr(data, name) for name in SESSION_FIELDS}
        pole = fields["pole"]
        fields["format"] = fields["format"] or SessionFormat.INDIVIDUAL
        fields["location"] = fields["location"] or Location.ON_SITE
        fields["unregistered_count"] = fields["unregistered_count"] or 0
        fields["equipment"] = list(fields["equipment"] or [])
        for name in ("workshop_title", "workshop_level", "notes", "procedure_name"):
            fields[name] = fields[name] or ""
        fields["redirection_kind"] = fields["redirection_kind"] or ""
        if fields["redirection_kind"] and fields["redirected"] is None:
            fields["redirected"] = True
        if fields["anonymous_participants"] is None:
            fields["anonymous_participants"] = (
                session.anonymous_participants if session is not None else []
            )
        fields["unregistered_count"] = max(
            fields["unregistered_count"], len(fields["anonymous_participants"])
        )
        if fields["external_ref"] is None:
            fields["external_ref"] = session.external_ref if session is not None else ""
        if fields["redirection_kind"] and fields["redirected"] is False:
            add(
                "redirection_kind",
                _("La structure de réorientation va avec une personne réorientée."),
            )
        if fields["date"] is None:
            add("date", _("Indiquez la date."))
        if fields["duration_minutes"] is None:
            add("duration_minutes", _("Indiquez la durée en minutes."))
        if not pole:
            add("pole", _("Choisissez le pôle."))

        if data.actor is None:
            actor = choices.default_actor()
            if actor is None:
                add("actor", _("Votre compte n'est rattaché à aucune structure."))
        else:
            actor = choices.find("actors", data.actor)
            if actor is None:
                add("actor", self.unknown("actor", data.actor))
        fields["actor"] = actor
        place = None
        if data.place not in (None, "") and actor is not None:
            place = choices.place(actor, data.place)
            if place is None:
                add("place", self.unknown("place", data.place, actor=actor))
        fields["place"] = place

        topics, unknown = [], []
        for value in dict.fromkeys(data.topics):
            topic = choices.topic(pole, value)
            if topic is None:
                unknown.append(value)
            elif topic not in topics:
                topics.append(topic)
        if unknown:
            add("topics", self.unknown("topics", unknown))
        elif pole and (wrong := [t.name for t in topics if t.pole != pole]):
            add(
                "topics",
                _("Ces thématiques ne vont pas avec le pôle choisi : %(topics)s.")
                % {"topics": ", ".join(wrong)},
            )
        module = None
        if data.module not in (None, ""):
            module = choices.find("modules", data.module)
            if module is None:
                add("module", self.unknown("module", data.module))
        fields["module"] = module

        targets = {}
        for target in module.targets.all() if module else ():
            targets[target.competence_id] = targets[target.competence.code] = target.competence
        operator_default = default_operator(topics) if pole == Pole.NECESSITY else None
        outcomes = []
        for index, participant in enumerate(data.participants):
            outcome = self.participant(
                participant, index, residents, targets, operator_default, problems
            )
            if outcome is not None:
                outcomes.append(outcome)
        problems.raise_if_any()
        draft = SessionDraft(
            fields=fields,
            topics=topics,
            outcomes=outcomes,
            session=session,
            submission_key=data.submission_key,
        )
        if session is None:
            self.check_rules(draft)
        return draft

    def participant(self, participant, index, residents, targets, operator_default, problems):
        def add(field, message):
            problems.add(field, message, index=index)

        value = participant.resident
        if isinstance(value, NewPerson):
            resident, alike = self.new_resident(value, add)
            if alike:
                problems.duplicates[index] = alike
        elif is_record(value):
            resident = value
        else:
            key = value.strip().upper() if isinstance(value, str) else value
            resident = residents.get(key)
            if resident is None:
                add("resident", self.unknown("resident", value))
        operator = participant.operator
        if operator not in (None, ""):
            operator = self.choices.find("operators", operator)
            if operator is None:
                add("operator", self.unknown("operator", participant.operator))
        else:
            operator = None
        if operator is None and operator_default is not None:
            operator = self.choices.find("operators", operator_default)
        if participant.paperwork_result == PaperworkResult.BLOCKED and not (
            participant.blocked_reason
        ):
            add("blocked_reason", _("Indiquez ce qui bloque la démarche."))
        levels = {}
        for competence, level in participant.levels.items():
            key = (
                competence if isinstance(competence, str) else getattr(competence, "pk", competence)
            )
            found = targets.get(key)
            if found is None:
                code = (
                    competence
                    if isinstance(competence, str)
                    else getattr(competence, "code", competence)
                )
                add(
                    "levels",
                    _("La compétence %(code)s ne fait pas partie du module choisi.")
                    % {"code": code},
                )
            elif not Level.MIN <= level <= Level.MAX:
                add("levels", _("Un niveau de compétence va de 1 à 8."))
            else:
                levels[found] = level
        if resident is None:
            return None
        return ParticipantInput(
            resident=resident,
            autonomy=participant.autonomy,
            operator=operator,
            paperwork_result=participant.paperwork_result or "",
            blocked_reason=participant.blocked_reason or "",
            levels=levels,
        )

    def new_resident(self, person, add):
        neighbourhood = None
        if person.neighbourhood not in (None, ""):
            neighbourhood = self.choices.find("neighbourhoods", person.neighbourhood)
            if neighbourhood is None:
                add("neighbourhood", _("Quartier inconnu."))
        commune = person.commune or None
        if commune is not None and not isinstance(commune, communes.Commune):
            commune = communes.get(str(commune))
            if commune is None:
                add(
                    "commune",
                    _("Code INSEE de commune inconnu : %(code)s.") % {"code": person.commune},
                )
        if not person.first_name.strip() and not person.last_name.strip():
            # A participant is someone: an anonymous record is made on the resident page.
            add(
                "new_resident",
                _("Indiquez au moins le nom ou le prénom de la nouvelle personne."),
            )
        alike = new_person_problems(person, user=self.user, add=add)
        if alike:
            add(
                "duplicates",
                _(
                    "Cette personne a peut-être déjà une fiche (%(references)s). Choisissez-la, "
                    "ou confirmez qu'il s'agit d'une autre personne."
                )
                % {"references": ", ".join(r.reference for r in alike)},
            )
            return None, alike
        resident = Resident(
            first_name=person.first_name.strip(),
            last_name=person.last_name.strip(),
            birth_year=person.birth_year,
            neighbourhood=neighbourhood,
            gender=person.gender or Gender.NOT_STATED,
            social_status=person.social_status or SocialStatus.NOT_STATED,
            commune_insee=commune.insee if commune else "",
            commune_postcode=commune.postcode if commune else "",
            commune_name=commune.name if commune else "",
        )
        if person.consent:
            resident.give_consent()
        return resident, []

    @staticmethod
    def unknown(kind, value, *, actor=None):
        """The message for something named that the user may not pick."""
        by_name = isinstance(value, str) or (
            isinstance(value, list) and any(isinstance(v, str) for v in value)
        )
        if kind == "actor":
            if by_name:
                return _("« %(value)s » n'est pas une de vos structures (nom ou SIRET)") % {
                    "value": value
                }
            return _("Choisissez une de vos structures (identifiant inconnu).")
        if kind == "place":
            if by_name:
                return _("« %(value)s » n'est pas un lieu de %(actor)s") % {
                    "value": value,
                    "actor": actor.name,
                }
            return _("Ce lieu n'est pas un lieu actif de la structure choisie.")
        if kind == "topics":
            if by_name:
                return _("Thématiques inconnues : %(names)s.") % {
                    "names": ", ".join(f"« {v} »" for v in value)
                }
            return _("Thématiques inconnues : %(ids)s.") % {"ids": value}
        if kind == "module":
            if by_name:
                return _("Module inconnu ou d'une autre structure : « %(value)s ».") % {
                    "value": value
                }
            return _("Module inconnu, inactif ou d'une autre structure.")
        if kind == "operator":
            if by_name:
                return _("Organisme inconnu « %(value)s ».") % {"value": value}
            return _("Organisme inconnu.")
        if kind == "resident":
            if isinstance(value, str):
                return _("Aucune fiche accessible n'a la référence « %(reference)s ».") % {
                    "reference": value
                }
            return _(
                "Une des personnes ajoutées n'existe pas ou ne vous est pas accessible. Rien "
                "n'a été enregistré : retirez-la et cherchez-la à nouveau."
            )
        raise ValueError(kind)

    def check_rules(self, draft):
        """The rules between the fields of a session and its participants (the lookups
        done). Raises SessionErrors with messages not tied to one field."""
        fields, outcomes = draft.fields, draft.outcomes
        errors = []
        if fields["date"] > self.today:
            errors.append(_("La date ne peut pas être dans le futur."))
        if fields["date"] < EARLIEST_DATE:
            errors.append(_("La date est trop ancienne : vérifiez l'année."))
        if not 0 < fields["duration_minutes"] <= Session.MAX_MINUTES:
            errors.append(_("La durée doit être comprise entre 1 minute et 12 heures."))
        place, actor = fields["place"], fields["actor"]
        if place is not None and (
            place.actor_id != actor.pk or fields["location"] != Location.ON_SITE
        ):
            errors.append(_("Le lieu choisi n'est pas un lieu de cette structure."))
        if fields["module"] is not None and fields["pole"] != Pole.ACHIEVEMENT:
            errors.append(_("Un module de formation ne va qu'avec le pôle accomplissement."))
        if fields["format"] != SessionFormat.COLLECTIVE and (
            fields["workshop_level"]
            or (fields["unregistered_count"] and not fields["anonymous_participants"])
        ):
            # People without a record in an individual session come only from another
            # tool's report (the Coop's beneficiaries without a name).
            errors.append(
                _("Le niveau et les participants non inscrits vont avec un atelier collectif.")
            )
        if not outcomes and not fields["unregistered_count"]:
            errors.append(
                _("Ajoutez au moins une personne, ou le nombre de participants non inscrits.")
            )
        seen = set()
        for outcome in outcomes:
            resident = outcome.resident
            key = resident.pk or id(resident)
            if key in seen:
                errors.append(
                    _("%(name)s figure deux fois dans la liste des participants.")
                    % {"name": resident.display_name}
                )
            seen.add(key)
            if fields["pole"] != Pole.NECESSITY and (outcome.paperwork_result or outcome.operator):
                errors.append(_("Le résultat d'une démarche va avec le pôle nécessité."))
            if outcome.blocked_reason and outcome.paperwork_result != PaperworkResult.BLOCKED:
                errors.append(_("La raison du blocage va avec une démarche bloquée."))
            if outcome.autonomy is not None and outcome.autonomy not in (1, 2, 3):
                errors.append(_("L'autonomie est 1, 2 ou 3."))
        if errors:
            raise SessionErrors({NON_FIELD_ERRORS: list(dict.fromkeys(map(str, errors)))})


def hidden_outcomes(sessions, *, by):
    """The participants of these sessions (ids) whom `by` may not see — a resident of
    another actor who withdrew their consent to sharing — as ParticipantInputs to write back
    as they are, {session id: [...]}: nobody changes or removes a person they cannot see,
    and the session's figures stay whole. The resolver adds them to every session it
    changes (adapt_hidden). Two queries."""
    condition = resident_visibility(by, "resident__")
    hidden = Participation.objects.filter(session_id__in=sessions).select_related(
        "resident", "operator"
    )
    if condition is not None:
        hidden = hidden.exclude(condition)
    hidden = list(hidden.order_by("id"))
    if not hidden:
        return {}
    levels = {}
    for assessment in CompetenceAssessment.objects.filter(
        session_id__in={p.session_id for p in hidden},
        resident_id__in={p.resident_id for p in hidden},
    ).select_related("competence"):
        levels.setdefault((assessment.session_id, assessment.resident_id), {})[
            assessment.competence
        ] = assessment.level
    found = {}
    for participation in hidden:
        found.setdefault(participation.session_id, []).append(
            ParticipantInput(
                resident=participation.resident,
                autonomy=participation.autonomy,
                operator=participation.operator,
                paperwork_result=participation.paperwork_result,
                blocked_reason=participation.blocked_reason,
                levels=levels.get((participation.session_id, participation.resident_id), {}),
            )
        )
    return found


def adapt_hidden(outcomes, fields):
    """Hidden participants (services.hidden_outcomes) adapted to a session's new fields:
    no paperwork outcome outside the necessity pole, no level the new module lacks."""
    necessity = fields["pole"] == Pole.NECESSITY
    module = fields["module"]
    targets = {t.competence_id for t in module.targets.all()} if module else set()
    return [
        dataclasses.replace(
            o,
            operator=o.operator if necessity else None,
            paperwork_result=o.paperwork_result if necessity else "",
            blocked_reason=o.blocked_reason if necessity else "",
            levels={c: level for c, level in o.levels.items() if c.pk in targets},
        )
        for o in outcomes
    ]


def with_hidden(outcomes, hidden):
    """`outcomes` and the hidden participants they do not already name."""
    named = {o.resident.pk for o in outcomes if o.resident.pk}
    return [*outcomes, *(o for o in hidden if o.resident.pk not in named)]


# The entry point --------------------------------------------------------------------------


def session_save(data, *, by, session=None, today=None, choices=None):
    """Write one session from any front end: THE public entry point for logging or
    changing a session (pages, API, imports, workshop attendance, other tools' reports).

    `data` is a SessionInput; `session` the session it replaces (the caller checked the
    user may change it). Returns (session, created). A new session posted again with the
    same `data.submission_key` by the same user returns the first one and writes nothing
    (created False). Raises SessionErrors (a ValidationError) with French messages keyed
    by field and by participant; nothing is written then."""
    resolver = SessionResolver(by, today=today, choices=choices)
    if session is None and data.submission_key is not None:
        first = Session.objects.posted(by=by, key=data.submission_key).first()
        if first is not None:
            return first, False
    if session is not None and not session.can_be_changed_by(by, today=resolver.today):
        raise SessionErrors(
            {NON_FIELD_ERRORS: [_("Cet accompagnement ne peut plus être modifié.")]}
        )
    draft = resolver.resolve(data, session=session)
    try:
        [written] = sessions_write([draft], by=by)
    except IntegrityError:
        # The same form posted twice at once by the same person: the first post wins.
        first = Session.objects.posted(by=by, key=data.submission_key).first()
        if session is not None or first is None:
            raise
        return first, False
    return written, session is None


# The writer -------------------------------------------------------------------------------

SESSION_ROW = [
    *(f"{name}_id" if name in RELATED_FIELDS else name for name in SESSION_FIELDS),
    "participant_count",
    "submission_key",
    "created_by_id",
    "created_at",
    "updated_at",
]
PARTICIPATION_ROW = [
    "session_id",
    "resident_id",
    "date",
    "pole",
    "actor_id",
    "autonomy",
    "operator_id",
    "paperwork_result",
    "blocked_reason",
    "is_first_visit",
]
ASSESSMENT_ROW = [
    "session_id",
    "resident_id",
    "competence_id",
    "level",
    "assessed_on",
    "assessed_by_id",
]
# Fewer rows than this go in with INSERT; more with PostgreSQL's COPY.
COPY_FROM = 200


def sessions_write(drafts, *, by, batch_size=5000, progress=None, refresh=True):
    """Store checked drafts (SessionResolver), new sessions and changed ones, with their
    topics, participants (creating the new residents), outcomes and levels: a few bulk
    statements per batch, in one transaction, then participations_changed() once for every
    resident concerned (`refresh` False: the caller calls it, after its last batch, with
    the ids returned in `.resident_ids` of the result). Returns the sessions written, in
    order (new ones as unsaved-looking records with their id)."""
    with transaction.atomic():
        written, resident_ids = _write(drafts, by=by, batch_size=batch_size, progress=progress)
        if refresh:
            from learners.services import participations_changed

            participations_changed(resident_ids)
    written = WrittenSessions(written)
    written.resident_ids = resident_ids
    return written


class WrittenSessions(list):
    resident_ids = ()


def _write(drafts, *, by, batch_size, progress):
    resident_ids, written, done = set(), [], 0
    for batch in batched(drafts, batch_size):
        now = timezone.now()
        changed = [d for d in batch if d.session is not None]
        if changed:
            pks = [d.session.pk for d in changed]
            resident_ids |= set(
                Participation.objects.filter(session_id__in=pks).values_list(
                    "resident_id", flat=True
                )
            )
            CompetenceAssessment.objects.filter(session_id__in=pks).delete()
            Participation.objects.filter(session_id__in=pks).delete()
            Session.topics.through.objects.filter(session_id__in=pks).delete()
            for draft in changed:
                for name, value in draft.fields.items():
                    setattr(draft.session, name, value)
                draft.session.participant_count = len(draft.outcomes)
                draft.session.updated_at = now
            Session.objects.bulk_update(
                [d.session for d in changed],
                [*SESSION_FIELDS, "participant_count", "updated_at"],
            )
        new = [d for d in batch if d.session is None]
        rows = [_session_row(d, by=by, now=now) for d in new]
        new_pks = _insert_sessions(rows)
        _insert(
            Session.mediators.through, ["session_id", "user_id"], [(pk, by.pk) for pk in new_pks]
        )
        for draft, pk, row in zip(new, new_pks, rows, strict=True):
            draft.session = pk  # an id only: 100,000 records would weigh on an import
            if len(new) < COPY_FROM:
                draft.session = Session(pk=pk, **dict(zip(SESSION_ROW, row, strict=True)))
                draft.session._state.adding = False
                draft.session._state.db = Session.objects.db
        people = [
            o.resident.prepare()
            for d in batch
            for o in d.outcomes
            if isinstance(o.resident, Resident) and o.resident.pk is None
        ]
        if people:
            for draft in batch:
                for outcome in draft.outcomes:
                    if outcome.resident.pk is None:
                        outcome.resident.created_by_actor = draft.fields["actor"]
                        outcome.resident.created_by = by
            Resident.objects.bulk_create(people)
        topics, participations, assessments = [], [], []
        for draft in batch:
            pk = getattr(draft.session, "pk", draft.session)
            fields = draft.fields
            topics += [(pk, topic.pk) for topic in draft.topics]
            necessity = fields["pole"] == Pole.NECESSITY
            for outcome in draft.outcomes:
                resident = outcome.resident.pk
                resident_ids.add(resident)
                participations.append(
                    (
                        pk,
                        resident,
                        fields["date"],
                        fields["pole"],
                        fields["actor"].pk,
                        outcome.autonomy,
                        outcome.operator.pk if necessity and outcome.operator else None,
                        outcome.paperwork_result if necessity else "",
                        outcome.blocked_reason if necessity else "",
                        False,
                    )
                )
                assessments += [
                    (pk, resident, competence.pk, level, fields["date"], by.pk)
                    for competence, level in outcome.levels.items()
                ]
        _insert(Session.topics.through, ["session_id", "topic_id"], topics)
        _insert(Participation, PARTICIPATION_ROW, participations)
        _insert(CompetenceAssessment, ASSESSMENT_ROW, assessments)
        written += [d.session for d in batch]
        done += len(batch)
        if progress:
            progress(done)
    return written, resident_ids


def _session_row(draft, *, by, now):
    fields = draft.fields
    return (
        *(
            value.pk if name in RELATED_FIELDS and value is not None else value
            for name, value in ((n, fields[n]) for n in SESSION_FIELDS)
        ),
        len(draft.outcomes),
        draft.submission_key,
        by.pk,
        now,
        now,
    )


def _insert_sessions(rows):
    """Insert sessions (tuples of SESSION_ROW); returns their ids, in order."""
    if not rows:
        return []
    if connection.vendor != "postgresql" or len(rows) < COPY_FROM:
        return _insert_rows(Session, SESSION_ROW, rows, returning=True)
    # COPY returns no ids: take them from the table's sequence first.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Session._meta.db_table, len(rows)],
        )
        pks = [pk for (pk,) in cursor.fetchall()]
    lists = {SESSION_ROW.index("equipment"), SESSION_ROW.index("anonymous_participants")}
    _insert(
        Session,
        ["id", *SESSION_ROW],
        [
            (pk, *(json.dumps(value) if i in lists else value for i, value in enumerate(row)))
            for pk, row in zip(pks, rows, strict=True)
        ],
    )
    return pks


def _insert(model, names, rows):
    """Insert rows (tuples of the values of the fields `names`) into `model`'s table:
    PostgreSQL's COPY for many rows, the fastest way in, or multi-row INSERTs."""
    if not rows:
        return
    if connection.vendor != "postgresql" or len(rows) < COPY_FROM:
        _insert_rows(model, names, rows)
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    with connection.cursor() as cursor:
        statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


# Column types whose Python values the database drivers take as they are.
PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}
# Values in one INSERT statement (SQLite takes 32,766 since 3.32).
MAX_PARAMS = 30_000


def _insert_rows(model, names, rows, *, returning=False):
    """INSERT rows in a few multi-row statements, values prepared once per column (no
    model instances: the ORM's bulk_create spent most of an import's time building
    them); returns the new ids when `returning`."""
    fields = [model._meta.get_field(name) for name in names]
    db = connections[model.objects.db]
    convert = [_converter(field, db) for field in fields]
    if any(convert):
        rows = [
            tuple(
                value if c is None or value is None else c(value)
                for c, value in zip(convert, row, strict=True)
            )
            for row in rows
        ]
    quote = db.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(names)) + ")"
    pks = []
    with db.cursor() as wrapper:
        # The driver's cursor (Django's own for SQLite, which reads %s): with DEBUG, the
        # wrapper would also write out every value of these long statements.
        cursor = wrapper.cursor
        for chunk in batched(rows, max(1, MAX_PARAMS // len(names))):
            statement = f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))}"
            if returning:
                statement += f" RETURNING {quote(model._meta.pk.column)}"
            cursor.execute(statement, [value for row in chunk for value in row])
            if returning:
                pks += [pk for (pk,) in cursor.fetchall()]
    return pks


def _converter(field, db):
    """What turns a Python value of `field` into what the driver takes (None: as it is)."""
    kind = field.get_internal_type()
    if kind in PLAIN_TYPES:
        return None
    adapt = {
        "DateField": db.ops.adapt_datefield_value,
        "TimeField": db.ops.adapt_timefield_value,
        "DateTimeField": db.ops.adapt_datetimefield_value,
    }.get(kind)
    if adapt is not None:
        return adapt
    return functools.partial(field.get_db_prep_save, connection=db)
