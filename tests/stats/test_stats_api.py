"""The statistics in the API: the dashboard's tables as data, hidden the same way, for the
same people, at a number of queries that does not grow with the data."""

import pytest

from stats.forms import stats_report
from tests.conftest import API_THROTTLE_QUERIES
from tests.stats.test_stats_dashboard import populate

pytestmark = pytest.mark.django_db

URL = "/api/v1/statistics/"


def test_the_official_gets_the_dashboard_tables_with_the_same_figures(cast):
    populate([cast.actor_a, cast.actor_b], 6)
    answer = cast.client("official").get(URL, {"year": 2026})
    assert answer.status_code == 200
    data = answer.json()
    assert data["period_start"] == "2026-01-01" and data["period_end"] == "2026-12-31"
    assert {"name": "Structures", "value": "Tout le réseau"} in data["filters"]
    assert data["min_count"] == 5

    _form, report = stats_report({"year": "2026"}, cast.official)
    assert [table["slug"] for table in data["tables"]] == [t.slug for t in report.tables]
    for table, expected in zip(data["tables"], report.tables, strict=True):
        got = [
            [row["label"], *(p["text"] for c in row["cells"] for p in (c["parts"] or [c]))]
            for row in table["rows"]
        ]
        shown = [
            [row.label, *(p.text for c in row.cells for p in (c.parts or (c,)))]
            for row in expected.rows
        ]
        assert got == shown, table["slug"]
    headline = {row["label"]: row["cells"][0] for row in data["tables"][0]["rows"]}
    assert any(cell["value"] == 12 and not cell["hidden"] for cell in headline.values())


def test_small_counts_are_hidden_with_no_value(cast, settings):
    settings.STATS_MIN_COUNT = 5
    populate([cast.actor_a], 3)  # three people: every count of people is "< 5"
    data = cast.client("official").get(URL, {"year": 2026, "table": "chiffres-cles"}).json()
    [table] = data["tables"]
    cells = [row["cells"][0] for row in table["rows"]]
    hidden = [cell for cell in cells if cell["hidden"]]
    assert hidden, cells
    assert all(cell["value"] is None and cell["text"] in ("< 5", "masqué") for cell in hidden)
    assert "Éloïse" not in str(data) and "Garnier" not in str(data)


def test_a_coordinator_reads_their_own_actors_only(cast):
    populate([cast.actor_a, cast.actor_b], 5)
    client = cast.client("coordinator_a")
    data = client.get(URL, {"year": 2026}).json()
    assert {"name": "Structures", "value": cast.actor_a.name} in data["filters"]
    refused = client.get(URL, {"year": 2026, "actor": cast.actor_b.pk})
    assert refused.status_code == 400
    assert "actor" in refused.json()["errors"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"period": "custom", "start": "2026-13", "end": "2026-02"}, "start"),
        ({"period": "quarter"}, "quarter"),
        ({"year": "1066"}, "year"),
        ({"table": "noms"}, "table"),
    ],
)
def test_bad_filters_get_a_french_error_per_field(cast, query, field):
    answer = cast.client("official").get(URL, query)
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid"
    assert body["message"].startswith("Les données envoyées contiennent des erreurs")
    assert body["errors"][field]


def test_mediators_do_not_see_the_endpoint(cast):
    answer = cast.client("mediator_a").get(URL)
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


@pytest.mark.parametrize("residents", [2, 20])
def test_the_statistics_cost_the_same_queries_whatever_the_data(
    cast, residents, django_assert_num_queries
):
    populate([cast.actor_a, cast.actor_b], residents)
    client = cast.client("official")
    client.get(URL, {"year": 2026})
    # As the dashboard (tests/stats/test_stats_dashboard.py): 16 queries; and the throttle's.
    with django_assert_num_queries(16 + API_THROTTLE_QUERIES):
        client.get(URL, {"year": 2026})
