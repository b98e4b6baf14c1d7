"""Reads from a PostgreSQL streaming replica (DATABASE_REPLICA_URL), when it is safe.

Only the pages that read much and write nothing of their own go there (REPLICA_VIEWS: the
statistics and their exports, the public guide and its open data, the staff exports), and
only when all of these hold:

- the request is a GET or HEAD;
- the person did not write anything in the last DATABASE_REPLICA_PIN_SECONDS: every
  request that may write (POST, PUT, PATCH, DELETE) sets a cookie pinning its sender to the
  primary for that long, so that nobody misses their own change;
- the replica answers and lags by at most DATABASE_REPLICA_MAX_LAG seconds (measured on the
  replica, kept DATABASE_REPLICA_CHECK_SECONDS in each process);
- no transaction is open on the primary.

Everything else, and every write, goes to the primary ("default"). What a signed-in page
needs besides its own figures (the session, the user, the second factor, the cache, the
lockouts, the tasks) is always read from the primary: a session opened a second ago must not
look missing because the replica has not received it yet.
"""

import contextvars
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "primary_until"

# The views (url names) whose reads may go to the replica.
REPLICA_VIEWS = frozenset(
    {
        "stats",
        "stats_export",
        "place_list",
        "place_map",
        "place_detail",
        "workshop_list",
        "guide_pdf",
        "open_data_csv",
        "open_data_json",
        "export_list",
        "export_download",
    }
)
# Apps whose tables are always read on the primary (see above).
PRIMARY_APPS = frozenset(
    {
        "sessions",
        "auth",
        "contenttypes",
        "axes",
        "otp_totp",
        "otp_static",
        "django_otp",
        "django_tasks_database",
        "django_cache",
    }
)

_use_replica = contextvars.ContextVar("use_replica", default=False)


def configured():
    return REPLICA in settings.DATABASES


class _Health:
    """The replica's lag, measured at most every DATABASE_REPLICA_CHECK_SECONDS per process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.checked_at = None
        self.lag = None  # seconds, or None when the replica did not answer

    def current_lag(self):
        now = time.monotonic()
        with self.lock:
            if (
                self.checked_at is not None
                and now - self.checked_at < settings.REPLICA_CHECK_SECONDS
            ):
                return self.lag
            self.checked_at = now
        lag = measure_lag()
        with self.lock:
            self.lag = lag
        return lag

    def forget(self):
        with self.lock:
            self.checked_at = None


health = _Health()


def measure_lag():
    """Seconds the replica is behind the primary (0 when it has replayed all it received),
    or None when it cannot be reached or is not a replica."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), CASE"
                " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
            )
            in_recovery, lag = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Replica unreachable, reading from the primary: %s", error)
        connections[REPLICA].close()
        return None
    if not in_recovery:
        return 0.0  # promoted, or a plain copy: as fresh as what it holds
    return float(lag or 0)


def replica_usable():
    if not configured():
        return False
    lag = health.current_lag()
    return lag is not None and lag <= settings.REPLICA_MAX_LAG


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _use_replica.get() or model._meta.app_label in PRIMARY_APPS:
            return "default"
        if model._meta.label == settings.AUTH_USER_MODEL:
            return "default"
        if connections["default"].in_atomic_block:
            return "default"
        return REPLICA if replica_usable() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"


def pinned(request):
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return False


class ReplicaMiddleware:
    """Chooses, per request, whether reads may go to the replica; pins writers to the
    primary (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        finally:
            _use_replica.set(False)
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and configured():
            until = time.time() + settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{until:.0f}",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        _use_replica.set(
            configured()
            and request.method in ("GET", "HEAD")
            and match is not None
            and match.url_name in REPLICA_VIEWS
            and not pinned(request)
        )


def reading_replica():
    """Whether this request's reads may go to the replica (for tests and logs)."""
    return _use_replica.get()
