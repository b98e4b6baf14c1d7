import functools

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from pathway import areas, hours, opendata, orientation
from pathway.forms import PlaceFilterForm, PlaceForm, PlaceReportForm, PlannedWorkshopForm
from pathway.french import with_preposition
from pathway.guide import build_guide
from pathway.models import Place, PlaceReport, PlannedWorkshop, Pole, Service, Town
from pathway.permissions import Role, staff_required, working_with_residents
from pathway.sorting import Alphabetical


def town(request):
    """Template context: the town and network the header and footer name. A member of staff
    of one town (or a territory) sees theirs, read with their account at no query of its
    own (learners.permissions.StaffBackend); anyone else the installation's (its only
    town's, or INSTALLATION_NAME when it has several), read only if the page shows them:
    pages about a town or a territory (the guide with ?ville=, a certificate's check
    page…) give their own names in their context, which wins over these."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        names = getattr(user, "home_town_names", None)
        if names is not None:
            return {"TOWN_NAME": names[0], "NETWORK_NAME": names[1]}
    names = functools.cache(areas.installation_names)
    return {
        "TOWN_NAME": lazy(lambda: names()[0], str)(),
        "NETWORK_NAME": lazy(lambda: names()[1], str)(),
    }


def retention_context():
    return {
        "resident_years": settings.RESIDENT_INACTIVITY_DAYS // 365,
        "journal_days": settings.JOURNAL_RETENTION_DAYS,
        "min_count": settings.STATS_MIN_COUNT,
        "signup_days": settings.SIGNUP_RETENTION_DAYS,
    }


def controllers_context(towns):
    """Who is responsible for the data (GDPR controller): each town for its network's.
    `de_town` names one town after "de" in French ("de Miramas", "d'Istres"); with
    several, `controllers` lists them with their networks."""
    towns = list(towns)
    if len(towns) > 1:
        return {"controllers": towns}
    name = towns[0].name if towns else settings.TOWN_NAME
    french = (translation.get_language() or "fr").startswith("fr")
    return {"de_town": with_preposition("de", name) if french else name}


def privacy(request):
    """The privacy notice, in plain French, linked from every page. It names who is
    responsible: the town chosen (?ville=, or the towns of ?territoire=), a member of
    staff's own towns, else each town of the installation."""
    try:
        area = areas.guide_area(request.GET)
    except areas.UnknownArea as error:
        return area_not_found(request, error)
    if area.town is not None:
        towns = [area.town]
    elif area.territory is not None:
        towns = area.territory_towns
    else:
        towns = area.towns
        mine = request.user.town_ids if request.user.is_authenticated else None
        if mine:
            towns = [town for town in towns if town.pk in mine] or towns
    context = {**retention_context(), **controllers_context(towns), "area": area}
    if area.is_chosen:
        context["TOWN_NAME"], context["NETWORK_NAME"] = area.header_names
    return render(request, "pathway/privacy.html", context)


@staff_required(Role.NETWORK_ADMIN)
def processing_register(request):
    """The GDPR register of processing activities (article 30), for the network admin: of
    their town (every town's, each responsible for its own, for the superuser)."""
    towns = Town.objects.visible_to(request.user).order_by(Alphabetical("name"), "pk")
    return render(
        request,
        "pathway/processing_register.html",
        {**retention_context(), **controllers_context(towns)},
    )


# The public guide ---------------------------------------------------------------------------

GUIDE_PAGE_SIZE = 20
TEXT_SIZE_COOKIE = "text_size"


def current_time():
    """The time the guide is evaluated at ("open now"); tests replace it."""
    return timezone.now()


def guide_context(request, area=None, **context):
    """What every guide page shares: the large-text choice, and the town or territory it
    shows (`area`), whose names then replace the installation's in the header and footer."""
    context["large_text"] = request.COOKIES.get(TEXT_SIZE_COOKIE) == "large"
    if area is not None:
        context["area"] = area
        context["TOWN_NAME"], context["NETWORK_NAME"] = area.header_names
    return context


def area_not_found(request, error):
    """A town or territory the guide does not have: say so, and list those it has."""
    return render(
        request,
        "pathway/area_not_found.html",
        guide_context(request, message=error.message, towns=error.towns),
        status=404,
    )


