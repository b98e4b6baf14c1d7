from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from learners.forms import LoginForm
from learners.models import ResidentLink, Role, Session
from learners.permissions import (
    RESIDENT_SESSION_KEY,
    resident_required,
    working_with_residents,
)


class LoginView(auth_views.LoginView):
    template_name = "learners/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


logout = auth_views.LogoutView.as_view()


@working_with_residents
def session_list(request):
    """The mediator's home: their recent sessions. Coordinators see their actors' sessions,
    the network admin the whole network's."""
    sessions = Session.objects.visible_to(request.user)
    if request.user.role == Role.MEDIATOR and not request.user.is_network_admin:
        sessions = sessions.filter(created_by=request.user)
    page = Paginator(sessions.with_list_data(), 25).get_page(request.GET.get("page"))
    return render(request, "learners/session_list.html", {"page": page})


def me_access(request):
    """How a resident opens their own space."""
    return render(request, "learners/me_access.html")


def me_open(request, token):
    """A resident's personal link: opens their space in this browser."""
    link = get_object_or_404(
        ResidentLink.objects.usable().select_related("resident"),
        token_hash=ResidentLink.hash(token),
        resident__merged_into__isnull=True,
        resident__erased_at__isnull=True,
    )
    request.session.cycle_key()
    request.session[RESIDENT_SESSION_KEY] = link.resident_id
    ResidentLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    return redirect("me")


@resident_required
def me(request):
    return render(request, "learners/me.html", {"resident": request.resident})


@require_POST
def me_leave(request):
    request.session.flush()
    return redirect("home")
