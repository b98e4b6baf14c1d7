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

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import IntegrityError
from django.utils.translation import gettext as _

from learners.models import Session
from learners.writing.assessments import (
    AssessmentErrors,
    AssessmentInput,
    AssessmentResolver,
    assessment_save,
    assessments_write,
)
from learners.writing.choices import SessionChoices, folded
from learners.writing.inputs import (
    EARLIEST_DATE,
    RELATED_FIELDS,
    SESSION_FIELDS,
    NewPerson,
    Outcome,
    ParticipantInput,
    SessionDraft,
    SessionErrors,
    SessionInput,
    session_values,
)
from learners.writing.resolver import (
    SessionResolver,
    adapt_hidden,
    default_operator,
    hidden_outcomes,
    new_person_problems,
    with_hidden,
)
from learners.writing.writer import FirstVisits, sessions_write

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


__all__ = [
    "AssessmentErrors",
    "AssessmentInput",
    "AssessmentResolver",
    "EARLIEST_DATE",
    "FirstVisits",
    "RELATED_FIELDS",
    "SESSION_FIELDS",
    "NewPerson",
    "Outcome",
    "ParticipantInput",
    "SessionChoices",
    "SessionDraft",
    "SessionErrors",
    "SessionInput",
    "SessionResolver",
    "adapt_hidden",
    "assessment_save",
    "assessments_write",
    "default_operator",
    "folded",
    "hidden_outcomes",
    "new_person_problems",
    "session_save",
    "session_values",
    "sessions_write",
    "with_hidden",
]
