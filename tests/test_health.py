"""The load balancer's health endpoints (config.health)."""

import pytest
from django.db import DatabaseError

from config import health, replica

pytestmark = pytest.mark.django_db


def test_liveness_answers_whatever_the_host_and_scheme(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["parcours.example.fr"]
    response = client.get("/sante/vivant", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readiness_checks_the_database_and_the_cache(client):
    response = client.get("/sante/pret", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]
    # The replica's lag is reported only when there is one (tests/test_replica.py).
    assert ("replica" in body["checks"]) == replica.configured()
    assert "sessionid" not in response.cookies


def test_not_ready_without_the_database(client, monkeypatch):
    def broken():
        raise DatabaseError("connection refused")

    monkeypatch.setattr(health, "check_database", broken)
    response = client.get("/sante/pret")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "error": "DatabaseError",
        "ms": response.json()["checks"]["database"]["ms"],
    }


def test_health_checks_are_never_rate_limited(client, settings):
    for _ in range(settings.LOGIN_RATE_LIMIT + 5):
        assert client.get("/sante/pret").status_code == 200
