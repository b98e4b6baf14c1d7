"""The parent ambassadors' pages (on a phone, signed in by a link) and the page where the
network admin and schools' coordinators invite them."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learners.permissions import rate_limit_exceeded, too_many_requests
from network import ambassadors as service
from network.cards import invitation_card_pdf
from network.forms import InviteAmbassadorForm, ReferFamilyForm, SignInForm
from network.models import AmbassadorReferral
from pathway.areas import TOWN_PARAMETER, Area, every_town, names_of
from pathway.models import PlannedWorkshop, Town
from pathway.permissions import Role, in_their_towns, staff_required
from pathway.sorting import Alphabetical


def town_names(town):
    """A page's header and footer names when it is one town's (None: every town's)."""
    names = names_of(town)
    return {"TOWN_NAME": names[0], "NETWORK_NAME": names[1]}


def ambassador_required(view):
    """A signed-in parent ambassador; visitors go to the ambassadors' sign-in page, staff
    get a 404 (these pages are not theirs)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("ambassador_sign_in"))
        if user.role != Role.AMBASSADOR or not user.is_active:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@ambassador_required
def ambassador_home(request):
    """The ambassador's families: what they typed, and the status, nothing else."""
    referrals = AmbassadorReferral.objects.of(request.user).for_ambassador_page()[:200]
    return render(request, "network/ambassador_home.html", {"referrals": referrals})


@ambassador_required
def ambassador_refer(request):
    form = ReferFamilyForm(request.POST or None, ambassador=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service.ambassador_refer(
                ambassador=request.user,
                school=data["school"],
                to_actor=data["to_actor"],
                first_name=data["first_name"],
                phone=data["phone"],
                email=data["email"],
                need=data["need"],
                details=data["details"],
                consent=data["consent"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("C'est envoyé : %(actor)s va recontacter %(name)s.")
                % {"actor": data["to_actor"].name, "name": data["first_name"]},
            )
            return redirect("ambassador_home")
    return render(request, "network/ambassador_refer.html", {"form": form})


@ambassador_required
def ambassador_workshops(request):
    """Coming workshops to suggest to families (the public guide's, soonest first): those
    of the ambassador's town (their schools'), where the families live."""
    workshops = in_their_towns(PlannedWorkshop.objects.public(), request.user)[:30]
    return render(request, "network/ambassador_workshops.html", {"workshops": workshops})


@ambassador_required
def ambassador_card_pdf(request):
    """The invitation card to hand out: A6, with a QR code to the guide and the workshops
    of the ambassador's town (that of their schools)."""
    towns = every_town()
    mine = [town for town in towns if town.pk in request.user.town_ids]
    area = Area(towns=towns, town=mine[0] if len(mine) == 1 and len(towns) > 1 else None)
    response = HttpResponse(invitation_card_pdf(area), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="carte-invitation.pdf"'
    return response


def ambassador_sign_in(request):
    """Ask for a sign-in link by email. The answer is the same whether the address is known
    or not (nobody learns who is an ambassador)."""
    form = SignInForm(request.POST or None)
    sent = False
    if request.method == "POST":
        if rate_limit_exceeded(request, "ambassador-link", limit=settings.LOGIN_RATE_LIMIT):
            return too_many_requests(request)
        if form.is_valid():
            user = (
                get_user_model()
                .objects.filter(
                    email__iexact=form.cleaned_data["email"], role=Role.AMBASSADOR, is_active=True
                )
                .first()
            )
            if user is not None:
                service.send_sign_in_link(user)
            sent = True
    return render(request, "network/ambassador_sign_in.html", {"form": form, "sent": sent})


def ambassador_link(request, token):
    """A sign-in link: a button to press (mail scanners that open links do not use it up);
    pressing it signs the ambassador in and spends the link."""
    user = service.ambassador_for_token(token)
    if user is None:
        return render(request, "network/ambassador_link.html", {"valid": False}, status=200)
    if request.method == "POST":
        login(request, user, backend="learners.permissions.StaffBackend")
        return redirect("ambassador_home")
    return render(request, "network/ambassador_link.html", {"valid": True, "person": user})


# The staff side ----------------------------------------------------------------------------

managing_ambassadors = staff_required(Role.COORDINATOR)


@managing_ambassadors
def ambassador_team(request):
    """The ambassadors of the schools one manages, and the invitation of a new one."""
    schools = service.schools_managed_by(request.user)
    if not schools.exists():
        raise Http404
    form = InviteAmbassadorForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = service.ambassador_invite(
                by=request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                schools=list(data["schools"]),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s : le lien marche %(days)s jours.")
                % {"email": person.email, "days": settings.AMBASSADOR_LINK_DAYS},
            )
            return redirect("ambassador_team")
    return render(
        request,
        "network/ambassador_team.html",
        {"form": form, "ambassadors": service.ambassadors_seen_by(request.user)},
    )


@require_POST
@managing_ambassadors
def ambassador_account(request, pk):
    """Send a new link, or switch the account off or on."""
    person = get_object_or_404(service.ambassadors_seen_by(request.user), pk=pk)
    action = request.POST.get("action")
    if action == "link" and person.is_active:
        service.send_sign_in_link(person)
        messages.success(request, _("Nouveau lien envoyé à %(email)s.") % {"email": person.email})
    elif action in ("off", "on"):
        service.ambassador_switch(person=person, active=action == "on", by=request.user)
        messages.success(
            request,
            _("Compte de %(name)s désactivé.") % {"name": person}
            if action == "off"
            else _("Compte de %(name)s réactivé.") % {"name": person},
        )
    return redirect("ambassador_team")


# The extranet: directory and teams ------------------------------------------------------


def town_filter(request):
    """The towns an extranet page may be narrowed to, when its reader sees several (the
    superuser, a territory coordinator, whoever works in two towns), and the one chosen
    by ?ville=<slug> (None: all of them). Nothing to choose, and no query, for the staff
    of one town."""
    town_ids = request.user.town_ids
    if town_ids is not None and len(town_ids) < 2:
        return [], None
    towns = list(Town.objects.visible_to(request.user).order_by(Alphabetical("name"), "pk"))
    if len(towns) < 2:
        return [], None
    slug = request.GET.get(TOWN_PARAMETER, "").strip().lower()
    return towns, next((town for town in towns if town.slug == slug), None)


@staff_required()
def directory(request):
    """Who is who in the network, and who to call for what: in the reader's towns (one of
    them when they choose)."""
    from network.directory import search_actors, search_people

    query = request.GET.get("q", "").strip()[:100]
    towns, chosen = town_filter(request)
    people = list(search_people(query, reader=request.user, town=chosen)[:200])
    actors = search_actors(query, reader=request.user, town=chosen)
    return render(
        request,
        "network/directory.html",
        {
            "query": query,
            "people": people,
            "actors": actors,
            "towns": towns,
            "chosen_town": chosen,
        },
    )


@staff_required()
def directory_me(request):
    """One's own entry: appearing in the directory is one's own choice."""
    from network.directory import refresh_search
    from network.forms import DirectoryEntryForm
    from network.models import DirectoryEntry

    entry, _created = DirectoryEntry.objects.get_or_create(
        user=request.user,
        defaults={"email": request.user.email},
    )
    form = DirectoryEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        form.save()
        refresh_search(entry)
        messages.success(request, _("Votre fiche est enregistrée."))
        return redirect("directory")
    return render(request, "network/directory_me.html", {"form": form})


@staff_required(Role.COORDINATOR)
def team(request):
    """The teams one manages: invite a colleague, change a role, switch an account off."""
    from network import team as teams
    from network.forms import InvitationForm
    from network.models import Invitation

    actors = teams.managed_actors(request.user)
    form = InvitationForm(request.POST or None, actors=actors, roles=teams.TEAM_ROLES)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation, _token = teams.invitation_send(
                by=request.user, email=data["email"], actor=data["actor"], role=data["role"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s, valable jusqu'au %(day)s.")
                % {"email": invitation.email, "day": invitation.expires_at.strftime("%d/%m/%Y")},
            )
            return redirect("team")
    members = teams.team_of(request.user)
    pending = (
        Invitation.objects.usable()
        .filter(actor__in=actors)
        .select_related("actor")
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "network/team.html",
        {
            "form": form,
            "members": members,
            "pending": pending,
            "roles": teams.TEAM_ROLES,
        },
    )


@require_POST
@staff_required(Role.COORDINATOR)
def team_member(request, pk):
    from network import team as teams

    member = get_object_or_404(teams.team_of(request.user), pk=pk)
    action = request.POST.get("action", "")
    try:
        if action in ("off", "on"):
            teams.member_switch(by=request.user, member=member, active=action == "on")
        elif action == "role":
            teams.member_set_role(by=request.user, member=member, role=request.POST.get("role"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Compte de %(name)s mis à jour.") % {"name": member})
    return redirect("team")


def invitation_accept(request, token):
    """The invited colleague creates their account; an expired or used link says so."""
    from network import team as teams
    from network.forms import AcceptInvitationForm

    invitation = teams.invitation_for_token(token)
    if invitation is None:
        return render(request, "network/invitation_accept.html", {"invitation": None})
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            teams.invitation_accept(token=token, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Votre compte est créé : connectez-vous."))
            return redirect("login")
    return render(
        request, "network/invitation_accept.html", {"invitation": invitation, "form": form}
    )


# The network calendar --------------------------------------------------------------------


@staff_required()
def calendar(request):
    from network import calendar as service
    from network.models import Meeting

    now = timezone.now()
    towns, chosen = town_filter(request)
    meetings = Meeting.objects.visible_to(request.user)
    if chosen is not None:
        meetings = meetings.of_town(chosen)
    meetings = (
        meetings.filter(parent__isnull=True)
        .select_related("town")
        .annotate(
            registered=Count("registrations"),
            mine=Count("registrations", filter=Q(registrations__user=request.user)),
        )
    )
    return render(
        request,
        "network/calendar.html",
        {
            "coming": meetings.filter(ends_at__gte=now).order_by("starts_at")[:100],
            "past": meetings.filter(ends_at__lt=now).order_by("-starts_at")[:50],
            "feed_url": service.feed_url(request.user),
            "can_organise": service.can_organise(request.user),
            "towns": towns,
            "chosen_town": chosen,
        },
    )


@staff_required(Role.COORDINATOR)
def meeting_create(request):
    from network.forms import MeetingForm

    form = MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        meeting = form.save(commit=False)
        meeting.created_by = request.user
        meeting.save()
        messages.success(request, _("Date ajoutée au calendrier."))
        return redirect("meeting_detail", meeting.pk)
    return render(request, "network/meeting_form.html", {"form": form})


@staff_required(Role.COORDINATOR)
def coordination_export(request):
    """The coordination work of a period in the Coop's vocabulary (network.coordination):
    the network admin's of the whole network or of an actor, a coordinator's of their
    actor."""
    from network.forms import CoordinationExportForm

    form = CoordinationExportForm(request.GET or None, user=request.user)
    if request.GET and form.is_valid():
        export, file_format = form.cleaned_data["export"], form.cleaned_data["file_format"]
        if file_format == "csv":
            response = HttpResponse(export.csv(), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                export.xlsx(),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{export.filename(file_format)}"'
        return response
    return render(request, "network/coordination_export.html", {"form": form})


@staff_required()
def meeting_detail(request, pk):
    """A date: register, and after it the minutes, decisions and who came."""
    from network import calendar as service
    from network.forms import MinutesForm
    from network.models import Meeting

    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    organiser = service.can_organise(request.user)
    form = MinutesForm(
        request.POST if request.POST.get("action") == "minutes" else None,
        initial={"minutes": meeting.minutes, "decisions": meeting.decisions},
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "register":
                service.register(meeting, user=request.user)
                messages.success(request, _("Vous êtes inscrit."))
            elif action == "unregister":
                service.unregister(meeting, request.user)
                messages.success(request, _("Inscription annulée."))
            elif action == "minutes" and form.is_valid():
                service.record_minutes(
                    meeting,
                    by=request.user,
                    minutes=form.cleaned_data["minutes"],
                    decisions=form.cleaned_data["decisions"],
                    attended=[int(v) for v in request.POST.getlist("attended") if v.isdigit()],
                )
                messages.success(request, _("Compte rendu enregistré."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("meeting_detail", meeting.pk)
    registrations = meeting.registrations.select_related("user")
    return render(
        request,
        "network/meeting_detail.html",
        {
            "meeting": meeting,
            "registrations": registrations,
            "registered": any(r.user_id == request.user.pk for r in registrations),
            "organiser": organiser,
            "form": form,
            "workshops": meeting.workshops.order_by("starts_at"),
            "past": meeting.ends_at < timezone.now(),
            "decisions": meeting.decision_list,
        },
    )


def calendar_ics(request, token):
    """A person's .ics feed (their registrations), by a token in the address: calendar
    applications cannot sign in."""
    from network import calendar as service
    from network.models import Meeting

    user = service.feed_user(token)
    if user is None:
        raise Http404
    meetings = Meeting.objects.filter(registrations__user=user).order_by("starts_at")
    response = HttpResponse(
        service.ics(meetings, name=_("Calendrier du réseau — %(name)s") % {"name": user}),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="calendrier-reseau.ics"'
    return response


def event_public(request, pk):
    """The public registration to an event (the assises): name, structure, email."""
    from network import calendar as service
    from network.forms import PublicRegistrationForm
    from network.models import Meeting

    meeting = get_object_or_404(
        Meeting.objects.select_related("town"), pk=pk, public_registration=True
    )
    form = PublicRegistrationForm(request.POST or None)
    done = False
    if request.method == "POST":
        if rate_limit_exceeded(request, "event-registration", limit=settings.LOGIN_RATE_LIMIT):
            return too_many_requests(request)
        if form.is_valid():
            try:
                service.register(meeting, **form.cleaned_data)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                done = True
    left = None
    if meeting.capacity is not None:
        left = max(0, meeting.capacity - meeting.registrations.count())
    return render(
        request,
        "network/event_public.html",
        {
            "meeting": meeting,
            "form": form,
            "done": done,
            "left": left,
            "workshops": meeting.workshops.order_by("starts_at"),
            # The event's town names the page (its network's event), whoever reads it.
            **town_names(meeting.town),
        },
    )


# News and shared documents ------------------------------------------------------------------


@staff_required()
def news(request):
    """The network's news; publishers write here; anyone subscribes to the weekly digest."""
    from network import news as service
    from network.forms import PostForm
    from network.models import DigestSubscription, Post

    publisher = service.can_publish(request.user)
    form = PostForm(
        request.POST if request.POST.get("action") == "publish" else None, user=request.user
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "digest":
            if request.POST.get("on"):
                DigestSubscription.objects.get_or_create(user=request.user)
            else:
                DigestSubscription.objects.filter(user=request.user).delete()
            messages.success(request, _("C'est noté."))
            return redirect("news")
        if action == "publish" and form.is_valid():
            try:
                service.post_publish(
                    by=request.user,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    documents=form.cleaned_data["documents"],
                    town=form.town_choice,
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Actualité publiée."))
            return redirect("news")
    posts = (
        Post.objects.visible_to(request.user)
        .select_related("author")
        .prefetch_related("documents__versions")
        .order_by("-published_at")[:30]
    )
    return render(
        request,
        "network/news.html",
        {
            "posts": posts,
            "form": form if publisher else None,
            "subscribed": DigestSubscription.objects.filter(user=request.user).exists(),
        },
    )


@staff_required()
def documents(request):
    """The document library by folder, each document with its versions."""
    from django.db.models import Prefetch

    from network import news as service
    from network.forms import UploadForm
    from network.models import Document, DocumentVersion, Folder

    publisher = service.can_publish(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and publisher and form.is_valid():
        data = form.cleaned_data
        folder = data["folder"]
        if data["new_folder"].strip():
            folder, _created = Folder.objects.get_or_create(name=data["new_folder"].strip())
        try:
            service.document_upload(
                by=request.user,
                file=data["file"],
                folder=folder,
                title=data["title"],
                document=data["document"],
                town=form.town_choice,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Document déposé."))
            return redirect("documents")
    towns, chosen = town_filter(request)
    shown = Document.objects.visible_to(request.user)
    if chosen is not None:
        shown = shown.of_town(chosen)
    # A folder is shared by the towns: those holding a document the reader sees, and the
    # empty ones.
    folders = (
        Folder.objects.filter(Q(documents__in=shown) | Q(documents__isnull=True))
        .distinct()
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=shown.select_related("town").prefetch_related(
                    Prefetch(
                        "versions",
                        queryset=DocumentVersion.objects.select_related("uploaded_by"),
                    )
                ),
            )
        )
    )
    return render(
        request,
        "network/documents.html",
        {
            "folders": folders,
            "form": form if publisher else None,
            "towns": towns,
            "chosen_town": chosen,
        },
    )


@staff_required()
def document_download(request, pk):
    """A version's file, to signed-in staff only (the files have no public address)."""
    import mimetypes

    from django.utils.http import content_disposition_header

    from network.models import Document, DocumentVersion

    version = get_object_or_404(
        DocumentVersion.objects.filter(document__in=Document.objects.visible_to(request.user)),
        pk=pk,
    )
    with version.file.open("rb") as stored:  # 20 MB at most (network.news)
        content = stored.read()
    kind = mimetypes.guess_type(version.name)[0] or "application/octet-stream"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = content_disposition_header(True, version.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
