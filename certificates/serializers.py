"""What the API shows of certificates and accepts to issue one."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from certificates.models import Certificate, CertificateStatus, Signatory
from learners.models import Resident
from pathway.models import Module
from pathway.serializers import OutputSerializer


class CertificateLineSerializer(serializers.Serializer):
    competence = serializers.CharField(help_text=_("Code CRCN."))
    digcomp = serializers.CharField(help_text=_("Code DigComp 2.2."))
    level = serializers.IntegerField(min_value=1, max_value=8)


class CertificateSerializer(OutputSerializer):
    resident = serializers.CharField(source="resident.reference", help_text=_("Référence."))
    holder = serializers.CharField(source="resident.display_name", help_text=_("Nom attesté."))
    status = serializers.SerializerMethodField()
    competences = serializers.SerializerMethodField()
    verify_url = serializers.CharField(help_text=_("La page publique de vérification."))
    public_pdf_url = serializers.CharField(source="pdf_url")
    public_credential_url = serializers.CharField(source="credential_url")

    class Meta:
        model = Certificate
        fields = [
            "code",
            "status",
            "resident",
            "holder",
            "module",
            "actor",
            "signatory_name",
            "signatory_role",
            "issued_by",
            "issued_at",
            "hours",
            "period_start",
            "period_end",
            "expires_on",
            "revoked_at",
            "revocation_reason",
            "language",
            "competences",
            "pdf_sha256",
            "verify_url",
            "public_pdf_url",
            "public_credential_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=CertificateStatus.choices))
    def get_status(self, certificate):
        return certificate.status(today=timezone.localdate()).value

    @extend_schema_field(CertificateLineSerializer(many=True))
    def get_competences(self, certificate):
        return [
            {
                "competence": line.competence.code,
                "digcomp": line.competence.digcomp_code,
                "level": line.level,
            }
            for line in certificate.competences.all()
        ]


class CertificateIssueSerializer(serializers.Serializer):
    """Issue a module's certificate to a resident who reached every target level."""

    resident = serializers.CharField(max_length=12, help_text=_("Référence de la fiche."))
    module = serializers.IntegerField()
    signatory = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Par défaut, le signataire de la structure où la personne s'est formée."),
    )
    language = serializers.ChoiceField(
        choices=[("fr", _("Français")), ("en", _("Anglais"))], required=False, default="fr"
    )
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, data):
        user = self.context["request"].user
        errors = {}
        resident = (
            Resident.objects.visible_to(user)
            .filter(reference=data["resident"].strip().upper())
            .first()
        )
        if resident is None:
            errors["resident"] = [_("Aucune fiche accessible n'a cette référence.")]
        module = Module.objects.filter(pk=data["module"]).first()
        if module is None:
            errors["module"] = [_("Module inconnu.")]
        signatory = None
        if data["signatory"] is not None:
            signatory = Signatory.objects.usable_by(user).filter(pk=data["signatory"]).first()
            if signatory is None:
                errors["signatory"] = [_("Choisissez un signataire de votre structure.")]
        if errors:
            raise serializers.ValidationError(errors)
        return {**data, "resident": resident, "module": module, "signatory": signatory}
