"""The statistics dashboard and its exports."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learners.permissions import rate_limit_exceeded, too_many_requests
from pathway.permissions import Role, working_with_residents
from stats.ambassadors import ambassador_tables
from stats.annual import annual_report, annual_report_pdf
from stats.exports import export_csv, export_xlsx, network_of, privacy_rule
from stats.forms import MyStatsForm, PeriodForm, ShareLinkForm, stats_report
from stats.mine import choices_for, my_report, own, whose_for
from stats.models import StatsReadLog, StatsShareLink
from stats.permissions import reading_statistics
from stats.report import Lookups
from stats.territory import territory_table


@reading_statistics
def stats(request):
    """The pathway statistics: figures, charts and tables, without any name."""
    form, report = stats_report(request.GET, request.user)
    return render(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "report": report,
            "period_in_words": (
                report.filters.period.in_words(timezone.localdate()) if report else ""
            ),
            "query": request.GET.urlencode(),
            "privacy_rule": privacy_rule(),
        },
    )


@reading_statistics
def stats_export(request, table, extension):
    """One table (or every table, "tout") as CSV or XLSX, with the filters in the file."""
    if extension not in ("csv", "xlsx") or (table == "tout" and extension == "csv"):
        raise Http404
    form, report = stats_report(request.GET, request.user)
    if report is None:
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponseBadRequest(
            _("Ces filtres ne sont pas valables : %(errors)s") % {"errors": errors},
            content_type="text/plain; charset=utf-8",
        )
    if table == "tout":
        tables = report.tables
    elif table in report.by_slug:
        tables = [report.by_slug[table]]
    else:
        raise Http404
    name = f"statistiques-{slugify(report.filters.period.label)}-{table}.{extension}"
    network = network_of(form, request.user)
    if extension == "csv":
        response = HttpResponse(
            export_csv(report, tables, network=network), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            export_xlsx(report, tables, network=network),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@reading_statistics
def stats_ambassadors(request):
    """What parent ambassadors bring, per school and per ambassador (officials: numbered)."""
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
    by_school, by_ambassador, _disclosure = ambassador_tables(request.user, year=year)
    return render(
        request,
        "stats/ambassadors.html",
        {
            "tables": [by_school, by_ambassador],
            "year": year,
            "privacy_rule": privacy_rule(),
        },
    )


def _annual(request, year):
    actor = request.GET.get("actor", "")
    try:
        return annual_report(request.user, year, actor=int(actor) if actor.isdigit() else None)
    except ValidationError as error:
        raise Http404(" ".join(error.messages)) from error


@reading_statistics
def stats_annual_report(request, year):
    """The year's report for the assises: the dashboard's figures, the year before beside."""
    report = _annual(request, year)
    return render(
        request,
        "stats/annual_report.html",
        {"report": report, "privacy_rule": privacy_rule(), "query": request.GET.urlencode()},
    )


@reading_statistics
def stats_annual_report_pdf(request, year):
    report = _annual(request, year)
    response = HttpResponse(annual_report_pdf(report), content_type="application/pdf")
    name = f"rapport-annuel-{year}-{slugify(report.scope)}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@reading_statistics
def stats_territory(request):
    """The towns whose statistics the reader may see, side by side and all together: the
    territory coordinator's page (404 for whoever reads one town only)."""
    lookups = Lookups.load()
    # None: the reader's towns are every town there is.
    towns = lookups.scope_of(request.user)
    if towns is None:
        towns = frozenset(lookups.towns)
    if len(towns) < 2 or not (
        request.user.is_network_admin
        or request.user.is_official
        or request.user.role == Role.TERRITORY_COORDINATOR
    ):
        raise Http404
    today = timezone.localdate()
    form = PeriodForm(request.GET, today=today, first_year=PeriodForm.first_year(today))
    table = None
    if form.is_valid():
        table = territory_table(form.cleaned_data["range"], lookups, towns)
    return render(
        request,
        "stats/territory.html",
        {
            "form": form,
            "table": table,
            "period_in_words": (
                form.cleaned_data["range"].in_words(today) if table is not None else ""
            ),
            "territory": getattr(request.user, "territory", None),
            "privacy_rule": privacy_rule(),
        },
    )


