"""Statistics in an installation of several towns (issue 20): each town's officials and
network admin read their town's figures; the territory coordinator reads every town of
the territory, side by side and together, with small counts protected across towns."""

import datetime

import pytest
from django.test import Client

from learners.services import participations_changed
from pathway.models import Pole, Town
from stats.demo.factories import (
    ActorFactory,
    NeighbourhoodFactory,
    ParticipationFactory,
    ResidentFactory,
    SessionFactory,
    TerritoryFactory,
    TownFactory,
    UserFactory,
)
from stats.disclosure import MASKED, SMALL
from stats.figures import Period
from stats.report import Lookups
from stats.territory import territory_table
from tests.conftest import sign_in
from tests.stats.test_stats_privacy import assert_nothing_small_can_be_deduced

pytestmark = pytest.mark.django_db

YEAR = 2026


def helped(actor, count, *, month=3):
    """`count` residents of `actor`'s town, each with one session there."""
    people = []
    for _i in range(count):
        resident = ResidentFactory(created_by_actor=actor, birth_year=1980)
        ParticipationFactory(
            session=SessionFactory(
                date=datetime.date(YEAR, month, 3), pole=Pole.NECESSITY, actor=actor
            ),
            resident=resident,
            autonomy=2,
        )
        people.append(resident)
    participations_changed([r.pk for r in people])
    return people


@pytest.fixture
def region():
    metropole = TerritoryFactory(name="Métropole Aix-Marseille-Provence", code="200054807")
    miramas = Town.objects.default()
    miramas.territories.add(metropole)
    istres = TownFactory(territories=[metropole])
    arles = TownFactory(insee_code="13004", name="Arles", postcode="13200")
    actors = {
        "miramas": ActorFactory(name="France services de Miramas"),
        "istres": ActorFactory(name="France services d'Istres", town=istres),
        "arles": ActorFactory(name="Médiathèque d'Arles", town=arles),
    }
    NeighbourhoodFactory(name="Le Prépaou", slug="le-prepaou", town=istres)
    helped(actors["miramas"], 12)
    helped(actors["istres"], 9)
    helped(actors["arles"], 7)
    users = {
        "official_m": UserFactory(username="elu_miramas", official=True, town=miramas),
        "official_i": UserFactory(username="elu_istres", official=True, town=istres),
        "coordinator": UserFactory(
            username="coord", territory_coordinator=True, territory=metropole
        ),
    }
    return {
        "metropole": metropole,
        "miramas": miramas,
        "istres": istres,
        "miramas_actor": actors["miramas"],
        "istres_actor": actors["istres"],
        "arles": actors["arles"],
        **users,
    }


def residents_shown(client, query=""):
    response = client.get(f"/stats/?year={YEAR}{query}")
    assert response.status_code == 200, response.content.decode()[:500]
    rows = response.context["report"].headline.rows
    return {row.label: row.cells[0].text for row in rows}["Habitants accompagnés"], response


def test_each_town_official_reads_their_own_town(region, client):
    sign_in(client, region["official_m"])
    shown, response = residents_shown(client)
    assert shown == "12"
    page = response.content.decode()
    # Neither Istres's actors nor its neighbourhoods are offered as filters.
    assert "France services d&#x27;Istres" not in page and "Le Prépaou" not in page
    # Asking for them anyway is refused.
    response = client.get(f"/stats/?year={YEAR}&actor={region['istres_actor'].pk}")
    assert response.context["report"] is None
    sign_in(client, region["official_i"])
    assert residents_shown(client)[0] == "9"


def test_the_territory_coordinator_reads_the_territory_and_each_town(region, client):
    sign_in(client, region["coordinator"])
    # Miramas and Istres together; Arles is not in the territory.
    shown, response = residents_shown(client)
    assert shown == "21"
    assert "Tout le territoire" in response.content.decode()
    assert residents_shown(client, f"&town={region['istres'].pk}")[0] == "9"
    response = client.get(f"/stats/?year={YEAR}&town={region['arles'].town_id}")
    assert response.context["report"] is None
    # Their home is the towns side by side.
    assert client.get("/").url == "/stats/territoire/"


def test_the_towns_side_by_side(region, client):
    sign_in(client, region["coordinator"])
    response = client.get(f"/stats/territoire/?year={YEAR}")
    assert response.status_code == 200
    rows = {row.label: [cell.text for cell in row.cells] for row in response.context["table"].rows}
    assert list(rows) == ["Istres", "Miramas", "Ensemble du territoire"]
    assert rows["Miramas"][0] == "12" and rows["Istres"][0] == "9"
    assert rows["Ensemble du territoire"][0] == "21"
    assert "Arles" not in response.content.decode()
    # A town's official has one town: the page does not exist for them.
    sign_in(client, region["official_m"])
    assert client.get("/stats/territoire/").status_code == 404


def test_a_small_town_cannot_be_found_again_from_the_total(region):
    """Three residents in a third town: "< 5" in its row, and the territory's total or
    another town's figure is hidden too, so that total minus the others does not give 3."""
    grans = TownFactory(insee_code="13044", name="Grans", postcode="13450")
    grans.territories.add(region["metropole"])
    helped(ActorFactory(name="CCAS de Grans", town=grans), 3)
    lookups = Lookups.load()
    period = Period(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 1), str(YEAR))
    towns = {region["miramas"].pk, region["istres"].pk, grans.pk}
    table = territory_table(period, lookups, towns)
    rows = {row.label: row.cells for row in table.rows}
    assert rows["Grans"][0].text == "< 5"
    hidden = [label for label, cells in rows.items() if cells[0].hidden]
    assert len(hidden) >= 2, hidden


