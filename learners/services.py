"""Workflows that change several records of residents and sessions at once."""

from itertools import batched

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Max, Min
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from learners.models import Participation, Resident, ResidentLink
from pathway.models import Pole

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


def participations_changed(resident_ids):
    """Call after any write to participations (a session logged, edited or deleted, records
    merged, a file imported): keeps every figure derived from them right — the residents'
    journeys and the statistics' summary tables."""
    resident_refresh_journey(resident_ids)


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


def personal_url(token):
    """The address a personal link opens, as printed or sent."""
    return settings.SITE_URL + reverse("me_open", args=[token])


def resident_link_email(*, resident, created_by=None):
    """Send the resident a new personal link, valid RESIDENT_EMAIL_LINK_DAYS days, at the
    address the network has for them. The token only travels in the email."""
    link, token = ResidentLink.create_for(
        resident, created_by=created_by, days=settings.RESIDENT_EMAIL_LINK_DAYS
    )
    body = render_to_string(
        "learners/me_link_email.txt",
        {
            "resident": resident,
            "url": personal_url(token),
            "expires_on": timezone.localdate(link.expires_at),
            "NETWORK_NAME": settings.NETWORK_NAME,
        },
    )
    EmailMessage(
        subject="Votre lien vers votre espace Parcours numérique", body=body, to=[resident.email]
    ).send()
    return link
