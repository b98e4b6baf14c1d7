"""The statistics page: who sees which figures, the filters and their errors, the charts,
and a number of queries that does not grow with the data."""

import datetime
import re

import pytest

from learners.services import participations_changed
from pathway.models import ActorKind, Pole
from stats.demo.factories import (
    ActorFactory,
    NeighbourhoodFactory,
    ParticipationFactory,
    ResidentFactory,
    SessionFactory,
)
from stats.figures import Filters, Period, collect
from stats.report import Lookups, Report

pytestmark = pytest.mark.django_db

D = datetime.date


def populate(actors, residents_per_actor, *, year=2026):
    """Residents with a few sessions each, at each actor, through the year."""
    neighbourhood = NeighbourhoodFactory(name="La Maille", priority=True)
    people = []
    for actor in actors:
        for i in range(residents_per_actor):
            resident = ResidentFactory(
                created_by_actor=actor, neighbourhood=neighbourhood, birth_year=1980
            )
            for month, pole in ((1 + i % 6, Pole.NECESSITY), (7 + i % 5, Pole.ACHIEVEMENT)):
                ParticipationFactory(
                    session=SessionFactory(date=D(year, month, 3), pole=pole, actor=actor),
                    resident=resident,
                    autonomy=2 if pole == Pole.NECESSITY else None,
                )
            people.append(resident.pk)
    participations_changed(people)


def headline(response):
    return {row.label: row.cells[0].text for row in response.context["report"].headline.rows}


def test_the_official_sees_the_whole_network_and_the_coordinator_their_actor(cast):
    populate([cast.actor_a], 6)
    populate([cast.actor_b], 9)
    official = cast.client("official").get("/stats/?year=2026")
    assert official.status_code == 200
    assert headline(official)["Habitants accompagnés"] == "15"
    assert "Tout le réseau" in official.content.decode()

    coordinator = cast.client("coordinator_a").get("/stats/?year=2026")
    assert headline(coordinator)["Habitants accompagnés"] == "6"
    assert coordinator.context["report"].filters.actor_ids == {cast.actor_a.pk}
    # The other actor is not even offered, and asking for it is refused.
    assert "Médiathèque de Miramas" not in coordinator.content.decode()
    refused = cast.client("coordinator_a").get(f"/stats/?year=2026&actor={cast.actor_b.pk}")
    assert refused.context["report"] is None
    assert "Sélectionnez un choix valide" in refused.content.decode()
    export = cast.client("coordinator_a").get(
        f"/stats/export/chiffres-cles.csv?actor={cast.actor_b.pk}"
    )
    assert export.status_code == 400
    assert "Ces filtres ne sont pas valables" in export.content.decode()


def test_a_coordinator_of_two_actors_sees_both_together_or_each_alone(cast):
    populate([cast.actor_a], 6)
    populate([cast.actor_b], 7)
    cast.coordinator_a.actors.add(cast.actor_b)
    client = cast.client("coordinator_a")
    assert headline(client.get("/stats/?year=2026"))["Habitants accompagnés"] == "13"
    alone = client.get(f"/stats/?year=2026&actor={cast.actor_b.pk}")
    assert headline(alone)["Habitants accompagnés"] == "7"


