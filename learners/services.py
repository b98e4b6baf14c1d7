"""Workflows that change several records of residents and sessions at once."""

from itertools import batched

from django.db import transaction
from django.db.models import Count, Max, Min

from learners.models import Participation, Resident
from pathway.models import Pole
from pathway.services import stats_refresh

JOURNEY_FIELDS = [
    "first_session_on",
    "last_session_on",
    "first_pole",
    "necessity_on",
    "achievement_on",
    "leisure_on",
    "session_count",
]
POLE_DATE_FIELD = {
    Pole.NECESSITY: "necessity_on",
    Pole.ACHIEVEMENT: "achievement_on",
    Pole.LEISURE: "leisure_on",
}


@transaction.atomic
def participations_changed(resident_ids):
    """Call after any write to participations (a session logged, edited or deleted, records
    merged, a file imported), after recording competence assessments, and after changing a
    resident's neighbourhood, birth year or social status: keeps every figure derived from
    them right — the residents' journeys and the statistics' summary tables."""
    resident_ids = set(resident_ids)
    resident_refresh_journey(resident_ids)
    stats_refresh(resident_ids)


@transaction.atomic
def resident_refresh_journey(resident_ids, *, batch_size=2000):
    """Recompute the denormalised journey fields of these residents from their participations.

    Called after any change to participations (logging, editing, deleting, merging,
    importing); two queries per batch whatever the number of participations.
    """
    for batch in batched(sorted(set(resident_ids)), batch_size):
        residents = {
            r.pk: r for r in Resident.objects.filter(pk__in=batch).only("pk", *JOURNEY_FIELDS)
        }
        for resident in residents.values():
            for field in JOURNEY_FIELDS:
                setattr(resident, field, 0 if field == "session_count" else None)
            resident.first_pole = ""
        rows = (
            Participation.objects.filter(resident_id__in=batch)
            .values("resident_id", "pole")
            .annotate(first=Min("date"), last=Max("date"), n=Count("id"))
            .order_by()
        )
        for row in rows:
            resident = residents[row["resident_id"]]
            setattr(resident, POLE_DATE_FIELD[row["pole"]], row["first"])
            resident.session_count += row["n"]
            if resident.last_session_on is None or row["last"] > resident.last_session_on:
                resident.last_session_on = row["last"]
        for resident in residents.values():
            reached = [
                (getattr(resident, field), Pole(pole).rank, pole)
                for pole, field in POLE_DATE_FIELD.items()
                if getattr(resident, field)
            ]
            if reached:
                resident.first_session_on, _, resident.first_pole = min(reached)
        Resident.objects.bulk_update(residents.values(), JOURNEY_FIELDS)
