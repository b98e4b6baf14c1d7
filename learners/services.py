"""Workflows that change several records of residents and sessions at once.

Views, admin actions, commands and imports all write through these functions, so that every
write to participations ends with participations_changed() and every multi-row write is one
transaction."""

import datetime
import functools
from itertools import batched

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from learners import signals
from learners.models import (
    CONSENT_FIELDS,
    AccessAction,
    AccessLog,
    CompetenceAssessment,
    Participation,
    Referral,
    Resident,
    ResidentLink,
    Session,
    SocialStatus,
)
from learners.writing import Outcome, SessionInput, hidden_outcomes, session_save  # noqa: F401
from pathway.areas import names_of
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
    merged, a file imported), after recording competence assessments, and after changing a
    resident's neighbourhood, birth year or social status: keeps every figure derived from
    them right — the residents' journeys and the statistics' summary tables."""
    resident_ids = set(resident_ids)
    participation_refresh_first_visits(resident_ids)
    resident_refresh_journey(resident_ids)
    # The statistics (stats.apps) refresh their summaries, in the worker or at once
    # (STATS_REFRESH_IN_WORKER).
    signals.participations_changed.send(sender=Resident, resident_ids=resident_ids)


def participation_refresh_first_visits(resident_ids, *, batch_size=2000):
    """Mark, for each of these residents and each actor, their earliest participation there
    as the first visit (and no other). One UPDATE per batch of residents: it ranks their
    participations per actor (a window function, in one pass: a correlated subquery per
    row would cost the square of a long journey) and flips only the rows whose mark
    changes. Written once in SQL that SQLite and PostgreSQL both take, as the journeys':
    built through the ORM (a read, then an UPDATE naming the first ones) it cost more to
    compile on every session logged than the database takes to run it."""
    for batch in batched(sorted(set(resident_ids)), batch_size):
        with connection.cursor() as cursor:
            cursor.execute(first_visits_update_sql(connection.vendor, len(batch)), batch * 2)


@functools.lru_cache(maxsize=64)
def first_visits_update_sql(vendor, count):
    """The first visits' UPDATE for `count` residents, on this database vendor; its
    parameters are the residents' ids, twice."""
    quote = connection.ops.quote_name
    table = quote(Participation._meta.db_table)
    pk = quote(Participation._meta.pk.column)
    column = {f.name: quote(f.column) for f in Participation._meta.concrete_fields}
    first, resident = column["is_first_visit"], column["resident"]
    residents = f"{resident} IN ({', '.join(['%s'] * count)})"
    firsts = (
        f"SELECT {pk} FROM (SELECT {pk}, ROW_NUMBER() OVER (PARTITION BY {resident}, "
        f"{column['actor']} ORDER BY {column['date']}, {pk}) AS visit "
        f"FROM {table} WHERE {residents}) ranked WHERE visit = 1"
    )
    return (
        f"UPDATE {table} SET {first} = NOT {first} "
        f"WHERE {residents} AND {first} <> ({pk} IN ({firsts}))"
    )


def resident_refresh_journey(resident_ids, *, batch_size=2000):
    """Recompute the denormalised journey fields of these residents from their participations.

    Called after any change to participations (logging, editing, deleting, merging,
    importing): one UPDATE per batch of residents, whose two correlated subqueries read
    each resident's participations through the (resident, date) index — no row comes back
    to Python, whatever the number of participations. The statement is written once, in SQL
    that SQLite and PostgreSQL both take: built through the ORM, its subqueries cost more to
    compile on every session logged than the database takes to run them.
    """
    for batch in batched(sorted(set(resident_ids)), batch_size):
        with connection.cursor() as cursor:
            cursor.execute(
                journey_update_sql(connection.vendor, len(batch)),
                [*journey_update_params(), *batch],
            )


@functools.lru_cache(maxsize=64)
def journey_update_sql(vendor, count):
    """The journey UPDATE for `count` residents, on this database vendor; its parameters
    are journey_update_params() then the residents' ids. The dates and the count come
    from one pass over a resident's participations (one subquery giving a row of values:
    a subquery per field cost PostgreSQL as much to plan as to run at 1,000,000 sessions);
    a resident without any gets empty dates and a count of 0."""
    quote = connection.ops.quote_name
    resident_pk = quote(Resident._meta.pk.column)
    resident = quote(Resident._meta.db_table)
    participation = quote(Participation._meta.db_table)
    column = {f.name: quote(f.column) for f in Participation._meta.concrete_fields}
    mine = f"FROM {participation} p WHERE p.{column['resident']} = {resident}.{resident_pk}"
    date, pole = f"p.{column['date']}", f"p.{column['pole']}"
    aggregates = {
        "first_session_on": f"MIN({date})",
        "last_session_on": f"MAX({date})",
        **dict.fromkeys(POLE_DATE_FIELD.values(), f"MIN(CASE WHEN {pole} = %s THEN {date} END)"),
        "session_count": "COUNT(*)",
    }
    # The pole of the first participation; on the same day, the earlier pole.
    first_pole = (
        f"COALESCE((SELECT {pole} {mine} ORDER BY {date}, CASE {pole} "
        + " ".join("WHEN %s THEN %s" for _ in Pole)
        + " END LIMIT 1), '')"
    )
    fields = ", ".join(quote(Resident._meta.get_field(name).column) for name in aggregates)
    values = ", ".join(aggregates.values())
    placeholders = ", ".join(["%s"] * count)
    return (
        f"UPDATE {resident} SET ({fields}) = (SELECT {values} {mine}), "
        f"{quote(Resident._meta.get_field('first_pole').column)} = {first_pole} "
        f"WHERE {resident_pk} IN ({placeholders})"
    )


