"""The bench's baseline — the headline figures in one hand-written SQL statement on the raw
tables — computes the same figures as the dashboard, so that comparing their times is fair."""

import pytest

from stats.bench.dashboard import run_raw_headline
from stats.figures import Filters, collect
from stats.report import Lookups, Report
from tests.stats.test_stats_figures import YEAR, KnownTown

pytestmark = pytest.mark.django_db


def headline(filters):
    report = Report(collect(filters), filters, Lookups.load(), threshold=1)
    return {row.label: row.cells[0].value for row in report.headline.rows}


@pytest.mark.parametrize("scope", ["network", "library"])
def test_the_raw_sql_baseline_agrees_with_the_dashboard(scope):
    town = KnownTown()
    actor = town.library.pk if scope == "library" else None
    filters = Filters(period=YEAR, actor_ids=None if actor is None else frozenset([actor]))
    figures = headline(filters)
    residents, new, sessions, minutes, individual, collective, paperwork, modules, certificates = (
        run_raw_headline(2026, actor)
    )
    assert residents == figures["Habitants accompagnés"]
    assert (
        new
        == figures[
            "dont nouveaux dans le réseau" if actor is None else "dont nouveaux dans ces structures"
        ]
    )
    assert sessions == figures["Séances"]
    assert minutes / 60 == figures["Heures de médiation"]
    assert individual == figures["dont séances individuelles"]
    assert (collective or 0) == figures["dont ateliers collectifs"]
    assert (modules, certificates) == (
        figures["Modules de formation validés"],
        figures["Attestations délivrées"],
    )
    outcomes = {}
    for item in (paperwork or "").split(","):
        if item:
            _operator, result, _reason, n = item.split(":")
            outcomes[result] = outcomes.get(result, 0) + int(n)
    assert outcomes.get("completed", 0) == figures["Démarches terminées"]
    assert outcomes.get("blocked", 0) == figures["Démarches bloquées"]
