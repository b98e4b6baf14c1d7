"""The network's emails to staff and ambassadors name the network of their town (an
invitation: the team's town), never the installation's first town."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from network import ambassadors
from network import team as teams
from pathway.models import ActorKind
from stats.demo.factories import ActorFactory, UserFactory

pytestmark = pytest.mark.django_db

ISTRES_NETWORK = "Réseau Parcours numérique de Istres"  # TownFactory's default


def test_an_invitation_names_the_network_of_the_teams_town(towns):
    teams.invitation_send(
        by=towns.admin_i, email="nouvelle@example.fr", actor=towns.actor_i, role="mediator"
    )
    body = mail.outbox[0].body.replace("&#x27;", "'")
    assert ISTRES_NETWORK in body and "Miramas" not in body


def test_an_ambassadors_sign_in_link_names_their_towns_network(towns):
    school = ActorFactory(name="École de la Ferme", kind=ActorKind.SCHOOL, town=towns.istres)
    parent = UserFactory(
        username="parent_istres", ambassador=True, actors=[school], email="p@example.fr"
    )
    ambassadors.send_sign_in_link(parent)
    assert ISTRES_NETWORK in mail.outbox[0].body and "Miramas" not in mail.outbox[0].body


def test_the_inactivity_warning_names_each_persons_town(towns, django_assert_num_queries):
    now = timezone.now()
    for user in (towns.mediator_i, towns.admin_i, towns.mediator_m):
        user.date_joined = user.last_login = now - datetime.timedelta(days=166.5)
        user.save()
    # users to warn (with their own town), their actors with their towns, users to switch
    # off
    with django_assert_num_queries(3):
        warned, _switched = teams.inactive_accounts(now=now)
    assert len(warned) == 3
    bodies = {m.to[0]: m.body for m in mail.outbox}
    for user in (towns.mediator_i, towns.admin_i):
        assert ISTRES_NETWORK in bodies[user.email] and "Miramas" not in bodies[user.email]
    assert "Réseau Parcours numérique de Miramas" in bodies[towns.mediator_m.email]
