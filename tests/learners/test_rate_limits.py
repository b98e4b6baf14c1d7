"""Rate limits hold across the application's processes (security review, finding 15): the
gunicorn workers count in one shared cache (a database table unless REDIS_URL is set), and
no count is lost when two of them count the same client at once."""

import datetime
import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from learners.permissions import rate_limit_exceeded

pytestmark = pytest.mark.security_review

# One process of the application: counts `hits` requests of one client against `limit`
# once told to start, and prints how many were over the limit.
COUNTER = """
import sys

import django

django.setup()
from django.core.management import call_command
from django.test import RequestFactory

from learners.permissions import rate_limit_exceeded

bucket, limit, hits, create_table = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
if create_table == "yes":
    call_command("createcachetable", verbosity=0)
print("ready", flush=True)
sys.stdin.readline()
request = RequestFactory().post("/login/", REMOTE_ADDR="203.0.113.9")
print(sum(rate_limit_exceeded(request, bucket, limit=limit) for _ in range(hits)), flush=True)
"""


def shared_database_url(tmp_path):
    """The database the processes share: the tests' own on PostgreSQL; a new SQLite file
    otherwise, since the tests' SQLite database lives in memory."""
    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db
def test_two_processes_share_the_count_and_lose_none(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": shared_database_url(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("REDIS_URL", None)  # the default configuration
    bucket = f"test-{os.getpid()}-{tmp_path.name}"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", COUNTER, bucket, "40", "30", create_table],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for create_table in ("yes", "no")
    ]
    try:
        for worker in workers:
            assert worker.stdout.readline() == "ready\n", worker.communicate()[1]
        for worker in workers:  # both start counting at once
            worker.stdin.write("go\n")
            worker.stdin.flush()
        outputs = [worker.communicate(timeout=120) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    for worker, (_out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
    # 60 requests against a limit of 40, half in each process: 20 refused, whoever served them.
    assert sum(int(out) for out, _err in outputs) == 20


@pytest.mark.django_db
def test_a_count_lasts_its_hour(rf):
    request = rf.post("/login/", REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        assert not rate_limit_exceeded(request, "lasting", limit=30)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT cache_key, expires FROM shared_cache WHERE cache_key LIKE %s",
            [f"{cache.key_prefix}:%ratelimit:lasting:%"],
        )
        [(key, expires)] = cursor.fetchall()
    if isinstance(expires, str):
        expires = datetime.datetime.fromisoformat(expires)
    if timezone.is_naive(expires):  # SQLite keeps UTC without saying so
        expires = expires.replace(tzinfo=datetime.UTC)
    assert expires > timezone.now() + datetime.timedelta(minutes=55)
    assert cache.get(key.split(":", 2)[2]) == 3


@pytest.mark.django_db
def test_the_apis_limit_counts_the_client_whatever_address_it_writes(monkeypatch):
    """rest_framework's throttle, on the API page open to anyone (its schema): an invented
    X-Forwarded-For header would start a new count, and a new row of the shared cache."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1/hour", "user": "1/hour"})
    client = Client()
    assert client.get("/api/schema/", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert client.get("/api/schema/", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429
