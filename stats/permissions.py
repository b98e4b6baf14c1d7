"""Who reads the statistics: officials, coordinators (their own actors) and the network
admin; for anyone else the dashboard and its API do not exist (404)."""

from rest_framework.exceptions import NotFound

from learners.permissions import ApiAccess
from pathway.permissions import Role, staff_required

STATISTICS_ROLES = (Role.OFFICIAL, Role.COORDINATOR, Role.TERRITORY_COORDINATOR)
reading_statistics = staff_required(*STATISTICS_ROLES)


class ReadsStatistics(ApiAccess):
    """The pathway statistics: officials, coordinators (their own actors) and the network
    admin, as on the dashboard. For anyone else the endpoint does not exist."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        user = request.user
        if not (user.is_network_admin or user.role in STATISTICS_ROLES):
            raise NotFound()
        return True
