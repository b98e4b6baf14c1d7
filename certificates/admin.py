from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from certificates.models import (
    Certificate,
    CertificateCompetence,
    Endorsement,
    Endorser,
    Signatory,
    earned_modules,
)
from certificates.services import certificate_issue_many
from learners import admin as learners_admin
from learners.models import Resident
from learners.permissions import JournaledAdmin
from pathway.models import Module
from pathway.permissions import InTheirTowns


@admin.register(Signatory)
class SignatoryAdmin(InTheirTowns, admin.ModelAdmin):
    list_display = ["name", "role", "actor", "is_default"]
    list_filter = ["is_default", "actor"]
    search_fields = ["name", "actor__name"]
    list_select_related = ["actor"]


class CertificateCompetenceInline(admin.TabularInline):
    model = CertificateCompetence
    extra = 0


@admin.register(Certificate)
class CertificateAdmin(InTheirTowns, JournaledAdmin, admin.ModelAdmin):
    town_path = "resident__created_by_actor"
    """Read only: a certificate is signed at issuance and never edited. Revoke it from its
    page in the application (the link below), issue it from the residents' admin or the
    mediators' pages."""

    list_display = ["code", "resident", "module", "actor", "issued_at", "expires_on", "revoked_at"]
    list_filter = ["module", ("actor", admin.RelatedOnlyFieldListFilter), "revoked_at"]
    search_fields = ["code", "resident__last_name", "resident__reference"]
    list_select_related = ["resident", "module", "actor"]
    # The stored PDF has no public URL: the admin links to the view that checks who asks.
    exclude = ["pdf"]
    readonly_fields = ["application_page", "pdf_download"]
    inlines = [CertificateCompetenceInline]

    @admin.display(description=_("dans l'application"))
    def application_page(self, certificate):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("certificate_detail", args=[certificate.code]),
            _("Voir, télécharger ou révoquer"),
        )

    @admin.display(description=_("PDF signé"))
    def pdf_download(self, certificate):
        if not certificate.pdf:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("certificate_download", args=[certificate.code]),
            _("Télécharger le PDF signé"),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description=_("Délivrer les attestations qu'elles ont obtenues"))
def issue_earned_certificates(modeladmin, request, queryset):
    """Admin action on residents: every module certificate they earned and do not have."""
    residents = Resident.objects.visible_to(request.user).filter(pk__in=queryset)
    pairs = list(earned_modules(residents))
    if not pairs:
        modeladmin.message_user(
            request, _("Aucune de ces personnes n'a d'attestation à recevoir."), messages.INFO
        )
        return
    people = residents.in_bulk({r for r, _m in pairs})
    modules = Module.objects.in_bulk({m for _r, m in pairs})
    try:
        issued = certificate_issue_many(
            pairs=[(people[r], modules[m]) for r, m in pairs], issued_by=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            modeladmin.message_user(request, message, messages.ERROR)
        return
    modeladmin.message_user(
        request,
        ngettext("%(n)s attestation délivrée.", "%(n)s attestations délivrées.", len(issued))
        % {"n": len(issued)},
        messages.SUCCESS,
    )


class ResidentAdmin(learners_admin.ResidentAdmin):
    """The residents' admin, with the action that issues what they earned: learners' own
    admin may not name certificates, which sit above it."""

    actions = [*learners_admin.ResidentAdmin.actions, issue_earned_certificates]


admin.site.unregister(Resident)
admin.site.register(Resident, ResidentAdmin)


@admin.register(Endorser)
class EndorserAdmin(admin.ModelAdmin):
    """The partners whose endorsements the network signs (recorded from the coordination's
    page, /certificates/endorsements/)."""

    list_display = ["name", "kind", "website"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Endorsement)
class EndorsementAdmin(InTheirTowns, admin.ModelAdmin):
    """Read only: an endorsement is signed when published and never edited."""

    town_path = None  # get_queryset below

    def get_queryset(self, request):
        return super().get_queryset(request).in_their_towns(request.user)

    list_display = ["endorser", "module", "certificate", "issued_at"]
    list_filter = ["endorser"]
    list_select_related = ["endorser", "module", "certificate"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
