"""Staff roles, and the guard of staff pages. Here, at the bottom of the house, because
pathway's own pages (places, workshops, the processing register) need them as much as
learners' do; the staff User model itself is learners.User, whose `role` takes these values:
pathway code only reads attributes of `request.user` (role, is_network_admin, actor_ids…)."""

from functools import wraps

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NETWORK_ADMIN = "network_admin", _("Coordination du réseau")
    COORDINATOR = "coordinator", _("Responsable de structure")
    MEDIATOR = "mediator", _("Médiateur ou médiatrice")
    OFFICIAL = "official", _("Élu ou service de la ville")
    # A volunteer parent who refers families (network.ambassadors): signs in by a link sent
    # by email, sees only their own referrals' status; no staff page, no resident.
    AMBASSADOR = "ambassador", _("Parent ambassadeur")


def staff_required(*roles):
    """Signed-in staff with one of `roles` (any staff role when none given, never the parent
    ambassador, who is not staff; the network admin always passes). Anonymous visitors go to
    the login page; other staff get a 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                # Imported here, as Django's own decorators do: the auth views module loads
                # the user model, and pathway's models read Role before it exists.
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            allowed = roles or STAFF_ROLES
            if not (user.is_network_admin or user.role in allowed):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


STAFF_ROLES = frozenset(Role) - {Role.AMBASSADOR}

working_with_residents = staff_required(Role.MEDIATOR, Role.COORDINATOR)


class WholeNetwork:
    """The reader of what a management command produces for the network (the annual
    report, the coordination export): the network admin's view, without a user."""

    is_authenticated = is_active = is_network_admin = True
    is_official = False
    role = Role.NETWORK_ADMIN
    actor_ids = frozenset()