def test_the_protection_across_towns_leaves_nothing_to_deduce(region):
    from stats import territory

    grans = TownFactory(insee_code="13044", name="Grans", postcode="13450")
    grans.territories.add(region["metropole"])
    helped(ActorFactory(name="CCAS de Grans", town=grans), 2)
    lookups = Lookups.load()
    period = Period(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 1), str(YEAR))
    captured = {}
    original = territory.Disclosure

    class Recording(original):
        def protect(self):
            captured["disclosure"] = self
            return super().protect()

    territory.Disclosure = Recording
    try:
        territory_table(period, lookups, {region["miramas"].pk, region["istres"].pk, grans.pk})
    finally:
        territory.Disclosure = original
    disclosure = captured["disclosure"]
    assert {disclosure.state[key] for key in disclosure.state} & {SMALL, MASKED}
    # What a reader knows whatever the page registered: nobody here was helped in two
    # towns, so each column's towns add up to the territory.
    towns = [region["miramas"].pk, region["istres"].pk, grans.pk]
    for name in ("residents", "new", "completed", "certified"):
        known = ((name, "all"), [(name, pk) for pk in towns])
        if known not in disclosure.equations:
            disclosure.equations.append(known)
    assert_nothing_small_can_be_deduced(disclosure)


def test_a_town_admin_manages_and_exports_their_own_town(region):
    from learners.models import Session
    from network.team import team_of
    from stats.coop.export import Scope

    admin = UserFactory(username="admin_miramas", network_admin=True, town=region["miramas"])
    UserFactory(username="med_miramas", mediator=True, actors=[region["miramas_actor"]])
    UserFactory(username="med_istres", mediator=True, actors=[region["istres_actor"]])
    team = {u.username for u in team_of(admin)}
    assert "med_miramas" in team and "med_istres" not in team
    scope = Scope.parse(admin)
    exported = Session.objects.filter(scope.condition)
    assert exported.count() == 12
    assert not exported.filter(actor=region["istres_actor"]).exists()


def test_a_territory_coordinator_without_territory_reads_nothing(region, client):
    lost = UserFactory(username="perdu", territory_coordinator=True)
    sign_in(client, lost)
    assert client.get("/stats/territoire/").status_code == 404
    response = client.get(f"/stats/?year={YEAR}")
    shown = {row.label: row.cells[0].text for row in response.context["report"].headline.rows}
    assert shown["Habitants accompagnés"] == "0"


def test_a_mediator_of_two_towns_is_read_by_each_town_for_its_own_sessions(towns):
    """ "Mes statistiques" and the Coop export of a mediator working in Miramas and Istres:
    each town's network admin reads that town's sessions only; the mediator, all of them."""
    import re

    from certificates.models import Certificate
    from stats.coop.export import CoopExport, Scope
    from stats.demo.factories import CertificateFactory
    from tests.stats.test_my_stats import headline

    both = UserFactory(username="med_deux_villes", actors=[towns.actor_m, towns.actor_i])
    sessions = {}
    for actor, count in ((towns.actor_m, 2), (towns.actor_i, 3)):
        sessions[actor.town_id] = [
            SessionFactory(actor=actor, created_by=both, date=datetime.date(YEAR, 3, 3 + n))
            for n in range(count)
        ]
        resident = ResidentFactory(created_by_actor=actor)
        for session in sessions[actor.town_id]:  # a row of the Coop's file each
            ParticipationFactory(session=session, resident=resident)
        CertificateFactory(
            resident=resident,
            actor=actor,
            issued_by=both,
            issued_at=datetime.datetime(YEAR, 3, 20, 10, tzinfo=datetime.UTC),
        )
    assert Certificate.objects.count() == 2
    period = f"period=custom&start={YEAR}-01&end={YEAR}-12"

    def figures(reader, key=""):
        response = sign_in(Client(), reader).get(f"/mes-statistiques/?qui={key}&{period}")
        assert response.status_code == 200
        shown = headline(response)
        return shown["Accompagnements"], shown["Attestations délivrées"]

    def exported(reader, mediator):
        text = CoopExport(
            Scope(reader, mediator=mediator),
            datetime.date(YEAR, 1, 1),
            datetime.date(YEAR, 12, 31),
        ).csv()
        return {int(pk) for pk in re.findall(r"parcours-(\d+)", text)}

    miramas, istres = sessions[towns.miramas.pk], sessions[towns.istres.pk]
    assert figures(both) == ("5", "2")
    assert exported(both, both) == {s.pk for s in miramas + istres}
    for admin, theirs in ((towns.admin_m, miramas), (towns.admin_i, istres)):
        assert figures(admin, f"m{both.pk}") == (str(len(theirs)), "1")
        assert exported(admin, both) == {s.pk for s in theirs}


def export_title(client, query=""):
    """The first line of the CSV export of the headline table."""
    response = client.get(f"/stats/export/chiffres-cles.csv?year={YEAR}{query}")
    assert response.status_code == 200, response.content.decode()[:300]
    return response.content.decode("utf-8-sig").splitlines()[0]


def test_an_export_names_the_network_it_is_of(region, client, settings):
    sign_in(client, region["official_i"])
    assert export_title(client) == "Réseau Parcours numérique de Istres — Statistiques du parcours"
    sign_in(client, region["official_m"])
    assert export_title(client).startswith("Réseau Parcours numérique de Miramas — ")
    # The territory coordinator: the territory, or the town chosen in the filters.
    sign_in(client, region["coordinator"])
    assert export_title(client).startswith("Métropole Aix-Marseille-Provence — ")
    assert export_title(client, f"&town={region['istres'].pk}").startswith(
        "Réseau Parcours numérique de Istres — "
    )


def test_with_one_town_an_export_names_its_network(cast):
    client = cast.client("official")
    assert export_title(client).startswith("Réseau Parcours numérique de Miramas — ")
