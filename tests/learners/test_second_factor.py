"""The second factor cannot be skipped (security review, finding 1): a password alone never
pairs a new authenticator app, an unverified session reaches only the code page and
sign-out, a person replaces their app only after giving its code, and the network admin's
reset of someone's app is written in the account's history."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from stats.demo.factories import DEMO_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.security_review]


def code_for(device):
    """The code the app shows, as if the next 30 seconds had come: django-otp accepts each
    code once, and slows down guessing after a failure."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    device.throttle_reset()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def password_only(username):
    """A browser that gave the right password and nothing else."""
    client = Client()
    response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def with_code(username, device):
    client = password_only(username)
    response = client.post("/login/code/", {"code": code_for(device)})
    assert response.status_code == 302 and not response.url.startswith("/login/")
    return client


@pytest.fixture
def admin_phone():
    """The network admin and the authenticator app they paired on their phone."""
    user = UserFactory(username="coordination", network_admin=True)
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_a_password_alone_does_not_pair_a_new_authenticator(admin_phone):
    """The attack: password only, open /login/authenticator/, read the key, send a code."""
    client = password_only("coordination")
    page = client.get("/login/authenticator/?next=/journal/")
    assert page.status_code == 302
    assert page.url == "/login/code/?next=/journal/"
    assert list(TOTPDevice.objects.all()) == [admin_phone]  # no new key was made

    # A code from a key of the attacker's own (however they got one) pairs nothing either.
    theirs = TOTPDevice.objects.create(user=admin_phone.user, name="theirs", confirmed=False)
    response = client.post("/login/authenticator/", {"code": code_for(theirs)})
    assert response.status_code == 302 and response.url.startswith("/login/code/")
    theirs.refresh_from_db()
    assert not theirs.confirmed
    for path in ["/journal/", "/api-keys/", "/admin/", "/sessions/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith("/login/code/"), path


def test_an_unverified_session_reaches_only_the_code_page_and_sign_out(admin_phone):
    client = password_only("coordination")
    open_pages = {"/login/code/": 200, "/privacy/": 200}
    for path, status in open_pages.items():
        assert client.get(path).status_code == status, path
    refused = [
        "/login/authenticator/",
        "/",
        "/login/",
        "/journal/",
        "/api-keys/",
        "/residents/",
        "/stats/",
        "/admin/",
        "/admin/login/",
        "/admin/learners/user/",
        "/admin/otp_totp/totpdevice/",
        "/admin/logout/",
    ]
    for path in refused:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith("/login/code/?next="), path
    # The Django admin's own sign-in form does not open it either.
    response = client.post("/admin/login/", {"username": "coordination", "password": DEMO_PASSWORD})
    assert response.url.startswith("/login/code/")
    assert client.get("/admin/").url.startswith("/login/code/")
    # Signing out works.
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_api_refuses_an_unverified_session_in_json(admin_phone):
    client = password_only("coordination")
    for path in ["/api/v1/residents/", "/api/v1/topics/"]:
        response = client.get(path)
        assert response.status_code == 403, path
        body = response.json()
        assert body["code"] == "second_factor_required"
        assert "code" in body["message"]
    response = client.post("/api/v1/residents/", {}, content_type="application/json")
    assert response.status_code == 403


def test_a_person_replaces_their_app_after_giving_its_code(admin_phone):
    client = with_code("coordination", admin_phone)
    page = client.get("/login/authenticator/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()  # the QR code of the new key
    new_phone = TOTPDevice.objects.get(user=admin_phone.user, confirmed=False)
    response = client.post("/login/authenticator/", {"code": code_for(new_phone)})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=admin_phone.user)) == [new_phone]
    new_phone.refresh_from_db()
    assert new_phone.confirmed
    assert client.get("/journal/").status_code == 200

    # The next sign-in asks for the new app's code.
    client = password_only("coordination")
    assert client.get("/journal/").url.startswith("/login/code/")
    client.post("/login/code/", {"code": code_for(new_phone)})
    assert client.get("/journal/").status_code == 200


def test_sessions_opened_with_a_removed_app_are_signed_out(admin_phone):
    laptop = with_code("coordination", admin_phone)
    office = with_code("coordination", admin_phone)
    office.get("/login/authenticator/")
    new_phone = TOTPDevice.objects.get(confirmed=False)
    office.post("/login/authenticator/", {"code": code_for(new_phone)})

    response = laptop.get("/journal/")
    assert response.status_code == 302 and response.url.startswith("/login/?next=")
    assert "_auth_user_id" not in laptop.session
    assert office.get("/journal/").status_code == 200


def test_the_network_admin_resets_someones_app_and_it_is_written_down(cast):
    mediator = cast.mediator_a
    lost_phone = TOTPDevice.objects.create(user=mediator, name="phone", confirmed=True)
    their_browser = with_code("mediator_a", lost_phone)
    assert their_browser.get("/sessions/").status_code == 200

    # Only the network admin, in the admin of staff accounts.
    action = {"action": "authenticator_reset", "_selected_action": [mediator.pk]}
    assert cast.client("coordinator_a").post("/admin/learners/user/", action).status_code == 302
    assert TOTPDevice.objects.filter(user=mediator).exists()

    admin = cast.client("network_admin")
    response = admin.post("/admin/learners/user/", action, follow=True)
    assert response.status_code == 200
    assert "réinitialisée" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=mediator).exists()
    entry = LogEntry.objects.get(object_id=str(mediator.pk))
    assert (entry.user, entry.action_flag) == (cast.network_admin, CHANGE)
    assert "authentification" in entry.get_change_message()
    history = admin.get(f"/admin/learners/user/{mediator.pk}/history/")
    assert "authentification" in history.content.decode()

    # Their session opened with the lost phone is over; they sign in again with the password.
    assert their_browser.get("/sessions/").url.startswith("/login/")
    assert password_only("mediator_a").get("/sessions/").status_code == 200


def test_after_a_reset_the_network_admin_pairs_again_at_the_next_sign_in(cast):
    other_admin = UserFactory(username="coordination2", network_admin=True)
    lost_phone = TOTPDevice.objects.create(user=other_admin, name="phone", confirmed=True)
    cast.client("network_admin").post(
        "/admin/learners/user/",
        {"action": "authenticator_reset", "_selected_action": [other_admin.pk]},
    )
    assert not TOTPDevice.objects.filter(pk=lost_phone.pk).exists()

    client = password_only("coordination2")
    assert client.get("/journal/").url.startswith("/login/authenticator/")
    assert client.get("/login/authenticator/").status_code == 200
    new_phone = TOTPDevice.objects.get(user=other_admin, confirmed=False)
    client.post("/login/authenticator/", {"code": code_for(new_phone)})
    assert client.get("/journal/").status_code == 200
