"""The network's offer in the API, read only: every signed-in staff member reads it; and the
pathway statistics, for those who read the dashboard."""

import django_filters
from django import forms
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.response import Response

from learners.permissions import ReadsStatistics
from pathway import serializers
from pathway.forms import StatsFilterForm, stats_report
from pathway.models import (
    Actor,
    ActorKind,
    ChoiceListField,
    Competence,
    Module,
    ModuleCompetence,
    Neighbourhood,
    Operator,
    Place,
    Pole,
    Topic,
)
from pathway.sorting import Alphabetical
from pathway.stats import privacy_rule


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=2**63 - 1, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """The id of a related record (a whole number, not a decimal one)."""

    field_class = IdField


class ActorFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ActorKind.choices, label="Type de structure")
    siret = django_filters.CharFilter(label="SIRET")

    class Meta:
        model = Actor
        fields = ["kind", "siret", "is_active", "is_published"]


@extend_schema_view(
    list=extend_schema(summary="Structures du réseau", tags=["Réseau"]),
    retrieve=extend_schema(summary="Une structure", tags=["Réseau"]),
)
class ActorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ActorSerializer
    filterset_class = ActorFilter

    def get_queryset(self):
        return Actor.objects.visible_to(self.request.user).order_by(Alphabetical("name"), "id")


class PlaceFilter(django_filters.FilterSet):
    pole = django_filters.ChoiceFilter(
        choices=Pole.choices, method="filter_pole", label="Étape du parcours proposée"
    )

    class Meta:
        model = Place
        fields = ["actor", "neighbourhood", "is_published", "is_active"]

    def filter_pole(self, queryset, name, value):
        return queryset.filter(ChoiceListField.has("poles", value))


@extend_schema_view(
    list=extend_schema(summary="Lieux des structures", tags=["Réseau"]),
    retrieve=extend_schema(summary="Un lieu", tags=["Réseau"]),
)
class PlaceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.PlaceSerializer
    filterset_class = PlaceFilter

    def get_queryset(self):
        return Place.objects.visible_to(self.request.user).order_by(
            "actor_id", Alphabetical("name"), "id"
        )


@extend_schema_view(
    list=extend_schema(summary="Organismes (CAF, ANTS, impôts…)", tags=["Réseau"]),
    retrieve=extend_schema(summary="Un organisme", tags=["Réseau"]),
)
class OperatorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.OperatorSerializer

    def get_queryset(self):
        return Operator.objects.order_by(Alphabetical("name"), "id")


class TopicFilter(django_filters.FilterSet):
    pole = django_filters.ChoiceFilter(choices=Pole.choices, label="Pôle")

    class Meta:
        model = Topic
        fields = ["pole", "operator", "is_active"]


@extend_schema_view(
    list=extend_schema(summary="Thématiques des accompagnements", tags=["Réseau"]),
    retrieve=extend_schema(summary="Une thématique", tags=["Réseau"]),
)
class TopicViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.TopicSerializer
    filterset_class = TopicFilter

    def get_queryset(self):
        return Topic.objects.order_by("pole", Alphabetical("name"), "id")


@extend_schema_view(
    list=extend_schema(summary="Quartiers", tags=["Réseau"]),
    retrieve=extend_schema(summary="Un quartier", tags=["Réseau"]),
)
class NeighbourhoodViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.NeighbourhoodSerializer
    filterset_fields = ["is_priority"]

    def get_queryset(self):
        return Neighbourhood.objects.order_by(Alphabetical("name"), "id")


@extend_schema_view(
    list=extend_schema(summary="Compétences du référentiel CRCN", tags=["Compétences"]),
    retrieve=extend_schema(summary="Une compétence", tags=["Compétences"]),
)
class CompetenceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.CompetenceSerializer
    filterset_fields = ["domain_code"]

    def get_queryset(self):
        return Competence.objects.order_by("code", "id")


class ModuleFilter(django_filters.FilterSet):
    class Meta:
        model = Module
        fields = ["actor", "is_active"]


@extend_schema_view(
    list=extend_schema(summary="Modules de formation", tags=["Compétences"]),
    retrieve=extend_schema(summary="Un module et ses compétences visées", tags=["Compétences"]),
)
class ModuleViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ModuleSerializer
    filterset_class = ModuleFilter

    def get_queryset(self):
        targets = ModuleCompetence.objects.select_related("competence").order_by("competence__code")
        return (
            Module.objects.visible_to(self.request.user)
            .prefetch_related(Prefetch("targets", queryset=targets))
            .order_by(Alphabetical("name"), "id")
        )


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
            "tables": tables,  # pathway.stats Table, Row and Cell objects, read as they are
        }
        return Response(serializers.StatsReportSerializer(data).data)


ROUTES = [
    ("actors", ActorViewSet, "actor"),
    ("places", PlaceViewSet, "place"),
    ("operators", OperatorViewSet, "operator"),
    ("topics", TopicViewSet, "topic"),
    ("neighbourhoods", NeighbourhoodViewSet, "neighbourhood"),
    ("competences", CompetenceViewSet, "competence"),
    ("modules", ModuleViewSet, "module"),
    ("statistics", StatisticsViewSet, "statistics"),
]
