from django.contrib import admin

from pathway.models import (
    Actor,
    Competence,
    Module,
    ModuleCompetence,
    Neighbourhood,
    Operator,
    Place,
    Topic,
)


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


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "phone", "is_published", "is_active"]
    list_filter = ["kind", "is_published", "is_active"]
    search_fields = ["name", "siret", "city"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PlaceInline]


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin):
    list_display = ["name", "is_priority", "qpv_code"]
    list_filter = ["is_priority"]
    search_fields = ["name", "qpv_code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "actor", "neighbourhood", "postcode", "is_published", "is_active"]
    list_filter = ["neighbourhood", "actor__kind", "is_published", "is_active"]
    search_fields = ["name", "actor__name", "address"]
    list_select_related = ["actor", "neighbourhood"]
    autocomplete_fields = ["actor"]


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
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
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["name", "actor", "hours", "is_active"]
    list_filter = ["is_active", "actor"]
    search_fields = ["name"]
    list_select_related = ["actor"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ModuleCompetenceInline]