def test_the_page_draws_accessible_charts_with_their_tables(cast):
    populate([cast.actor_a, cast.actor_b], 8)
    content = cast.client("official").get("/stats/?year=2026").content.decode()
    # A chart for each table with figures to draw; none of rows of empty bars ("—"): no
    # paperwork, module or referral here, autonomy is "—" for want of a second paperwork.
    assert re.findall(r'<title id="(chart-[a-z]+)-title">', content) == [
        "chart-parcours",
        "chart-mois",
        "chart-quartiers",
        "chart-ages",
        "chart-situations",
    ]
    assert content.count('role="img"') == 5
    assert 'aria-labelledby="chart-parcours-title chart-parcours-desc"' in content
    assert '<title id="chart-parcours-title">' in content
    assert "Diagramme en barres. Venus pour une démarche : 16" in content
    assert '<caption id="parcours-caption">' in content
    # No script draws them (the only one is the site's menu, on every page).
    assert "cdn" not in content.lower()
    assert re.findall(r"<script[^>]*>", content) == ['<script src="/static/js/menu.js">']
    # Each table can be downloaded with the same filters.
    assert "/stats/export/parcours.csv?year=2026" in content
    assert "/stats/export/tout.xlsx?year=2026" in content


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("period=custom&year=2026", "start", "Indiquez le mois"),
        ("period=custom&year=2026&start=2026/03&end=2026-05", "start", "année-mois"),
        ("period=custom&year=2026&start=2026-05&end=2026-03", "end", "doit venir après"),
        ("period=custom&year=2026&start=2010-01&end=2026-03", "end", "dix ans au plus"),
        ("period=quarter&year=2026", "quarter", "Choisissez le trimestre"),
        ("period=month&year=2026", "month", "Choisissez le mois"),
        ("year=1999", "year", "Sélectionnez un choix valide"),
        ("actor_kind=association&actor=", None, None),
        ("age=centenaire", "age", "Sélectionnez un choix valide"),
    ],
)
def test_bad_filters_get_a_clear_french_error(cast, query, field, message):
    response = cast.client("official").get(f"/stats/?{query}")
    assert response.status_code == 200
    form = response.context["form"]
    if field is None:
        assert form.is_valid()
        return
    assert message in " ".join(form.errors[field])
    assert response.context["report"] is None
    assert "Le formulaire contient des erreurs" in response.content.decode()


def test_an_actor_and_a_kind_of_actor_cannot_both_be_chosen(cast):
    response = cast.client("official").get(
        f"/stats/?year=2026&actor={cast.actor_a.pk}&actor_kind=association"
    )
    assert "pas les deux" in " ".join(response.context["form"].errors["actor_kind"])


def test_periods_and_filters_in_words(cast):
    # 18 residents: 6 of them came from November to February (fewer would make the QPV
    # filter a "< 5", refused: tests/stats/test_stats_combined_filters.py).
    populate([cast.actor_a], 18)
    client = cast.client("official")
    quarter = client.get(
        f"/stats/?period=quarter&year=2026&quarter=2&pole=necessity&actor={cast.actor_a.pk}"
    )
    assert quarter.context["report"].filters.described == (
        ("Période", "2e trimestre (avril à juin) 2026"),
        ("Structure", "France services de Miramas"),
        ("Pôle", "Numérique nécessité"),
    )
    custom = client.get("/stats/?period=custom&start=2025-11&end=2026-02&neighbourhood=qpv")
    filters = custom.context["report"].filters
    assert (filters.period.start, filters.period.end) == (D(2025, 11, 1), D(2026, 2, 1))
    assert ("Quartier", "Quartiers prioritaires (QPV)") in filters.described
    # Sessions describe the offer: the page says the public filters leave them out.
    assert "les filtres sur le public" in custom.content.decode()
    assert "les filtres sur le public" not in client.get("/stats/?year=2026").content.decode()
    kind = client.get("/stats/?year=2026&actor_kind=france_services")
    assert kind.context["report"].filters.actor_kind == ActorKind.FRANCE_SERVICES


def test_the_default_is_the_current_year(cast, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda: D(2026, 5, 17))
    response = cast.client("official").get("/stats/")
    assert response.context["report"].filters.period.label == "Année 2026"


