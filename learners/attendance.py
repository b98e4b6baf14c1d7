"""The attendance sheet of a planned workshop becomes its collective session: the people
ticked (sign-ups and walk-ins) are matched to residents' records — likely duplicates are
proposed to the mediator, never merged silently — or recorded as new residents with the
consent they gave when signing up; then the session is logged through the one write path
(services.session_create), in one transaction."""

import dataclasses
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from learners import services
from learners.models import (
    Location,
    Resident,
    SessionFormat,
    SignupStatus,
    WorkshopAttendance,
    WorkshopSignup,
)

NEW = "new"  # the choice "a new record" on the sheet
MAX_CANDIDATES = 5


@dataclasses.dataclass
class Attendee:
    """One line of the sheet: a sign-up, or a walk-in typed on the sheet."""

    key: str  # "s<signup id>" or "w<row>": names the line's fields in the form
    first_name: str
    last_name: str
    phone: str = ""
    email: str = ""
    signup: WorkshopSignup | None = None
    came: bool = False
    choice: str = ""  # "", NEW, or a resident's id among the candidates
    candidates: list = dataclasses.field(default_factory=list)
    error: str = ""

    @property
    def display_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_blank(self):
        return not (self.first_name or self.last_name)

    def chosen_resident(self):
        for resident in self.candidates:
            if str(resident.pk) == self.choice:
                return resident
        return None


def candidates(user, attendees):
    """The records each attendee may be (those `user` may see): same or alike names (see
    ResidentQuerySet.likely_duplicates), or the same email. Fills attendee.candidates."""
    visible = Resident.objects.visible_to(user).active().select_related("neighbourhood")
    for attendee in attendees:
        if attendee.is_blank:
            attendee.candidates = []
            continue
        alike = visible.likely_duplicates(
            first_name=attendee.first_name, last_name=attendee.last_name
        )
        found = list(alike.order_by("last_name", "first_name", "id")[:MAX_CANDIDATES])
        if attendee.email and len(found) < MAX_CANDIDATES:
            found += list(
                visible.filter(email__iexact=attendee.email)
                .exclude(pk__in=[r.pk for r in found])
                .order_by("id")[: MAX_CANDIDATES - len(found)]
            )
        attendee.candidates = found
    return attendees


def sheet(workshop):
    """The sheet's lines for the workshop's sign-ups: seats first, then the waiting list
    (someone waiting may come anyway)."""
    # "confirmed" sorts before "waiting".
    signups = workshop.signups.exclude(status=SignupStatus.CANCELLED).order_by(
        "status", "created_at", "id"
    )
    return [
        Attendee(
            key=f"s{s.pk}",
            first_name=s.first_name,
            last_name=s.last_name,
            phone=s.phone,
            email=s.email,
            signup=s,
        )
        for s in signups
    ]


def check(attendees, unregistered_count):
    """The sheet's rules, with a French message on each line at fault; raises
    ValidationError when anything must be fixed."""
    errors = []
    came = [a for a in attendees if a.came]
    for attendee in came:
        attendee.error = ""
        if not attendee.candidates and not attendee.choice:
            attendee.choice = NEW
        if attendee.signup is None and not (attendee.first_name and attendee.last_name):
            attendee.error = _("Donnez le prénom et le nom de la personne venue sans inscription.")
        elif attendee.choice == NEW:
            continue
        elif attendee.choice and attendee.chosen_resident() is None:
            attendee.error = _("Choisissez une des fiches proposées, ou une nouvelle fiche.")
        elif not attendee.choice:
            attendee.error = _(
                "Cette personne ressemble à une fiche existante : choisissez la bonne fiche, "
                "ou « nouvelle fiche » si ce n'est pas elle."
            )
        if attendee.error:
            name = attendee.display_name or _("Ligne sans nom")
            errors.append(f"{name} : {attendee.error}")
    chosen = [a.choice for a in came if a.choice not in ("", NEW)]
    if len(chosen) != len(set(chosen)):
        errors.append(_("Deux lignes désignent la même fiche : vérifiez les choix."))
    if not came and not unregistered_count:
        errors.append(
            _("Cochez au moins une personne venue, ou le nombre de personnes non inscrites.")
        )
    if errors:
        raise ValidationError(errors)


def log_collective_session(*, by, workshop, residents, unregistered_count):
    """The one call into the session write path: the workshop logged as a collective
    session of `residents` (saved records). Returns the session."""
    start = timezone.localtime(workshop.starts_at)
    session, _created = services.session_create(
        by=by,
        outcomes=[services.Outcome(resident=resident) for resident in residents],
        submission_key=uuid.uuid5(uuid.NAMESPACE_URL, f"workshop-attendance-{workshop.pk}"),
        date=start.date(),
        start_time=start.time().replace(second=0, microsecond=0),
        duration_minutes=workshop.duration_minutes,
        format=SessionFormat.COLLECTIVE,
        actor=workshop.actor,
        location=Location.ON_SITE,
        place=workshop.place,
        pole=workshop.pole,
        workshop_title=workshop.title,
        unregistered_count=unregistered_count,
    )
    return session


def attendance_save(*, workshop, by, attendees, unregistered_count=0):
    """Record who came: new residents created (with the consent given at sign-up), the
    session logged, each sign-up linked to its record and the session. All or nothing.
    Returns the session."""
    check(attendees, unregistered_count)
    if timezone.localdate(workshop.starts_at) > timezone.localdate():
        raise ValidationError(_("La présence se prend le jour de l'atelier, pas avant."))
    came = [a for a in attendees if a.came]
    try:
        with transaction.atomic():
            attendance = WorkshopAttendance.objects.create(workshop=workshop, taken_by=by)
            residents = []
            for attendee in came:
                resident = attendee.chosen_resident()
                if resident is None:
                    signup = attendee.signup
                    resident = services.resident_create(
                        by=by,
                        actor=workshop.actor,
                        consent=bool(signup and signup.sharing_consent),
                        first_name=attendee.first_name,
                        last_name=attendee.last_name,
                        phone=attendee.phone,
                        email=attendee.email,
                    )
                residents.append(resident)
            session = log_collective_session(
                by=by, workshop=workshop, residents=residents, unregistered_count=unregistered_count
            )
            attendance.session = session
            attendance.save(update_fields=["session"])
            for attendee, resident in zip(came, residents, strict=True):
                if attendee.signup is not None:
                    WorkshopSignup.objects.filter(pk=attendee.signup.pk).update(
                        resident=resident, session=session
                    )
    except IntegrityError as error:
        if WorkshopAttendance.objects.filter(workshop=workshop).exists():
            raise ValidationError(_("La présence de cet atelier est déjà enregistrée.")) from error
        raise
    return session


def read_sheet(post, attendees, *, walk_in_rows):
    """The sheet as posted: ticks and choices of the sign-ups' lines, and the walk-ins'
    lines (blank ones left out when not ticked)."""
    for attendee in attendees:
        attendee.came = post.get(f"came-{attendee.key}") == "on"
        attendee.choice = post.get(f"match-{attendee.key}", "")
    walk_ins = []
    for row in range(walk_in_rows):
        key = f"w{row}"
        walk_in = Attendee(
            key=key,
            first_name=post.get(f"first_name-{key}", "").strip()[:100],
            last_name=post.get(f"last_name-{key}", "").strip()[:100],
            phone=post.get(f"phone-{key}", "").strip()[:20],
            choice=post.get(f"match-{key}", ""),
        )
        walk_in.came = not walk_in.is_blank
        walk_ins.append(walk_in)
    return attendees, walk_ins
