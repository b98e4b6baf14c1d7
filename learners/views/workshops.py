"""Signing up for a planned workshop: the workshop's public page with its form (no
account), the person's confirmation page with its cancel link, and the staff page of a
workshop's sign-ups. Here rather than in pathway, which may not know residents: a sign-up
becomes a resident's record when the attendance is taken (learners/attendance.py)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from learners import attendance, consent, signups
from learners.models import AccessLog, SignupStatus, WorkshopAttendance, WorkshopSignup
from learners.permissions import rate_limit_exceeded, too_many_requests
from learners.signup_forms import SignupForm
from pathway import views as guide_views
from pathway.areas import Area, every_town
from pathway.models import PlannedWorkshop
from pathway.permissions import working_with_residents
from pathway.views import guide_context, with_area


def public_workshop(pk):
    return get_object_or_404(
        PlannedWorkshop.objects.public(now=guide_views.current_time()).select_related(
            "actor__town"
        ),
        pk=pk,
    )


def workshop_context(request, workshop, area=None, **context):
    """A workshop's page is its town's: the header names it and, unless the visitor came
    with a town or territory of their own (?ville=, ?territoire=, kept in the links),
    the guide's links lead to that town's guide. With one town, nothing changes."""
    town = workshop.actor.town
    area = area if area is not None else Area(towns=every_town())
    if area.several_towns and not area.is_chosen:
        area = Area(towns=area.towns, town=town)
    context = guide_context(request, area, workshop=workshop, **context)
    if area.several_towns:
        context["TOWN_NAME"], context["NETWORK_NAME"] = town.name, town.network_name
    return context


@with_area
def workshop_detail(request, pk, area, form=None, status=200):
    """A coming workshop's public page, with the sign-up form (or the waiting list's)."""
    workshop = public_workshop(pk)
    return render(
        request,
        "learners/workshop_detail.html",
        workshop_context(request, workshop, area, form=form or SignupForm()),
        status=status,
    )


def workshop_signup(request, pk):
    """The sign-up form posted from the workshop's page: a seat at once if one is free,
    else the waiting list; then the person's confirmation page."""
    if request.method != "POST":
        query = request.GET.urlencode()
        return redirect(reverse("workshop_detail", args=[pk]) + (f"?{query}" if query else ""))
    public_workshop(pk)
    if rate_limit_exceeded(request, "workshop_signup", limit=settings.SIGNUP_RATE_LIMIT):
        return too_many_requests(request)
    form = SignupForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _signup, token = signups.signup_create(
                workshop_id=pk,
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                email=data["email"],
                sharing_consent=data["sharing_consent"],
                language=translation.get_language(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("signup_detail", token=token)
    return workshop_detail(request, pk, form=form, status=400)


def signup_by_token(request, token):
    if rate_limit_exceeded(request, "signup_token", limit=settings.RESIDENT_LINK_RATE_LIMIT):
        return None
    signup = (
        WorkshopSignup.objects.filter(token_hash=WorkshopSignup.hash(token))
        .select_related("workshop__place", "workshop__actor__town")
        .first()
    )
    if signup is None:
        raise Http404
    return signup


def signup_detail(request, token):
    """The person's own page for their sign-up: seat or waiting list, where and when, and
    the button to cancel. Its address is their personal link (sent by email or SMS)."""
    signup = signup_by_token(request, token)
    if signup is None:
        return too_many_requests(request)
    waiting_rank = None
    if signup.status == SignupStatus.WAITING:
        waiting_rank = (
            signup.workshop.signups.waiting_in_order()
            .filter(created_at__lte=signup.created_at, id__lte=signup.id)
            .count()
        )
    # The address is the person's key: the site's Referrer-Policy (same-origin) keeps it
    # from other sites ("no-referrer" would make browsers send "Origin: null", which the
    # CSRF check refuses).
    return render(
        request,
        "learners/signup_detail.html",
        workshop_context(
            request,
            signup.workshop,
            signup=signup,
            waiting_rank=waiting_rank,
            started=signup.workshop.starts_at <= timezone.now(),
        ),
    )


@require_POST
def signup_cancel(request, token):
    signup = signup_by_token(request, token)
    if signup is None:
        return too_many_requests(request)
    try:
        signups.signup_cancel(signup=signup)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Votre inscription est annulée. Merci d'avoir prévenu : la place va à "
                "quelqu'un d'autre."
            ),
        )
    return redirect("signup_detail", token=token)


# Staff ---------------------------------------------------------------------------------


