"""Health endpoints for a load balancer, answered before any other middleware (no host
check, no HTTPS redirect, no session, no sign-in, no rate limit):

- /sante/vivant: liveness, 200 as long as the process answers;
- /sante/pret: readiness, 200 when the database and the shared cache answer, 503 otherwise,
  with a JSON body saying which. The replica's lag is reported but does not make the server
  unready: reads then go to the primary (config.replica)."""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse

from config import replica

LIVE = "/sante/vivant"
READY = "/sante/pret"


def check_database():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def check_cache():
    key, value = f"health-{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 10)
    ok = cache.get(key) == value
    cache.delete(key)
    return {"ok": ok}


def check_replica():
    lag = replica.health.current_lag()
    return {
        "ok": lag is not None and lag <= settings.REPLICA_MAX_LAG,
        "lag_seconds": None if lag is None else round(lag, 3),
        "max_lag_seconds": settings.REPLICA_MAX_LAG,
    }


def readiness():
    checks, ready = {}, True
    for name, check, required in [
        ("database", check_database, True),
        ("cache", check_cache, True),
        *([("replica", check_replica, False)] if replica.configured() else []),
    ]:
        started = time.monotonic()
        try:
            result = check()
        except Exception as error:  # any failure of a check means "not ready"
            result = {"ok": False, "error": type(error).__name__}
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        checks[name] = result
        ready = ready and (result["ok"] or not required)
    return ready, checks


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == LIVE:
            return JsonResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})
        if request.path == READY:
            ready, checks = readiness()
            return JsonResponse(
                {"status": "ok" if ready else "unavailable", "checks": checks},
                status=200 if ready else 503,
                headers={"Cache-Control": "no-store"},
            )
        return self.get_response(request)