@pytest.mark.parametrize("residents", [2, 20])
def test_the_dashboard_costs_the_same_queries_whatever_the_data(
    cast, residents, django_assert_num_queries
):
    populate([cast.actor_a, cast.actor_b], residents)
    client = cast.client("official")
    client.get("/stats/?year=2026")
    # session, user, actors, neighbourhoods, operators, modules, first month of data;
    # residents by period, residents by month, sessions held, paperwork, funnel (the
    # counts by month: stages and days), autonomy, modules completed, certificates,
    # referrals
    with django_assert_num_queries(16):
        client.get("/stats/?year=2026")
    # A period that is not counted in advance, across two years, with public filters: the
    # funnel counts per-resident rows (stages, then days to leisure), one query more.
    with django_assert_num_queries(17):
        client.get("/stats/?period=custom&start=2025-11&end=2026-07&neighbourhood=qpv&age=26_44")
    # An export: the same queries, no page.
    with django_assert_num_queries(16):
        client.get("/stats/export/tout.xlsx?year=2026")


@pytest.mark.parametrize("residents", [2, 20])
def test_a_coordinator_of_several_actors_costs_the_same_queries(
    cast, residents, django_assert_num_queries
):
    populate([cast.actor_a, cast.actor_b], residents)
    cast.coordinator_a.actors.add(cast.actor_b)
    client = cast.client("coordinator_a")
    client.get("/stats/?year=2026")
    # session, user, the user's actors, actors, neighbourhoods, operators, modules, first
    # month; residents (by resident, with the months), sessions held, paperwork, funnel
    # (the counts of their actors), autonomy, modules completed, certificates, referrals;
    # the count of new referrals in the navigation (a coordinator works with residents)
    with django_assert_num_queries(17):
        client.get("/stats/?year=2026")


def test_figures_of_a_kind_of_actor_match_its_actors_together(cast):
    kind = ActorKind.ASSOCIATION
    first, second = ActorFactory(kind=kind), ActorFactory(kind=kind)
    populate([first, second], 4)
    year = Period(D(2026, 1, 1), D(2026, 12, 1), "2026")
    by_kind = collect(
        Filters(period=year, actor_ids=frozenset([first.pk, second.pk]), actor_kind=kind)
    )
    by_actors = collect(Filters(period=year, actor_ids=frozenset([first.pk, second.pk])))
    assert by_kind == by_actors
    report = Report(by_kind, Filters(period=year), Lookups.load(), threshold=1)
    assert report.headline.rows[0].cells[0].value == 8


def test_the_period_shown_is_the_one_chosen_and_said_in_words(cast, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: D(2026, 12, 7))
    populate([cast.actor_a], 6)
    client = cast.client("official")
    # "3e trimestre" chosen while "Période" stayed at "Une année": the third quarter.
    response = client.get("/stats/?period=year&year=2026&quarter=3")
    period = response.context["report"].filters.period
    assert (period.start, period.end) == (D(2026, 7, 1), D(2026, 9, 1))
    content = response.content.decode()
    assert "Du 1er juillet au 30 septembre 2026" in content
    assert '<option value="quarter" selected>' in content
    # A month the same way; and the whole year, up to today.
    month = client.get("/stats/?period=year&year=2026&month=2").context["report"]
    assert (month.filters.period.start, month.filters.period.end) == (D(2026, 2, 1),) * 2
    year = client.get("/stats/?year=2026").content.decode()
    assert "Du 1er janvier au 31 décembre 2026 (chiffres arrêtés au 7 décembre 2026)" in year
    across = client.get("/stats/?period=custom&start=2025-11&end=2026-02").content.decode()
    assert "Du 1er novembre 2025 au 28 février 2026" in across
    # Two choices that contradict each other: refused in words, no figures shown.
    refused = client.get("/stats/?period=quarter&year=2026&quarter=3&month=2")
    assert refused.context["report"] is None
    assert refused.context["form"].errors["month"] == [
        "« Mois » ne va pas avec la période « Un trimestre » : videz ce champ, ou choisissez "
        "« Un mois » dans « Période »."
    ]
    both = client.get("/stats/?period=year&year=2026&quarter=3&month=2")
    assert both.context["report"] is None
    assert set(both.context["form"].errors) == {"quarter", "month"}
