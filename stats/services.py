"""The statistics summaries (StatsResident, StatsReach, StatsPeriodReach, StatsActivity,
StatsPaperwork, StatsModuleCompletion), derived from participations, sessions and
competence assessments. stats_refresh() keeps them exact: learners.services.participations_changed()
sends learners.signals.participations_changed after every write to participations, which
summaries_changed() receives (connected in stats.apps); seed_demo and the `stats_refresh`
command call it for everybody after bulk inserts.
"""

import datetime
import functools
import hashlib
import zlib
from collections import Counter, defaultdict
from itertools import batched, groupby

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Count, DateField, F, JSONField, Q, Sum
from django.tasks import task

from learners.models import CompetenceAssessment, Participation, Resident, Session
from pathway.models import Actor, ModuleCompetence, Pole
from stats.models import (
    AgeBand,
    StatsActivity,
    StatsModuleCompletion,
    StatsPaperwork,
    StatsPeriodReach,
    StatsReach,
    StatsResident,
    StatsTally,
    TallyFigure,
)

POLE_RANK = {pole.value: pole.rank for pole in Pole}
# Residents handled per round trip: bounds memory during a full rebuild.
BATCH = 5000
INSERT_BATCH = 2000
# Serialises concurrent refreshes on PostgreSQL (see stats_refresh).
ADVISORY_LOCK_KEY = zlib.crc32(b"parcours.stats_refresh")


def month_of(day):
    return day.replace(day=1)


def next_month(month):
    return (month + datetime.timedelta(days=32)).replace(day=1)


@task()
def stats_refresh_task(resident_ids):
    with transaction.atomic():
        stats_refresh(resident_ids)


def stats_refresh_soon(resident_ids):
    """Refresh the statistics of these residents: in the worker (STATS_REFRESH_IN_WORKER,
    the default: a mediator saving a session does not wait for the summaries, and
    concurrent saves do not queue on their lock), or at once. The worker's task is queued
    in the current transaction: it is committed with the change, in the same commit (a
    session logged paid a second one), and never one without the other; the worker sees
    both at once."""
    ids = sorted(set(resident_ids))
    if not ids:
        return
    if settings.STATS_REFRESH_IN_WORKER:
        stats_refresh_task.enqueue(ids)
    else:
        stats_refresh(ids)


def summaries_changed(sender, *, resident_ids, **kwargs):
    """learners.signals.participations_changed: these residents' figures changed."""
    stats_refresh_soon(resident_ids)