def journey_update_params():
    """The parameters of journey_update_sql() before the residents' ids, in its order."""
    return [
        *(pole.value for pole in POLE_DATE_FIELD),
        *(value for pole in Pole for value in (pole.value, pole.rank)),
    ]


# Sessions -------------------------------------------------------------------------------
# The one write path lives in learners.writing; these are its entries for callers that hold
# records already (tests, commands, the admin).


def session_create(*, by, outcomes, topics=(), submission_key=None, today=None, **fields):
    """Log a session, its participants (creating the new residents among them) and their
    outcomes, in one transaction: writing.session_save() for callers holding records or
    ids. Returns (session, created): posting the same form twice (same `submission_key`)
    returns the session of the first post and writes nothing. Raises ValidationError
    (writing.SessionErrors)."""
    data = SessionInput(
        **fields, topics=list(topics), participants=list(outcomes), submission_key=submission_key
    )
    return session_save(data, by=by, today=today)


def session_update(*, session, by, outcomes, topics=(), today=None, **fields):
    """Change a logged session and its participants; keeps every copy and journey right.
    Participants `by` may not see stay as they were (hidden_outcomes). Fields not given
    stay as they are."""
    data = SessionInput.of(session, participants=outcomes, topics=list(topics))
    for name, value in fields.items():
        setattr(data, name, value)
    written, _created = session_save(data, by=by, session=session, today=today)
    return written


@transaction.atomic
def session_delete(*, session, by, today=None):
    if not session.can_be_changed_by(by, today=today):
        raise ValidationError(_("Cet accompagnement ne peut plus être supprimé."))
    resident_ids = set(session.participations.values_list("resident_id", flat=True))
    # Assessments made in the session go with it (CASCADE), as do its participations.
    session.delete()
    participations_changed(resident_ids)


# Residents ------------------------------------------------------------------------------


@transaction.atomic
def resident_create(*, by, actor, consent=False, across_towns=False, **fields):
    """A new resident, recorded at `actor`; `consent` records their consent to sharing,
    `across_towns` to being followed in the neighbouring towns too (it goes with sharing:
    ValidationError keyed "across_towns" without it)."""
    resident = Resident(created_by=by, created_by_actor=actor, **fields)
    consent_record(resident, sharing=consent, across_towns=across_towns)
    resident.save()
    return resident


@transaction.atomic
def resident_update(*, resident, by, consent, across_towns=None, path="", **fields):
    """Change a resident's details; `consent` gives (dated now) or withdraws their consent
    to network sharing, `across_towns` to being followed in the neighbouring towns (None:
    as it is; withdrawn with sharing). A change of consent is journaled (`path`: the page
    or the API address it was made on)."""
    counted = ("neighbourhood_id", "birth_year", "social_status")
    before = Resident.objects.filter(pk=resident.pk).values_list(*counted).first()
    for name, value in fields.items():
        setattr(resident, name, value)
    changed = consent_record(resident, sharing=consent, across_towns=across_towns)
    resident.save()
    if changed:
        consent_journal(resident, by=by, path=path)
    if before != tuple(getattr(resident, name) for name in counted):
        participations_changed([resident.pk])  # the statistics count people by these
    return resident


def consent_record(resident, *, sharing, across_towns=None):
    """Resident.record_consent(), its refusal keyed by the field that asked for following
    across towns ("across_towns"), as the forms, the API and the imports name it."""
    try:
        return resident.record_consent(sharing=sharing, across_towns=across_towns)
    except ValidationError as error:
        raise ValidationError({"across_towns": error.messages}) from None


def consent_journal(resident, *, by=None, path=""):
    """One journal row for a change of a resident's consent, by `by` (nobody: the resident
    in their own space)."""
    AccessLog.objects.create(
        user=by, resident=resident, action=AccessAction.CONSENT, path=path[:255]
    )


