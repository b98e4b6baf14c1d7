import datetime
import re

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
    assert link.token_hash == ResidentLink.hash(cast.resident_token.replace("-", ""))


def test_a_link_reads_in_groups_without_characters_one_mistakes(cast):
    tokens = [ResidentLink.create_for(cast.resident)[1] for _n in range(20)]
    for token in tokens:
        assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){4}", token), token
        assert not set(token) & set("01ILO")
    assert len(set(tokens)) == 20


def test_a_link_typed_from_the_carnet_opens_the_space(cast):
    """Typed in small letters, with spaces instead of hyphens, or without them."""
    for typed in [
        cast.resident_token.lower(),
        cast.resident_token.replace("-", " "),
        cast.resident_token.replace("-", ""),
    ]:
        response = cast.client("anonymous").get(f"/me/link/{typed}/", follow=True)
        assert "Bonjour Éloïse" in response.content.decode(), typed


def test_a_link_made_before_the_printed_form_still_opens(cast):
    """Links already handed out were written with letters of both cases and "_": their
    hash is of the token as it was, and they keep working until they expire."""
    old_token = "Q8R_E-vOuawDg3aav97gHxJsDoGwDDeO"
    ResidentLink.objects.create(
        resident=cast.resident,
        token_hash=ResidentLink.hash(old_token),
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    response = cast.client("anonymous").get(f"/me/link/{old_token}/", follow=True)
    assert "Bonjour Éloïse" in response.content.decode()
    assert cast.client("anonymous").get(f"/me/link/{old_token.upper()}/").status_code == 404


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