@transaction.atomic
def stats_refresh(resident_ids=None):
    """Recompute the statistics summaries of these residents (of everybody when None).

    Per-resident rows are rebuilt from the residents' participations and assessments; the
    per-period counts of residents move by the difference between the residents' new and
    previous contributions; the per-month tables (sessions held, paperwork outcomes) are
    recomputed for the months and actors whose content may have changed: those where the
    residents' sessions differ from what the summaries last saw (a fingerprint per
    resident, month and actor). A constant number of queries per batch of residents,
    whatever the size of the database.
    """
    if connection.vendor == "postgresql":
        # Two mediators saving at the same moment must not interleave their changes to the
        # same summary rows; waiting here also lets the second one see the first one's
        # committed sessions.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    if resident_ids is None:
        return _rebuild_everything()
    buckets = set()
    change = defaultdict(lambda: [0, 0])
    counted = Counter()
    kinds = dict(Actor.objects.values_list("pk", "kind"))
    for batch in batched(sorted(set(resident_ids)), BATCH):
        before = list(StatsReach.objects.filter(resident_id__in=batch).values_list(*REACH_FIELDS))
        old = _digests(before)
        # Nothing refers to these rows: a plain DELETE, without the collector's work. The
        # per-resident rows come back from it, for what they counted in StatsTally.
        StatsReach.objects.filter(resident_id__in=batch)._raw_delete(connection.alias)
        counted.subtract(
            tally_cells(
                _delete_returning(StatsResident, TALLY_RESIDENT_FIELDS, batch),
                _delete_returning(StatsModuleCompletion, TALLY_COMPLETION_FIELDS, batch),
                kinds,
            )
        )
        after, new, resident_rows, completion_rows = _write_resident_rows(Q(resident_id__in=batch))
        counted.update(tally_cells(*_tally_columns(resident_rows, completion_rows), kinds))
        buckets |= {key[1:] for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
        for sign, rows in ((-1, before), (1, after)):
            for key, (residents, newcomers) in period_cells(rows).items():
                change[key][0] += sign * residents
                change[key][1] += sign * newcomers
    _apply_period_change(change)
    _apply_tally_change(counted)
    _refresh_months(buckets)


def _rebuild_everything():
    for model in (
        StatsResident,
        StatsReach,
        StatsPeriodReach,
        StatsModuleCompletion,
        StatsActivity,
        StatsPaperwork,
        StatsTally,
    ):
        model.objects.all().delete()
    ids = list(Resident.objects.order_by("pk").values_list("pk", flat=True))
    counted = Counter()
    kinds = dict(Actor.objects.values_list("pk", "kind"))
    for batch in batched(ids, BATCH):
        first, last = batch[0], batch[-1]
        _r, _d, resident_rows, completion_rows = _write_resident_rows(
            Q(resident_id__gte=first, resident_id__lte=last)
        )
        counted.update(tally_cells(*_tally_columns(resident_rows, completion_rows), kinds))
    _insert(
        StatsTally,
        ["figure", "month", "kind", "actor", "a", "b", "residents"],
        ((*key, n) for key, n in counted.items() if n),
    )
    # The per-period counts, a year at a time to bound memory.
    for year in StatsReach.objects.values_list("year", flat=True).distinct().order_by():
        rows = StatsReach.objects.filter(year=year).values_list(*REACH_FIELDS)
        cells = period_cells(rows.iterator(chunk_size=10_000))
        _insert(
            StatsPeriodReach,
            [*PERIOD_KEY, "residents", "new_residents"],
            ((*key, n, new) for key, (n, new) in cells.items()),
        )
    _refresh_months(None)
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner (allowed inside a transaction, unlike VACUUM).
        with connection.cursor() as cursor:
            for model in (
                StatsResident,
                StatsReach,
                StatsPeriodReach,
                StatsModuleCompletion,
                StatsTally,
            ):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# What period_cells() and _digests() read of a StatsReach row, in this order.
REACH_FIELDS = [
    "resident_id",
    "year",
    "actor_id",
    "kind",
    "neighbourhood_id",
    "birth_year",
    "social_status",
    "digest",
    "months",
    "necessity_months",
    "achievement_months",
    "leisure_months",
    "first_on",
    "necessity_first_on",
    "achievement_first_on",
    "leisure_first_on",
]
# The key of a StatsPeriodReach row.
PERIOD_KEY = [
    "start",
    "span",
    "actor_id",
    "kind",
    "pole",
    "neighbourhood_id",
    "age_band",
    "social_status",
]
POLE_KEYS = ["", *(pole.value for pole in Pole)]
QUARTER_MASKS = [0b111 << (3 * quarter) for quarter in range(4)]


def _digests(rows):
    """{(resident, month, actor): fingerprint} of StatsReach rows (REACH_FIELDS tuples)."""
    digests = {}
    for row in rows:
        resident_id, year, actor_id, digest = row[0], row[1], row[2], row[7]
        for month, value in digest.items():
            digests[resident_id, datetime.date(year, int(month), 1), actor_id] = value
    return digests


@functools.cache
def _periods(year, mask):
    """The months, quarters and year (first day, span) that a month mask touches."""
    periods = [(datetime.date(year, 1, 1), 12)]
    periods += [(datetime.date(year, 3 * q + 1, 1), 3) for q in range(4) if mask & QUARTER_MASKS[q]]
    periods += [(datetime.date(year, m + 1, 1), 1) for m in range(12) if mask >> m & 1]
    return periods


def period_cells(rows):
    """What these StatsReach rows (REACH_FIELDS tuples) add to StatsPeriodReach:
    {PERIOD_KEY values: [residents, new residents]}."""
    cells = defaultdict(lambda: [0, 0])
    for row in rows:
        _resident, year, actor_id, kind, neighbourhood_id, birth_year, status = row[:7]
        band = AgeBand.of(birth_year, year)
        for pole, mask, first in zip(POLE_KEYS, row[8:12], row[12:16], strict=True):
            if not mask:
                continue
            scope = (actor_id, kind, pole, neighbourhood_id, band, status)
            for start, span in _periods(year, mask):
                cells[start, span, *scope][0] += 1
            if first is not None and first.year == year:
                # The year, quarter and month of the first visit: a mask of that month.
                for start, span in _periods(year, 1 << (first.month - 1)):
                    cells[start, span, *scope][1] += 1
    return cells


def _apply_period_change(change):
    """Add these {PERIOD_KEY values: [residents, new]} differences to StatsPeriodReach."""
    change = {key: value for key, value in change.items() if value != [0, 0]}
    if not change:
        return
    keys = [dict(zip(PERIOD_KEY, key, strict=True)) for key in change]
    actors = {k["actor_id"] for k in keys} - {None}
    kinds = {k["kind"] for k in keys if k["actor_id"] is None}
    neighbourhoods = {k["neighbourhood_id"] for k in keys}
    where_lives = Q(neighbourhood_id__in=neighbourhoods - {None})
    if None in neighbourhoods:
        where_lives |= Q(neighbourhood__isnull=True)
    # Conditions on every leading column of the covering index (span, kind, actor, pole,
    # start…), the actors' rows and the kinds' rows apart: a handful of rows among a
    # million are read, in one query.
    candidates = StatsPeriodReach.objects.filter(
        where_lives,
        span__in={k["span"] for k in keys},
        pole__in={k["pole"] for k in keys},
        start__in={k["start"] for k in keys},
        age_band__in={k["age_band"] for k in keys},
        social_status__in={k["social_status"] for k in keys},
    )
    rows = candidates.filter(kind="", actor_id__in=actors).union(
        candidates.filter(kind__in=kinds, actor__isnull=True), all=True
    )
    existing = {tuple(getattr(row, name) for name in PERIOD_KEY): row for row in rows}
    created, updated, emptied = [], [], []
    for key, (residents, newcomers) in change.items():
        row = existing.get(key)
        if row is None:
            created.append(
                StatsPeriodReach(
                    **dict(zip(PERIOD_KEY, key, strict=True)),
                    residents=residents,
                    new_residents=newcomers,
                )
            )
            continue
        row.residents += residents
        row.new_residents += newcomers
        (updated if row.residents else emptied).append(row)
    StatsPeriodReach.objects.bulk_create(created, batch_size=INSERT_BATCH)
    if updated:
        # One executemany: bulk_update's CASE WHEN costs more to build than to run.
        table = connection.ops.quote_name(StatsPeriodReach._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET residents = %s, new_residents = %s WHERE id = %s",
                [(row.residents, row.new_residents, row.pk) for row in updated],
            )
    StatsPeriodReach.objects.filter(pk__in=[row.pk for row in emptied]).delete()


def fingerprint(items):
    data = repr(sorted(items)).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=6).digest())