def with_area(view):
    """Gives a public page the Area (pathway.areas) its ?ville= and ?territoire= choose,
    as the `area` keyword; a name the installation does not have gets the 404 page."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            area = areas.guide_area(request.GET)
        except areas.UnknownArea as error:
            return area_not_found(request, error)
        return view(request, *args, area=area, **kwargs)

    return wrapped


@with_area
def place_list(request, area):
    """The network's places, searchable and filterable, as a list (the map is a link away):
    a town's or a territory's when one is chosen."""
    now = current_time()
    form = PlaceFilterForm(request.GET or None, area=area)
    places = places_in_guide(area)
    if form.is_bound:
        places = form.filter(places, now=now)
    page = Paginator(places, GUIDE_PAGE_SIZE).get_page(request.GET.get("page"))
    for place in page:
        place.status = hours.status(place.opening_hours, now)
    opening_soon = []
    if not page.paginator.count and form.is_bound and form.cleaned_data.get("open_now"):
        opening_soon = next_to_open(
            form.filter(places_in_guide(area), now=now, open_now=False), now
        )
    return render(
        request,
        "pathway/place_list.html",
        guide_context(
            request,
            area,
            area_selector=True,
            form=form,
            page=page,
            now=now,
            opening_soon=opening_soon,
        ),
    )


def places_in_guide(area):
    return (
        Place.objects.in_guide()
        .filter(area.of_places())
        .with_guide_data()
        .order_by(Alphabetical("name"), "pk")
    )


def next_to_open(places, now, count=3):
    """When nothing is open now: the `count` places (of those the other filters keep) that
    open soonest, each with its status ("Fermé maintenant, ouvre demain à 8 h 30.")."""
    soon = sorted(
        (opening, place.name, place.pk, place)
        for place in places
        if (opening := hours.next_opening(place.opening_hours, now)) is not None
    )[:count]
    for _opening, _name, _pk, place in soon:
        place.status = hours.status(place.opening_hours, now)
    return [place for *_key, place in soon]


@with_area
def place_map(request, area):
    """The same places on a map (Leaflet), with the full list under it for when the map
    does not load. The map fits the places; with none, it opens on the town's centre."""
    now = current_time()
    form = PlaceFilterForm(request.GET or None, area=area)
    places = places_in_guide(area)
    if form.is_bound:
        places = form.filter(places, now=now)
    places = list(places)
    markers = [
        {
            "name": place.name,
            "lat": float(place.latitude),
            "lon": float(place.longitude),
            "url": place.get_absolute_url(),
            "address": f"{place.address}, {place.postcode} {place.city}",
        }
        for place in places
        if place.has_coordinates
    ]
    return render(
        request,
        "pathway/place_map.html",
        guide_context(
            request,
            area,
            area_selector=True,
            form=form,
            places=places,
            markers=markers,
            centre=area.centre,
            tile_url=settings.MAP_TILE_URL,
            tile_attribution=settings.MAP_TILE_ATTRIBUTION,
        ),
    )


def place_detail(request, pk):
    now = current_time()
    place = get_object_or_404(Place.objects.in_guide().with_guide_data(), pk=pk)
    towns = areas.every_town()
    # Several towns: the page is its town's (header, links back to that town's guide).
    area = areas.Area(towns=towns, town=place.actor.town if len(towns) > 1 else None)
    workshops = [
        w for w in PlannedWorkshop.objects.public(now=now).filter(place=place)[:20] if w.seats_free
    ]
    return render(
        request,
        "pathway/place_detail.html",
        guide_context(
            request,
            area,
            place=place,
            status=hours.status(place.opening_hours, now),
            week=hours.describe_week(place.opening_hours),
            exceptions=hours.describe_exceptions(
                place.opening_hours, today=timezone.localdate(now)
            ),
            workshops=workshops,
        ),
    )


REPORTS_PER_PLACE_PER_DAY = 20


def place_report(request, pk):
    """« Signaler une erreur » : what is wrong with a place's page, with an optional contact;
    goes to the place's coordinator and the network admin (place_reports)."""
    place = get_object_or_404(Place.objects.in_guide(), pk=pk)
    form = PlaceReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        since = current_time() - timezone.timedelta(days=1)
        flooded = (
            PlaceReport.objects.filter(place=place, created_at__gte=since).count()
            >= REPORTS_PER_PLACE_PER_DAY
        )
        if not form.cleaned_data["website"] and not flooded:
            PlaceReport.objects.create(
                place=place,
                message=form.cleaned_data["message"],
                contact=form.cleaned_data["contact"],
            )
        messages.success(request, _("Merci ! L'équipe du lieu va vérifier et corriger si besoin."))
        return redirect(place.get_absolute_url())
    return render(
        request, "pathway/place_report.html", guide_context(request, place=place, form=form)
    )


@with_area
def workshop_list(request, area):
    """Coming workshops, by pole and date (at the places of the chosen town or territory)."""
    now = current_time()
    pole = request.GET.get("pole", "")
    workshops = PlannedWorkshop.objects.public(now=now).filter(area.of_places("place__"))
    if pole in Pole.values:
        workshops = workshops.filter(pole=pole)
    else:
        pole = ""
    page = Paginator(workshops, 50).get_page(request.GET.get("page"))
    by_pole = [(p, [w for w in page if w.pole == p]) for p in Pole if not pole or p == pole]
    return render(
        request,
        "pathway/workshop_list.html",
        guide_context(
            request,
            area,
            area_selector=True,
            page=page,
            by_pole=by_pole,
            pole=pole,
            poles=list(Pole),
        ),
    )


