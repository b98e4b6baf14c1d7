from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats import base_formats

from pathway import opendata
from pathway.forms import PLACE_FIELDS, PlaceFormMixin
from pathway.models import (
    Actor,
    Competence,
    Module,
    ModuleCompetence,
    Neighbourhood,
    Operator,
    Place,
    PlannedWorkshop,
    Territory,
    Topic,
    Town,
)
from pathway.permissions import InTheirTowns
from pathway.sorting import Alphabetical
from pathway.spreadsheets import CSVFormat


class PlaceInline(admin.StackedInline):
    model = Place
    extra = 0
    fields = [
        ("name", "neighbourhood"),
        ("address", "postcode", "city"),
        ("latitude", "longitude"),
        ("phone", "email"),
        "opening_hours",
        ("is_published", "is_active"),
    ]


def keep_for_the_superuser(site, labels):
    """Show these models' admin pages to the superuser only (another app's admin class,
    subclassed and registered again)."""
    from django.apps import apps

    for label in labels:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if not site.is_registered(model):
            continue
        base = type(site._registry[model])
        if issubclass(base, SuperuserOnly):
            continue  # the URLs read twice (a test reloads them)
        site.unregister(model)
        site.register(model, type(f"Superuser{base.__name__}", (SuperuserOnly, base), {}))


class SuperuserOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_change_permission = has_delete_permission = has_add_permission = has_view_permission