def _insert(model, columns, rows):
    """Insert rows (tuples of `columns` attnames) with plain executemany: bulk_create spends
    most of its time preparing each value, which a full rebuild of a million rows feels."""
    rows = list(rows)
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy: it is read for every value
    fields = [model._meta.get_field(column) for column in columns]

    # Dates and JSON need the backend's form; numbers and strings go as they are.
    def prepare(field):
        if isinstance(field, JSONField):
            return lambda value: field.get_db_prep_save(value, db)
        if isinstance(field, DateField):
            return db.ops.adapt_datefield_value
        return None

    preparers = [prepare(field) for field in fields]
    quote = db.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with db.cursor() as cursor:
        for chunk in batched(rows, INSERT_BATCH):
            cursor.executemany(
                sql,
                [
                    tuple(
                        value if p is None or value is None else p(value)
                        for p, value in zip(preparers, row, strict=True)
                    )
                    for row in chunk
                ],
            )


def _write_resident_rows(participation_filter):
    """Build and insert the per-resident summary rows of the residents whose participations
    match the filter; return their StatsReach rows (REACH_FIELDS tuples), fingerprints
    {(resident, month, actor): value}, StatsResident rows (RESIDENT_FIELDS tuples) and
    StatsModuleCompletion rows (COMPLETION_FIELDS tuples)."""
    participations = (
        Participation.objects.filter(participation_filter)
        .order_by("resident_id", "date", "id")
        .values_list(
            "resident_id",
            "date",
            "pole",
            "actor_id",
            "autonomy",
            "session_id",
            "session__format",
            "session__duration_minutes",
            "session__participant_count",
            "session__unregistered_count",
            "operator_id",
            "paperwork_result",
            "blocked_reason",
            "actor__kind",
            "resident__merged_into_id",
            "resident__neighbourhood_id",
            "resident__birth_year",
            "resident__social_status",
        )
    )
    dims, residents, reach, digests = {}, [], [], {}
    for resident_id, rows in groupby(participations, key=lambda row: row[0]):
        rows = list(rows)
        if rows[0][14] is not None:
            # A merged record keeps no statistics of its own (its history lives on the
            # survivor), but sessions left on it still count among sessions held.
            _reach_rows(resident_id, (None, None, ""), rows, digests)
            continue
        dims[resident_id] = rows[0][15:18]
        residents.append(_resident_row(resident_id, dims[resident_id], rows))
        reach += _reach_rows(resident_id, dims[resident_id], rows, digests)
    completions = _completion_rows(
        dims,
        CompetenceAssessment.objects.filter(participation_filter)
        .order_by("resident_id", "assessed_on", "id")
        .values_list("resident_id", "competence_id", "level", "assessed_on", "session__actor_id"),
    )
    _insert(StatsResident, RESIDENT_FIELDS, residents)
    _insert(StatsReach, REACH_FIELDS, reach)
    _insert(StatsModuleCompletion, COMPLETION_FIELDS, completions)
    return reach, digests, residents, completions