@working_with_residents
def workshop_signups(request, pk):
    """The staff page of one workshop: who signed up, the waiting list, a form to sign
    someone up (by phone, at the desk), and the way to the attendance sheet."""
    workshop = get_object_or_404(
        PlannedWorkshop.objects.visible_to(request.user).select_related("place"), pk=pk
    )
    form = SignupForm(request.POST or None, staff=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signup, _token = signups.signup_create(
                workshop_id=workshop.pk,
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                email=data["email"],
                sharing_consent=data["sharing_consent"],
                language=translation.get_language(),
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if signup.status == SignupStatus.CONFIRMED:
                messages.success(
                    request, _("%(name)s est inscrit.") % {"name": signup.display_name}
                )
            else:
                messages.warning(
                    request,
                    _("L'atelier est complet : %(name)s est sur la liste d'attente.")
                    % {"name": signup.display_name},
                )
            return redirect("workshop_signups", pk=workshop.pk)
    rows = list(workshop.signups.select_related("resident").order_by("created_at", "id"))
    AccessLog.record(request, residents=[s.resident for s in rows if s.resident])
    return render(
        request,
        "learners/workshop_signups.html",
        {
            "workshop": workshop,
            "form": form,
            "confirmed": [s for s in rows if s.status == SignupStatus.CONFIRMED],
            "waiting": [s for s in rows if s.status == SignupStatus.WAITING],
            "cancelled": [s for s in rows if s.status == SignupStatus.CANCELLED],
            "started": workshop.starts_at <= timezone.now(),
        },
    )


@require_POST
@working_with_residents
def workshop_signup_cancel(request, pk, signup_pk):
    workshop = get_object_or_404(PlannedWorkshop.objects.visible_to(request.user), pk=pk)
    signup = get_object_or_404(workshop.signups, pk=signup_pk)
    try:
        signups.signup_cancel(signup=signup)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("L'inscription de %(name)s est annulée.") % {"name": signup.display_name}
        )
    return redirect("workshop_signups", pk=workshop.pk)


WALK_IN_ROWS = 3  # blank lines for walk-ins; "Ajouter une ligne" adds one (no JavaScript)
MAX_WALK_IN_ROWS = 40


@working_with_residents
def workshop_attendance(request, pk):
    """The attendance sheet, on a phone: tick who came, add walk-ins, save; the workshop is
    then logged as a collective session (learners/attendance.py)."""
    workshop = get_object_or_404(
        PlannedWorkshop.objects.visible_to(request.user).select_related("place", "actor"), pk=pk
    )
    done = WorkshopAttendance.objects.filter(workshop=workshop).select_related("session").first()
    if done is not None:
        return attendance_done(request, workshop, done)
    attendees = attendance.sheet(workshop)
    rows = WALK_IN_ROWS
    unregistered = 0
    errors = []
    if request.method == "POST":
        try:
            rows = min(MAX_WALK_IN_ROWS, max(WALK_IN_ROWS, int(request.POST.get("rows", rows))))
            unregistered = max(0, min(500, int(request.POST.get("unregistered_count") or 0)))
        except ValueError:
            errors.append(_("Le nombre de personnes non inscrites doit être un nombre entier."))
        attendees, walk_ins = attendance.read_sheet(request.POST, attendees, walk_in_rows=rows)
        attendance.candidates(request.user, [*attendees, *walk_ins])
        if "add_row" in request.POST:
            rows = min(MAX_WALK_IN_ROWS, rows + 1)
            walk_ins.append(
                attendance.Attendee(key=f"w{len(walk_ins)}", first_name="", last_name="")
            )
        elif not errors:
            try:
                session = attendance.attendance_save(
                    workshop=workshop,
                    by=request.user,
                    attendees=[*attendees, *walk_ins],
                    unregistered_count=unregistered,
                )
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(
                    request,
                    ngettext(
                        "La présence est enregistrée : l'atelier figure dans le parcours de "
                        "%(n)s personne.",
                        "La présence est enregistrée : l'atelier figure dans le parcours de "
                        "%(n)s personnes.",
                        session.participant_count,
                    )
                    % {"n": session.participant_count},
                )
                return redirect("workshop_attendance", pk=workshop.pk)
    else:
        attendance.candidates(request.user, attendees)
        walk_ins = [
            attendance.Attendee(key=f"w{row}", first_name="", last_name="") for row in range(rows)
        ]
    shown = {r for a in [*attendees, *walk_ins] for r in a.candidates}
    AccessLog.record(request, residents=shown)
    return render(
        request,
        "learners/workshop_attendance.html",
        {
            "workshop": workshop,
            "attendees": attendees,
            "walk_ins": walk_ins,
            "rows": len(walk_ins),
            "unregistered": unregistered,
            "errors": errors,
            "too_early": timezone.localdate(workshop.starts_at) > timezone.localdate(),
            "NEW": attendance.NEW,
        },
        status=400 if errors else 200,
    )


def attendance_done(request, workshop, done):
    """The sheet once saved: who came, each linked to their journey."""
    participations = []
    if done.session_id:
        participations = list(
            done.session.participations.with_shown(request.user)
            .select_related("resident")
            .order_by("resident__last_name", "resident__first_name", "id")
        )
        AccessLog.record(request, residents=[p.resident for p in participations if p.shown])
    return render(
        request,
        "learners/workshop_attendance_done.html",
        {"workshop": workshop, "attendance": done, "participations": participations},
    )


def consent_notice(request, version, language):
    """The consent text of `version` and the privacy notice in `language`, for a mediator
    to show on screen to a person who reads that language better (linked from the
    session and resident forms, and the sign-up form)."""
    if not consent.consent_text(version, language):
        raise Http404
    with translation.override(language):
        return render(
            request,
            "learners/consent_notice.html",
            {
                **guide_views.retention_context(),
                "version": version,
                "language": language,
                "text": consent.consent_text(version, language),
                "languages": consent.languages(version),
            },
        )
