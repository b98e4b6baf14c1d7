import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from learners import services
from learners.forms import (
    DURATION_PRESETS,
    LEVEL_PREFIX,
    OTHER,
    LoginForm,
    MergeForm,
    ParticipantFormSet,
    ReferralForm,
    ResidentForm,
    SessionChoices,
    SessionForm,
    new_submission_key,
)
from learners.journeys import journey_of
from learners.models import (
    AccessAction,
    AccessLog,
    Referral,
    ReferralStatus,
    Resident,
    ResidentLink,
    Role,
    Session,
    SessionFormat,
)
from learners.permissions import (
    RESIDENT_SESSION_KEY,
    resident_required,
    staff_required,
    working_with_residents,
)
from pathway.models import Neighbourhood

network_admin_only = staff_required(Role.NETWORK_ADMIN)


class LoginView(auth_views.LoginView):
    template_name = "learners/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


logout = auth_views.LogoutView.as_view()


# Sessions -------------------------------------------------------------------------------


@working_with_residents
def session_list(request):
    """The mediator's home: their recent sessions. Coordinators see their actors' sessions,
    the network admin the whole network's."""
    sessions = Session.objects.visible_to(request.user)
    if request.user.role == Role.MEDIATOR and not request.user.is_network_admin:
        sessions = sessions.filter(created_by=request.user)
    page = Paginator(sessions.with_list_data(), 25).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for session in page.object_list:
        session.changeable = session.can_be_changed_by(request.user, today=today)
    return render(request, "learners/session_list.html", {"page": page})


def changeable_session(request, pk):
    """A session this user may still edit or delete (404 otherwise)."""
    session = get_object_or_404(
        Session.objects.visible_to(request.user).select_related("actor", "module"), pk=pk
    )
    if not session.can_be_changed_by(request.user):
        raise Http404
    return session


def session_initial(session, *, today=None):
    """Form values copied from `session` (for "repeat" when `today` is given, else editing)."""
    minutes = session.duration_minutes
    return {
        "date": today or session.date,
        "start_time": session.start_time,
        "duration": str(minutes) if minutes in DURATION_PRESETS else OTHER,
        "duration_other": None if minutes in DURATION_PRESETS else minutes,
        "format": session.format,
        "actor": session.actor_id,
        "location": session.location,
        "place": session.place_id,
        "pole": session.pole,
        "topics": [t.pk for t in session.topics.all()],
        "module": session.module_id,
        "equipment": session.equipment,
        "workshop_title": session.workshop_title,
        "workshop_level": session.workshop_level,
        "unregistered_count": session.unregistered_count,
        "notes": "" if today else session.notes,
    }


def participants_initial(session, user, *, outcomes):
    """Participant rows copied from `session`: with their outcomes when editing, the people
    only (those this user may still see) when repeating."""
    participations = session.participations.order_by("id")
    if not outcomes:
        ids = list(participations.values_list("resident_id", flat=True))
        visible = set(
            Resident.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
        )
        return [{"resident": pk} for pk in ids if pk in visible]
    levels = {}
    for assessment in session.assessments.all():
        levels.setdefault(assessment.resident_id, {})[
            f"{LEVEL_PREFIX}{assessment.competence_id}"
        ] = assessment.level
    return [
        {
            "resident": p.resident_id,
            "autonomy": p.autonomy,
            "operator": p.operator_id,
            "paperwork_result": p.paperwork_result,
            "blocked_reason": p.blocked_reason,
            **levels.get(p.resident_id, {}),
        }
        for p in participations
    ]


def session_forms(request, choices, *, today, session=None, initial=None, participants=None):
    """The session form and its participants formset, bound to the POST if there is one."""
    data = request.POST if request.method == "POST" else None
    form = SessionForm(data, choices=choices, today=today, initial=initial)
    # The participant rows depend on the pole and module being posted (level fields).
    source = data if data is not None else form.initial
    try:
        module_id = int(source.get("module") or 0)
    except (TypeError, ValueError):
        module_id = 0
    module = choices.by_pk(choices.modules).get(module_id) if module_id else None
    formset = ParticipantFormSet(
        data,
        prefix="p",
        initial=participants,
        choices=choices,
        user=request.user,
        pole=source.get("pole"),
        module=module,
        session=session,
    )
    return form, formset


def default_operator(topics):
    """The operator of the paperwork topic ticked, when there is exactly one."""
    operators = {t.operator_id for t in topics if t.operator_id}
    return operators.pop() if len(operators) == 1 else None