@with_area
def orientation_guide(request, area):
    """« Je ne sais pas où aller » : what for, where, when free — one question a page (GET
    forms, no JavaScript needed) — then the places and workshops that fit."""
    now = current_time()
    form = orientation.OrientationForm(request.GET or None)
    need, where, moment = form.answers() if form.is_bound else ("", "", "")
    step = 1 if not need else 2 if not where else 3 if not moment else 4
    context = {
        "form": form,
        "step": step,
        "need": need,
        "need_label": orientation.NEEDS[need].label if need else "",
        "where": where,
        "moment": moment,
        "moment_label": (
            orientation.MOMENTS[moment].label
            if moment in orientation.MOMENTS
            else _("N'importe quand")
        ),
        "needs": orientation.NEEDS,
        "moments": orientation.MOMENTS,
        "position": form.position if where == orientation.NEAR_ME else None,
        "EVERYWHERE": orientation.EVERYWHERE,
        "NEAR_ME": orientation.NEAR_ME,
        "ANYTIME": orientation.ANYTIME,
    }
    if step == 2:
        context["neighbourhoods"] = area.neighbourhoods()
    if where not in ("", orientation.EVERYWHERE, orientation.NEAR_ME):
        context["neighbourhood"] = area.neighbourhoods().filter(slug=where).first()
    if step == 4:
        places, count, workshops = orientation.results(
            need=need,
            where=where,
            moment=moment,
            now=now,
            position=context["position"],
            area=area,
        )
        context.update(places=places, place_count=count, workshops=workshops)
    return render(
        request,
        "pathway/orientation.html",
        guide_context(request, area, area_selector=True, **context),
    )


WIDGET_PLACES = 200
WIDGET_WORKSHOPS = 8


@xframe_options_exempt
@with_area
def widget(request, area):
    """The list and map of places, and the coming workshops, for partners to embed in
    their sites (an iframe): the one route that may be framed, with its own CSP
    (settings.WIDGET_CSP). ?ville=<slug> or ?territoire=<slug>, ?quartier=<slug> and
    ?service=<code> narrow it, ?ateliers=0 leaves the workshops out. Every link opens the
    full guide in a new tab."""
    now = current_time()
    places = places_in_guide(area)
    workshops = PlannedWorkshop.objects.public(now=now).filter(area.of_places("place__"))
    neighbourhood = request.GET.get("quartier", "")
    if neighbourhood:
        places = places.filter(neighbourhood__slug=neighbourhood)
        workshops = workshops.filter(place__neighbourhood__slug=neighbourhood)
    service = request.GET.get("service", "")
    if service in Service.values:
        places = places.with_service(service)
    places = list(places[:WIDGET_PLACES])
    for place in places:
        place.status = hours.status(place.opening_hours, now)
        place.full_url = request.build_absolute_uri(place.get_absolute_url())
    show_workshops = request.GET.get("ateliers") != "0"
    workshops = list(workshops[:WIDGET_WORKSHOPS]) if show_workshops else []
    for workshop in workshops:
        workshop.full_url = request.build_absolute_uri(
            reverse("workshop_detail", args=[workshop.pk]) + area.query
        )
    markers = [
        {
            "name": place.name,
            "lat": float(place.latitude),
            "lon": float(place.longitude),
            "url": place.full_url,
            "address": f"{place.address}, {place.postcode} {place.city}",
        }
        for place in places
        if place.has_coordinates
    ]
    response = render(
        request,
        "pathway/widget.html",
        guide_context(
            request,
            area,
            places=places,
            workshops=workshops,
            show_workshops=show_workshops,
            markers=markers,
            centre=area.centre,
            tile_url=settings.MAP_TILE_URL,
            tile_attribution=settings.MAP_TILE_ATTRIBUTION,
            guide_url=request.build_absolute_uri(reverse("place_list") + area.query),
        ),
    )
    response._csp_config = settings.WIDGET_CSP  # read by ContentSecurityPolicyMiddleware
    return response


