"""The API of residents, sessions, referrals and competence assessments, and what every
endpoint of the API shares: pagination, errors in French, the error schema.

Views are thin: serializers validate and shape, learners.services writes (the same
functions as the pages), querysets start from `visible_to(user)` — a record the user may
not see answers 404."""

import re
import uuid

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from learners import services
from learners.models import (
    AccessAction,
    AccessLog,
    CompetenceAssessment,
    Referral,
    ReferralStatus,
    Resident,
    Session,
    SessionFormat,
    resident_visibility,
)
from learners.permissions import JournaledReads, WorksWithResidents, require_management
from learners.serializers import (
    AssessmentSerializer,
    AssessmentWriteSerializer,
    ReferralSerializer,
    ReferralStepSerializer,
    ReferralWriteSerializer,
    ResidentSerializer,
    ResidentWriteSerializer,
    SessionSerializer,
    SessionWriteSerializer,
    api_errors,
    session_as_input,
)
from learners.writing import (
    AssessmentErrors,
    NewPerson,
    SessionErrors,
    assessment_save,
    new_person_problems,
    session_save,
)
from pathway.api import IdFilter
from pathway.models import Pole

# What every endpoint shares -------------------------------------------------------------


NOT_FOUND = _("Cette ressource n'existe pas ou ne vous est pas accessible.")


def flatten_errors(detail, prefix=""):
    """DRF's nested error details as {"participants.0.resident": ["…"]}."""
    if isinstance(detail, dict):
        flat = {}
        for key, value in detail.items():
            flat.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            if item:
                flat.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: [str(m) for m in messages]}


def exception_handler(exc, context):
    """Every error as {"message": French sentence, "code": …, "errors": {field: [messages]}}."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
            if not hasattr(exc, "error_dict")
            else exc.message_dict
        )
    elif isinstance(exc, DjangoPermissionDenied) and exc.args:
        # A refusal shared with the pages (learners.permissions): its sentence, as JSON.
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    errors = {}
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(response.data)
        message = _("Les données envoyées contiennent des erreurs : corrigez-les et réessayez.")
        code = "invalid"
    else:
        detail = getattr(exc, "detail", "")
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        message = str(detail)
        # Django's own 404 ("No Resident matches…") and DRF's bare "Not found." say nothing
        # useful: one French sentence instead. Other 404 details (an invalid page) stay.
        if isinstance(exc, Http404) or message == str(exceptions.NotFound.default_detail):
            message, code = NOT_FOUND, "not_found"
    response.data = {"message": message, "code": str(code), "errors": errors}
    return response


ERROR_SCHEMA = {
    "type": "object",
    "description": "Une erreur : un message en français, un code, et les messages par champ.",
    "properties": {
        "message": {"type": "string", "description": "Ce qui ne va pas, en français."},
        "code": {"type": "string", "description": "Code de l'erreur (invalid, not_found…)."},
        "errors": {
            "type": "object",
            "description": (
                "Messages par champ ; les champs imbriqués sont notés "
                "participants.0.resident ; non_field_errors pour l'ensemble."
            ),
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["message", "code", "errors"],
}
ERROR_RESPONSES = {
    "400": "Données invalides (corps ou paramètres de la requête).",
    "401": "Pas de session ni de clé d'API valide.",
    "403": (
        "Action refusée (clé en lecture seule, accompagnement d'un autre médiateur, fiche "
        "d'une autre structure…)."
    ),
    "404": "N'existe pas, ou ne vous est pas accessible.",
    "406": (
        "L'en-tête Accept ne demande aucun format que l'API sait produire (elle répond en "
        "JSON : application/json)."
    ),
    "409": (
        "Clé d'idempotence déjà utilisée pour un accompagnement que vous ne voyez plus : "
        "envoyez une nouvelle clé."
    ),
    "429": "Trop de requêtes : attendez le délai indiqué par l'en-tête Retry-After.",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular hook: the error shape on every operation of the API."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = ["400", "401", "404", "406"]
            if method != "get":
                codes.append("403")
            if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
                codes.append("409")
            for code in codes:
                operation["responses"].setdefault(
                    code,
                    {
                        "description": ERROR_RESPONSES[code],
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result


def lift_blank_defaults(result, generator, request, public):
    """drf-spectacular hook: a blank-allowed field with a format (EmailField with
    allow_blank=True and default="") becomes `oneOf: [{format: email, default: ""},
    {maxLength: 0}]`; its default sits in the email branch, where "" is not an email, and
    strict validators refuse the whole document. The default belongs to the field, beside the
    oneOf, where "" matches the blank branch (drf-spectacular issue #1517)."""

    def lift(node):
        if isinstance(node, list):
            for item in node:
                lift(item)
            return
        if not isinstance(node, dict):
            return
        branches = node.get("oneOf")
        if isinstance(branches, list):
            for branch in branches:
                if isinstance(branch, dict) and "default" in branch:
                    node.setdefault("default", branch.pop("default"))
        for value in node.values():
            lift(value)

    lift(result)
    return result


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "learners.permissions.ApiTokenAuthentication"
    name = "cleApi"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": _(
                "Clé d'API émise par la coordination du réseau : Authorization: Bearer pn_…"
            ),
        }


