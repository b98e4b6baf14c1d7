"""Double-post keys (the session page's submission_key, the API's Idempotency-Key) belong
to their user: another person's key never blocks, replays or reveals a session, and a
clash is never a server error."""

import datetime

import pytest
from django.utils import timezone

from learners import services
from learners.api import submission_key_for
from learners.models import Session
from stats.demo.factories import ResidentFactory, session_form_data

pytestmark = [pytest.mark.django_db, pytest.mark.security_review]

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
KEY = "logiciel-fs-42"


def api_body(actor, resident):
    return {
        "date": YESTERDAY.isoformat(),
        "duration_minutes": 45,
        "actor": actor.pk,
        "pole": "necessity",
        "participants": [{"resident": resident.reference, "autonomy": 2}],
    }


def api_post(client, data, key):
    return client.post(
        "/api/v1/sessions/", data, content_type="application/json", headers={"Idempotency-Key": key}
    )


def form_post(cast, role, actor, resident, key):
    data = session_form_data(
        actor=actor,
        participants=[{"resident": resident, "autonomy": 2}],
        submission_key=key,
        notes=f"saisi par {role}",
    )
    return cast.client(role).post("/sessions/new/", data)


@pytest.fixture
def residents(cast):
    return {
        "colleague_a": cast.resident,
        "mediator_b": ResidentFactory(created_by_actor=cast.actor_b),
    }


@pytest.mark.parametrize("attacker", ["colleague_a", "mediator_b"])
def test_a_form_key_equal_to_someone_elses_api_key_does_not_block_or_reveal(
    cast, residents, attacker
):
    actor = cast.actor_a if attacker == "colleague_a" else cast.actor_b
    derived = submission_key_for(cast.mediator_a, KEY)
    response = form_post(cast, attacker, actor, residents[attacker], derived)
    assert response.status_code == 302
    theirs = Session.objects.get(created_by=getattr(cast, attacker))

    client = cast.client("mediator_a")
    first = api_post(client, api_body(cast.actor_a, cast.resident), KEY)
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first.headers
    assert first.json()["id"] != theirs.pk
    assert first.json()["notes"] == ""
    mine = Session.objects.get(created_by=cast.mediator_a)
    # The retry still replays the user's own session, and only it.
    again = api_post(client, api_body(cast.actor_a, cast.resident), KEY)
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (201, "true")
    assert again.json()["id"] == mine.pk
    assert Session.objects.count() == 2


@pytest.mark.parametrize("attacker", ["colleague_a", "mediator_b"])
def test_an_api_key_does_not_swallow_another_users_form(cast, residents, attacker):
    first = api_post(cast.client("mediator_a"), api_body(cast.actor_a, cast.resident), KEY)
    assert first.status_code == 201
    actor = cast.actor_a if attacker == "colleague_a" else cast.actor_b
    derived = submission_key_for(cast.mediator_a, KEY)

    response = form_post(cast, attacker, actor, residents[attacker], derived)

    assert response.status_code == 302
    # Their session was recorded (not taken for a double post of someone else's).
    assert Session.objects.filter(created_by=getattr(cast, attacker)).count() == 1
    # The same person posting the same form again is still a double post.
    assert form_post(cast, attacker, actor, residents[attacker], derived).status_code == 302
    assert Session.objects.filter(created_by=getattr(cast, attacker)).count() == 1


def test_the_service_scopes_the_key_to_its_user(cast):
    key = submission_key_for(cast.mediator_a, KEY)
    fields = {
        "date": YESTERDAY,
        "duration_minutes": 30,
        "actor": cast.actor_a,
        "pole": "necessity",
        "unregistered_count": 0,
    }
    outcomes = [services.Outcome(resident=cast.resident)]
    mine, created = services.session_create(
        by=cast.mediator_a, outcomes=outcomes, submission_key=key, **fields
    )
    assert created
    theirs, created = services.session_create(
        by=cast.colleague_a, outcomes=outcomes, submission_key=key, **fields
    )
    assert created and theirs.pk != mine.pk
    again, created = services.session_create(
        by=cast.mediator_a, outcomes=outcomes, submission_key=key, **fields
    )
    assert (again.pk, created) == (mine.pk, False)


def test_a_key_of_a_session_one_no_longer_sees_is_a_conflict_not_a_server_error(cast):
    client = cast.client("mediator_a")
    assert api_post(client, api_body(cast.actor_a, cast.resident), KEY).status_code == 201
    # The mediator moves to actor B: the first session is no longer theirs to see.
    cast.mediator_a.actors.set([cast.actor_b])
    other = ResidentFactory(created_by_actor=cast.actor_b)

    response = api_post(cast.client("mediator_a"), api_body(cast.actor_b, other), KEY)

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "clé" in response.json()["message"]
    assert Session.objects.count() == 1
