"""A bigger bench town made of copies of a smaller one: `bench --copies-from 1000000`.

seed_demo writes a town person by person through the same rules as the product; on this
machine the 5,000,000-session town took 84 minutes and more. The growth figures compare
a town with one five times its size, and five copies of the 1,000,000-session town are
such a town: the same people, sessions, assessments and referrals again under new ids and
references, at the same actors, in the same months. The summaries follow: per-resident
rows are copied with their resident, and the counts (people per period, sessions held,
paperwork outcomes, StatsTally) are multiplied, which is what stats_refresh() would
compute from the copies (tests/stats/test_bench_copies.py checks it). A few minutes.
"""

from django.db import connection, transaction
from django.db.models import F, Max

from learners.models import CompetenceAssessment, Participation, Referral, Resident, Session
from stats.models import (
    StatsActivity,
    StatsModuleCompletion,
    StatsPaperwork,
    StatsPeriodReach,
    StatsReach,
    StatsResident,
    StatsTally,
)

# Each person's records, in an order where what a row refers to is copied before it.
PERSONAL = [
    Resident,
    Session,
    Session.mediators.through,
    Session.topics.through,
    Participation,
    CompetenceAssessment,
    Referral,
    StatsResident,
    StatsReach,
    StatsModuleCompletion,
]
# Counts of people or of sessions, and what they count.
COUNTS = {
    StatsPeriodReach: ["residents", "new_residents"],
    StatsActivity: ["sessions", "minutes", "attendees"],
    StatsPaperwork: ["count"],
    StatsTally: ["residents"],
}


def copy_town(copies, *, log=print):
    """Add `copies` copies of every person of the current database, with their records;
    multiply the summaries' counts to match. Returns the rows written."""
    last = {model: model.objects.aggregate(n=Max("pk"))["n"] or 0 for model in PERSONAL}
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for copy in range(1, copies + 1):
            for model in PERSONAL:
                sql, params = _copy_statement(model, copy, last)
                cursor.execute(sql, params)
                rows += cursor.rowcount
            log(f"  copie {copy} sur {copies} écrite")
        for model, fields in COUNTS.items():
            model.objects.update(**{name: F(name) * (copies + 1) for name in fields})
        if connection.vendor == "postgresql":
            # New rows take ids after the copies' (SQLite follows the largest by itself).
            for model in PERSONAL:
                table, pk = model._meta.db_table, model._meta.pk.column
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                    f"(SELECT COALESCE(MAX({pk}), 1) FROM {table}))",
                    [table, pk],
                )
    return rows


def _copy_statement(model, copy, last):
    """INSERT … SELECT of copy number `copy` of the original rows of `model`: ids moved
    past the originals' largest by `copy` times it, and so the references to a resident or
    a session; a new reference for a resident; no submission key for a session (it is
    unique per author)."""
    moved = {Resident: last[Resident], Session: last[Session]}
    quote = connection.ops.quote_name
    columns, values = [], []
    for field in model._meta.concrete_fields:
        column = quote(field.column)
        columns.append(column)
        target = field.related_model if field.is_relation else None
        if field.primary_key and not field.is_relation:
            values.append(f"{column} + {copy * last[model]}")
        elif target in moved:
            values.append(f"{column} + {copy * moved[target]}")
        elif model is Resident and field.name == "reference":
            values.append(f"{column} || '-{copy}'")
        elif model is Session and field.name == "submission_key":
            values.append("NULL")
        else:
            values.append(column)
    pk = quote(model._meta.pk.column)
    table = quote(model._meta.db_table)
    # The originals only: the primary key of a per-resident summary is its resident's.
    original = last[Resident] if model._meta.pk.is_relation else last[model]
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {table} WHERE {pk} <= %s",
        [original],
    )
