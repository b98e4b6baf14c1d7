"""The network calendar: registrations (staff and guests, up to the capacity), the minutes
and decisions after a meeting, the .ics feed of each person, and reminders."""

import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from network.models import Meeting, Registration
from pathway.areas import names_of
from pathway.permissions import Role

ICS_SALT = "network.calendar.ics"


def can_organise(user):
    return user.is_authenticated and (user.is_network_admin or user.role == Role.COORDINATOR)


@transaction.atomic
def register(meeting, *, user=None, name="", organisation="", email=""):
    """Register a member of staff or a guest; refused when full or already registered."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.ends_at < timezone.now():
        raise ValidationError(_("Cette date est passée."))
    if user is None and not (name.strip() and email.strip()):
        raise ValidationError(_("Indiquez votre nom et votre adresse e-mail."))
    taken = meeting.registrations.count()
    if meeting.capacity is not None and taken >= meeting.capacity:
        raise ValidationError(_("Complet : il n'y a plus de place."))
    already = (
        meeting.registrations.filter(user=user)
        if user
        else meeting.registrations.filter(user__isnull=True, email__iexact=email.strip())
    )
    if already.exists():
        raise ValidationError(_("Vous êtes déjà inscrit."))
    registration = Registration.objects.create(
        meeting=meeting,
        user=user,
        name=name.strip(),
        organisation=organisation.strip(),
        email=(email or (user.email if user else "")).strip().lower(),
    )
    if registration.email:
        _send(registration, "confirmation")
    return registration


def unregister(meeting, user):
    meeting.registrations.filter(user=user).delete()


def network_name(meeting):
    """The network whose date it is, as its emails sign: its town's, else (a date for
    every town) the installation's."""
    return names_of(meeting.town if meeting.town_id is not None else None)[1]


def _send(registration, what):
    meeting = registration.meeting
    subject = {
        "confirmation": _("Inscription confirmée : %(title)s"),
        "reminder": _("Rappel : %(title)s"),
    }[what] % {"title": meeting.title}
    body = render_to_string(
        "network/registration_email.txt",
        {
            "registration": registration,
            "meeting": meeting,
            "what": what,
            "NETWORK_NAME": network_name(meeting),
        },
    )
    EmailMessage(subject=subject, body=body, to=[registration.email]).send()


def send_reminders(*, now=None, hours=48):
    """Remind everyone registered for what starts within `hours` (once)."""
    now = now or timezone.now()
    due = (
        Registration.objects.filter(
            reminded_at__isnull=True,
            meeting__starts_at__gt=now,
            meeting__starts_at__lte=now + datetime.timedelta(hours=hours),
        )
        .select_related("meeting__town", "user")
        .exclude(email="")
    )
    sent = 0
    for registration in due:
        _send(registration, "reminder")
        registration.reminded_at = now
        registration.save(update_fields=["reminded_at"])
        sent += 1
    return sent


@transaction.atomic
def record_minutes(meeting, *, by, minutes, decisions, attended):
    """After the meeting: its minutes, its decisions, who came (registration ids)."""
    if not can_organise(by):
        raise ValidationError(
            _("Seuls les responsables et la coordination écrivent le compte rendu.")
        )
    meeting.minutes, meeting.decisions, meeting.minutes_by = minutes, decisions, by
    meeting.save(update_fields=["minutes", "decisions", "minutes_by"])
    meeting.registrations.update(attended=False)
    meeting.registrations.filter(pk__in=attended).update(attended=True)


# The .ics feed ------------------------------------------------------------------------------


def feed_token(user):
    return signing.dumps(user.pk, salt=ICS_SALT)


def feed_user(token):
    from django.contrib.auth import get_user_model

    try:
        pk = signing.loads(token, salt=ICS_SALT)
    except signing.BadSignature:
        return None
    return (
        get_user_model().objects.filter(pk=pk, is_active=True).exclude(role=Role.AMBASSADOR).first()
    )


def feed_url(user):
    return settings.SITE_URL + reverse("calendar_ics", args=[feed_token(user)])


def _escape(text):
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line):
    """Lines of at most 75 octets, continued with a space (RFC 5545, 3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _stamp(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def ics(meetings, *, name):
    host = settings.SITE_URL.split("://", 1)[-1]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Parcours numérique//Calendrier du réseau//FR",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    now = _stamp(timezone.now())
    for meeting in meetings:
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{meeting.pk}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_stamp(meeting.starts_at)}",
            f"DTEND:{_stamp(meeting.ends_at)}",
            f"SUMMARY:{_escape(meeting.title)}",
            f"CATEGORIES:{_escape(meeting.get_kind_display())}",
        ]
        if meeting.location:
            lines.append(f"LOCATION:{_escape(meeting.location)}")
        if meeting.description:
            lines.append(f"DESCRIPTION:{_escape(meeting.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
