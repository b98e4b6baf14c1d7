"""Workshop sign-ups: the one place their rules live, used by the public form, the staff
page, the cancel link, the reminder and purge commands, and the bench.

Seats are counted on the workshop row (PlannedWorkshop.seats_taken, which also holds the
seats staff give by phone). A sign-up takes its seat with one conditional UPDATE (… WHERE
seats_taken < seats), written with the sign-up itself, which locks the row until its
transaction commits right after: two people signing up at once for the last seat are
served one after the other, and the database's check (seats_taken <= seats) refuses any
overbooking that would slip through. Cancelling and moving the waiting list up lock the
row (SELECT … FOR UPDATE) for the same reason."""

import contextlib
import datetime
import functools
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from learners import signals
from learners.models import CURRENT_CONSENT_VERSION, SignupStatus, WorkshopSignup
from learners.sms import SmsMessage, get_backend
from pathway.areas import names_of
from pathway.models import Actor, Place, PlannedWorkshop, Town


def phone_normalise(text):
    """'06 12 34 56 78', '06.12.34.56.78', '+33 6 12…' → '0612345678' / '+33612…'; '' when
    it is not a phone number (fewer than 10 digits, or letters)."""
    text = (text or "").strip()
    if not text:
        return ""
    plus = text.startswith("+")
    digits = re.sub(r"[\s.\-()/]", "", text.lstrip("+"))
    if not digits.isdigit() or not 10 <= len(digits) <= 15:
        return ""
    return ("+" if plus else "") + digits


def cancel_url(token):
    return settings.SITE_URL + reverse("signup_detail", args=[token])


class Notice:
    """What one sign-up's person is told, by email and/or text message."""

    CONFIRMED = "confirmed"
    WAITING = "waiting"
    PROMOTED = "promoted"
    REMINDER = "reminder"


def _notify(signup, kind, token=None):
    """Email (if an address was given) and text message (if a phone was given), in the
    language the person signed up in. Sent after the transaction commits."""
    workshop = signup.workshop
    with translation.override(signup.consent_language or settings.LANGUAGE_CODE):
        context = {
            "signup": signup,
            "workshop": workshop,
            "place": workshop.place,
            "kind": kind,
            "url": cancel_url(token) if token else "",
            # Signed by the network of the workshop's town (its actor's), read with it.
            "NETWORK_NAME": names_of(workshop.actor.town)[1],
        }
        subject = {
            Notice.CONFIRMED: _("Votre inscription à l'atelier « %(title)s »"),
            Notice.WAITING: _("Liste d'attente pour l'atelier « %(title)s »"),
            Notice.PROMOTED: _("Une place s'est libérée : atelier « %(title)s »"),
            Notice.REMINDER: _("Rappel : atelier « %(title)s » demain"),
        }[kind] % {"title": workshop.title}
        # Only the messages that go out are written (most people give one of the two).
        email_body = signup.email and render_to_string("learners/signup_email.txt", context)
        sms_body = signup.phone and render_to_string("learners/signup_sms.txt", context)
    if signup.email:
        EmailMessage(subject=subject, body=email_body, to=[signup.email]).send()
    if signup.phone:
        get_backend().send_messages([SmsMessage(to=signup.phone, body=" ".join(sms_body.split()))])


def _locked_workshop(workshop_id):
    return (
        PlannedWorkshop.objects.select_for_update(of=("self",))
        .select_related("place", "actor__town")
        .get(pk=workshop_id)
    )


# What a sign-up reads of its workshop, place, actor and town: the checks, and the message
# it sends (signed by the town's network).
WORKSHOP_FIELDS = ("id", "title", "starts_at", "is_published", "place_id", "actor_id")
PLACE_FIELDS = ("id", "name", "address", "postcode", "city")
ACTOR_FIELDS = ("id", "town_id")
TOWN_FIELDS = ("id", "name", "network_name")


def _only_for_the_message():
    return (
        *WORKSHOP_FIELDS,
        *(f"place__{name}" for name in PLACE_FIELDS),
        *(f"actor__{name}" for name in ACTOR_FIELDS),
        *(f"actor__town__{name}" for name in TOWN_FIELDS),
    )


def _in_model_order(model, names):
    """The fields named, in the model's order (the order Model.from_db reads values in)."""
    return [f for f in model._meta.concrete_fields if f.attname in names]


def _open_workshop(workshop_id, *, now, staff):
    """The workshop (with its place) if sign-ups to it are open, else None: still to come,
    and published unless staff sign the person up."""
    workshop = (
        PlannedWorkshop.objects.filter(pk=workshop_id, starts_at__gt=now)
        .select_related("place", "actor__town")
        .only(*_only_for_the_message())
        .first()
    )
    if workshop is None or not (workshop.is_published or staff):
        return None
    return workshop


