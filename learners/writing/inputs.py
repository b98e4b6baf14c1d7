"""The plain input of the write path: what every front end reads its syntax into, the
field list of a session (once), the checked draft and the errors."""

import dataclasses
import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from learners.models import (
    Location,
    Session,
    SessionFormat,
)

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
    consent: bool = False  # to sharing in the network
    across_towns: bool = False  # to being followed in the neighbouring towns too
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
