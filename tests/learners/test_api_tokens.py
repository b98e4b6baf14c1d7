"""API keys: issued by the network admin (shown once, stored hashed), read-only or
read-write, revocable, with an end date."""

import datetime

import pytest
from django.utils import timezone

from learners.models import ApiToken, Session, TokenScope
from tests.conftest import API_THROTTLE_QUERIES

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def issue(cast, scope=TokenScope.READ, **kwargs):
    return ApiToken.issue(
        user=cast.mediator_a,
        name="Logiciel FS",
        scope=scope,
        created_by=cast.network_admin,
        **kwargs,
    )


def api(client, method, url, key, data=None):
    return getattr(client, method)(
        url, data, content_type="application/json", headers={"Authorization": f"Bearer {key}"}
    )


def session_body(cast):
    return {
        "date": YESTERDAY.isoformat(),
        "duration_minutes": 30,
        "actor": cast.actor_a.pk,
        "pole": "necessity",
        "participants": [{"resident": cast.resident.reference}],
    }


def test_the_network_admin_issues_a_key_shown_once(cast):
    client = cast.client("network_admin")
    response = client.post(
        "/api-keys/",
        {"user": cast.mediator_a.pk, "name": "Logiciel France services", "scope": "read_write"},
    )
    assert response.status_code == 200
    key = response.context["issued"]["key"]
    assert key.startswith("pn_") and key in response.content.decode()
    token = ApiToken.objects.get()
    # Only a hash is kept: the key cannot be read back from the database.
    assert token.key_hash == ApiToken.hash(key) and key not in token.key_hash
    assert (token.user, token.scope, token.created_by) == (
        cast.mediator_a,
        "read_write",
        cast.network_admin,
    )
    listing = client.get("/api-keys/").content.decode()
    assert token.key_start in listing and key not in listing


def test_a_key_acts_as_its_owner(cast):
    _token, key = issue(cast)
    response = api(cast.client("anonymous"), "get", "/api/v1/residents/", key)
    assert response.status_code == 200
    assert [r["reference"] for r in response.json()["results"]] == [cast.resident.reference]
    _token, key_b = ApiToken.issue(
        user=cast.mediator_b, name="B", scope=TokenScope.READ, created_by=None
    )
    response = api(cast.client("anonymous"), "get", "/api/v1/residents/", key_b)
    assert response.json()["results"] == []  # actor B does not see actor A's resident


def test_a_read_only_key_cannot_write(cast):
    _token, key = issue(cast, scope=TokenScope.READ)
    response = api(cast.client("anonymous"), "post", "/api/v1/sessions/", key, session_body(cast))
    assert response.status_code == 403
    assert response.json()["message"] == "Cette clé d'API ne permet que la lecture."
    assert not Session.objects.exists()


def test_a_read_write_key_writes_without_csrf(cast):
    _token, key = issue(cast, scope=TokenScope.READ_WRITE)
    response = api(cast.client("anonymous"), "post", "/api/v1/sessions/", key, session_body(cast))
    assert response.status_code == 201, response.json()
    assert Session.objects.get().created_by == cast.mediator_a


def test_a_revoked_key_stops_working_at_once(cast):
    token, key = issue(cast)
    client = cast.client("anonymous")
    assert api(client, "get", "/api/v1/sessions/", key).status_code == 200

    response = cast.client("network_admin").post(f"/api-keys/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = api(client, "get", "/api/v1/sessions/", key)
    assert response.status_code == 401
    assert response.json()["message"] == "Clé d'API inconnue, expirée ou révoquée."
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_an_expired_or_unknown_key_is_refused(cast):
    _token, expired = issue(cast, expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client = cast.client("anonymous")
    assert api(client, "get", "/api/v1/sessions/", expired).status_code == 401
    assert api(client, "get", "/api/v1/sessions/", "pn_made-up").status_code == 401


def test_the_key_of_a_deactivated_account_is_refused(cast):
    _token, key = issue(cast)
    cast.mediator_a.is_active = False
    cast.mediator_a.save()
    assert api(cast.client("anonymous"), "get", "/api/v1/sessions/", key).status_code == 401


def test_use_is_recorded_at_most_once_an_hour(cast, django_assert_num_queries):
    token, key = issue(cast)
    client = cast.client("anonymous")
    api(client, "get", "/api/v1/actors/", key)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    # key and its owner, count, actors, and the throttle's: no write to the key
    with django_assert_num_queries(3 + API_THROTTLE_QUERIES):
        api(client, "get", "/api/v1/actors/", key)
    token.refresh_from_db()
    assert token.last_used_at == first_use


def test_only_the_network_admin_manages_keys(cast):
    token, _key = issue(cast)
    for role in ["mediator_a", "coordinator_a", "official"]:
        client = cast.client(role)
        assert client.get("/api-keys/").status_code == 404
        assert client.post(f"/api-keys/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_form_explains_what_is_missing(cast):
    response = cast.client("network_admin").post("/api-keys/", {"scope": "everything"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"user", "name", "scope"}
    assert not ApiToken.objects.exists()


def test_the_admin_lists_and_revokes_keys(cast):
    token, _key = issue(cast)
    client = cast.client("network_admin")
    assert client.get("/admin/learners/apitoken/").status_code == 200
    assert client.get("/admin/learners/apitoken/add/").url == "/api-keys/"
    client.post(
        "/admin/learners/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
