"""Signing in and out: the password page (limited per address) and the second factor,
the code of an authenticator app; and the site's first page, which sends each person to
their own."""

from base64 import b32encode

import qrcode
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage

from learners.forms import LoginForm, SecondFactorForm
from learners.middleware import second_factor_given
from learners.permissions import current_resident, rate_limit_exceeded, too_many_requests
from pathway.areas import UnknownArea, guide_area
from pathway.permissions import Role
from pathway.views import area_not_found, guide_context


def home(request):
    """Send each person to their own first page; visitors get the public welcome. Here rather
    than with the other public pages (pathway): it knows staff and residents' spaces."""
    user = request.user
    if user.is_authenticated:
        if user.is_official:
            return redirect("stats")
        if user.role == Role.AMBASSADOR:
            return redirect("ambassador_home")  # network's pages, by name (a higher app)
        if user.role == Role.TERRITORY_COORDINATOR:
            return redirect("stats_territory")  # the statistics' pages, likewise
        return redirect("session_list")
    if current_resident(request):
        return redirect("me")
    # ?ville=<slug> (or ?territoire=): the welcome of one town, as the guide's pages.
    try:
        area = guide_area(request.GET)
    except UnknownArea as error:
        return area_not_found(request, error)
    return render(request, "pathway/home.html", guide_context(request, area))


class LoginView(auth_views.LoginView):
    template_name = "learners/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # django-axes locks one account after failures; this stops one address trying many.
        if rate_limit_exceeded(request, "login", limit=settings.LOGIN_RATE_LIMIT):
            return too_many_requests(request)
        return super().post(request, *args, **kwargs)


logout = auth_views.LogoutView.as_view()


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("home")


@login_required
def otp_verify(request):
    """Second step of signing in: the code of the person's authenticator app."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()
    if device is None:
        return redirect("otp_setup")
    form = SecondFactorForm(request.POST or None, device=device)
    if form.is_valid():
        second_factor_given(request, device)
        return redirect(_next_url(request))
    return render(request, "learners/otp_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def otp_setup(request):
    """Pair an authenticator app: scan the QR code (or type the key), then give one code.

    A first app, or a new one in place of the app whose code this session gave: never a new
    one on the password alone, which would skip the second factor. Someone who lost their
    phone asks the network admin to reset their app (learners.admin), then pairs a new one
    here at their next sign-in."""
    user = request.user
    replacing = user_has_device(user)
    if replacing and not user.is_verified():
        return redirect_to_login(_next_url(request), reverse("otp_verify"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Application d'authentification", confirmed=False
        )
    form = SecondFactorForm(request.POST or None, device=device)
    if form.is_valid():
        with transaction.atomic():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # The old app (if any) stops working: sessions that gave its code end with it.
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        second_factor_given(request, device)
        messages.success(request, _("Votre application d'authentification est prête."))
        return redirect(_next_url(request))
    key = b32encode(device.bin_key).decode()
    qr_svg = qrcode.make(device.config_url, image_factory=SvgPathImage, box_size=8).to_string()
    return render(
        request,
        "learners/otp_setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "replacing": replacing,
            "qr_svg": mark_safe(qr_svg.decode()),  # noqa: S308 — generated by qrcode
            "key_groups": [key[i : i + 4] for i in range(0, len(key), 4)],
        },
    )
