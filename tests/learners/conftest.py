"""Fixtures of the learners' tests: `towns`, several towns in one installation."""

import pytest

from pathway.models import Town
from stats.demo.factories import ActorFactory, TerritoryFactory, TownFactory, UserFactory


@pytest.fixture
def towns(db, django_user_model):
    """Miramas (the installation's default town) and Istres in one intercommunality, Arles
    outside it; an actor, a mediator and a network admin in each of the first two."""
    metropole = TerritoryFactory(name="Métropole Aix-Marseille-Provence", code="200054807")
    miramas = Town.objects.default()
    miramas.territories.add(metropole)
    istres = TownFactory(territories=[metropole])
    arles = TownFactory(insee_code="13004", name="Arles", postcode="13200")

    class Towns:
        pass

    t = Towns()
    t.miramas, t.istres, t.arles = miramas, istres, arles
    t.actor_m = ActorFactory(name="France services de Miramas")
    t.actor_i = ActorFactory(name="France services d'Istres", town=istres)
    t.actor_a = ActorFactory(name="Médiathèque d'Arles", town=arles)
    t.mediator_m = UserFactory(username="med_miramas", mediator=True, actors=[t.actor_m])
    t.mediator_i = UserFactory(username="med_istres", mediator=True, actors=[t.actor_i])
    t.mediator_a = UserFactory(username="med_arles", mediator=True, actors=[t.actor_a])
    t.admin_m = UserFactory(username="admin_miramas", network_admin=True, town=miramas)
    t.admin_i = UserFactory(username="admin_istres", network_admin=True, town=istres)
    t.coordinator = UserFactory(
        username="coord_metropole", territory_coordinator=True, territory=metropole
    )
    return t
