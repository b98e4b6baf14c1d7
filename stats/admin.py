"""The journal of reads of a mediator's own statistics, and their share links: browsed by
the network admin, never changed here (a link is revoked by its owner)."""

from django.contrib import admin

from stats.models import StatsReadLog, StatsShareLink


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatsReadLog)
class StatsReadLogAdmin(ReadOnly):
    list_display = ["at", "user", "link", "mediator", "actor", "query"]
    date_hierarchy = "at"
    search_fields = ["user__username", "mediator__username", "mediator__last_name"]
    list_select_related = ["user", "link__owner", "mediator", "actor"]


@admin.register(StatsShareLink)
class StatsShareLinkAdmin(ReadOnly):
    list_display = ["owner", "label", "created_at", "revoked_at"]
    search_fields = ["owner__username", "owner__last_name"]
    list_select_related = ["owner"]
    exclude = ["token_hash"]
