"""The journal of reads of a mediator's own statistics, and their share links: browsed by
the network admin, never changed here (a link is revoked by its owner)."""

from django.contrib import admin
from django.db.models import Q

from learners.models import User
from pathway.permissions import town_actors
from stats.models import StatsReadLog, StatsShareLink


class ReadOnly(admin.ModelAdmin):
    # Whose figures: a town's network admin sees the rows of their town's staff.
    staff_field = "owner"

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        towns = request.user.town_ids
        if towns is None:
            return rows
        staff = User.objects.of_towns(towns).values("pk")
        condition = Q(**{f"{self.staff_field}__in": staff})
        if self.staff_field == "mediator":  # or an actor's figures as a whole
            condition |= Q(actor__in=town_actors(request.user))
        return rows.filter(condition)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatsReadLog)
class StatsReadLogAdmin(ReadOnly):
    staff_field = "mediator"
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
