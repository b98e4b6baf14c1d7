"""Small counts stay hidden across the public filters a person can combine (issue 13,
finding 5): the counts of people by neighbourhood, age and situation are suppressed once,
for every combination, and a combination whose people are a hidden cell is refused — on
the page, in the exports and in the API alike (stats.disclosure)."""

import csv
import io
import itertools

import pytest

from learners.models import SocialStatus
from learners.services import participations_changed
from stats.demo.factories import (
    NeighbourhoodFactory,
    ParticipationFactory,
    ResidentFactory,
    SessionFactory,
)
from stats.forms import stats_report
from stats.models import AgeBand

pytestmark = pytest.mark.django_db
review = pytest.mark.security_review  # the regression tests of the finding (they failed)

URL = "/api/v1/statistics/"
YEAR = 2026
REFUSAL = "Trop peu de personnes pour ce croisement de filtres : élargissez-les."
# An age reached in 2026 in each band.
AGES = {"18_25": 20, "26_44": 35, "45_59": 50, "60_74": 65, "75_plus": 80}


class Town:
    """The population of the review: 39 job seekers in one neighbourhood, of whom 3 are
    18 to 25 — and enough other people around them for the wider views to be shown."""

    def __init__(self, actor):
        self.actor = actor
        self.maille = NeighbourhoodFactory(name="La Maille", priority=True)
        self.centre = NeighbourhoodFactory(name="Centre-ville")
        people = []
        for neighbourhood, status, by_age in [
            (
                self.maille,
                "job_seeker",
                {"18_25": 3, "26_44": 9, "45_59": 6, "60_74": 10, "75_plus": 11},
            ),
            (self.maille, "employed", {"18_25": 12, "26_44": 25, "45_59": 20}),
            (self.centre, "job_seeker", {"18_25": 14, "26_44": 16, "45_59": 8}),
            (self.centre, "retired", {"60_74": 18, "75_plus": 15}),
        ]:
            for band, count in by_age.items():
                session = SessionFactory(actor=actor, date=f"{YEAR}-03-0{1 + len(people) % 9}")
                for _ in range(count):
                    resident = ResidentFactory(
                        created_by_actor=actor,
                        neighbourhood=neighbourhood,
                        social_status=status,
                        birth_year=YEAR - AGES[band],
                    )
                    ParticipationFactory(session=session, resident=resident)
                    people.append(resident.pk)
        participations_changed(people)


@pytest.fixture
def town(cast):
    return Town(cast.actor_a)


def api(client, **query):
    return client.get(URL, {"year": YEAR, **query})


def rows(answer):
    [table] = answer.json()["tables"]
    return {row["label"]: row["cells"][0] for row in table["rows"]}


@review
def test_the_subtraction_of_the_review_no_longer_works_in_the_api(town, cast):
    client = cast.client("official")
    job_seekers = {"neighbourhood": town.maille.pk, "social_status": "job_seeker"}
    ages = rows(api(client, table="ages", **job_seekers))
    assert ages["Total"]["value"] == 39
    assert ages["18 à 25 ans"] == {**ages["18 à 25 ans"], "text": "< 5", "value": None}
    assert ages["45 à 59 ans"]["hidden"] and ages["45 à 59 ans"]["value"] is None
    assert [ages[label]["value"] for label in ("26 à 44 ans", "60 à 74 ans", "75 ans et plus")] == [
        9,
        10,
        11,
    ]

    # The second query of the review: the hidden cell, asked for as a filter. Refused.
    answer = api(client, table="chiffres-cles", age="45_59", **job_seekers)
    assert answer.status_code == 400
    assert REFUSAL in str(answer.json()["errors"])
    assert "6" not in str(answer.json())


@review
@pytest.mark.parametrize("role", ["official", "coordinator_a", "network_admin"])
def test_the_page_and_the_exports_refuse_it_too(town, cast, role):
    client = cast.client(role)
    query = f"year={YEAR}&neighbourhood={town.maille.pk}&social_status=job_seeker&age=45_59"
    page = client.get(f"/stats/?{query}")
    assert page.status_code == 200 and page.context["report"] is None
    assert REFUSAL in page.content.decode()
    for name in ("chiffres-cles.csv", "ages.csv", "tout.xlsx"):
        export = client.get(f"/stats/export/{name}?{query}")
        assert export.status_code == 400
        assert REFUSAL in export.content.decode()


@review
def test_a_refused_view_costs_the_same_queries(town, cast, django_assert_num_queries):
    client = cast.client("official")
    query = f"year={YEAR}&neighbourhood={town.maille.pk}&social_status=job_seeker&age=45_59"
    client.get(f"/stats/?{query}")
    with django_assert_num_queries(17):  # as any view: the figures are read, then refused
        assert client.get(f"/stats/?{query}").context["report"] is None


def hidden_or_refused(answer, label):
    """Whether the view does not give the cell `label` away: hidden there, or the whole
    view refused."""
    if answer.status_code == 400:
        return REFUSAL in str(answer.json()["errors"])
    return rows(answer)[label]["hidden"]


@review
def test_the_same_cell_read_from_another_table_stays_hidden(town, cast):
    """6 job seekers of 45 to 59 at La Maille are also a cell of the situations table of
    La Maille's 45 to 59, and of the neighbourhoods table of the job seekers of 45 to 59."""
    client = cast.client("official")
    maille = town.maille.pk
    for age in ("45_59", "18_25"):
        situations = api(client, table="situations", neighbourhood=maille, age=age)
        assert hidden_or_refused(situations, "En recherche d'emploi"), age
        neighbourhoods = api(client, table="quartiers", social_status="job_seeker", age=age)
        assert hidden_or_refused(neighbourhoods, "La Maille"), age


