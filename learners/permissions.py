"""Who may open which page. Objects a user may not see answer 404 (DESIGN.md §2); an action
refused on a record the user does see answers 403, with a sentence saying who may."""

import datetime
import hashlib
import ipaddress
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import throttling
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from learners.models import AccessAction, AccessLog, ApiToken, ResidentLink

# The guards of staff pages live with the roles, in pathway, whose pages use them too;
# learners' pages may name them from here as well.
from pathway.permissions import Role
from pathway.permissions import staff_required as staff_required
from pathway.permissions import working_with_residents as working_with_residents

RESIDENT_SESSION_KEY = "resident_id"
RESIDENT_LINK_SESSION_KEY = "resident_link_id"


class StaffBackend(ModelBackend):
    """Django's ModelBackend, loading a signed-in person's town and territory with their
    account, in the same query: every page's header names them (pathway.views.town)."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("town", "territory")
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def require_management(resident):
    """Stop here (403) unless the user may manage this record they see: a resident annotated
    by `Resident.objects.with_rights(user)`. 403 rather than 404: the person has just read
    the journey, so a "not found" would be untrue and leave them guessing; the message
    tells them who may act instead."""
    if not resident.manageable:
        raise PermissionDenied(
            _(
                "Seule la structure qui a créé cette fiche (%(actor)s) ou la coordination du "
                "réseau peut modifier la fiche, son consentement au partage ou ses liens "
                "personnels, exporter ou effacer ses données. Vous pouvez voir son parcours, "
                "saisir ses accompagnements et l'orienter."
            )
            % {"actor": resident.created_by_actor.name}
        )
    return resident


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


# The API -------------------------------------------------------------------------------


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer pn_…` (or `Token pn_…`): a key issued by the network admin.
    The request acts as the key's owner; `request.auth` is the ApiToken (its scope)."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise AuthenticationFailed(
                _("En-tête Authorization invalide : écrivez « Bearer » puis la clé.")
            )
        key = header[1].decode(errors="replace")
        now = timezone.now()
        token = (
            ApiToken.objects.usable(now=now)
            .select_related("user")
            .filter(key_hash=ApiToken.hash(key))
            .first()
        )
        if token is None or not token.user.is_active:
            raise AuthenticationFailed(_("Clé d'API inconnue, expirée ou révoquée."))
        # Written at most once an hour: a busy tool does not write on every request.
        if token.last_used_at is None or now - token.last_used_at > LAST_USE_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


LAST_USE_PRECISION = datetime.timedelta(hours=1)


class ApiAccess(BasePermission):
    """Signed-in staff; a read-only key may only read."""

    message = _("Cette clé d'API ne permet que la lecture.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.role == Role.AMBASSADOR:
            raise NotFound()  # parent ambassadors are not staff: no API
        token = request.auth
        if isinstance(token, ApiToken) and request.method not in SAFE_METHODS:
            return token.allows_writing
        return True


class WorksWithResidents(ApiAccess):
    """Records of residents: mediators, coordinators and the network admin. For anyone else
    the endpoint does not exist (404, as the pages do)."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if not request.user.works_with_residents:
            raise NotFound()
        return True


# The access journal, for the API and the admin ----------------------------------------------


class JournaledReads:
    """A viewset whose lists and reads of one record journal, in one row per request
    (AccessLog.record), every resident they showed. `residents_of(record)` names them;
    a record of one resident (`one_resident`) is journaled as a read of that record."""

    one_resident = True

    def residents_of(self, record):
        return [record.resident]

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            AccessLog.record(
                self.request, residents=[r for record in page for r in self.residents_of(record)]
            )
        return page

    def retrieve(self, request, *args, **kwargs):
        record = self.get_object()
        self.journal_read(record)
        return Response(self.get_serializer(record).data)

    def journal_read(self, record):
        if self.one_resident:
            AccessLog.record(self.request, record.resident, AccessAction.VIEW_RECORD)
        else:
            AccessLog.record(self.request, residents=self.residents_of(record))


class JournaledAdmin:
    """An admin page of records that name residents: its list and its record pages journal
    what they showed, as the application's pages do. `residents_of(obj)` names them
    (none: the list does not show residents)."""

    list_names_residents = True

    def residents_of(self, obj):
        return [obj.resident]

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None and self.list_names_residents:
            AccessLog.record(
                request,
                residents=[r for obj in changelist.result_list for r in self.residents_of(obj)],
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = getattr(response, "context_data", {}).get("original")
        if original is not None and request.method == "GET":
            residents = self.residents_of(original)
            if len(residents) == 1:
                AccessLog.record(request, residents[0], AccessAction.VIEW_RECORD)
            else:
                AccessLog.record(request, residents=residents)
        return response


# Rate limits ------------------------------------------------------------------------------


def client_address(request):
    """Who is asking: the client's IP address (its /64 network for IPv6, which one machine
    may change at will). Behind our TLS proxy, the address it appended last."""
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[-1].strip()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def axes_client_address(request):
    """The address django-axes locks an account from: the client's, as above (the proxy
    connects for everyone). None when it is not an IP address, which its column refuses."""
    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def rate_limit_exceeded(request, bucket, *, limit, who=None, now=None):
    """Count one more request of this client (or of `who`) in this hour's window, in the
    shared cache (Redis, or a table of the database: learners.cache), so that every worker
    and server counts together, and say whether it went over `limit`."""
    window = (now or timezone.now()).strftime("%Y%m%d%H")
    who = who or client_address(request)
    key = f"ratelimit:{bucket}:{hashlib.sha256(who.encode()).hexdigest()[:32]}:{window}"
    if cache.add(key, 1, timeout=3600):
        return limit < 1
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=3600)
        return limit < 1


class ClientAddressIdent:
    """rest_framework's throttles, counting a client by the address the other limits use:
    theirs would trust any X-Forwarded-For a client writes, so that each invented address
    starts a new count (and a new row of the shared cache)."""

    def get_ident(self, request):
        return client_address(request)


class AnonymousRateThrottle(ClientAddressIdent, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientAddressIdent, throttling.UserRateThrottle):
    pass


def too_many_requests(request, message=None):
    """The page (429) for a client over a rate limit: what happened and when to retry."""
    response = render(
        request,
        "rate_limited.html",
        {
            "message": message
            or _("Trop de demandes depuis votre connexion. Réessayez dans une heure.")
        },
        status=429,
    )
    response["Retry-After"] = "3600"
    return response


def axes_username(request, credentials=None):
    """The username django-axes records for an attempt, cut to what a username can be: a
    longer one (an attack, or junk) would not fit its column on PostgreSQL."""
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get("username") or ""
    return str(username).replace("\x00", "")[:150]