# A mediator's own statistics -------------------------------------------------------------


def _my_form(request, *, whose_choices=None):
    today = timezone.localdate()
    form = MyStatsForm(
        request.GET,
        today=today,
        first_year=MyStatsForm.first_year(today),
        whose_choices=whose_choices,
    )
    return form, today


@working_with_residents
def my_stats(request):
    """A mediator's own figures, month by month over a period; a coordinator chooses whose
    (each of their actors' mediators, or an actor as a whole). Counts only, no name; a
    read of someone else's figures is journaled."""
    found = choices_for(request.user)
    whose = whose_for(request.user, request.GET.get("qui"), found)
    form, today = _my_form(request, whose_choices=found[0] if found else None)
    report = None
    if form.is_valid():
        report = my_report(whose, form.cleaned_data["range"])
        if whose.mediator != request.user:
            StatsReadLog.objects.create(
                user=request.user,
                mediator=whose.mediator,
                actor=whose.actor,
                path=request.path[:255],
                query=request.META.get("QUERY_STRING", "")[:500],
            )
    own_figures = whose.mediator == request.user
    links = (
        StatsShareLink.objects.filter(owner=request.user)
        .annotate(visit_count=Count("visits"), last_visit=Max("visits__at"))
        .order_by("-created_at", "-id")
        if own_figures
        else None
    )
    return render(
        request,
        "stats/my_stats.html",
        {
            "form": form,
            "report": report,
            "whose": whose,
            "own_figures": own_figures,
            "period_in_words": report.period.in_words(today) if report else "",
            "links": links,
            "share_form": ShareLinkForm(),
        },
    )


@working_with_residents
@require_POST
def my_stats_share(request):
    """Make a share link of one's own figures; the link is shown once (only its hash is
    kept)."""
    form = ShareLinkForm(request.POST)
    if not form.is_valid():
        return redirect("my_stats")
    _link, token = StatsShareLink.create_for(request.user, label=form.cleaned_data["label"])
    url = request.build_absolute_uri(reverse("my_stats_shared", args=[token]))
    return render(request, "stats/my_stats_link_made.html", {"url": url})


@working_with_residents
@require_POST
def my_stats_share_revoke(request, pk):
    """Revoke one of one's own share links: it answers 404 from now on."""
    link = get_object_or_404(StatsShareLink, pk=pk, owner=request.user)
    link.revoke()
    messages.success(request, _("Le lien est désactivé : il ne montre plus vos chiffres."))
    return redirect("my_stats")


def my_stats_shared(request, token):
    """A mediator's figures through the link they gave their employer: read only, no name
    but theirs, small counts of people hidden; each visit journaled. 404 for a revoked or
    unknown link."""
    if rate_limit_exceeded(request, "stats_share", limit=settings.STATS_SHARE_RATE_LIMIT):
        return too_many_requests(request)
    link = get_object_or_404(
        StatsShareLink.objects.usable().select_related("owner"),
        token_hash=StatsShareLink.hash(token),
        owner__is_active=True,
    )
    form, today = _my_form(request)
    report = None
    if form.is_valid():
        report = my_report(own(link.owner), form.cleaned_data["range"], protected=True)
    StatsReadLog.objects.create(
        link=link,
        mediator=link.owner,
        path=request.path[:255],
        query=request.META.get("QUERY_STRING", "")[:500],
    )
    response = render(
        request,
        "stats/my_stats_shared.html",
        {
            "form": form,
            "report": report,
            "name": own(link.owner).label,
            "period_in_words": report.period.in_words(today) if report else "",
            "privacy_rule": privacy_rule(),
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response
