"""The statistics dashboard and its exports."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from stats.ambassadors import ambassador_tables
from stats.annual import annual_report, annual_report_pdf
from stats.exports import export_csv, export_xlsx, privacy_rule
from stats.forms import stats_report
from stats.permissions import reading_statistics


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
    if extension == "csv":
        response = HttpResponse(export_csv(report, tables), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            export_xlsx(report, tables),
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
