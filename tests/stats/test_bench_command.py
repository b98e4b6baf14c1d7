"""`manage.py bench` on a town's server (issue 13, finding 18)."""

import json
import subprocess
import sys

import pytest

from tests.test_settings import ROOT

pytestmark = pytest.mark.security_review


def test_the_bench_runs_with_the_sites_own_allowed_hosts(tmp_path):
    """A town's server has ALLOWED_HOSTS in its environment; the bench's test client must
    still be served (it asks for "testserver"). The smallest group, on 1,000 sessions."""
    result = subprocess.run(
        [sys.executable, "manage.py", "bench", "--only", "home", "--sessions", "1000"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DEBUG": "true",
            "ALLOWED_HOSTS": "parcours.example.fr",
            # The bench builds its scratch database beside this one (SQLite: under .bench/).
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "DisallowedHost" not in result.stderr
    figures = json.loads(result.stdout)["figures"]
    # The page was served and measured, not refused with a 400 before any query.
    assert figures["home_queries_at_1000"] > 0
    assert figures["home_ms_p50_at_1000"] > 0
    # A full first page, as on the large database: the ratio compares sizes, not pages.
    assert figures["home_rows_at_1000"] == 25


def test_a_growth_ratio_is_the_large_databases_p95_over_the_small_ones():
    from stats.management.commands.bench import growth_ratio

    figures = {"home_ms_p95_at_1000": 20.0, "home_ms_p95_at_1000000": 27.0}
    assert growth_ratio(figures, "home", [1_000_000, 1_000]) == {"home_growth_ratio": 1.35}
    assert growth_ratio(figures, "home", [1_000]) == {}


@pytest.mark.django_db
def test_the_copy_baseline_writes_every_column_a_session_needs(cast, tmp_path):
    """The import bench's COPY baseline names its columns: a NOT NULL column added to sessions
    since (the Coop's fields) broke it on PostgreSQL, where only that baseline runs."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    from learners.models import Session
    from stats.bench.sessions import copy_sessions, write_sessions_file

    path = tmp_path / "sessions.csv"
    write_sessions_file(path, 20)
    before = Session.objects.count()
    rows, seconds = copy_sessions(path, cast.mediator_a)
    assert rows == 20 and seconds > 0
    assert Session.objects.count() == before  # removed again