@review
@pytest.mark.parametrize(
    "query",
    [
        {"age": "18_25"},  # the "< 5" itself
        {"age": "45_59"},  # the masked cell
        {"neighbourhood": "qpv", "age": "18_25"},  # La Maille is the only QPV
    ],
)
def test_other_filters_on_a_hidden_cell_are_refused(town, cast, query):
    answer = api(
        cast.client("official"),
        table="chiffres-cles",
        **{"neighbourhood": town.maille.pk, "social_status": "job_seeker", **query},
    )
    assert answer.status_code == 400 and REFUSAL in str(answer.json()["errors"])


def test_filters_on_a_shown_cell_are_answered(town, cast):
    """The rule refuses hidden cells, not filters: a shown one is answered."""
    client = cast.client("official")
    answer = api(
        client,
        table="chiffres-cles",
        neighbourhood=town.maille.pk,
        social_status="job_seeker",
        age="60_74",
    )
    assert answer.status_code == 200
    assert rows(answer)["Habitants accompagnés"]["value"] == 10
    page = client.get(f"/stats/?year={YEAR}&neighbourhood={town.centre.pk}&social_status=retired")
    assert page.context["report"] is not None


def cells_shown(report, neighbourhoods, query):
    """{(people or new, neighbourhoods, age, situation): text} of every count of people the
    report shows: the same people whatever the view that shows them."""
    everywhere = frozenset([*neighbourhoods.values(), None])
    area = {
        "": everywhere,
        "qpv": frozenset(neighbourhoods[n] for n in ("La Maille",)),
        "outside_qpv": frozenset(neighbourhoods[n] for n in ("Centre-ville",)),
    }.get(query["neighbourhood"]) or frozenset([int(query["neighbourhood"])])
    age, status = query["age"] or "*", query["social_status"] or "*"
    found = {}

    def put(figure, where, band, situation, cell):
        if where:  # a row of nobody (another neighbourhood than the chosen one) is a zero
            found[figure, where, band, situation] = cell.text

    headline = {row.label: row.cells[0] for row in report.by_slug["chiffres-cles"].rows}
    put("people", area, age, status, headline["Habitants accompagnés"])
    put("new", area, age, status, headline["dont nouveaux dans le réseau"])
    groups = {
        "Quartiers prioritaires (QPV)": area & frozenset([neighbourhoods["La Maille"]]),
        "Autres quartiers": area & frozenset([neighbourhoods["Centre-ville"]]),
        "Quartier non renseigné": frozenset([None]),
        "Total": area,
        **{name: frozenset([pk]) for name, pk in neighbourhoods.items()},
    }
    for row in report.by_slug["quartiers"].rows:
        put("people", groups[row.label], age, status, row.cells[0])
    bands = {str(label): key for key, label in AgeBand.CHOICES} | {"Total": age}
    for row in report.by_slug["ages"].rows:
        put("people", area, bands[row.label], status, row.cells[0])
    situations = {str(s.label): s.value for s in SocialStatus} | {"Total": status}
    for row in report.by_slug["situations"].rows:
        put("people", area, age, situations[row.label], row.cells[0])
    return found


@review
def test_every_combination_of_filters_shows_the_same_cells_the_same_way(town, cast):
    """Every view the official can ask for, compared: a count of people is hidden in all
    the views that show it or in none, and a refused view is a cell hidden everywhere."""
    neighbourhoods = {"La Maille": town.maille.pk, "Centre-ville": town.centre.pk}
    options = {
        "neighbourhood": ["", "qpv", "outside_qpv", str(town.maille.pk), str(town.centre.pk)],
        "age": ["", *AGES, AgeBand.UNKNOWN],
        "social_status": ["", "job_seeker", "employed", "retired"],
    }
    seen, refused = {}, []
    for values in itertools.product(*options.values()):
        query = dict(zip(options, values, strict=True))
        form, report = stats_report({"year": str(YEAR), **query}, cast.official)
        if report is None:
            assert form.non_field_errors() == [REFUSAL], query
            refused.append(query)
            continue
        for cell, text in cells_shown(report, neighbourhoods, query).items():
            seen.setdefault(cell, set()).add(text)
    disagreements = {cell: texts for cell, texts in seen.items() if len(texts) > 1}
    assert disagreements == {}
    hidden = {"< 5", "masqué"}
    assert len(refused) > 10 and len(seen) > 100  # the town does exercise the rule
    assert any(texts <= hidden for texts in seen.values())
    assert ("people", frozenset([town.maille.pk]), "45_59", "job_seeker") in seen
    assert seen["people", frozenset([town.maille.pk]), "45_59", "job_seeker"] <= hidden


def test_the_exports_of_a_shown_view_agree_with_the_api(town, cast):
    client = cast.client("official")
    query = f"year={YEAR}&neighbourhood={town.maille.pk}&social_status=job_seeker"
    content = client.get(f"/stats/export/ages.csv?{query}").content.decode("utf-8-sig")
    lines = {row[0]: row[1:] for row in csv.reader(io.StringIO(content), delimiter=";") if row}
    assert lines["18 à 25 ans"][0] == "< 5" and lines["45 à 59 ans"][0] == "masqué"
    assert lines["Total"][0] == "39"