def _save_taking_a_seat(signup, *, now, staff):
    """Write a new sign-up if the workshop is open (returns False when it is not), confirmed
    if a seat is free (taking it), else waiting, all or nothing. The workshop's row is locked
    from the seat's UPDATE to the commit that follows. On PostgreSQL one statement checks the
    workshop, takes the seat, inserts the sign-up and reads what its message needs (a
    transaction by itself, committed at once unless the caller holds one): people signing
    up together wait for each other as little as possible, and a sign-up is one round trip.
    SQLite writes one transaction at a time anyway."""
    if connection.vendor != "postgresql":
        workshop = _open_workshop(signup.workshop_id, now=now, staff=staff)
        if workshop is None:
            return False
        with transaction.atomic():
            taken = PlannedWorkshop.objects.filter(
                pk=workshop.pk, seats_taken__lt=F("seats")
            ).update(seats_taken=F("seats_taken") + 1)
            signup.status = SignupStatus.CONFIRMED if taken else SignupStatus.WAITING
            signup.workshop = workshop
            signup.save()
        return True
    sql, fields, read = _seat_and_insert_sql()
    values = [f.get_db_prep_save(f.pre_save(signup, True), connection) for f in fields]
    # Inside the caller's transaction a savepoint, so that a refused sign-up (already
    # signed up) leaves that transaction usable.
    inside = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with inside, connection.cursor() as cursor:
        cursor.execute(sql, [signup.workshop_id, now, staff, *values])
        row = cursor.fetchone()
    if row is None:
        return False
    signup.pk, signup.status = row[:2]
    signup._state.adding = False
    objects, start = [], 2
    for model, names in read:
        objects.append(model.from_db(connection.alias, names, row[start : start + len(names)]))
        start += len(names)
    workshop, place, actor, town = objects
    workshop.place, workshop.actor, actor.town = place, actor, town
    signup.workshop = workshop
    return True


@functools.cache
def _seat_and_insert_sql():
    """The statement (PostgreSQL) behind _save_taking_a_seat: the INSERT Django would write
    for the sign-up, its status chosen by whether the seat's UPDATE found a free seat, made
    only if the workshop is open; then the workshop's, place's, actor's and town's fields
    read with it. Returns the statement, the sign-up's fields in the order of its
    parameters (after the workshop's id, the time and the staff flag), and (model, names
    of its fields) for the workshop, place, actor and town, in the order they come back
    (each model's order, as from_db reads)."""
    quote = connection.ops.quote_name
    fields = [
        f for f in WorkshopSignup._meta.concrete_fields if not f.primary_key and f.name != "status"
    ]
    columns = ", ".join(quote(f.column) for f in fields)
    status = quote(WorkshopSignup._meta.get_field("status").column)
    workshops = quote(PlannedWorkshop._meta.db_table)
    read = [
        (alias, model, _in_model_order(model, names))
        for alias, model, names in (
            ("w", PlannedWorkshop, WORKSHOP_FIELDS),
            ("p", Place, PLACE_FIELDS),
            ("a", Actor, ACTOR_FIELDS),
            ("t", Town, TOWN_FIELDS),
        )
    ]
    chosen = ", ".join(
        f"{alias}.{quote(f.column)}" for alias, _model, model_fields in read for f in model_fields
    )
    table = {model: quote(model._meta.db_table) for model in (Place, Actor, Town)}
    sql = (
        f"WITH open AS (SELECT id FROM {workshops} WHERE id = %s AND starts_at > %s"
        " AND (is_published OR %s)),"
        f" seat AS (UPDATE {workshops} SET seats_taken = seats_taken + 1"
        " WHERE id = (SELECT id FROM open) AND seats_taken < seats RETURNING id),"
        f" signup AS (INSERT INTO {quote(WorkshopSignup._meta.db_table)} ({columns}, {status})"
        f" SELECT {', '.join(['%s'] * len(fields))},"
        f" CASE WHEN EXISTS (SELECT FROM seat) THEN '{SignupStatus.CONFIRMED}'"
        f" ELSE '{SignupStatus.WAITING}' END FROM open RETURNING id, {status}, workshop_id)"
        f" SELECT signup.id, signup.{status}, {chosen} FROM signup"
        f" JOIN {workshops} w ON w.id = signup.workshop_id"
        f" JOIN {table[Place]} p ON p.id = w.place_id"
        f" JOIN {table[Actor]} a ON a.id = w.actor_id JOIN {table[Town]} t ON t.id = a.town_id"
    )
    read = [(model, [f.attname for f in model_fields]) for _alias, model, model_fields in read]
    return sql, fields, read