@csrf_exempt  # nothing is written: no need for the CSRF check (and its HTML 403 page)
def not_found(request, *args, **kwargs):
    """Any other address under /api/: the API's 404, in JSON like every error."""
    return JsonResponse({"message": str(NOT_FOUND), "code": "not_found", "errors": {}}, status=404)


def data_error(field, message):
    return exceptions.ValidationError({field: [message]})


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = _(
        "Cette clé d'idempotence a déjà servi pour un accompagnement que vous ne voyez plus : "
        "envoyez une nouvelle clé."
    )


# Residents ------------------------------------------------------------------------------


class ResidentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search", label="Début du nom ou du prénom, année de naissance"
    )
    actor = IdFilter(field_name="created_by_actor", label="Structure d'accueil")
    neighbourhood = IdFilter(label="Quartier")
    first_pole = django_filters.ChoiceFilter(choices=Pole.choices, label="Pôle d'entrée")
    seen = django_filters.DateFromToRangeFilter(
        field_name="last_session_on", label="Dernier accompagnement (seen_after, seen_before)"
    )

    class Meta:
        model = Resident
        fields = ["q", "actor", "neighbourhood", "first_pole", "seen"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


@extend_schema_view(
    list=extend_schema(summary="Habitants que vous pouvez voir", tags=["Habitants"]),
    retrieve=extend_schema(
        summary="Une fiche (la lecture est inscrite au journal d'accès)", tags=["Habitants"]
    ),
    create=extend_schema(
        summary="Créer une fiche",
        tags=["Habitants"],
        request=ResidentWriteSerializer,
        responses={201: ResidentSerializer},
    ),
    update=extend_schema(
        summary="Modifier une fiche (tous les champs)",
        tags=["Habitants"],
        request=ResidentWriteSerializer,
        responses={200: ResidentSerializer},
    ),
    partial_update=extend_schema(
        summary="Modifier une fiche (les champs envoyés)",
        tags=["Habitants"],
        request=ResidentWriteSerializer,
        responses={200: ResidentSerializer},
    ),
)
class ResidentViewSet(
    JournaledReads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ResidentSerializer
    permission_classes = [WorksWithResidents]
    filterset_class = ResidentFilter
    lookup_field = "reference"
    lookup_value_regex = "[A-Za-z0-9]{1,12}"

    def get_queryset(self):
        return Resident.objects.visible_to(self.request.user).order_by(
            "last_name", "first_name", "id"
        )

    def get_object(self):
        """The record by reference (404 if not visible), with `manageable`."""
        return get_object_or_404(
            self.get_queryset().with_rights(self.request.user).select_related("created_by_actor"),
            reference=self.kwargs["reference"].upper(),
        )

    def residents_of(self, record):
        return [record]

    def retrieve(self, request, *args, **kwargs):
        resident = self.get_object()
        AccessLog.record(request, resident, AccessAction.VIEW_RECORD)
        return Response(ResidentSerializer(resident).data)

    def create(self, request, *args, **kwargs):
        serializer = ResidentWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        actor = data.pop("actor")  # the one named, or the user's first (the serializer's)
        if actor is None:
            raise data_error("actor", _("Votre compte n'est rattaché à aucune structure."))
        person = NewPerson(
            first_name=data["first_name"],
            last_name=data["last_name"],
            birth_year=data["birth_year"],
            confirm_new=data.pop("confirm_new"),
        )
        problems = {}
        alike = new_person_problems(
            person,
            user=request.user,
            add=lambda field, message: problems.setdefault(field, []).append(message),
        )
        if problems:
            raise exceptions.ValidationError(problems)
        if alike:
            raise data_error(
                "confirm_new",
                _(
                    "Cette personne a peut-être déjà une fiche (%(references)s). Utilisez-la, "
                    "ou envoyez confirm_new: true s'il s'agit d'une autre personne."
                )
                % {"references": ", ".join(r.reference for r in alike)},
            )
        resident = services.resident_create(
            by=request.user,
            actor=actor,
            consent=data.pop("consent"),
            across_towns=data.pop("across_towns", False),
            **data,
        )
        return Response(ResidentSerializer(resident).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        # Another actor's record shared with the user: seen, not changed (403).
        resident = require_management(self.get_object())
        partial = kwargs.get("partial", False)
        serializer = ResidentWriteSerializer(
            data=request.data, partial=partial, context={"request": request, "resident": resident}
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("actor", None)
        data.pop("confirm_new", None)
        consent = data.pop("consent", resident.sharing_consent if partial else False)
        resident = services.resident_update(
            resident=resident,
            by=request.user,
            consent=consent,
            across_towns=data.pop("across_towns", None),
            path=request.path,
            **data,
        )
        AccessLog.record(request, resident, AccessAction.EDIT_RECORD)
        return Response(ResidentSerializer(resident).data)


# Sessions -------------------------------------------------------------------------------

# Idempotency keys become the session's submission_key, which is unique per user (the
# user's pk is part of the key too, as it always was, so that stored keys still match).
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1b1f0e-4c55-4d1f-9f7b-2d5b8c1c0a11")
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")


def submission_key_for(user, key):
    return uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{user.pk}:{key}")


class SessionFilter(django_filters.FilterSet):
    date = django_filters.DateFromToRangeFilter(label="Période (date_after, date_before)")
    actor = IdFilter(label="Structure")
    pole = django_filters.ChoiceFilter(choices=Pole.choices, label="Pôle")
    format = django_filters.ChoiceFilter(choices=SessionFormat.choices, label="Format")
    module = IdFilter(label="Module de formation")
    resident = django_filters.CharFilter(
        method="filter_resident", label="Référence d'un participant"
    )
    created_by = IdFilter(label="Saisi par")

    class Meta:
        model = Session
        fields = ["date", "actor", "pole", "format", "module", "resident", "created_by"]

    def filter_resident(self, queryset, name, value):
        # A participant the user may see: one who withdrew consent is not findable by the
        # reference an old file still holds. (One filter(): the same participation.)
        visible = resident_visibility(self.request.user, "participations__resident__")
        if visible is None:
            return queryset.none()
        return queryset.filter(visible, participations__resident__reference=value.strip().upper())


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Une clé unique par accompagnement à créer (par exemple un UUID). Une requête répétée "
        "avec la même clé ne crée rien de plus et renvoie l'accompagnement créé la première "
        "fois (en-tête Idempotent-Replayed: true)."
    ),
)


@extend_schema_view(
    list=extend_schema(summary="Accompagnements de vos structures", tags=["Accompagnements"]),
    retrieve=extend_schema(summary="Un accompagnement", tags=["Accompagnements"]),
    create=extend_schema(
        summary="Saisir un accompagnement, ses participants et leurs résultats",
        tags=["Accompagnements"],
        request=SessionWriteSerializer,
        responses={201: SessionSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    ),
    update=extend_schema(
        summary="Modifier un accompagnement (tout est remplacé)",
        tags=["Accompagnements"],
        request=SessionWriteSerializer,
        responses={200: SessionSerializer},
    ),
    partial_update=extend_schema(
        summary="Modifier un accompagnement (les champs envoyés)",
        tags=["Accompagnements"],
        request=SessionWriteSerializer,
        responses={200: SessionSerializer},
    ),
    destroy=extend_schema(
        summary="Supprimer un accompagnement",
        tags=["Accompagnements"],
        responses={204: OpenApiResponse(description="Supprimé.")},
    ),
)
class SessionViewSet(JournaledReads, viewsets.ModelViewSet):
    serializer_class = SessionSerializer
    permission_classes = [WorksWithResidents]
    filterset_class = SessionFilter
    one_resident = False

    def residents_of(self, session):
        # The participants named by reference (those masked are not read).
        return [p.resident for p in session.participations.all() if p.shown]

    def get_queryset(self):
        return (
            Session.objects.visible_to(self.request.user)
            .with_api_data(self.request.user)
            .order_by("-date", "-id")
        )

    def session_response(self, session, status_code, **headers):
        session = self.get_queryset().filter(pk=session.pk).first()
        if session is None:
            # A replay of a session the user no longer sees (they left its actor).
            raise Conflict()
        return Response(
            SessionSerializer(session, context=self.get_serializer_context()).data,
            status=status_code,
            headers=headers,
        )

    def create(self, request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        submission_key = None
        if key is not None:
            if not IDEMPOTENCY_KEY.fullmatch(key):
                raise data_error(
                    "Idempotency-Key",
                    _("La clé d'idempotence compte 1 à 255 caractères visibles, sans espace."),
                )
            submission_key = submission_key_for(request.user, key)
        serializer = SessionWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        data.submission_key = submission_key
        try:
            # A retry of a request that went through: the first session, nothing more.
            session, created = session_save(data, by=request.user)
        except SessionErrors as errors:
            raise api_errors(errors) from None
        headers = {} if created else {"Idempotent-Replayed": "true"}
        return self.session_response(session, status.HTTP_201_CREATED, **headers)

    def changeable(self):
        session = self.get_object()
        if not session.can_be_changed_by(self.request.user):
            raise exceptions.PermissionDenied(
                _(
                    "Seule la personne qui a saisi cet accompagnement peut le modifier ou le "
                    "supprimer, pendant les jours qui suivent sa saisie."
                )
            )
        return session

    def update(self, request, *args, **kwargs):
        session = self.changeable()
        body = request.data if isinstance(request.data, dict) else {}
        if kwargs.get("partial"):
            body = {**session_as_input(session), **body}
        serializer = SessionWriteSerializer(
            data=body, context={"request": request, "session": session}
        )
        serializer.is_valid(raise_exception=True)
        try:
            session_save(serializer.validated_data, by=request.user, session=session)
        except SessionErrors as errors:
            raise api_errors(errors) from None
        return self.session_response(session, status.HTTP_200_OK)

    def destroy(self, request, *args, **kwargs):
        services.session_delete(session=self.changeable(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Referrals ------------------------------------------------------------------------------


class ReferralFilter(django_filters.FilterSet):
    sent = django_filters.DateFromToRangeFilter(
        field_name="sent_at__date", label="Envoyée entre (sent_after, sent_before)"
    )
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices, label="État")
    from_actor = IdFilter(label="Structure qui oriente")
    to_actor = IdFilter(label="Structure destinataire")
    to_pole = django_filters.ChoiceFilter(choices=Pole.choices, label="Pôle visé")
    resident = django_filters.CharFilter(method="filter_resident", label="Référence de la fiche")

    class Meta:
        model = Referral
        fields = ["sent", "status", "from_actor", "to_actor", "to_pole", "resident"]

    def filter_resident(self, queryset, name, value):
        return queryset.filter(resident__reference=value.strip().upper())


STEPS = {
    ReferralStatus.RECEIVED: "mark_received",
    ReferralStatus.SEEN: "mark_seen",
    ReferralStatus.CLOSED: "close",
}


@extend_schema_view(
    list=extend_schema(summary="Orientations envoyées ou reçues", tags=["Orientations"]),
    retrieve=extend_schema(summary="Une orientation", tags=["Orientations"]),
    create=extend_schema(
        summary="Orienter une personne vers une structure ou un pôle",
        tags=["Orientations"],
        request=ReferralWriteSerializer,
        responses={201: ReferralSerializer},
    ),
)
class ReferralViewSet(
    JournaledReads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ReferralSerializer
    permission_classes = [WorksWithResidents]
    filterset_class = ReferralFilter

    def get_queryset(self):
        return (
            Referral.objects.visible_to(self.request.user)
            .select_related("resident")
            .order_by("-sent_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        serializer = ReferralWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        referral = services.referral_send(
            by=request.user, path=request.path, **serializer.validated_data
        )
        return Response(
            ReferralSerializer(referral, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Faire avancer une orientation (reçue, personne venue, clôturée)",
        tags=["Orientations"],
        request=ReferralStepSerializer,
        responses={200: ReferralSerializer},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def step(self, request, pk=None):
        referral = self.get_object()
        serializer = ReferralStepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        getattr(referral, STEPS[serializer.validated_data["status"]])(by=request.user)
        return Response(ReferralSerializer(referral, context=self.get_serializer_context()).data)


# Competence assessments -----------------------------------------------------------------


class AssessmentFilter(django_filters.FilterSet):
    assessed = django_filters.DateFromToRangeFilter(
        field_name="assessed_on", label="Évaluée entre (assessed_after, assessed_before)"
    )
    resident = django_filters.CharFilter(method="filter_resident", label="Référence de la fiche")
    competence = django_filters.CharFilter(field_name="competence__code", label="Code CRCN")
    actor = IdFilter(field_name="session__actor", label="Structure")
    module = IdFilter(field_name="session__module", label="Module")

    class Meta:
        model = CompetenceAssessment
        fields = ["assessed", "resident", "competence", "actor", "module", "level"]

    def filter_resident(self, queryset, name, value):
        return queryset.filter(resident__reference=value.strip().upper())


@extend_schema_view(
    list=extend_schema(summary="Évaluations de compétences", tags=["Compétences"]),
    retrieve=extend_schema(summary="Une évaluation", tags=["Compétences"]),
    create=extend_schema(
        summary="Noter le niveau atteint sur une compétence",
        tags=["Compétences"],
        request=AssessmentWriteSerializer,
        responses={201: AssessmentSerializer},
    ),
)
class AssessmentViewSet(
    JournaledReads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AssessmentSerializer
    permission_classes = [WorksWithResidents]
    filterset_class = AssessmentFilter

    def get_queryset(self):
        return (
            CompetenceAssessment.objects.visible_to(self.request.user)
            .select_related("resident", "competence")
            .order_by("-assessed_on", "-id")
        )

    def create(self, request, *args, **kwargs):
        serializer = AssessmentWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        try:
            assessment = assessment_save(serializer.to_input(), by=request.user)
        except AssessmentErrors as errors:
            raise api_errors(errors) from None
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


ROUTES = [
    ("residents", ResidentViewSet, "resident"),
    ("sessions", SessionViewSet, "session"),
    ("referrals", ReferralViewSet, "referral"),
    ("assessments", AssessmentViewSet, "assessment"),
]
