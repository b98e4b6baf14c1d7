"""The network admin's pages on access: the access journal and the API keys."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from learners.forms import ApiTokenForm, JournalFilterForm
from learners.models import AccessLog, ApiToken, Resident, Role
from pathway.permissions import staff_required

network_admin_only = staff_required(Role.NETWORK_ADMIN)
REFERENCE_LENGTH = len(Resident.new_reference())


# Access journal -------------------------------------------------------------------------


@network_admin_only
@require_safe
def accesslog_list(request):
    """The access journal, read-only: no page writes to it but the reads it records."""
    rows = AccessLog.objects.visible_to(request.user).select_related("user", "resident")
    filters = JournalFilterForm(request.GET)
    reference = username = ""
    if filters.is_valid():
        reference = filters.cleaned_data["resident"].upper()
        username = filters.cleaned_data["user"]
    else:
        messages.error(request, _("Ce filtre n'est pas valable : il a été ignoré."))
    if reference:
        # The reads of that record, and the lists that showed it (references are all of
        # one length: a whole one matches only itself).
        named = Q(resident__reference=reference)
        if len(reference) == REFERENCE_LENGTH:
            named |= Q(residents__contains=reference)
        rows = rows.filter(named)
    if username:
        rows = rows.filter(user__username=username)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "learners/accesslog_list.html",
        {
            "page": page,
            "resident": reference,
            "username": username,
            "page_query": "&" + urlencode({"resident": reference, "user": username}),
        },
    )


# API keys ------------------------------------------------------------------------------


@network_admin_only
def apitoken_list(request):
    """The network admin issues API keys (shown once) and revokes them."""
    form = ApiTokenForm(request.POST or None, by=request.user)
    issued = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token, key = ApiToken.issue(
            user=data["user"],
            name=data["name"],
            scope=data["scope"],
            created_by=request.user,
            expires_at=timezone.now() + timezone.timedelta(days=data["days"])
            if data["days"]
            else None,
        )
        # Shown on this response only: never stored, never put in a message or a URL.
        issued = {"token": token, "key": key}
        form = ApiTokenForm(by=request.user)
    tokens = ApiToken.objects.of_keyholders(request.user).select_related("user", "created_by")
    page = Paginator(tokens, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "learners/apitoken_list.html",
        {"form": form, "issued": issued, "page": page, "now": timezone.now()},
    )


@network_admin_only
@require_POST
def apitoken_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.of_keyholders(request.user), pk=pk)
    token.revoke()
    messages.success(
        request, _("Clé « %(name)s » révoquée : elle ne marche plus.") % {"name": token.name}
    )
    return redirect("apitoken_list")