def signup_create(
    *,
    workshop_id,
    first_name,
    last_name,
    phone="",
    email="",
    sharing_consent=False,
    language="",
    by=None,
    now=None,
):
    """Sign a person up: a seat if one is free, else the waiting list. Returns
    (signup, token), the token of the personal cancel link (shown once). Raises
    ValidationError (French) when the workshop is past or the person already signed up."""
    now = now or timezone.now()
    phone, email = phone_normalise(phone), (email or "").strip().lower()
    if not phone and not email:
        raise ValidationError(_("Donnez un numéro de téléphone ou une adresse électronique."))
    signup = WorkshopSignup(
        workshop_id=workshop_id,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=phone,
        email=email,
        sharing_consent=sharing_consent,
        consent_version=CURRENT_CONSENT_VERSION if sharing_consent else "",
        consent_language=language or translation.get_language() or settings.LANGUAGE_CODE,
        created_by=by,
        created_at=now,
    )
    token = signup.new_token()
    try:
        opened = _save_taking_a_seat(signup, now=now, staff=by is not None)
    except IntegrityError as error:
        # Already signed up with this phone or email (the constraints signup_one_per_phone
        # and signup_one_per_email are the one check, also between two posts at the same
        # moment); the seat taken above goes back with the rollback.
        same = Q(phone=phone) if phone else Q()
        if email:
            same |= Q(email=email)
        if (
            not WorkshopSignup.objects.filter(workshop_id=workshop_id)
            .active()
            .filter(same)
            .exists()
        ):
            raise
        raise ValidationError(
            _("Cette personne est déjà inscrite à cet atelier (même téléphone ou courriel).")
        ) from error
    if not opened:
        raise ValidationError(_("Les inscriptions à cet atelier sont closes."))
    kind = Notice.CONFIRMED if signup.status == SignupStatus.CONFIRMED else Notice.WAITING
    transaction.on_commit(lambda: _notify(signup, kind, token))
    return signup, token


def signup_cancel(*, signup, now=None):
    """Cancel a sign-up (by its person's link, or by staff): frees the seat, which goes to
    the first person of the waiting list (told at once). Cancelling twice does nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        workshop = _locked_workshop(signup.workshop_id)
        signup = WorkshopSignup.objects.select_for_update().get(pk=signup.pk)
        if signup.status == SignupStatus.CANCELLED:
            return signup
        if workshop.starts_at <= now:
            raise ValidationError(_("L'atelier a commencé : il ne peut plus être annulé ici."))
        was_confirmed = signup.status == SignupStatus.CONFIRMED
        signup.status = SignupStatus.CANCELLED
        signup.cancelled_at = now
        signup.save(update_fields=["status", "cancelled_at"])
        if was_confirmed:
            PlannedWorkshop.objects.filter(pk=workshop.pk, seats_taken__gt=0).update(
                seats_taken=F("seats_taken") - 1
            )
            workshop.seats_taken = max(0, workshop.seats_taken - 1)
        _promote(workshop, now=now)
    return signup


def _promote(workshop, *, now):
    """Give the free seats of a locked workshop to the waiting list, first come first
    served; each promoted person gets a new cancel link with the news."""
    free = workshop.seats - workshop.seats_taken
    if free <= 0 or workshop.starts_at <= now:
        return []
    promoted = list(workshop.signups.waiting_in_order().select_for_update()[:free])
    for signup in promoted:
        token = signup.new_token()
        signup.status = SignupStatus.CONFIRMED
        signup.promoted_at = now
        signup.save(update_fields=["status", "promoted_at", "token_hash"])
        transaction.on_commit(lambda s=signup, t=token: _notify(s, Notice.PROMOTED, t))
    if promoted:
        PlannedWorkshop.objects.filter(pk=workshop.pk).update(
            seats_taken=F("seats_taken") + len(promoted)
        )
        workshop.seats_taken += len(promoted)
    return promoted


@receiver(post_save, sender=PlannedWorkshop, dispatch_uid="signups_seats_changed")
def seats_changed(sender, instance, created, raw=False, **kwargs):
    """Staff gave the workshop more seats (or fewer by phone): the waiting list moves up."""
    if (
        created
        or raw
        or not WorkshopSignup.objects.filter(
            workshop_id=instance.pk, status=SignupStatus.WAITING
        ).exists()
    ):
        return
    with transaction.atomic():
        _promote(_locked_workshop(instance.pk), now=timezone.now())


def send_reminders(*, now=None):
    """The day before a workshop, remind each person with a seat (email and/or text
    message), once. Returns the number of people reminded."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    due = list(
        WorkshopSignup.objects.filter(
            status=SignupStatus.CONFIRMED,
            reminded_at__isnull=True,
            workshop__starts_at__gte=start,
            workshop__starts_at__lt=end,
        ).select_related("workshop__place", "workshop__actor__town")
    )
    for signup in due:
        with transaction.atomic():
            # Marked first: a reminder is never sent twice, even when two runs overlap.
            if not WorkshopSignup.objects.filter(pk=signup.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            # A fresh link with the reminder (the first one is only a hash here).
            token = signup.new_token()
            WorkshopSignup.objects.filter(pk=signup.pk).update(token_hash=signup.token_hash)
            transaction.on_commit(lambda s=signup, t=token: _notify(s, Notice.REMINDER, t))
    return len(due)


def signups_purge(*, now=None):
    """Delete the sign-ups never turned into a session (no-shows, cancellations, attendance
    never taken) SIGNUP_RETENTION_DAYS after their workshop. Returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.SIGNUP_RETENTION_DAYS)
    deleted, _by_model = WorkshopSignup.objects.filter(
        session__isnull=True, workshop__starts_at__lt=cutoff
    ).delete()
    return deleted


@receiver(signals.residents_erasing, dispatch_uid="signups_residents_erasing")
def residents_erasing(sender, resident_ids, **kwargs):
    """An erased resident's sign-ups (names, phone, email) go with their data."""
    WorkshopSignup.objects.filter(resident_id__in=resident_ids).delete()
