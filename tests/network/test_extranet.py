"""The extranet: the directory (only who chose to appear, found by what they can be called
for) and teams (invitations that expire and serve once, roles, accounts switched off, the
warning before an inactive account is switched off), all journaled."""

import datetime
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from network import team as teams
from network.models import DirectoryEntry
from pathway.permissions import Role
from stats.demo.factories import OperatorFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def accept(client, path, **fields):
    data = {
        "first_name": "Lina",
        "last_name": "Morel",
        "username": "lina",
        "password": "un-mot-de-passe-solide-2026",
        **fields,
    }
    return client.post(path, data)


def test_an_invitation_creates_the_account_once_then_is_refused(cast, client):
    coordinator = cast.client("coordinator_a")
    response = coordinator.post(
        "/reseau/equipe/",
        {"email": "lina@example.fr", "actor": cast.actor_a.pk, "role": Role.MEDIATOR},
    )
    assert response.status_code == 302
    path = re.search(r"/reseau/invitation/\S+/", mail.outbox[0].body).group(0)
    assert "lina@example.fr" in coordinator.get("/reseau/equipe/").content.decode()
    assert accept(client, path).url == "/login/"
    lina = cast.mediator_a.__class__.objects.get(username="lina")
    assert lina.role == Role.MEDIATOR and list(lina.actors.all()) == [cast.actor_a]
    assert lina.email == "lina@example.fr" and lina.check_password("un-mot-de-passe-solide-2026")
    # Used: refused, nothing more created.
    page = accept(type(client)(), path, username="lina2").content.decode()
    assert "Cette invitation ne marche plus" in page
    assert not lina.__class__.objects.filter(username="lina2").exists()
    assert LogEntry.objects.filter(change_message__startswith="Invitation envoyée").exists()
    assert LogEntry.objects.filter(object_id=str(lina.pk)).exists()


def test_an_expired_invitation_is_refused(cast, client):
    past = timezone.now() - datetime.timedelta(days=8)
    _invitation, token = teams.invitation_send(
        by=cast.coordinator_a,
        email="tard@example.fr",
        actor=cast.actor_a,
        role="mediator",
        now=past,
    )
    page = accept(client, f"/reseau/invitation/{token}/", username="tard").content.decode()
    assert "Cette invitation ne marche plus" in page
    assert not cast.mediator_a.__class__.objects.filter(username="tard").exists()


def test_a_coordinator_manages_their_own_team_only(cast, client):
    coordinator = cast.client("coordinator_a")
    refused = coordinator.post(
        "/reseau/equipe/",
        {"email": "x@example.fr", "actor": cast.actor_b.pk, "role": Role.MEDIATOR},
    )
    assert refused.status_code == 200 and not mail.outbox
    assert (
        coordinator.post(f"/reseau/equipe/{cast.mediator_b.pk}/", {"action": "off"}).status_code
        == 404
    )
    coordinator.post(
        f"/reseau/equipe/{cast.mediator_a.pk}/", {"action": "role", "role": "coordinator"}
    )
    cast.mediator_a.refresh_from_db()
    assert cast.mediator_a.role == Role.COORDINATOR
    # Not a role above the team's (network admin), not oneself switched off.
    coordinator.post(
        f"/reseau/equipe/{cast.colleague_a.pk}/", {"action": "role", "role": "network_admin"}
    )
    cast.colleague_a.refresh_from_db()
    assert cast.colleague_a.role == Role.MEDIATOR
    coordinator.post(f"/reseau/equipe/{cast.coordinator_a.pk}/", {"action": "off"})
    cast.coordinator_a.refresh_from_db()
    assert cast.coordinator_a.is_active
    coordinator.post(f"/reseau/equipe/{cast.colleague_a.pk}/", {"action": "off"})
    cast.colleague_a.refresh_from_db()
    assert not cast.colleague_a.is_active
    assert LogEntry.objects.filter(
        object_id=str(cast.colleague_a.pk), change_message="Compte désactivé."
    ).exists()
    # The network admin manages every actor's team.
    cast.client("network_admin").post(f"/reseau/equipe/{cast.mediator_b.pk}/", {"action": "off"})
    cast.mediator_b.refresh_from_db()
    assert not cast.mediator_b.is_active


