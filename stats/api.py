"""The pathway statistics in the API, for those who read the dashboard: the same tables,
hidden the same way."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.response import Response

from learners.permissions import WorksWithResidents
from stats import serializers
from stats.exports import privacy_rule
from stats.forms import StatsFilterForm, stats_report
from stats.permissions import ReadsStatistics


def _stats_parameters():
    """The dashboard's filters, as query parameters (same names, same meaning)."""
    integers = {"year", "quarter", "month", "actor"}
    parameters = []
    for name, field in StatsFilterForm.base_fields.items():
        # Choices that do not depend on the data (years, actors, neighbourhoods do).
        fixed = name not in integers | {"neighbourhood"} and getattr(field, "choices", None)
        parameters.append(
            OpenApiParameter(
                name,
                OpenApiTypes.INT if name in integers else OpenApiTypes.STR,
                description=str(field.label) + (f" — {field.help_text}" if field.help_text else ""),
                enum=[value for value, _label in fixed if value != ""] if fixed else None,
            )
        )
    parameters.append(
        OpenApiParameter(
            "table",
            OpenApiTypes.STR,
            description="Un seul tableau, par son nom court (slug) ; tous sinon.",
        )
    )
    return parameters


class StatisticsViewSet(viewsets.ViewSet):
    """The dashboard's tables as data: the same figures, hidden the same way."""

    permission_classes = [ReadsStatistics]

    @extend_schema(
        summary="Statistiques du parcours (sans aucun nom)",
        description=(
            "Les tableaux du tableau de bord /stats/, avec les mêmes filtres. Un chiffre de "
            "moins de min_count personnes, ou qui permettrait de le retrouver par "
            "soustraction, est caché (hidden, value null) ; une combinaison de filtres dont "
            "les personnes sont un tel chiffre est refusée (400). Un responsable de structure "
            "ne voit que ses structures."
        ),
        tags=["Statistiques"],
        parameters=_stats_parameters(),
        responses=serializers.StatsReportSerializer,
    )
    def list(self, request, *args, **kwargs):
        form, report = stats_report(request.query_params, request.user)
        if report is None:
            raise exceptions.ValidationError(form.errors)
        tables = report.tables
        if slug := request.query_params.get("table"):
            if slug not in report.by_slug:
                raise exceptions.ValidationError(
                    {"table": [f"Tableau inconnu. Choix : {', '.join(report.by_slug)}."]}
                )
            tables = [report.by_slug[slug]]
        data = {
            "period_start": report.filters.period.start,
            "period_end": report.filters.period.last_day,
            "filters": [{"name": n, "value": v} for n, v in report.filters.described],
            "min_count": report.disclosure.threshold,
            "privacy_rule": privacy_rule(report.disclosure.threshold),
            "tables": tables,  # stats.disclosure Table, Row and Cell objects, read as they are
        }
        return Response(serializers.StatsReportSerializer(data).data)


ROUTES = [
    ("statistics", StatisticsViewSet, "statistics"),
]


class CoopExportViewSet(viewsets.ViewSet):
    """The Coop's accompaniments file of a period (stats.coop), as on /coop/export/."""

    permission_classes = [WorksWithResidents]

    @extend_schema(
        summary="Export au format de la Coop de la médiation numérique",
        description=(
            "Les accompagnements d'une période, une ligne par personne, dans les colonnes du "
            "fichier « accompagnements » de la Coop (XLSX ou CSV). Sans mediator ni actor : "
            "les siens (avec les noms), ou tout le réseau pour la coordination du réseau. "
            "actor : une structure dont on est responsable (sans les noms)."
        ),
        tags=["Coop"],
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("end", OpenApiTypes.DATE, required=True),
            OpenApiParameter("file_format", OpenApiTypes.STR, enum=["xlsx", "csv"]),
            OpenApiParameter("mediator", OpenApiTypes.STR, description="Identifiant du compte."),
            OpenApiParameter("actor", OpenApiTypes.INT),
        ],
        responses={
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.BINARY,
        },
    )
    def list(self, request, *args, **kwargs):
        import datetime

        from django.http import Http404

        from learners.models import AccessAction, AccessLog
        from stats.coop.export import CoopExport, Scope
        from stats.coop.views import export_response

        params = request.query_params
        try:
            start = datetime.date.fromisoformat(params.get("start", ""))
            end = datetime.date.fromisoformat(params.get("end", ""))
        except ValueError as error:
            raise exceptions.ValidationError(
                {"start": [_("Indiquez start et end au format AAAA-MM-JJ.")]}
            ) from error
        if start > end:
            raise exceptions.ValidationError(
                {"start": [_("La date de début est après la date de fin.")]}
            )
        try:
            scope = Scope.parse(
                request.user, mediator=params.get("mediator"), actor=params.get("actor")
            )
        except Http404 as error:
            raise exceptions.NotFound() from error
        export = CoopExport(scope, start, end)
        file_format = "csv" if params.get("file_format") == "csv" else "xlsx"
        response = export_response(export, file_format)
        AccessLog.record(request, action=AccessAction.EXPORT, residents=export.references)
        return response


ROUTES.append(("coop/export", CoopExportViewSet, "coop-export"))
