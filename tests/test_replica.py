"""Reads from a real PostgreSQL streaming replica (config.replica).

Needs a primary and its replica: `.ci/replica` starts a pair on 127.0.0.1:5434/5435, then
    DATABASE_URL=postgres://postgres@127.0.0.1:5434/parcours \\
    DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5435/parcours \\
    DEBUG=true .venv/bin/python -m pytest tests/test_replica.py
(.ci/run does). The test database is made on the primary and reaches the replica by
streaming, as production data would."""

import os
import time

import dj_database_url
import pytest
from django.db import connections
from django.test import Client

from config import replica
from stats.demo.factories import PlaceFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
    pytest.mark.skipif(
        # CI sets REQUIRE_REPLICA_TESTS: there they run or fail, never skip.
        not os.environ.get("DATABASE_REPLICA_URL") and not os.environ.get("REQUIRE_REPLICA_TESTS"),
        reason="needs a PostgreSQL replica: run .ci/replica, then set DATABASE_URL and "
        "DATABASE_REPLICA_URL as it prints",
    ),
]


@pytest.fixture
def standby(settings):
    """connections['replica'] on the real replica's copy of the test database (Django's test
    set-up points it at the primary: TEST MIRROR)."""
    connection = connections["replica"]
    mirrored = connection.settings_dict
    real = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"])
    connection.close()
    connection.settings_dict = real_settings = {
        **mirrored,
        "HOST": real["HOST"],
        "PORT": real["PORT"],
        "OPTIONS": {**mirrored.get("OPTIONS", {}), "connect_timeout": 2},
    }
    settings.REPLICA_CHECK_SECONDS = 0  # measure the lag at every read in these tests
    replica.health.forget()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        if not cursor.fetchone()[0]:
            pytest.skip("DATABASE_REPLICA_URL is not a replica")
    yield connection
    connection.close()
    connection.settings_dict = real_settings
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    connection.close()
    connection.settings_dict = mirrored
    replica.health.forget()


def replicated(name, timeout=20):
    """Waits until the replica holds the place called `name`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pathway_place WHERE name = %s", [name])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.1)
    raise AssertionError(f"{name} never reached the replica")


def pause(standby):
    with standby.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")


def guide(client):
    return client.get("/guide/").content.decode()


def test_the_guide_reads_the_replica_and_a_writer_reads_the_primary(standby, settings):
    settings.REPLICA_MAX_LAG = 600
    PlaceFactory(name="Médiathèque Alpha")
    replicated("Médiathèque Alpha")
    pause(standby)
    PlaceFactory(name="Maison Beta")  # committed on the primary, not replayed yet

    visitor = Client()
    page = guide(visitor)
    # Within the accepted lag the public guide is read on the replica: Beta is not there yet.
    assert "Médiathèque Alpha" in page and "Maison Beta" not in page

    # Someone who has just sent something reads the primary for a while (a cookie).
    writer = Client()
    writer.post("/guide/taille-du-texte/", {"size": "large"})
    assert replica.PIN_COOKIE in writer.cookies
    assert "Maison Beta" in guide(writer)

    # Pages of people's own work never read the replica.
    assert "Maison Beta" not in guide(visitor)

    with standby.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    replicated("Maison Beta")
    assert "Maison Beta" in guide(visitor)


def test_a_replica_too_far_behind_is_not_read(standby, settings):
    PlaceFactory(name="Médiathèque Alpha")
    replicated("Médiathèque Alpha")
    pause(standby)
    PlaceFactory(name="Maison Beta")
    settings.REPLICA_MAX_LAG = 600
    assert "Maison Beta" not in guide(Client())
    settings.REPLICA_MAX_LAG = 0.5
    time.sleep(1.2)
    # The replica is more than half a second behind: the guide is read on the primary.
    assert replica.measure_lag() > 0.5
    assert "Maison Beta" in guide(Client())


def test_a_replica_that_does_not_answer_is_not_read(standby, settings):
    settings.REPLICA_MAX_LAG = 600
    PlaceFactory(name="Médiathèque Alpha")
    standby.close()
    standby.settings_dict = {**standby.settings_dict, "PORT": "1"}  # nothing listens there
    started = time.monotonic()
    assert "Médiathèque Alpha" in guide(Client())
    assert time.monotonic() - started < 10
    assert replica.measure_lag() is None


def test_readiness_reports_the_replica_lag(standby, settings, client):
    settings.REPLICA_MAX_LAG = 600
    checks = client.get("/sante/pret").json()["checks"]
    assert checks["replica"]["ok"] and checks["replica"]["lag_seconds"] < 600
    standby.close()
    standby.settings_dict = {**standby.settings_dict, "PORT": "1"}
    response = client.get("/sante/pret")
    # Still ready: the primary serves the reads meanwhile.
    assert response.status_code == 200
    assert response.json()["checks"]["replica"]["ok"] is False
