"""Signing in: lockout after failed attempts, the second factor, session lifetimes, CSP."""

import datetime
import time

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.throttling import SimpleRateThrottle

from learners.middleware import LAST_SEEN, SIGNED_IN_AT
from stats.demo.factories import DEMO_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=DEMO_PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password, **extra})


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


class TestLockout:
    def test_a_wrong_password_says_what_to_do(self):
        UserFactory(username="amandine")
        response = sign_in(Client(), "amandine", "not-the-password")
        assert response.status_code == 200
        assert "Identifiant ou mot de passe incorrect" in response.content.decode()

    def test_five_failures_lock_the_account_for_a_while_not_forever(self, settings):
        UserFactory(username="amandine")
        client = Client()
        for _ in range(5):
            sign_in(client, "amandine", "not-the-password")
        locked = sign_in(client, "amandine")  # even the right password
        assert locked.status_code == 429
        assert "bloquée pour un moment" in locked.content.decode()
        assert "_auth_user_id" not in client.session

        # After the cool-off period the right password works again.
        AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME * 2)
        response = sign_in(client, "amandine")
        assert response.status_code == 302
        assert "_auth_user_id" in client.session

    @pytest.mark.security_review
    def test_behind_the_proxy_one_clients_failures_do_not_lock_another_out(self, settings):
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        UserFactory(username="amandine")

        def through_proxy(forwarded_for):
            # The proxy connects from 10.0.0.2 and appends the client's address last.
            return Client(
                REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_PROTO="https",
                HTTP_X_FORWARDED_FOR=forwarded_for,
            )

        attacker = through_proxy("198.51.100.7")
        for _ in range(8):
            sign_in(attacker, "amandine", "not-the-password")
        assert sign_in(attacker, "amandine").status_code == 429  # locked out, from there
        # Writing the colleague's address in the header changes nothing: the proxy's last.
        forger = through_proxy("203.0.113.5, 198.51.100.8")
        for _ in range(8):
            sign_in(forger, "amandine", "not-the-password")
        assert sign_in(forger, "amandine").status_code == 429

        colleague = through_proxy("203.0.113.5")
        response = sign_in(colleague, "amandine")
        assert response.status_code == 302
        assert "_auth_user_id" in colleague.session
        assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {
            "198.51.100.7",
            "198.51.100.8",
        }

    @pytest.mark.security_review
    def test_failures_during_a_lockout_do_not_make_it_longer(self, settings, monkeypatch):
        start = timezone.now()
        clock = [start]
        monkeypatch.setattr("axes.handlers.proxy.now", lambda: clock[0])
        UserFactory(username="amandine")
        client = Client()
        for _ in range(5):
            sign_in(client, "amandine", "not-the-password")
        # Someone goes on trying, once a minute, all through the cool-off.
        for minute in range(1, 15):
            clock[0] = start + datetime.timedelta(minutes=minute)
            assert sign_in(client, "amandine", "guess").status_code == 429
        clock[0] = start + settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1)
        response = sign_in(client, "amandine")
        assert response.status_code == 302
        assert "_auth_user_id" in client.session

    def test_an_absurd_username_is_refused_calmly(self):
        response = sign_in(Client(), "x" * 5000 + "\x00", "guess")
        assert response.status_code == 200
        assert 'class="errorlist"' in response.content.decode()
        response = sign_in(Client(), "y" * 5000, "guess")  # long, but no NUL byte
        assert response.status_code == 200  # django-axes records it cut to 150 characters
        assert "Identifiant ou mot de passe incorrect" in response.content.decode()


