import datetime

import pytest
from django.utils import timezone

from learners.models import ResidentLink
from stats.demo.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_a_personal_link_opens_the_residents_own_space(cast):
    client = cast.client("anonymous")
    response = client.get(f"/me/link/{cast.resident_token}/", follow=True)
    assert response.status_code == 200
    assert "Bonjour Éloïse" in response.content.decode()


def test_only_the_hash_of_the_token_is_stored(cast):
    link = ResidentLink.objects.get(resident=cast.resident)
    assert cast.resident_token not in link.token_hash
    assert link.token_hash == ResidentLink.hash(cast.resident_token)


@pytest.mark.parametrize("change", ["revoked", "expired"])
def test_a_revoked_or_expired_link_opens_nothing(cast, change):
    link = ResidentLink.objects.get(resident=cast.resident)
    if change == "revoked":
        link.revoke()
    else:
        link.expires_at = timezone.now() - datetime.timedelta(minutes=1)
        link.save()
    client = cast.client("anonymous")
    assert client.get(f"/me/link/{cast.resident_token}/").status_code == 404
    assert client.get("/me/").status_code == 302


def test_a_made_up_link_opens_nothing(cast):
    assert cast.client("anonymous").get("/me/link/not-a-real-token/").status_code == 404


def test_each_link_opens_its_own_residents_space_only(cast):
    other = ResidentFactory(first_name="Bernard", created_by_actor=cast.actor_a)
    _link, token = ResidentLink.create_for(other)
    client = cast.client("resident")
    client.get(f"/me/link/{token}/")
    content = client.get("/me/").content.decode()
    assert "Bonjour Bernard" in content and "Éloïse" not in content


def test_closing_the_space_forgets_the_resident_on_this_device(cast):
    client = cast.client("resident")
    client.post("/me/leave/")
    assert client.get("/me/").status_code == 302