@transaction.atomic
def resident_merge(*, survivor, duplicate, by):
    """Merge `duplicate` into `survivor`: participations, assessments, referrals,
    certificates and personal links move to the survivor; empty details of the survivor are
    completed from the duplicate; the duplicate stays, hidden, with merged_into set. Nothing
    is deleted but exact double entries (the same person twice in one session)."""
    survivor = Resident.objects.select_for_update().get(pk=survivor.pk)
    duplicate = Resident.objects.select_for_update().get(pk=duplicate.pk)
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("Choisissez deux fiches différentes."))
    if survivor.merged_into_id or duplicate.merged_into_id:
        raise ValidationError(_("Une de ces fiches a déjà été fusionnée dans une autre."))
    # Certificates move (or refuse the merge) in their own app.
    signals.residents_merging.send(sender=Resident, survivor=survivor, duplicate=duplicate)

    # The same person entered twice in one session: keep the survivor's entry.
    both = set(
        Participation.objects.filter(resident=survivor).values_list("session_id", flat=True)
    ) & set(Participation.objects.filter(resident=duplicate).values_list("session_id", flat=True))
    Participation.objects.filter(resident=duplicate, session_id__in=both).delete()
    Participation.objects.filter(resident=duplicate).update(resident=survivor)
    for session in Session.objects.filter(pk__in=both):
        session.participant_count = session.participations.count()
        session.save(update_fields=["participant_count"])

    # Assessments made in the same session for the same competence: keep the higher level.
    taken = {
        (a.session_id, a.competence_id): a
        for a in CompetenceAssessment.objects.filter(resident=survivor, session__isnull=False)
    }
    for assessment in CompetenceAssessment.objects.filter(
        resident=duplicate, session__isnull=False
    ):
        kept = taken.get((assessment.session_id, assessment.competence_id))
        if kept is not None:
            if assessment.level > kept.level:
                kept.level = assessment.level
                kept.save(update_fields=["level"])
            assessment.delete()
    CompetenceAssessment.objects.filter(resident=duplicate).update(resident=survivor)
    Referral.objects.filter(resident=duplicate).update(resident=survivor)
    ResidentLink.objects.filter(resident=duplicate).update(resident=survivor)

    for name in ["first_name", "last_name", "birth_year", "neighbourhood", "phone", "email"]:
        if not getattr(survivor, name) and getattr(duplicate, name):
            setattr(survivor, name, getattr(duplicate, name))
    if survivor.social_status == SocialStatus.NOT_STATED:
        survivor.social_status = duplicate.social_status
    if survivor.consent_at is None and duplicate.sharing_consent:
        for name in CONSENT_FIELDS:
            setattr(survivor, name, getattr(duplicate, name))
    survivor.save()
    duplicate.merged_into = survivor
    duplicate.save(update_fields=["merged_into"])
    for resident in (survivor, duplicate):
        AccessLog.objects.create(user=by, resident=resident, action=AccessAction.MERGE)
    participations_changed([survivor.pk, duplicate.pk])
    return survivor


# Referrals ------------------------------------------------------------------------------


@transaction.atomic
def referral_send(
    *,
    resident,
    from_actor,
    by,
    reason,
    to_actor=None,
    to_pole="",
    consent=False,
    across_towns=False,
    path="",
):
    """Refer a resident to another actor or pole. Another actor sees the resident only if
    they consented to sharing, an actor of a neighbouring town only if they also agreed to
    be followed across towns: `consent` and `across_towns` record these now (the mediator
    read them the texts), by the rule of every entry path (Resident.record_consent), and
    the change is journaled (`path`: the page or the API address)."""
    errors = []
    if to_actor is None and not to_pole:
        errors.append(_("Choisissez la structure ou le pôle vers lequel orienter la personne."))
    if to_actor is not None and to_actor.pk == from_actor.pk:
        errors.append(_("Choisissez une autre structure que la vôtre."))
    if not reason.strip():
        errors.append(_("Indiquez le motif de l'orientation."))
    leaves_actor = to_actor is None or to_actor.pk != resident.created_by_actor_id
    if leaves_actor and not resident.sharing_consent and not consent:
        errors.append(
            _(
                "Pour qu'une autre structure voie cette personne, elle doit accepter le partage "
                "de son parcours : lisez-lui le texte et cochez la case."
            )
        )
    if to_actor is not None and to_actor.town_id != resident.created_by_actor.town_id:
        if not resident.referral_destinations().filter(pk=to_actor.pk).exists():
            errors.append(
                _(
                    "Cette structure est dans une ville qui ne partage pas de territoire avec "
                    "celle de la personne : elle ne la verrait pas. Choisissez une structure de "
                    "sa ville ou d'une ville voisine."
                )
            )
        elif not resident.shared_across_towns and not across_towns:
            errors.append(
                _(
                    "Pour qu'une structure d'une ville voisine voie cette personne, elle doit "
                    "aussi accepter d'être suivie dans les villes voisines : lisez-lui le texte "
                    "et cochez la case."
                )
            )
    if errors:
        raise ValidationError(errors)
    sharing = resident.sharing_consent or consent
    if consent_record(resident, sharing=sharing, across_towns=True if across_towns else None):
        resident.save(update_fields=CONSENT_FIELDS)
        consent_journal(resident, by=by, path=path)
    return Referral.objects.create(
        resident=resident,
        from_actor=from_actor,
        to_actor=to_actor,
        to_pole=to_pole,
        reason=reason.strip(),
        created_by=by,
    )