RESIDENT_FIELDS = [
    "resident_id",
    "neighbourhood_id",
    "birth_year",
    "social_status",
    "first_on",
    "cohort",
    "first_pole",
    "first_actor_id",
    "achievement_on",
    "leisure_on",
    "days_to_achievement",
    "days_to_leisure",
    "paperwork_first_on",
    "paperwork_actor_id",
    "paperwork_sessions",
    "autonomy_first",
    "autonomy_last",
]
COMPLETION_FIELDS = [
    "resident_id",
    "module_id",
    "completed_on",
    "actor_id",
    "neighbourhood_id",
    "birth_year",
    "social_status",
]


# What tally_cells() reads of a StatsResident and of a StatsModuleCompletion row.
TALLY_RESIDENT_FIELDS = [
    "cohort",
    "first_pole",
    "first_actor_id",
    "days_to_achievement",
    "days_to_leisure",
    "paperwork_first_on",
    "paperwork_actor_id",
    "paperwork_sessions",
    "autonomy_first",
    "autonomy_last",
]
TALLY_COMPLETION_FIELDS = ["completed_on", "actor_id", "module_id"]
TALLY_KEY = ["figure", "month", "kind", "actor", "a", "b"]


def _tally_columns(residents, completions):
    """RESIDENT_FIELDS and COMPLETION_FIELDS tuples as tally_cells() reads them."""
    at = [RESIDENT_FIELDS.index(name) for name in TALLY_RESIDENT_FIELDS]
    at_completion = [COMPLETION_FIELDS.index(name) for name in TALLY_COMPLETION_FIELDS]
    return (
        [tuple(row[i] for i in at) for row in residents],
        [tuple(row[i] for i in at_completion) for row in completions],
    )


def tally_cells(residents, completions, kinds):
    """What per-resident rows add to StatsTally: Counter {TALLY_KEY values: residents}.
    `residents`: TALLY_RESIDENT_FIELDS tuples of StatsResident rows; `completions`:
    TALLY_COMPLETION_FIELDS tuples of StatsModuleCompletion rows; `kinds`: actor -> kind.
    Each is counted at its actor, its actor's kind and the whole network."""
    cells = Counter()
    none = StatsTally.NONE

    def count(figure, day, actor_id, a, b=none):
        month = month_of(_as_date(day))
        cells[figure, month, "", StatsTally.EVERY, a, b] += 1
        if actor_id is not None:
            cells[figure, month, "", actor_id, a, b] += 1
            cells[figure, month, kinds.get(actor_id, ""), StatsTally.EVERY, a, b] += 1

    for (
        cohort,
        first_pole,
        first_actor_id,
        to_achievement,
        to_leisure,
        paperwork_on,
        paperwork_actor_id,
        paperwork_sessions,
        autonomy_first,
        autonomy_last,
    ) in residents:
        if first_pole == Pole.NECESSITY and cohort is not None:
            days = none if to_achievement is None else to_achievement
            count(TallyFigure.ACHIEVEMENT, cohort, first_actor_id, days)
            if to_leisure is not None:
                count(TallyFigure.LEISURE, cohort, first_actor_id, to_leisure)
        if paperwork_sessions >= 2 and paperwork_on is not None:
            count(
                TallyFigure.AUTONOMY,
                paperwork_on,
                paperwork_actor_id,
                none if autonomy_first is None else autonomy_first,
                none if autonomy_last is None else autonomy_last,
            )
    for completed_on, actor_id, module_id in completions:
        count(TallyFigure.COMPLETION, completed_on, actor_id, module_id)
    return cells


