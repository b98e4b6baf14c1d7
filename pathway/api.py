"""The network's offer in the API, read only: every signed-in staff member reads it."""

import django_filters
from django import forms
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from pathway import serializers
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
        if getattr(self, "swagger_fake_view", False):  # the schema's, without a user
            return Neighbourhood.objects.none()
        # A town's staff see their towns' neighbourhoods, not those of every town.
        return Neighbourhood.objects.in_their_towns(self.request.user).order_by(
            Alphabetical("name"), "id"
        )


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
        if getattr(self, "swagger_fake_view", False):  # the schema's, without a user
            return Module.objects.none()
        targets = ModuleCompetence.objects.select_related("competence").order_by("competence__code")
        return (
            # The network's common modules and the user's towns' (not every town's).
            Module.objects.visible_to(self.request.user)
            .in_their_towns(self.request.user)
            .prefetch_related(Prefetch("targets", queryset=targets))
            .order_by(Alphabetical("name"), "id")
        )


ROUTES = [
    ("actors", ActorViewSet, "actor"),
    ("places", PlaceViewSet, "place"),
    ("operators", OperatorViewSet, "operator"),
    ("topics", TopicViewSet, "topic"),
    ("neighbourhoods", NeighbourhoodViewSet, "neighbourhood"),
    ("competences", CompetenceViewSet, "competence"),
    ("modules", ModuleViewSet, "module"),
]