# Residents' personal links ---------------------------------------------------------------


def personal_url(token):
    """The address a personal link opens, as printed or sent."""
    return settings.SITE_URL + reverse("me_open", args=[token])


def resident_link_email(*, resident, created_by=None):
    """Send the resident a new personal link, valid RESIDENT_EMAIL_LINK_DAYS days, at the
    address the network has for them, signed by the network of their town (the one of the
    actor that recorded them). The token only travels in the email."""
    link, token = ResidentLink.create_for(
        resident, created_by=created_by, days=settings.RESIDENT_EMAIL_LINK_DAYS
    )
    body = render_to_string(
        "learners/me_link_email.txt",
        {
            "resident": resident,
            "url": personal_url(token),
            "expires_on": timezone.localdate(link.expires_at),
            "NETWORK_NAME": names_of(resident.created_by_actor.town)[1],
        },
    )
    EmailMessage(
        subject=_("Votre lien vers votre espace Parcours numérique"), body=body, to=[resident.email]
    ).send()
    return link


# Residents' rights and retention ---------------------------------------------------------

ERASED_REFERRAL_REASON = "—"


@transaction.atomic
def resident_erase(*, resident, by=None, revoke_certificates=False, now=None):
    """Erase a resident's personal data, on their request (GDPR art. 17) or after a long
    inactivity (residents_anonymize_inactive).

    Names, contacts, free-text notes about them and their personal links go; participations,
    assessments and referrals stay without them, so statistics are unchanged. Their
    certificates stay verifiable as issued to an erased person — their stored PDF, which
    names the person, is deleted — or are revoked when `revoke_certificates`. Records merged
    into this one are erased too. One journal row records who did it (nobody: the resident
    themselves or the retention job)."""
    now = now or timezone.now()
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.erased_at:
        return resident
    people = [resident, *Resident.objects.filter(merged_into=resident, erased_at__isnull=True)]
    ids = [person.pk for person in people]
    # Notes of sessions this person attended alone may speak of them; workshop notes stay.
    Session.objects.filter(participant_count=1, participations__resident_id__in=ids).update(
        notes=""
    )
    Referral.objects.filter(resident_id__in=ids).update(reason=ERASED_REFERRAL_REASON)
    ResidentLink.objects.filter(resident_id__in=ids).delete()
    # Certificates lose their stored PDF, or are revoked, in their own app.
    signals.residents_erasing.send(
        sender=Resident, resident_ids=ids, revoke_certificates=revoke_certificates, now=now
    )
    for person in people:
        person.first_name = person.last_name = person.phone = person.email = ""
        person.withdraw_consent()
        person.consent_at = None
        person.erased_at = now
        person.prepare()
        person.save()
    AccessLog.objects.create(user=by, resident=resident, action=AccessAction.ERASE, at=now)
    return resident


def residents_anonymize_inactive(*, today=None):
    """Erase the residents without any session for RESIDENT_INACTIVITY_DAYS (nor a record
    created within that period). Returns how many were erased."""
    today = today or timezone.localdate()
    limit = today - datetime.timedelta(days=settings.RESIDENT_INACTIVITY_DAYS)
    inactive = Resident.objects.filter(
        erased_at__isnull=True, merged_into__isnull=True, created_at__date__lt=limit
    ).filter(Q(last_session_on__lt=limit) | Q(last_session_on__isnull=True))
    erased = 0
    for resident in inactive.iterator(chunk_size=500):
        resident_erase(resident=resident)
        erased += 1
    return erased


@transaction.atomic
def resident_set_consent(*, resident, consent, across_towns=None, by=None, request=None):
    """Give or withdraw consent to network sharing, and to being followed in the
    neighbouring towns (None: as it is; withdrawn with sharing); withdrawal takes effect at
    once (other actors' and towns' querysets no longer include the resident). A change is
    journaled."""
    if consent_record(resident, sharing=consent, across_towns=across_towns):
        resident.save(update_fields=CONSENT_FIELDS)
        consent_journal(resident, by=by, path=request.path if request else "")
    return resident