def outcomes_of(form, formset):
    outcomes = formset.outcomes
    operator_id = default_operator(form.cleaned_data["topics"])
    if operator_id and form.cleaned_data["pole"] == "necessity":
        operator = form.choices.by_pk(form.choices.operators)[operator_id]
        for outcome in outcomes:
            outcome.operator = outcome.operator or operator
    return outcomes


def render_session_form(request, form, formset, *, session=None):
    formset.attach_residents()
    return render(
        request,
        "learners/session_form.html",
        {
            "form": form,
            "formset": formset,
            "session": session,
            "module_competences": form.choices.module_competences(),
            "place_actors": {str(p.pk): p.actor_id for p in form.choices.places},
        },
    )


@working_with_residents
def session_create(request):
    """Log a session: one page, its participants and their outcomes."""
    user, today = request.user, timezone.localdate()
    choices = SessionChoices(user)
    if request.method == "POST":
        # The same form posted twice (double click, a reload): the first one counts.
        try:
            key = uuid.UUID(request.POST.get("submission_key", ""))
        except ValueError:
            key = None
        if key and Session.objects.filter(submission_key=key).exists():
            messages.info(request, _("Cet accompagnement était déjà enregistré."))
            return redirect("session_list")
        form, formset = session_forms(request, choices, today=today)
        if form.is_valid() & formset.is_valid():
            try:
                session, created = services.session_create(
                    by=user,
                    outcomes=outcomes_of(form, formset),
                    topics=form.cleaned_data["topics"],
                    submission_key=form.cleaned_data["submission_key"],
                    today=today,
                    **form.session_fields(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if created:
                    messages.success(
                        request,
                        _("Accompagnement du %(date)s enregistré.")
                        % {"date": session.date.strftime("%d/%m/%Y")},
                    )
                return redirect("session_list")
        return render_session_form(request, form, formset)

    initial = {"date": today, "submission_key": new_submission_key()}
    participants = None
    if choices.actors:
        actor = choices.actors[0]
        initial["actor"] = actor.pk
        place = next((p for p in choices.places if p.actor_id == actor.pk), None)
        initial["place"] = place.pk if place else None
    repeat = request.GET.get("repeat")
    if repeat in ("last", "group"):
        mine = Session.objects.visible_to(user).filter(created_by=user)
        if repeat == "group":
            mine = mine.filter(format=SessionFormat.COLLECTIVE)
        last = mine.order_by("-date", "-created_at").prefetch_related("topics").first()
        if last is None:
            messages.info(
                request,
                _("Aucun atelier précédent à reprendre.")
                if repeat == "group"
                else _("Aucun accompagnement précédent à reprendre."),
            )
        else:
            initial.update(session_initial(last, today=today))
            participants = participants_initial(last, user, outcomes=False)
    form, formset = session_forms(
        request, choices, today=today, initial=initial, participants=participants
    )
    return render_session_form(request, form, formset)


@working_with_residents
def session_update(request, pk):
    session = changeable_session(request, pk)
    user, today = request.user, timezone.localdate()
    choices = SessionChoices(user)
    form, formset = session_forms(
        request,
        choices,
        today=today,
        session=session,
        initial=session_initial(session),
        participants=participants_initial(session, user, outcomes=True),
    )
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        fields = form.session_fields()
        try:
            services.session_update(
                session=session,
                by=user,
                outcomes=outcomes_of(form, formset),
                topics=form.cleaned_data["topics"],
                today=today,
                **fields,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Accompagnement modifié."))
            return redirect("session_list")
    return render_session_form(request, form, formset, session=session)


@working_with_residents
def session_delete(request, pk):
    session = changeable_session(request, pk)
    if request.method == "POST":
        services.session_delete(session=session, by=request.user)
        messages.success(request, _("Accompagnement supprimé."))
        return redirect("session_list")
    return render(request, "learners/session_delete.html", {"session": session})


# Residents ------------------------------------------------------------------------------

SEARCH_LIMIT = 10


def find_residents(user, text, *, limit=SEARCH_LIMIT):
    """Residents this user may see matching `text`, best-known first: (list, more?)."""
    neighbourhoods = list(Neighbourhood.objects.only("pk", "name"))
    found = list(
        Resident.objects.visible_to(user)
        .search(text, neighbourhoods=neighbourhoods)
        .select_related("neighbourhood", "created_by_actor")
        .order_by("search_last", "search_first", "id")[: limit + 1]
    )
    return found[:limit], len(found) > limit


def visible_resident(request, reference):
    return get_object_or_404(
        Resident.objects.visible_to(request.user).select_related(
            "neighbourhood", "created_by_actor"
        ),
        reference=reference.upper(),
    )


@working_with_residents
def resident_list(request):
    """Find a resident; without a search, the people seen lately at the user's actors."""
    text = request.GET.get("q", "").strip()
    more = False
    if text:
        residents, more = find_residents(request.user, text, limit=50)
    else:
        residents = list(
            Resident.objects.visible_to(request.user)
            .filter(
                last_session_on__isnull=False,
                **(
                    {}
                    if request.user.is_network_admin
                    else {"created_by_actor__in": request.user.actor_ids}
                ),
            )
            .select_related("neighbourhood", "created_by_actor")
            .order_by("-last_session_on", "id")[:20]
        )
    return render(
        request,
        "learners/resident_list.html",
        {"residents": residents, "q": text, "more": more},
    )


@working_with_residents
def resident_search(request):
    """As-you-type search of the session page: an HTML fragment of matching residents."""
    text = request.GET.get("q", "").strip()
    residents, more = find_residents(request.user, text)
    return render(
        request,
        "learners/resident_search.html",
        {"residents": residents, "more": more, "q": text, "too_short": len(text) < 2},
    )


@working_with_residents
def resident_create(request):
    user = request.user
    actors = SessionChoices(user).actors
    form = ResidentForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["same_as"] != "new":
            duplicates = list(
                Resident.objects.visible_to(user)
                .likely_duplicates(
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    birth_year=data["birth_year"],
                )
                .select_related("neighbourhood", "created_by_actor")[:5]
            )
        if not actors:
            form.add_error(None, _("Votre compte n'est rattaché à aucune structure."))
        elif not duplicates:
            fields = {name: data[name] for name in ResidentForm.Meta.fields}
            resident = services.resident_create(
                by=user, actor=actors[0], consent=data["consent"], **fields
            )
            messages.success(request, _("Fiche créée."))
            return redirect("resident_journey", reference=resident.reference)
    return render(request, "learners/resident_form.html", {"form": form, "duplicates": duplicates})


@working_with_residents
def resident_journey(request, reference):
    """The journey page: printable, and journaled as a read of the record."""
    resident = visible_resident(request, reference)
    AccessLog.record(request, resident, AccessAction.VIEW_JOURNEY)
    journey = journey_of(resident)
    duplicates = []
    if request.user.is_network_admin:
        duplicates = list(
            Resident.objects.visible_to(request.user)
            .likely_duplicates(
                first_name=resident.first_name,
                last_name=resident.last_name,
                birth_year=resident.birth_year,
            )
            .exclude(pk=resident.pk)[:5]
        )
    return render(
        request,
        "learners/resident_journey.html",
        {
            "resident": resident,
            "journey": journey,
            "chart": journey.autonomy_chart(),
            "duplicates": duplicates,
            "flag_days": settings.REFERRAL_FLAG_DAYS,
        },
    )


@working_with_residents
def resident_update(request, reference):
    resident = visible_resident(request, reference)
    form = ResidentForm(request.POST or None, instance=resident)
    if request.method == "POST" and form.is_valid():
        resident = form.save(commit=False)
        if form.cleaned_data["consent"] and not resident.sharing_consent:
            resident.give_consent()
        elif not form.cleaned_data["consent"]:
            resident.withdraw_consent()
        resident.save()
        AccessLog.record(request, resident, AccessAction.EDIT_RECORD)
        messages.success(request, _("Fiche enregistrée."))
        return redirect("resident_journey", reference=resident.reference)
    AccessLog.record(request, resident, AccessAction.VIEW_RECORD)
    return render(request, "learners/resident_form.html", {"form": form, "resident": resident})


@network_admin_only
def resident_merge(request):
    """The network admin merges a duplicate record into the one to keep."""
    form = MergeForm(request.POST or None, initial={"survivor": request.GET.get("survivor", "")})
    if request.method == "POST" and form.is_valid():
        survivor, duplicate = form.cleaned_data["survivor"], form.cleaned_data["duplicate"]
        if form.cleaned_data["confirm"]:
            try:
                services.resident_merge(survivor=survivor, duplicate=duplicate, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Fiches fusionnées : %(duplicate)s est maintenant dans %(survivor)s.")
                    % {"duplicate": duplicate.reference, "survivor": survivor.reference},
                )
                return redirect("resident_journey", reference=survivor.reference)
        return render(
            request,
            "learners/resident_merge.html",
            {"form": form, "records": [survivor, duplicate], "confirming": True},
        )
    return render(request, "learners/resident_merge.html", {"form": form})


# Referrals ------------------------------------------------------------------------------


@working_with_residents
def referral_list(request):
    """The inbox of referrals addressed to the user's actors, or those they sent."""
    box = "sent" if request.GET.get("box") == "sent" else "received"
    referrals = Referral.objects.visible_to(request.user)
    referrals = (
        referrals.sent_by(request.user) if box == "sent" else referrals.received_by(request.user)
    )
    if request.GET.get("open", "1") == "1":
        referrals = referrals.exclude(status=ReferralStatus.CLOSED)
    page = Paginator(referrals.with_list_data(), 25).get_page(request.GET.get("page"))
    now = timezone.now()
    for referral in page.object_list:
        referral.flagged = referral.is_flagged(now=now)
    return render(
        request,
        "learners/referral_list.html",
        {
            "page": page,
            "box": box,
            "only_open": request.GET.get("open", "1") == "1",
            "page_query": "&" + urlencode({"box": box, "open": request.GET.get("open", "1")}),
            "flag_days": settings.REFERRAL_FLAG_DAYS,
        },
    )


@working_with_residents
def referral_create(request, reference):
    resident = visible_resident(request, reference)
    form = ReferralForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.referral_send(
                resident=resident,
                from_actor=data["from_actor"],
                to_actor=data["to_actor"],
                to_pole=data["to_pole"],
                reason=data["reason"],
                consent=data["consent"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Orientation envoyée."))
            return redirect("resident_journey", reference=resident.reference)
    return render(request, "learners/referral_form.html", {"form": form, "resident": resident})


STEPS = {
    ReferralStatus.RECEIVED: "mark_received",
    ReferralStatus.SEEN: "mark_seen",
    ReferralStatus.CLOSED: "close",
}


@working_with_residents
def referral_detail(request, pk):
    referral = get_object_or_404(Referral.objects.visible_to(request.user).with_list_data(), pk=pk)
    if request.method == "POST":
        step = request.POST.get("step")
        if step not in STEPS:
            messages.error(request, _("Action inconnue : rechargez la page."))
        else:
            try:
                getattr(referral, STEPS[step])(by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("Orientation : %(status)s.") % {"status": referral.get_status_display()},
                )
        return redirect(reverse("referral_detail", args=[referral.pk]))
    return render(
        request,
        "learners/referral_detail.html",
        {
            "referral": referral,
            "steps": [(s, s.label) for s in referral.next_steps(request.user)],
            "flagged": referral.is_flagged(),
            "flag_days": settings.REFERRAL_FLAG_DAYS,
        },
    )


# Access journal -------------------------------------------------------------------------


@network_admin_only
@require_safe
def accesslog_list(request):
    """The access journal, read-only: no page writes to it but the reads it records."""
    rows = AccessLog.objects.visible_to(request.user).select_related("user", "resident")
    reference = request.GET.get("resident", "").strip().upper()
    username = request.GET.get("user", "").strip()
    if reference:
        rows = rows.filter(resident__reference=reference)
    if username:
        rows = rows.filter(user__username=username)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "learners/accesslog_list.html",
        {
            "page": page,
            "resident": reference,
            "username": username,
            "page_query": "&" + urlencode({"resident": reference, "user": username}),
        },
    )


# The resident's own space ---------------------------------------------------------------


def me_access(request):
    """How a resident opens their own space."""
    return render(request, "learners/me_access.html")


def me_open(request, token):
    """A resident's personal link: opens their space in this browser."""
    link = get_object_or_404(
        ResidentLink.objects.usable().select_related("resident"),
        token_hash=ResidentLink.hash(token),
        resident__merged_into__isnull=True,
        resident__erased_at__isnull=True,
    )
    request.session.cycle_key()
    request.session[RESIDENT_SESSION_KEY] = link.resident_id
    ResidentLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    return redirect("me")


@resident_required
def me(request):
    return render(request, "learners/me.html", {"resident": request.resident})


@require_POST
def me_leave(request):
    request.session.flush()
    return redirect("home")
