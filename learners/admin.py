from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from learners import imports, services
from learners.forms import ImportForm
from learners.models import (
    AccessLog,
    ApiToken,
    CompetenceAssessment,
    ImportJob,
    Participation,
    Referral,
    Resident,
    ResidentLink,
    Session,
    User,
)
from learners.permissions import JournaledAdmin
from pathway.permissions import InTheirTowns
from pathway.sorting import Alphabetical


@admin.register(User)
class UserAdmin(InTheirTowns, BaseUserAdmin):
    town_path = None  # get_queryset below
    list_display = ["username", "first_name", "last_name", "role", "email", "is_active"]
    list_filter = ["role", "is_active", ("town", admin.RelatedOnlyFieldListFilter), "actors"]

    def get_queryset(self, request):
        # A town's network admin manages their town's staff (the superuser, everyone).
        users = super().get_queryset(request)
        towns = request.user.town_ids
        return users if towns is None else users.of_towns(towns)

    search_fields = ["username", "first_name", "last_name", "email"]
    filter_horizontal = ["actors", "groups", "user_permissions"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name", "email"]}),
        (
            _("Rôle dans le réseau"),
            {"fields": ["role", "town", "territory", "actors", "is_active"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    actions = ["authenticator_reset"]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "role",
                    "town",
                    "territory",
                    "actors",
                    "password1",
                    "password2",
                ],
            },
        )
    ]

    @admin.action(description=_("Réinitialiser la double authentification"))
    def authenticator_reset(self, request, queryset):
        """For a lost phone: the person pairs a new app at their next sign-in (written in
        each account's history)."""
        for user in queryset:
            user.reset_authenticator(by=request.user)
        self.message_user(
            request,
            _(
                "Double authentification réinitialisée pour %(names)s : une nouvelle "
                "application sera à installer à la prochaine connexion."
            )
            % {"names": ", ".join(str(user) for user in queryset)},
            messages.SUCCESS,
        )


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    fields = [
        "resident",
        "autonomy",
        "operator",
        "paperwork_result",
        "blocked_reason",
        "is_first_visit",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(InTheirTowns, JournaledAdmin, admin.ModelAdmin):
    """Sessions are read and deleted here; they are logged and changed on the session page
    (the network admin may change any), whose service checks the session's rules, copies
    its date, pole and actor onto the participations and keeps journeys and statistics
    right. A form here would do none of that."""

    list_display = [
        "date",
        "pole",
        "format",
        "actor",
        "place",
        "duration_minutes",
        "participant_count",
        "created_by",
    ]
    list_filter = ["pole", "format", "location", "actor__kind", "actor"]
    date_hierarchy = "date"
    search_fields = ["workshop_title", "notes", "actor__name"]
    list_select_related = ["actor", "place", "created_by"]
    raw_id_fields = ["created_by", "mediators", "place"]
    filter_horizontal = ["topics"]
    readonly_fields = ["page_link", "participant_count", "created_at", "updated_at"]
    inlines = [ParticipationInline]
    list_names_residents = False  # the list names nobody; a session's page, its participants

    def residents_of(self, session):
        return [p.resident for p in session.participations.select_related("resident")]

    @admin.display(description=_("modifier"))
    def page_link(self, session):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("session_update", args=[session.pk]),
            _("Modifier sur la page de l'accompagnement"),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.session_delete(session=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for session in queryset:
            services.session_delete(session=session, by=request.user)


class AssessmentInline(admin.TabularInline):
    model = CompetenceAssessment
    extra = 0
    fields = ["competence", "level", "assessed_on", "assessed_by", "session"]
    raw_id_fields = ["assessed_by", "session"]


@admin.register(Resident)
class ResidentAdmin(InTheirTowns, JournaledAdmin, admin.ModelAdmin):
    town_path = "created_by_actor"
    ordering = [Alphabetical("last_name"), Alphabetical("first_name"), "id"]
    list_display = [
        "reference",
        "last_name",
        "first_name",
        "birth_year",
        "neighbourhood",
        "created_by_actor",
        "sharing_consent",
        "last_session_on",
    ]
    list_filter = [
        "sharing_consent",
        "social_status",
        "neighbourhood__is_priority",
        ("neighbourhood", admin.RelatedOnlyFieldListFilter),
        "first_pole",
        ("created_by_actor", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["reference", "last_name", "first_name", "email", "phone"]
    list_select_related = ["neighbourhood", "created_by_actor"]
    raw_id_fields = ["created_by"]
    # Merging moves participations, assessments, referrals and certificates: it is done on
    # the merge page (services.resident_merge), never by setting this field by hand.
    readonly_fields = [
        "merged_into",
        "reference",
        "created_at",
        "first_session_on",
        "last_session_on",
        "first_pole",
        "necessity_on",
        "achievement_on",
        "leisure_on",
        "session_count",
        "erased_at",
        # Consent is recorded by the person's answer (Resident.record_consent: dated, with
        # its text's version, journaled), on the app's pages, never ticked here.
        "sharing_consent",
        "shared_across_towns",
        "consent_at",
        "consent_version",
    ]
    inlines = [AssessmentInline]
    # certificates.admin adds the action that issues the certificates they earned.
    actions = []

    def residents_of(self, resident):
        return [resident]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The neighbourhood, birth year, social status or levels may have changed: the
        # statistics count people by them (one resident: a few milliseconds).
        services.participations_changed([form.instance.pk])


@admin.register(CompetenceAssessment)
class CompetenceAssessmentAdmin(InTheirTowns, JournaledAdmin, admin.ModelAdmin):
    town_path = "resident__created_by_actor"
    list_display = ["resident", "competence", "level", "assessed_on", "assessed_by"]
    list_filter = ["competence", "level"]
    search_fields = ["resident__last_name", "resident__reference"]
    list_select_related = ["resident", "competence", "assessed_by"]
    raw_id_fields = ["resident", "assessed_by", "session"]

    # Levels decide the modules completed in the statistics: every change refreshes them
    # for the residents concerned (the one it moved from too).
    def save_model(self, request, obj, form, change):
        before = form.initial.get("resident") if change else None
        super().save_model(request, obj, form, change)
        services.participations_changed({obj.resident_id, before} - {None})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.participations_changed([obj.resident_id])

    def delete_queryset(self, request, queryset):
        residents = set(queryset.values_list("resident_id", flat=True))
        super().delete_queryset(request, queryset)
        services.participations_changed(residents)


@admin.register(Referral)
class ReferralAdmin(InTheirTowns, JournaledAdmin, admin.ModelAdmin):
    town_path = "resident__created_by_actor"
    list_display = ["resident", "from_actor", "to_actor", "to_pole", "status", "sent_at"]
    list_filter = [
        "status",
        "to_pole",
        ("from_actor", admin.RelatedOnlyFieldListFilter),
        "to_actor",
    ]
    search_fields = ["resident__last_name", "resident__reference", "reason"]
    list_select_related = ["resident", "from_actor", "to_actor"]
    raw_id_fields = ["resident", "created_by"]


@admin.register(ResidentLink)
class ResidentLinkAdmin(InTheirTowns, JournaledAdmin, admin.ModelAdmin):
    town_path = "resident__created_by_actor"
    list_display = ["resident", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_select_related = ["resident"]
    raw_id_fields = ["resident", "created_by"]
    readonly_fields = ["created_at", "last_used_at"]

    def get_readonly_fields(self, request, obj=None):
        # A link opens one person's own space: it is never moved to another person.
        return [*self.readonly_fields, "resident"] if obj is not None else self.readonly_fields

    search_fields = ["resident__reference", "resident__last_name"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """The journal can be browsed, never changed."""

    list_display = ["at", "user", "resident", "action", "path", "query"]
    list_filter = ["action"]
    date_hierarchy = "at"
    # `residents`: the references a list showed (one row per request, see AccessLog).
    search_fields = ["user__username", "resident__reference", "resident__last_name", "residents"]
    list_select_related = ["user", "resident"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Keys are issued on the staff page, which shows a new key once; here they are listed
    and revoked."""

    list_display = ["key_start", "user", "name", "scope", "created_at", "last_used_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "key_start", "user__username", "user__last_name"]
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "key_start",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    fields = ["user", "name", "scope", "key_start", "expires_at", *readonly_fields[2:]]
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).of_keyholders(request.user)

    def get_readonly_fields(self, request, obj=None):
        # A key's reach is chosen when it is issued (staff page), not widened later.
        return [*self.readonly_fields, "scope"] if obj is not None else self.readonly_fields

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("apitoken_list")

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Révoquer les clés choisies"))
    def revoke(self, request, queryset):
        for token in queryset:
            token.revoke()
        self.message_user(request, _("Clés révoquées."))


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Files imported through the admin: the same check, preview and all-or-nothing import
    as the staff page (learners.imports); the report shows on the job's page, and the
    "confirm" action imports a checked file."""

    list_display = ["file_name", "resource", "created_by", "created_at", "status", "total_rows"]
    list_filter = ["status", "resource"]
    list_select_related = ["created_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    readonly_fields = [
        "file_name",
        "resource",
        "created_by",
        "created_at",
        "status",
        "total_rows",
        "finished_at",
        "report_display",
    ]
    fields = readonly_fields
    actions = ["confirm", "cancel"]

    def add_view(self, request, form_url="", extra_context=None):
        kinds = imports.kinds_for(request.user, "import")
        form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
        if request.method == "POST" and form.is_valid():
            try:
                job = imports.job_start(
                    user=request.user,
                    kind=imports.KINDS[form.cleaned_data["kind"]],
                    uploaded=form.cleaned_data["file"],
                )
            except imports.FileError as error:
                form.add_error("file", str(error))
            else:
                return redirect(reverse("admin:learners_importjob_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Importer un fichier"),
            "form": form,
        }
        return render(request, "admin/learners/importjob/add.html", context)

    @admin.display(description=_("rapport"))
    def report_display(self, job):
        if job.is_running:
            done, total = imports.read_progress(job)
            return _("En cours : %(done)s sur %(total)s.") % {"done": done, "total": total}
        html = render_to_string("includes/import_report.html", {"report": job.report})
        return mark_safe(html)  # noqa: S308 — a template of ours, escaping its values

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Confirmer l'import des fichiers vérifiés"))
    def confirm(self, request, queryset):
        for job in queryset:
            try:
                imports.job_confirm(job)
            except imports.FileError as error:
                self.message_user(request, f"{job.file_name} : {error}", messages.ERROR)
            else:
                self.message_user(request, f"{job.file_name} : {job.get_status_display()}")

    @admin.action(description=_("Abandonner (le fichier est supprimé)"))
    def cancel(self, request, queryset):
        for job in queryset:
            try:
                imports.job_cancel(job)
            except imports.FileError as error:
                self.message_user(request, f"{job.file_name} : {error}", messages.ERROR)