def test_inactive_accounts_are_warned_then_switched_off(cast, settings):
    now = timezone.now()
    long_ago = UserFactory(username="ancien", mediator=True, actors=[cast.actor_a])
    soon = UserFactory(username="bientot", mediator=True, actors=[cast.actor_a])
    for user, days in ((long_ago, 181), (soon, 166.5)):
        user.date_joined = user.last_login = now - datetime.timedelta(days=days)
        user.save()
    warned, switched = teams.inactive_accounts(now=now)
    assert warned == [soon] and switched == [long_ago]
    assert [m.to for m in mail.outbox] == [[soon.email]]
    assert "sera désactivé" in mail.outbox[0].subject
    long_ago.refresh_from_db()
    soon.refresh_from_db()
    assert not long_ago.is_active and soon.is_active
    # The next day, no second warning.
    warned, switched = teams.inactive_accounts(now=now + datetime.timedelta(days=1))
    assert warned == [] and switched == []


def listed(user, **fields):
    from network.directory import refresh_search

    topics = fields.pop("topics", [])
    entry = DirectoryEntry.objects.create(user=user, listed=True, **fields)
    entry.topics.set(topics)
    refresh_search(entry)
    return entry


def test_the_directory_shows_who_chose_to_appear_found_by_what_they_do(cast, client):
    pronote = TopicFactory(name="Pronote et ENT")
    listed(cast.mediator_a, phone="04 90 00 00 01", languages="arabe, anglais", topics=[pronote])
    DirectoryEntry.objects.create(user=cast.mediator_b, listed=False)
    reader = cast.client("official")
    page = reader.get("/reseau/annuaire/?q=pronote").content.decode()
    assert cast.mediator_a.last_name in page and "04 90 00 00 01" in page
    # What they do and where: their topics, their actors, each actor's kind.
    assert "Pour : Pronote et ENT" in page
    assert all(actor.name in page for actor in cast.mediator_a.actors.all())
    for query in ("arabe", "Pronote", "France services", cast.mediator_a.last_name.upper()):
        found = reader.get("/reseau/annuaire/", {"q": query}).context["people"]
        assert [e.user for e in found] == [cast.mediator_a], query
    page = reader.get("/reseau/annuaire/").content.decode()
    assert cast.mediator_b.last_name not in page
    assert "Médiathèque de Miramas" in page  # the actors, with their places
    # Their opening hours in plain French, not the open-data expression.
    place = cast.actor_a.places.order_by("name").first()
    place.opening_hours = "Mo-Fr 09:00-12:00; Sa 10:00-12:00"
    place.save()
    page = reader.get("/reseau/annuaire/").content.decode()
    assert f"{place.name} — Du lundi au vendredi : 9 h – 12 h ; Samedi : 10 h – 12 h" in page
    assert "Mo-Fr" not in page
    assert f"{cast.actor_a.name}</strong> — {cast.actor_a.get_kind_display()}<br>" in page


def test_ones_entry_is_ones_choice(cast):
    me = cast.client("mediator_b")
    operator = OperatorFactory(name="CAF")
    response = me.post(
        "/reseau/annuaire/ma-fiche/",
        {
            "listed": "on",
            "job_title": "Conseillère numérique",
            "languages": "turc",
            "operators": [operator.pk],
        },
    )
    assert response.status_code == 302
    found = cast.client("official").get("/reseau/annuaire/?q=caf").context["people"]
    assert [e.user for e in found] == [cast.mediator_b]
    me.post("/reseau/annuaire/ma-fiche/", {"job_title": "Conseillère numérique"})
    assert list(cast.client("official").get("/reseau/annuaire/?q=caf").context["people"]) == []


def test_lists_read_in_constant_queries(cast):
    topic = TopicFactory(name="Impôts")
    listed(cast.mediator_a, topics=[topic])
    reader = cast.client("coordinator_a")
    reader.get("/reseau/annuaire/")
    reader.get("/reseau/equipe/")
    with CaptureQueriesContext(connection) as directory_one, CaptureQueriesContext(connection):
        reader.get("/reseau/annuaire/")
    with CaptureQueriesContext(connection) as team_one:
        reader.get("/reseau/equipe/")
    for n in range(4):
        user = UserFactory(username=f"collegue{n}", mediator=True, actors=[cast.actor_a])
        listed(user, topics=[topic])
        teams.invitation_send(
            by=cast.coordinator_a, email=f"i{n}@example.fr", actor=cast.actor_a, role="mediator"
        )
    with CaptureQueriesContext(connection) as directory_five:
        assert len(reader.get("/reseau/annuaire/").context["people"]) == 5
    with CaptureQueriesContext(connection) as team_more:
        reader.get("/reseau/equipe/")
    assert len(directory_five) == len(directory_one)
    assert len(team_more) == len(team_one)