@require_POST
def text_size(request):
    """Large text on or off for the guide pages, remembered by a cookie (works without
    JavaScript)."""
    large = request.POST.get("size") == "large"
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("place_list")
    response = redirect(target)
    if large:
        response.set_cookie(
            TEXT_SIZE_COOKIE, "large", max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    else:
        response.delete_cookie(TEXT_SIZE_COOKIE, samesite="Lax")
    return response


@with_area
def guide_pdf(request, area):
    """The printable brochure, from live data (a town's or a territory's when chosen)."""
    pdf = build_guide(now=current_time(), area=area)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="guide-du-numerique.pdf"'
    return response


def open_data_response(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Open data: any site may read it.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def open_data(request, write, content_type, filename):
    """Every place of the guide, or those of one town (?commune=<INSEE code>) or territory
    (?territoire=<slug>); a value naming none answers 400 with the values that exist."""
    try:
        area = areas.open_data_area(request.GET)
    except areas.UnknownArea as error:
        response = HttpResponseBadRequest(error.message, content_type="text/plain; charset=utf-8")
        response["Access-Control-Allow-Origin"] = "*"
        return response
    rows, _left_out = opendata.export_rows(opendata.published_places().filter(area.of_places()))
    return open_data_response(write(rows), content_type, filename)


def open_data_csv(request):
    return open_data(request, opendata.as_csv, "text/csv; charset=utf-8", "places.csv")


def open_data_json(request):
    return open_data(request, opendata.as_json, "application/json; charset=utf-8", "places.json")


# Staff: the places and workshops behind the guide -------------------------------------------


@staff_required(Role.COORDINATOR)
def place_manage(request):
    """A coordinator's places (all for the network admin), with those the open data leaves
    out and why."""
    places = list(
        Place.objects.managed_by(request.user)
        .with_guide_data()
        .order_by(Alphabetical("actor__name"), Alphabetical("name"), "pk")
    )
    left_out = {place.pk: problems for place, problems in opendata.export_rows(places)[1]}
    for place in places:
        place.open_data_problems = left_out.get(place.pk, [])
    open_reports = PlaceReport.objects.for_manager(request.user).open().count()
    return render(
        request, "pathway/place_manage.html", {"places": places, "open_reports": open_reports}
    )


@staff_required(Role.COORDINATOR)
def place_edit(request, pk):
    place = get_object_or_404(Place.objects.managed_by(request.user).with_guide_data(), pk=pk)
    form = PlaceForm(request.POST or None, instance=place)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.instance.checked_on = timezone.localdate(current_time())
            form.save()
        messages.success(request, _("Le lieu « %(name)s » est enregistré.") % {"name": place.name})
        return redirect("place_manage")
    return render(
        request,
        "pathway/place_form.html",
        {"form": form, "place": place, "problems": opendata.place_problems(place)},
    )


@staff_required(Role.COORDINATOR)
def place_reports(request):
    """Errors reported on the places a coordinator manages (all for the network admin),
    those to deal with first."""
    reports = (
        PlaceReport.objects.for_manager(request.user)
        .select_related("place", "resolved_by")
        .order_by("resolved_at", "-created_at", "-id")
    )
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    return render(request, "pathway/place_reports.html", {"page": page})


@require_POST
@staff_required(Role.COORDINATOR)
def place_report_resolve(request, pk):
    report = get_object_or_404(PlaceReport.objects.for_manager(request.user).open(), pk=pk)
    report.resolve(by=request.user, now=current_time())
    messages.success(
        request,
        _("Signalement traité : « %(name)s » est marqué vérifié aujourd'hui.")
        % {"name": report.place.name},
    )
    return redirect("place_reports")


@working_with_residents
def workshop_manage(request):
    now = current_time()
    # From the start of today: the attendance of today's workshops is taken from here.
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    workshops = (
        PlannedWorkshop.objects.visible_to(request.user)
        .upcoming(now=start_of_today)
        .select_related("place__actor", "actor")
    )
    page = Paginator(workshops, 25).get_page(request.GET.get("page"))
    return render(request, "pathway/workshop_manage.html", {"page": page})


@working_with_residents
def workshop_create(request):
    return workshop_form(request, PlannedWorkshop(created_by=request.user))


@working_with_residents
def workshop_edit(request, pk):
    workshop = get_object_or_404(PlannedWorkshop.objects.visible_to(request.user), pk=pk)
    return workshop_form(request, workshop)


def workshop_form(request, workshop):
    form = PlannedWorkshopForm(
        request.POST or None, instance=workshop, user=request.user, now=current_time()
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            current = (
                PlannedWorkshop.objects.select_for_update()
                .filter(pk=workshop.pk)
                .values_list("seats_taken", flat=True)
                .first()
            )
            saved = current is None or form.apply_seats_taken(current)
            if saved:
                form.save()
        if saved:
            messages.success(
                request, _("L'atelier « %(title)s » est enregistré.") % {"title": workshop.title}
            )
            return redirect("workshop_manage")
    return render(request, "pathway/workshop_form.html", {"form": form, "workshop": workshop})


@require_POST
@working_with_residents
def workshop_delete(request, pk):
    workshop = get_object_or_404(PlannedWorkshop.objects.visible_to(request.user), pk=pk)
    workshop.delete()
    messages.success(
        request, _("L'atelier « %(title)s » est supprimé.") % {"title": workshop.title}
    )
    return redirect("workshop_manage")
