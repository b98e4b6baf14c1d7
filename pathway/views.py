from django.conf import settings
from django.db.models import Min
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from learners.permissions import current_resident, reading_statistics
from pathway.forms import StatsFilterForm
from pathway.models import StatsActivity
from pathway.stats import Lookups, Report, collect, export_csv, export_xlsx, privacy_rule


def town(request):
    """Template context: what makes this deployment a given town's."""
    return {
        "TOWN_NAME": settings.TOWN_NAME,
        "NETWORK_NAME": settings.NETWORK_NAME,
    }


def home(request):
    """Send each person to their own first page; visitors get the public welcome."""
    user = request.user
    if user.is_authenticated:
        if user.is_official:
            return redirect("stats")
        return redirect("session_list")
    if current_resident(request):
        return redirect("me")
    return render(request, "pathway/home.html")


def _stats_report(request):
    """The filter form for this request and, when its choices are valid, the report."""
    lookups = Lookups.load()
    first = StatsActivity.objects.aggregate(first=Min("month"))["first"]
    today = timezone.localdate()
    form = StatsFilterForm(
        request.GET,
        user=request.user,
        lookups=lookups,
        today=today,
        first_year=first.year if first else today.year,
    )
    if not form.is_valid():
        return form, None
    filters = form.filters()
    return form, Report(collect(filters), filters, lookups)


@reading_statistics
def stats(request):
    """The pathway statistics: figures, charts and tables, without any name."""
    form, report = _stats_report(request)
    return render(
        request,
        "pathway/stats_dashboard.html",
        {
            "form": form,
            "report": report,
            "query": request.GET.urlencode(),
            "privacy_rule": privacy_rule(),
        },
    )


@reading_statistics
def stats_export(request, table, extension):
    """One table (or every table, "tout") as CSV or XLSX, with the filters in the file."""
    if extension not in ("csv", "xlsx") or (table == "tout" and extension == "csv"):
        raise Http404
    form, report = _stats_report(request)
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
    if extension == "csv":
        response = HttpResponse(export_csv(report, tables), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            export_xlsx(report, tables),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def privacy(request):
    return render(request, "pathway/privacy.html")