def _as_date(value):
    """A date read by a raw query: SQLite gives its text."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _delete_returning(model, columns, resident_ids):
    """Delete the rows of these residents and return their `columns` (tuples), in one
    statement (DELETE … RETURNING, on SQLite as on PostgreSQL)."""
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(column).column for column in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM {} WHERE resident_id IN ({}) RETURNING {}".format(
                quote(model._meta.db_table),
                ", ".join(["%s"] * len(resident_ids)),
                ", ".join(quote(field) for field in fields),
            ),
            list(resident_ids),
        )
        return cursor.fetchall()


def _apply_tally_change(change):
    """Add these {TALLY_KEY values: residents} differences to StatsTally: one INSERT … ON
    CONFLICT adds each to its row or makes it; the rows left at zero go."""
    change = {key: n for key, n in change.items() if n}
    if not change:
        return
    table = connection.ops.quote_name(StatsTally._meta.db_table)
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (figure, month, kind, actor, a, b, residents) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (figure, kind, actor, month, a, b) "
            f"DO UPDATE SET residents = {table}.residents + excluded.residents",
            [(figure, adapt(month), *rest, n) for (figure, month, *rest), n in change.items()],
        )
    if any(n < 0 for n in change.values()):
        keys = list(change)
        StatsTally.objects.filter(
            figure__in={key[0] for key in keys},
            kind__in={key[2] for key in keys},
            actor__in={key[3] for key in keys},
            month__in={key[1] for key in keys},
            residents=0,
        ).delete()


def _resident_row(resident_id, dims, rows):
    """The funnel and autonomy facts of one resident (RESIDENT_FIELDS); rows are
    ordered by date."""
    first = min(rows, key=lambda row: (row[1], POLE_RANK[row[2]]))
    first_on, first_pole = first[1], first[2]
    achievement_on = next((row[1] for row in rows if row[2] == Pole.ACHIEVEMENT), None)
    leisure_on = None
    if achievement_on:
        leisure_on = next(
            (row[1] for row in rows if row[2] == Pole.LEISURE and row[1] >= achievement_on),
            None,
        )
    paperwork = [row for row in rows if row[2] == Pole.NECESSITY and row[4] is not None]
    in_funnel = first_pole == Pole.NECESSITY
    return (
        resident_id,
        *dims,
        first_on,
        month_of(first_on),
        first_pole,
        first[3],
        achievement_on,
        leisure_on,
        (achievement_on - first_on).days if in_funnel and achievement_on else None,
        (leisure_on - achievement_on).days if in_funnel and leisure_on else None,
        paperwork[0][1] if paperwork else None,
        paperwork[0][3] if paperwork else None,
        len(paperwork),
        paperwork[0][4] if paperwork else None,
        paperwork[-1][4] if paperwork else None,
    )


MASK_COLUMNS = ["months", *(f"{pole}_months" for pole in Pole)]
FIRST_COLUMNS = ["first_on", *(f"{pole}_first_on" for pole in Pole)]


def _reach_rows(resident_id, dims, rows, digests):
    """The resident's StatsReach rows (REACH_FIELDS tuples): per year and actor, per year
    and kind of actor, per year for the whole network. Fills `digests` with a fingerprint
    of each month at each actor."""
    masks = defaultdict(lambda: [0, 0, 0, 0])  # (year, actor, kind) -> MASK_COLUMNS
    firsts = {}  # (actor, kind) -> FIRST_COLUMNS, first dates ever
    contents = defaultdict(list)  # (month, actor) -> what the per-month tables depend on
    for row in rows:
        _r, day, pole, actor_id, _autonomy, session_id, fmt, minutes, registered = row[:9]
        bit = 1 << (day.month - 1)
        column = POLE_RANK[pole]
        for actor, kind in ((actor_id, ""), (None, row[13]), (None, "")):
            scope = masks[day.year, actor, kind]
            scope[0] |= bit
            scope[column] |= bit
            first = firsts.setdefault((actor, kind), [day, None, None, None])
            if first[column] is None:
                first[column] = day  # rows come in date order
        contents[month_of(day), actor_id].append(
            (session_id, day, pole, fmt, minutes, registered, *row[9:13])
        )
    by_actor_year = defaultdict(dict)
    for (month, actor_id), items in contents.items():
        value = fingerprint(items)
        digests[resident_id, month, actor_id] = value
        by_actor_year[actor_id, month.year][str(month.month)] = value
    return [
        (
            resident_id,
            year,
            actor_id,
            kind,
            *dims,
            by_actor_year[actor_id, year] if actor_id else {},
            *columns,
            *firsts[actor_id, kind],
        )
        for (year, actor_id, kind), columns in masks.items()
    ]


def _completion_rows(dims, assessments):
    """Modules whose every target level the resident reached, dated by the last one
    (COMPLETION_FIELDS tuples)."""
    targets = defaultdict(list)  # module -> [(competence, level)]
    module_actor = {}
    for module_id, competence_id, level, actor_id in ModuleCompetence.objects.values_list(
        "module_id", "competence_id", "target_level", "module__actor_id"
    ):
        targets[module_id].append((competence_id, level))
        module_actor[module_id] = actor_id
    rows = []
    for resident_id, found in groupby(assessments, key=lambda row: row[0]):
        if resident_id not in dims:
            continue
        # competence -> [(date, level, actor)], in date order
        history = defaultdict(list)
        for _r, competence_id, level, day, actor_id in found:
            history[competence_id].append((day, level, actor_id))
        for module_id, wanted in targets.items():
            reached = []
            for competence_id, level in wanted:
                hit = next((h for h in history.get(competence_id, ()) if h[1] >= level), None)
                if hit is None:
                    break
                reached.append(hit)
            else:
                day, _level, actor_id = max(reached, key=lambda h: h[0])
                actor_id = actor_id or module_actor[module_id]
                rows.append((resident_id, module_id, day, actor_id, *dims[resident_id]))
    return rows


def _month_spans(buckets):
    """(actor, first day, day after) spans covering these (month, actor) buckets: one per
    run of consecutive months at an actor, so that the SQL stays short."""
    by_actor = defaultdict(set)
    for month, actor_id in buckets:
        by_actor[actor_id].add(month)
    spans = []
    for actor_id, months in by_actor.items():
        months = sorted(months)
        start = end = months[0]
        for month in months[1:]:
            if month == next_month(end):
                end = month
            else:
                spans.append((actor_id, start, next_month(end)))
                start = end = month
        spans.append((actor_id, start, next_month(end)))
    return spans


def _refresh_months(buckets):
    """Recompute sessions held and paperwork outcomes for these (month, actor) buckets
    (all of them when None), from the sessions and participations themselves."""
    if buckets is not None and not buckets:
        return
    sessions, participations = Session.objects.all(), Participation.objects.all()
    activity, paperwork = StatsActivity.objects.all(), StatsPaperwork.objects.all()
    if buckets is not None:
        spans = _month_spans(buckets)

        def within(actor, date):
            condition = Q()
            for actor_id, start, end in spans:
                condition |= Q(**{actor: actor_id, f"{date}__gte": start, f"{date}__lt": end})
            return condition

        sessions = sessions.filter(within("actor_id", "date"))
        participations = participations.filter(within("actor_id", "date"))
        activity = activity.filter(within("actor_id", "month"))
        paperwork = paperwork.filter(within("actor_id", "month"))
    activity._raw_delete(connection.alias)
    paperwork._raw_delete(connection.alias)

    held = defaultdict(lambda: [0, 0, 0])
    for row in (
        sessions.order_by()
        .values_list("date", "actor_id", "pole", "format")
        .annotate(
            n=Count("*"),
            minutes=Sum("duration_minutes"),
            people=Sum(F("participant_count") + F("unregistered_count")),
        )
    ):
        totals = held[month_of(row[0]), *row[1:4]]
        for i, value in enumerate(row[4:]):
            totals[i] += value or 0
    _insert(
        StatsActivity,
        ["month", "actor_id", "pole", "format", "sessions", "minutes", "attendees"],
        ((*key, *totals) for key, totals in held.items()),
    )

    outcomes = defaultdict(int)
    for day, *key, n in (
        participations.exclude(paperwork_result="")
        .order_by()
        .values_list("date", "actor_id", "operator_id", "paperwork_result", "blocked_reason")
        .annotate(n=Count("*"))
    ):
        outcomes[month_of(day), *key] += n
    _insert(
        StatsPaperwork,
        ["month", "actor_id", "operator_id", "result", "blocked_reason", "count"],
        ((*key, n) for key, n in outcomes.items()),
    )
