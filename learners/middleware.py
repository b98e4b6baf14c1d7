"""Session safety for staff and residents: lifetimes and the second factor."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import user_has_device

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"


class SessionLifetimeMiddleware:
    """End a session after SESSION_IDLE_SECONDS of inactivity, and SESSION_COOKIE_AGE
    seconds after it started, whatever the activity (a shared computer at a library is the
    common case). The last-seen time is written at most once a minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.session_key or session.keys():
            now = int(time.time())
            started = session.setdefault(SIGNED_IN_AT, now)
            seen = session.get(LAST_SEEN, now)
            idle = now - seen > settings.SESSION_IDLE_SECONDS
            too_old = now - started > settings.SESSION_COOKIE_AGE
            if idle or too_old:
                was_signed_in = request.user.is_authenticated
                logout(request)  # flushes the session, residents' included
                if was_signed_in:
                    messages.info(request, _("Votre session a expiré : reconnectez-vous."))
            elif now - seen >= 60 or LAST_SEEN not in session:
                session[LAST_SEEN] = now
        return self.get_response(request)


NEEDS_SECOND_FACTOR = "needs_second_factor"
SECOND_FACTOR_GIVEN = "second_factor_given"


def needs_second_factor(user):
    if user.is_network_admin and settings.OTP_REQUIRED_FOR_ADMINS:
        return True
    return user_has_device(user)


@receiver(user_logged_in)
def remember_second_factor(sender, request, user, **kwargs):
    # Decided once at sign-in, so that other requests do not look devices up.
    request.session[NEEDS_SECOND_FACTOR] = needs_second_factor(user)
    request.session[SIGNED_IN_AT] = request.session[LAST_SEEN] = int(time.time())


class SecondFactorMiddleware:
    """A signed-in user who must give a second factor reaches nothing else until they do:
    the code page if they have an authenticator, the set-up page otherwise (which pairs a
    first one only: see learners.views.sign_in.otp_setup), and sign-out; the API answers
    403 in JSON. A session that gave its code with an authenticator since removed (reset by
    the network admin, or replaced from another browser) is signed out: a lost phone's
    sessions end with it, and pairing again starts from the password."""

    # Namespaced view names: the admin's "admin:login" or "admin:logout" are not these.
    ALLOWED = frozenset({"otp_verify", "otp_setup", "logout", "set_language", "privacy"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        verified = user.is_verified()
        if request.session.get(SECOND_FACTOR_GIVEN) and not verified:
            logout(request)
            messages.info(
                request,
                _("Votre application d'authentification a changé : reconnectez-vous."),
            )
            return self._refused(request, reverse("login"))
        if request.session.get(NEEDS_SECOND_FACTOR) and not verified:
            match = _resolve(request.path_info)
            if match is None or match.view_name not in self.ALLOWED:
                return self._refused(
                    request, reverse("otp_verify" if user_has_device(user) else "otp_setup")
                )
        return self.get_response(request)

    @staticmethod
    def _refused(request, page):
        if request.path_info.startswith("/api/"):
            message = _(
                "Donnez d'abord le code de votre application d'authentification (page %(page)s)."
            ) % {"page": page}
            return JsonResponse(
                {"message": message, "code": "second_factor_required", "errors": {}}, status=403
            )
        return redirect_to_login(request.get_full_path(), page)


def second_factor_given(request, device):
    """The person gave a code of `device`: the session is verified (django-otp) for as long
    as that device exists."""
    otp_login(request, device)
    request.session[SECOND_FACTOR_GIVEN] = True


def _resolve(path):
    try:
        return resolve(path)
    except Resolver404:
        return None
