from django.contrib import admin

from certificates.models import Certificate, CertificateCompetence, Signatory


@admin.register(Signatory)
class SignatoryAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "actor", "is_default"]
    list_filter = ["is_default", "actor"]
    search_fields = ["name", "actor__name"]
    list_select_related = ["actor"]


class CertificateCompetenceInline(admin.TabularInline):
    model = CertificateCompetence
    extra = 0


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "resident", "module", "actor", "issued_at", "expires_on", "revoked_at"]
    list_filter = ["module", "actor", "revoked_at"]
    search_fields = ["code", "resident__last_name", "resident__reference"]
    list_select_related = ["resident", "module", "actor"]
    raw_id_fields = ["resident", "issued_by"]
    readonly_fields = ["code", "pdf_sha256", "status_index"]
    inlines = [CertificateCompetenceInline]