class SuperuserAdds:
    """Towns and territories are made by whoever runs the installation (the superuser);
    a town's network admin changes their own town."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Territory)
class TerritoryAdmin(SuperuserAdds, admin.ModelAdmin):
    list_display = ["name", "kind", "code"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    list_filter = ["kind"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Town)
class TownAdmin(SuperuserAdds, InTheirTowns, admin.ModelAdmin):
    list_display = ["name", "insee_code", "network_name", "certificate_prefix"]
    list_filter = ["territories"]
    search_fields = ["name", "insee_code", "network_name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["territories"]
    # A plain file input, labelled: the admin's "clearable" one is a fieldset whose input
    # has no label (axe: label). A new file replaces the logo.
    formfield_overrides = {models.FileField: {"widget": forms.FileInput}}

    def get_queryset(self, request):
        # A town's network admin changes their own town (its name, prefix, logo…).
        return Town.objects.visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        # The commune and the territories are the superuser's to set.
        return [] if request.user.is_superuser else ["insee_code", "territories"]


@admin.register(Actor)
class ActorAdmin(InTheirTowns, admin.ModelAdmin):
    town_path = "town"
    ordering = [Alphabetical("name")]
    list_display = ["name", "town", "kind", "city", "phone", "is_published", "is_active"]
    list_filter = [("town", admin.RelatedOnlyFieldListFilter), "kind", "is_published", "is_active"]
    search_fields = ["name", "siret", "city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PlaceInline]


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(InTheirTowns, admin.ModelAdmin):
    town_path = "town"
    ordering = [Alphabetical("name")]
    list_display = ["name", "town", "is_priority", "qpv_code"]
    list_filter = [("town", admin.RelatedOnlyFieldListFilter), "is_priority"]
    search_fields = ["name", "qpv_code"]
    prepopulated_fields = {"slug": ["name"]}


class PlaceAdminForm(PlaceFormMixin, forms.ModelForm):
    """The place with its weekly timetable (the OSM expression is written from it)."""

    class Meta:
        model = Place
        fields = ["actor", *PLACE_FIELDS, "is_active"]


class OpenDataFilter(admin.SimpleListFilter):
    """Published places the open-data export leaves out (a row that would break the
    national standard), so that someone fixes them."""

    title = _("données ouvertes")
    parameter_name = "open_data"

    def lookups(self, request, model_admin):
        return [("left_out", _("laissés de côté")), ("exported", _("publiés"))]

    def queryset(self, request, queryset):
        if self.value() not in {"left_out", "exported"}:
            return queryset
        _rows, left_out = opendata.export_rows()
        ids = {place.pk for place, _problems in left_out}
        if self.value() == "left_out":
            return queryset.filter(pk__in=ids)
        return queryset.filter(pk__in=Place.objects.in_guide().values("pk")).exclude(pk__in=ids)


@admin.register(Place)
class PlaceAdmin(InTheirTowns, ImportMixin, admin.ModelAdmin):
    ordering = [Alphabetical("actor__name"), Alphabetical("name")]
    """Places, with the import of a file in the national standard (CSV, XLSX…)."""

    form = PlaceAdminForm
    resource_classes = [opendata.PlaceResource]
    # Our own /open-data/places.csv quotes formula-like texts: the import takes it off.
    import_formats = [
        CSVFormat if file_format is base_formats.CSV else file_format
        for file_format in base_formats.DEFAULT_FORMATS
    ]
    list_display = [
        "name",
        "actor",
        "neighbourhood",
        "postcode",
        "is_published",
        "is_active",
        "open_data_status",
    ]
    list_filter = [
        OpenDataFilter,
        ("neighbourhood", admin.RelatedOnlyFieldListFilter),
        "actor__kind",
        "is_published",
        "is_active",
    ]
    search_fields = ["name", "actor__name", "address"]
    list_select_related = ["actor", "neighbourhood"]
    autocomplete_fields = ["actor"]
    readonly_fields = ["opening_hours", "open_data_status", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "actor",
                    "name",
                    "summary",
                    ("address", "address_complement"),
                    ("postcode", "city", "insee_code"),
                    "neighbourhood",
                    ("latitude", "longitude"),
                    "directions",
                    ("phone", "email"),
                    ("website", "appointment_url"),
                ]
            },
        ),
        (
            _("Horaires"),
            {
                "description": _(
                    "Deux créneaux par jour (matin, après-midi) ; laisser vide un jour de "
                    "fermeture. Le format OpenStreetMap est écrit automatiquement."
                ),
                "fields": [
                    *[
                        (
                            f"day{day}_slot1_start",
                            f"day{day}_slot1_end",
                            f"day{day}_slot2_start",
                            f"day{day}_slot2_end",
                        )
                        for day in range(7)
                    ],
                    "closed_on_public_holidays",
                    ("closure1_first", "closure1_last"),
                    ("closure2_first", "closure2_last"),
                    "opening_hours",
                ],
            },
        ),
        (
            _("Offre (standard national)"),
            {
                "fields": [
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
                ]
            },
        ),
        (
            _("Accessibilité et présentation"),
            {"fields": ["accessibility", "accessibility_url", "description"]},
        ),
        (
            _("Publication"),
            {"fields": ["is_published", "is_active", "open_data_status", "updated_at"]},
        ),
    ]

    @admin.display(description=_("données ouvertes"))
    def open_data_status(self, place):
        if not place.pk:
            return "—"
        problems = opendata.place_problems(place)
        return _("laissé de côté : %(why)s") % {"why": ", ".join(problems)} if problems else "✔"


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    ordering = [Alphabetical("name")]
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    ordering = ["pole", Alphabetical("name")]
    list_display = ["name", "pole", "operator", "is_active"]
    list_filter = ["pole", "is_active"]
    search_fields = ["name"]
    list_select_related = ["operator"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Competence)
class CompetenceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "domain_fr", "digcomp_code", "name_en"]
    list_filter = ["domain_fr"]
    search_fields = ["code", "name_fr", "name_en", "digcomp_code"]

    # The framework is national: shipped as data, never edited here.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ModuleCompetenceInline(admin.TabularInline):
    model = ModuleCompetence
    extra = 1


@admin.register(Module)
class ModuleAdmin(InTheirTowns, admin.ModelAdmin):
    town_path = None  # get_queryset below

    def get_queryset(self, request):
        return super().get_queryset(request).in_their_towns(request.user)

    ordering = [Alphabetical("name")]
    list_display = ["name", "actor", "hours", "is_active"]
    list_filter = ["is_active", "actor"]
    search_fields = ["name"]
    list_select_related = ["actor"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ModuleCompetenceInline]


@admin.register(PlannedWorkshop)
class PlannedWorkshopAdmin(InTheirTowns, admin.ModelAdmin):
    list_display = ["title", "starts_at", "pole", "place", "seats", "seats_taken", "is_published"]
    list_filter = ["pole", "is_published", "actor"]
    search_fields = ["title", "place__name", "actor__name"]
    list_select_related = ["place", "place__actor", "actor"]
    autocomplete_fields = ["actor", "place"]
    date_hierarchy = "starts_at"
