"""Who may open which page. Objects a user may not see answer 404, never 403 (DESIGN.md §2)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect

from learners.models import ResidentLink, Role

RESIDENT_SESSION_KEY = "resident_id"
RESIDENT_LINK_SESSION_KEY = "resident_link_id"


def staff_required(*roles):
    """Signed-in staff with one of `roles` (any role when none given; the network admin
    always passes). Anonymous visitors go to the login page; other staff get a 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if roles and not (user.is_network_admin or user.role in roles):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


working_with_residents = staff_required(Role.MEDIATOR, Role.COORDINATOR)
reading_statistics = staff_required(Role.OFFICIAL, Role.COORDINATOR)


def current_resident(request):
    """The resident whose personal space this browser has opened, if any: only while the
    link that opened it still works (a mediator who revokes a lost carnet's link closes the
    space it opened too)."""
    resident_id = request.session.get(RESIDENT_SESSION_KEY)
    link_id = request.session.get(RESIDENT_LINK_SESSION_KEY)
    if resident_id is None or link_id is None:
        return None
    link = (
        ResidentLink.objects.usable()
        .filter(
            pk=link_id,
            resident_id=resident_id,
            resident__merged_into__isnull=True,
            resident__erased_at__isnull=True,
        )
        .select_related("resident")
        .first()
    )
    return link.resident if link else None


def resident_required(view):
    """Pages of a resident's own space: opened by their personal link."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        resident = current_resident(request)
        if resident is None:
            return redirect("me_access")
        request.resident = resident
        return view(request, *args, **kwargs)

    return wrapped
