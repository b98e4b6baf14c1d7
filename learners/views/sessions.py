"""Logging sessions: the list, the one-page form with the participants and their
outcomes (new, repeated from the last one, or edited), and deleting."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from learners import services
from learners.forms import (
    DURATION_PRESETS,
    LEVEL_PREFIX,
    OTHER,
    ParticipantFormSet,
    SessionForm,
    new_submission_key,
)
from learners.models import AccessLog, Role, Session, SessionFormat
from learners.pagination import LookAheadPaginator
from learners.permissions import working_with_residents
from learners.writing import SessionChoices, SessionErrors, session_save, session_values

# Sessions on one page of the list (the mediator's home).
SESSIONS_PER_PAGE = 25


@working_with_residents
def session_list(request):
    """The mediator's home: their recent sessions. Coordinators see their actors' sessions,
    the network admin the whole network's."""
    sessions = Session.objects.visible_to(request.user)
    if request.user.role == Role.MEDIATOR and not request.user.is_network_admin:
        sessions = sessions.filter(created_by=request.user)
    # By day, then as saved, newest first (Session.Meta.ordering, read from an index).
    page = LookAheadPaginator(sessions.with_list_data(), SESSIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
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
    values = session_values(session)
    minutes = values.pop("duration_minutes")
    return {
        **values,
        "date": today or session.date,
        "duration": str(minutes) if minutes in DURATION_PRESETS else OTHER,
        "duration_other": None if minutes in DURATION_PRESETS else minutes,
        "topics": [t.pk for t in session.topics.all()],
        "notes": "" if today else session.notes,
    }


def participants_initial(session, user, *, outcomes):
    """Participant rows copied from `session`, for the people this user may still see: with
    their outcomes when editing, the people only when repeating. The others (a resident
    who withdrew consent to sharing) are not rows of the form: the service keeps them."""
    participations = [p for p in session.participations.with_shown(user).order_by("id") if p.shown]
    if not outcomes:
        return [{"resident": p.resident_id} for p in participations]
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


def save(request, form, formset, *, session=None):
    """The page's session through the one write path; (session, created), or None with
    the errors on the page."""
    try:
        return session_save(
            form.session_input(formset.participants),
            by=request.user,
            session=session,
            choices=form.choices,
        )
    except SessionErrors as errors:
        form.attach(errors)
        formset.attach(errors)
        return None


def render_session_form(request, form, formset, *, session=None, hidden=0):
    """The session page; `hidden`: how many participants of the session being edited this
    user may no longer see (shown as "personne non partagée", kept as they are)."""
    formset.attach_residents()
    # The participants the page names (repeated, edited, or posted back with an error).
    AccessLog.record(request, residents=[f.person for f in formset.forms if f.person])
    return render(
        request,
        "learners/session_form.html",
        {
            "form": form,
            "formset": formset,
            "session": session,
            "hidden_participants": range(hidden),
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
        form, formset = session_forms(request, choices, today=today)
        if form.is_valid() & formset.is_valid():
            saved = save(request, form, formset)
            if saved is not None:
                session, created = saved
                if created:
                    messages.success(
                        request,
                        _("Accompagnement du %(date)s enregistré.")
                        % {"date": session.date.strftime("%d/%m/%Y")},
                    )
                else:
                    # The same form posted twice (double click, a reload): the first counts.
                    messages.info(request, _("Cet accompagnement était déjà enregistré."))
                return redirect("session_list")
        return render_session_form(request, form, formset)

    initial = {"date": today, "submission_key": new_submission_key()}
    participants = None
    actor = choices.default_actor()
    if actor is not None:
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
    participants = participants_initial(session, user, outcomes=True)
    form, formset = session_forms(
        request,
        choices,
        today=today,
        session=session,
        initial=session_initial(session),
        participants=participants,
    )
    valid = request.method == "POST" and form.is_valid() & formset.is_valid()
    if valid and save(request, form, formset, session=session) is not None:
        messages.success(request, _("Accompagnement modifié."))
        return redirect("session_list")
    hidden = session.participant_count - len(participants)
    return render_session_form(request, form, formset, session=session, hidden=hidden)


@working_with_residents
def session_delete(request, pk):
    session = changeable_session(request, pk)
    if request.method == "POST":
        services.session_delete(session=session, by=request.user)
        messages.success(request, _("Accompagnement supprimé."))
        return redirect("session_list")
    return render(request, "learners/session_delete.html", {"session": session})
