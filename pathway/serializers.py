"""What the API shows of the network's offer: actors, places, topics, operators,
neighbourhoods, the competence framework and training modules (read only)."""

from django.db import models
from rest_framework import serializers

from pathway.models import (
    AccessMode,
    Actor,
    Competence,
    Fee,
    Module,
    ModuleCompetence,
    NationalProgramme,
    Neighbourhood,
    Operator,
    Place,
    Pole,
    Public,
    Service,
    SpecificCare,
    SupportMode,
    Topic,
    Typology,
)


class OutputSerializer(serializers.ModelSerializer):
    """What the API answers (never what it accepts). E-mail and web addresses are plain
    strings here: they may be empty, which their schema formats would forbid."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.EmailField: serializers.CharField,
        models.URLField: serializers.CharField,
    }


def choice_list(choices, **kwargs):
    """A ChoiceListField of the model: a list of codes of `choices`."""
    return serializers.ListField(child=serializers.ChoiceField(choices=choices.choices), **kwargs)


class ActorSerializer(OutputSerializer):
    class Meta:
        model = Actor
        fields = [
            "id",
            "name",
            "slug",
            "kind",
            "siret",
            "address",
            "postcode",
            "city",
            "phone",
            "email",
            "website",
            "description",
            "is_published",
            "is_active",
        ]


class PlaceSerializer(OutputSerializer):
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True
    )
    poles = choice_list(Pole)
    services = choice_list(Service)
    publics = choice_list(Public)
    specific_care = choice_list(SpecificCare)
    fees = choice_list(Fee)
    access_modes = choice_list(AccessMode)
    support_modes = choice_list(SupportMode)
    national_programmes = choice_list(NationalProgramme)
    typology = choice_list(Typology)

    class Meta:
        model = Place
        fields = [
            "id",
            "actor",
            "name",
            "address",
            "address_complement",
            "postcode",
            "city",
            "insee_code",
            "neighbourhood",
            "latitude",
            "longitude",
            "phone",
            "email",
            "website",
            "opening_hours",
            "accessibility",
            "accessibility_url",
            "appointment_url",
            "directions",
            "summary",
            "description",
            "poles",
            "services",
            "publics",
            "specific_care",
            "fees",
            "access_modes",
            "support_modes",
            "national_programmes",
            "typology",
            "is_mobile",
            "is_published",
            "is_active",
            "updated_at",
        ]


class OperatorSerializer(OutputSerializer):
    class Meta:
        model = Operator
        fields = ["id", "name", "slug"]


class TopicSerializer(OutputSerializer):
    class Meta:
        model = Topic
        fields = ["id", "pole", "name", "slug", "operator", "is_active"]


class NeighbourhoodSerializer(OutputSerializer):
    class Meta:
        model = Neighbourhood
        fields = ["id", "name", "slug", "is_priority", "qpv_code"]


class CompetenceSerializer(OutputSerializer):
    class Meta:
        model = Competence
        fields = [
            "id",
            "code",
            "domain_code",
            "domain_fr",
            "domain_en",
            "name_fr",
            "name_en",
            "digcomp_code",
            "digcomp_name",
        ]


class ModuleTargetSerializer(OutputSerializer):
    competence = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ModuleCompetence
        fields = ["competence", "target_level"]


class ModuleSerializer(OutputSerializer):
    targets = ModuleTargetSerializer(many=True, read_only=True)

    class Meta:
        model = Module
        fields = ["id", "name", "slug", "description", "actor", "hours", "is_active", "targets"]
