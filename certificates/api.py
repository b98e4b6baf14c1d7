"""Certificates in the API: the list of those of residents one follows, issuing one (the
same service as the mediators' page), the signed PDF as stored and the credential."""

import django_filters
from django.http import Http404, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from certificates.forms import normalize_code
from certificates.models import Certificate
from certificates.responses import stored_pdf
from certificates.serializers import CertificateIssueSerializer, CertificateSerializer
from certificates.services import certificate_issue
from learners.permissions import JournaledReads, WorksWithResidents
from pathway.api import IdFilter


class PdfRenderer(BaseRenderer):
    """Lets a client ask for application/pdf; the PDF itself is returned as it is stored."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CertificateFilter(django_filters.FilterSet):
    issued = django_filters.DateFromToRangeFilter(
        field_name="issued_at__date", label="Délivrée entre (issued_after, issued_before)"
    )
    module = IdFilter(label="Module")
    actor = IdFilter(label="Structure émettrice")
    resident = django_filters.CharFilter(method="filter_resident", label="Référence de la fiche")
    revoked = django_filters.BooleanFilter(
        field_name="revoked_at", lookup_expr="isnull", exclude=True, label="Révoquée"
    )

    class Meta:
        model = Certificate
        fields = ["issued", "module", "actor", "resident", "revoked"]

    def filter_resident(self, queryset, name, value):
        return queryset.filter(resident__reference=value.strip().upper())


@extend_schema_view(
    list=extend_schema(summary="Attestations des personnes que vous suivez", tags=["Attestations"]),
    retrieve=extend_schema(
        summary="Une attestation et tout ce qu'elle atteste", tags=["Attestations"]
    ),
    create=extend_schema(
        summary="Délivrer l'attestation d'un module (signée, avec son attestation vérifiable)",
        tags=["Attestations"],
        request=CertificateIssueSerializer,
        responses={201: CertificateSerializer},
    ),
)
class CertificateViewSet(
    JournaledReads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CertificateSerializer
    permission_classes = [WorksWithResidents]
    filterset_class = CertificateFilter
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9-]{1,30}"

    def get_queryset(self):
        return (
            Certificate.objects.visible_to(self.request.user)
            .with_claims()
            .order_by("-issued_at", "-id")
        )

    def get_object(self):
        certificate = self.get_queryset().filter(code=normalize_code(self.kwargs["code"])).first()
        if certificate is None:
            raise Http404
        return certificate

    def finalize_response(self, request, response, *args, **kwargs):
        # An error is always JSON, even to a client that asked for the PDF.
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        serializer = CertificateIssueSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # The service's ValidationError (French messages) becomes the API's 400.
        certificate = certificate_issue(
            resident=data["resident"],
            module=data["module"],
            issued_by=request.user,
            signatory=data["signatory"],
            language=data["language"],
            expires_on=data["expires_on"],
        )
        certificate = self.get_queryset().get(pk=certificate.pk)
        return Response(CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Le PDF signé, tel qu'il a été délivré",
        tags=["Attestations"],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request, code=None):
        certificate = self.get_object()
        response = stored_pdf(certificate, as_attachment=True)
        self.journal_read(certificate)
        return response

    @extend_schema(
        summary="L'attestation vérifiable (Open Badges 3.0, avec sa preuve eddsa-rdfc-2022)",
        tags=["Attestations"],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="Credential JSON-LD")},
    )
    @action(detail=True, methods=["get"])
    def credential(self, request, code=None):
        certificate = self.get_object()
        if not certificate.credential:
            raise Http404
        self.journal_read(certificate)
        return JsonResponse(certificate.credential, json_dumps_params={"ensure_ascii": False})


ROUTES = [("certificates", CertificateViewSet, "certificate")]
