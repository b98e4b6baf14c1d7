"""The one writer: stores checked drafts in bulk, then participations_changed()."""

import functools
import json
from itertools import batched

from django.db import connection, connections, transaction
from django.db.models import Min
from django.utils import timezone

from learners.models import (
    CompetenceAssessment,
    Participation,
    Resident,
    Session,
)
from learners.writing.inputs import (
    RELATED_FIELDS,
    SESSION_FIELDS,
)
from pathway.models import (
    Pole,
)

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
    "created_by_id",
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


def sessions_write(drafts, *, by, batch_size=5000, progress=None, refresh=True, visits=None):
    """Store checked drafts (SessionResolver), new sessions and changed ones, with their
    topics, participants (creating the new residents), outcomes and levels: a few bulk
    statements per batch, in one transaction, then participations_changed() once for every
    resident concerned (`refresh` False: the caller calls it, after its last batch, with
    the ids returned in `.resident_ids` of the result; and passes the same FirstVisits as
    `visits` to each call). Returns the sessions written, in order (new ones as
    unsaved-looking records with their id)."""
    with transaction.atomic():
        written, resident_ids = _write(
            drafts, by=by, batch_size=batch_size, progress=progress, visits=visits or FirstVisits()
        )
        if refresh:
            from learners.services import participations_changed

            participations_changed(resident_ids)
    written = WrittenSessions(written)
    written.resident_ids = resident_ids
    return written


class WrittenSessions(list):
    resident_ids = ()


def _write(drafts, *, by, batch_size, progress, visits):
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
            # A changed session keeps its author; a new one is `by`'s.
            author = getattr(draft.session, "created_by_id", None) or by.pk
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
                        author,
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
        if len(participations) >= COPY_FROM:
            participations = visits.mark(participations)
        _insert(Participation, PARTICIPATION_ROW, participations)
        _insert(CompetenceAssessment, ASSESSMENT_ROW, assessments)
        written += [d.session for d in batch]
        done += len(batch)
        if progress:
            progress(done)
    return written, resident_ids


class FirstVisits:
    """Marks many participations (tuples of PARTICIPATION_ROW, in the order they are
    inserted) as their resident's first visit to their actor when no participation stored,
    nor one before them, comes earlier. participations_changed() has the last word, but finds
    little left to rewrite: unmarked, most of an import's rows were rewritten after it (on
    PostgreSQL, with every index of the table). Each resident's earliest dates are read
    once (one query per 2,000 residents), then kept up to date with the rows marked: one
    instance serves every batch of an import."""

    def __init__(self):
        self.earliest = {}  # (resident, actor): date of their first participation
        self.read = set()  # residents whose stored participations were read

    def mark(self, rows):
        resident, date, actor, mark = (
            PARTICIPATION_ROW.index(name)
            for name in ("resident_id", "date", "actor_id", "is_first_visit")
        )
        unread = {row[resident] for row in rows} - self.read
        for batch in batched(sorted(unread), 2000):
            found = (
                Participation.objects.filter(resident_id__in=batch)
                .order_by()
                .values("resident_id", "actor_id")
                .annotate(first=Min("date"))
                .values_list("resident_id", "actor_id", "first")
            )
            for resident_id, actor_id, first in found:
                self.earliest[resident_id, actor_id] = first
        self.read |= unread
        firsts, first_index = set(), {}
        for index, row in enumerate(rows):
            key = (row[resident], row[actor])
            # On the same day, the one stored or inserted first (a smaller id) comes first.
            if key not in self.earliest or row[date] < self.earliest[key]:
                self.earliest[key] = row[date]
                firsts.add(index)
                firsts.discard(first_index.get(key))
                first_index[key] = index
        return [(*row[:mark], i in firsts, *row[mark + 1 :]) for i, row in enumerate(rows)]


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
        # Many rows: the driver's cursor (Django's own for SQLite, which reads %s), as with
        # DEBUG the wrapper would also write out every value of these long statements.
        cursor = wrapper.cursor if len(rows) >= COPY_FROM else wrapper
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