class TestSecondFactor:
    def test_a_network_admin_must_pair_an_authenticator_before_anything_else(self):
        UserFactory(username="coordination", network_admin=True)
        client = Client()
        response = sign_in(client, "coordination")
        assert client.get("/admin/").url.startswith("/login/authenticator/")
        page = client.get("/login/authenticator/")
        assert page.status_code == 200
        assert "<svg" in page.content.decode()  # the QR code to scan

        device = TOTPDevice.objects.get(user__username="coordination", confirmed=False)
        bad_code = "000000" if code_for(device) != "000000" else "111111"
        wrong = client.post("/login/authenticator/", {"code": bad_code})
        assert "Ce code ne convient pas" in wrong.content.decode()
        # django-otp slows down guessing after a failure; a person simply waits a second.
        device.refresh_from_db()
        device.throttle_reset()
        response = client.post(
            "/login/authenticator/", {"code": code_for(device), "next": "/admin/"}
        )
        assert response.url == "/admin/"
        assert client.get("/admin/").status_code == 200
        assert TOTPDevice.objects.get(user__username="coordination").confirmed

    def test_next_time_the_code_is_asked_after_the_password(self):
        user = UserFactory(username="coordination", network_admin=True)
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        client = Client()
        sign_in(client, "coordination")
        assert client.get("/sessions/").url.startswith("/login/code/")
        client.post("/login/code/", {"code": code_for(device)})
        assert client.get("/sessions/").status_code == 200

    def test_a_mediator_without_authenticator_signs_in_with_the_password_only(self):
        UserFactory(username="amandine", mediator=True)
        client = Client()
        sign_in(client, "amandine")
        assert client.get("/sessions/").status_code == 200

    def test_a_mediator_who_paired_one_is_asked_for_the_code(self):
        user = UserFactory(username="amandine", mediator=True)
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        client = Client()
        sign_in(client, "amandine")
        assert client.get("/sessions/").url.startswith("/login/code/")

    def test_an_open_redirect_is_refused(self):
        user = UserFactory(username="coordination", network_admin=True)
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        client = Client()
        sign_in(client, "coordination")
        response = client.post(
            "/login/code/", {"code": code_for(device), "next": "https://evil.example/"}
        )
        assert response.url == "/"


class TestSessionLifetime:
    def test_a_session_ends_after_inactivity(self, cast, settings):
        client = cast.client("mediator_a")
        session = client.session
        session[LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 5
        session.save()
        response = client.get("/sessions/")
        assert response.status_code == 302 and response.url.startswith("/login/")

    def test_a_session_ends_after_its_absolute_lifetime_even_when_active(self, cast, settings):
        client = cast.client("mediator_a")
        session = client.session
        session[SIGNED_IN_AT] = int(time.time()) - settings.SESSION_COOKIE_AGE - 5
        session.save()
        assert client.get("/sessions/").status_code == 302

    def test_an_active_session_goes_on(self, cast):
        client = cast.client("mediator_a")
        assert client.get("/sessions/").status_code == 200
        assert client.get("/sessions/").status_code == 200

    def test_a_residents_space_closes_after_inactivity_too(self, cast, settings):
        client = cast.client("resident")
        assert client.get("/me/").status_code == 200
        session = client.session
        session[LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 5
        session.save()
        assert client.get("/me/").status_code == 302


@pytest.mark.parametrize("path", ["/", "/login/", "/guide/"])
def test_every_page_carries_a_strict_content_security_policy(path):
    response = Client().get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_admin_pages_carry_it_too(cast):
    response = cast.client("network_admin").get("/admin/")
    assert response.status_code == 200
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


def test_one_address_trying_many_accounts_is_slowed_down(settings):
    settings.LOGIN_RATE_LIMIT = 3
    client = Client()
    for n in range(3):
        assert sign_in(client, f"someone{n}", "guess").status_code == 200
    response = sign_in(client, "someone-else", "guess")
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()


def test_guessing_personal_links_is_slowed_down(cast, settings):
    settings.RESIDENT_LINK_RATE_LIMIT = 3
    client = Client()
    for n in range(3):
        assert client.get(f"/me/link/guess-{n}/").status_code == 404
    assert client.get(f"/me/link/{cast.resident_token}/").status_code == 429


def test_the_api_is_throttled(cast, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/hour", "user": "2/hour"})
    client = cast.client("mediator_a")
    statuses = [client.get("/api/v1/topics/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get("/api/v1/topics/").json()["code"] == "throttled"
