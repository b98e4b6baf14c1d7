"""`seed_demo --towns N` (issue 20): Miramas and its neighbours of the Métropole
d'Aix-Marseille-Provence, each with its own network and staff, in one territory; a few
residents followed across towns. Without --towns, the single demo town of before."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from learners.models import Participation, Resident, Role, Session, User
from learners.models.residents import ACROSS_TOWNS_CONSENT_VERSION
from pathway import communes
from pathway.models import Actor, Neighbourhood, Territory, TerritoryKind, Town
from stats.demo.neighbours import METROPOLE, TOWNS, of_town, shares


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_the_demo_towns_are_real_communes_of_the_metropole():
    assert communes.epci(METROPOLE).name == "Métropole d'Aix-Marseille-Provence"
    for spec in TOWNS:
        commune = communes.get(spec.insee)
        assert communes.epci_of(spec.insee).siren == METROPOLE, commune.name
        assert spec.postcode in commune.postcodes, commune.name
    assert TOWNS[0].insee == "13063"  # Miramas first
    assert len({spec.prefix for spec in TOWNS}) == len({spec.login for spec in TOWNS}) == 10
    assert (of_town("Istres"), of_town("Grans")) == ("d'Istres", "de Grans")


def test_the_totals_are_shared_exactly_with_at_least_ten_each():
    assert shares(2000, [32]) == [2000]
    split = shares(100, [32, 11, 5])
    assert sum(split) == 100 and min(split) >= 10 and split[0] > split[1] > split[2]


@pytest.mark.django_db
def test_three_towns_each_with_its_network_in_one_territory():
    output = seed("--towns", "3", "--residents", "90", "--sessions", "300", "--certificates", "2")

    towns = {town.name: town for town in Town.objects.all()}
    assert set(towns) == {"Miramas", "Istres", "Saint-Chamas"}
    assert len({t.certificate_prefix for t in towns.values()}) == 3
    assert all(t.map_latitude and t.map_longitude for t in towns.values())
    assert towns["Istres"].network_name == "Réseau Parcours numérique d'Istres"
    metropole = Territory.objects.get()
    assert (metropole.name, metropole.kind, metropole.code) == (
        "Métropole d'Aix-Marseille-Provence",
        TerritoryKind.EPCI,
        METROPOLE,
    )
    assert set(metropole.towns.all()) == set(towns.values())
    for town in towns.values():
        assert Actor.objects.filter(town=town, name__startswith="France services").exists()
        assert Neighbourhood.objects.filter(town=town).exists()
        assert Resident.objects.filter(created_by_actor__town=town).count() >= 10
        assert Session.objects.filter(actor__town=town).count() >= 10
    assert Actor.objects.get(name="France services d'Istres").places.get().insee_code == ("13047")
    # The totals are the installation's; the residents followed across towns add a session
    # each, at the France services of the next town.
    assert Resident.objects.count() == 90
    followed = Resident.objects.filter(shared_across_towns=True, sharing_consent=True)
    assert followed.count() == 6
    # Their consent is dated and names the text that speaks of the neighbouring towns.
    assert set(followed.values_list("consent_version", flat=True)) == {ACROSS_TOWNS_CONSENT_VERSION}
    away = Participation.objects.filter(resident__in=followed).exclude(
        actor__town=F("resident__created_by_actor__town")
    )
    assert away.count() == 6 and Session.objects.count() == 306
    assert (
        Resident.objects.get(first_name="Nadia", last_name="Benhamou").created_by_actor.town
        == (towns["Miramas"])
    )

    # Each town's network admin and official belong to their town; the admin sees their
    # town's residents, and of the neighbours' only those followed across towns.
    for town in towns.values():
        admin = User.objects.get(role=Role.NETWORK_ADMIN, town=town)
        assert User.objects.filter(role=Role.OFFICIAL, town=town).exists()
        seen = set(Resident.objects.visible_to(admin))
        own = set(Resident.objects.filter(created_by_actor__town=town))
        others = set(Resident.objects.exclude(created_by_actor__town=town))
        assert own <= seen and others
        assert all(r.shared_across_towns and r.sharing_consent for r in seen & others)
    istres_admin = User.objects.get(username="coordination.istres")
    assert istres_admin.totpdevice_set.filter(confirmed=True).exists()

    coordinator = User.objects.get(role=Role.TERRITORY_COORDINATOR)
    assert coordinator.territory == metropole
    assert coordinator.town_ids == {t.pk for t in towns.values()}
    assert not Resident.objects.visible_to(coordinator).exists()

    for login in ("coordination.istres", "elu.saint-chamas", "coordination.metropole"):
        assert login in output
    assert "Suivi dans les villes voisines" in output


@pytest.mark.django_db
def test_without_towns_the_single_demo_town_of_before():
    seed("--towns", "2", "--residents", "40", "--sessions", "100", "--certificates", "0")
    output = seed("--residents", "50", "--sessions", "100", "--certificates", "0", "--reset")
    miramas = Town.objects.get()
    assert miramas.name == "Miramas" and not Territory.objects.exists()
    assert not User.objects.filter(role=Role.TERRITORY_COORDINATOR).exists()
    assert not Resident.objects.filter(shared_across_towns=True).exists()
    assert Resident.objects.count() == 50 and Session.objects.count() == 100
    assert Actor.objects.count() == 32
    assert "Istres" not in output and "coordination.metropole" not in output
    assert "coordination demande aussi un code" in output


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, message",
    [
        (["--towns", "11"], "--towns va de 1 à 10"),
        (["--towns", "0"], "--towns va de 1 à 10"),
        (["--towns", "3", "--residents", "20"], "au moins 10 habitants .* 30 de chaque"),
    ],
)
def test_a_wrong_number_of_towns_is_refused_in_french(args, message):
    with pytest.raises(CommandError, match=message):
        seed(*args)
    assert not Actor.objects.exists()
