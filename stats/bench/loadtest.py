"""`make loadtest`: a load and failure test of a several-server installation, on this machine
and the loopback only. It starts a PostgreSQL primary and its streaming replica (.ci/replica),
Redis, two gunicorn app servers, two db_worker processes and HAProxy in front of the app
servers, loads the demo town, then runs Locust (loadtest/locustfile.py) twice:

1. `steady`: everything up;
2. `failover`: half-way through, one app server and one worker are killed (SIGKILL).

It prints one JSON object: per phase, requests/s, p50/p95 per kind of request, the error
rate, and the sessions the servers acknowledged against those stored in the database (they
must be equal). Bounded: LOADTEST_SECONDS per phase (60), LOADTEST_USERS users (30);
LOADTEST_RESIDENTS and LOADTEST_SESSIONS size the demo town, LOADTEST_REUSE=1 keeps the one
of the previous run (seeding takes minutes).
Needs Debian's haproxy, redis-server and PostgreSQL server, and root or the postgres user
for .ci/replica. Everything it started is stopped at the end."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PY = sys.executable
PROXY_PORT, APP_PORTS, REDIS_PORT = 8108, (8109, 8110), 8111
PRIMARY = "postgres://postgres@127.0.0.1:5434/parcours_loadtest"
REPLICA = "postgres://postgres@127.0.0.1:5435/parcours_loadtest"
SECONDS = int(os.environ.get("LOADTEST_SECONDS", "60"))
USERS = int(os.environ.get("LOADTEST_USERS", "30"))
RESIDENTS = int(os.environ.get("LOADTEST_RESIDENTS", "2000"))
SESSIONS = int(os.environ.get("LOADTEST_SESSIONS", "8000"))


def log(message):
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def environment(folder):
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "loadtest-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://127.0.0.1:{PROXY_PORT}",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": PRIMARY,
        "DATABASE_REPLICA_URL": REPLICA,
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        # Kept between runs (collectstatic takes minutes on a busy machine).
        "STATIC_ROOT": str(BASE_DIR / "var" / "loadtest-static"),
        "MEDIA_ROOT": str(folder / "media"),
        "ISSUER_KEYS_DIR": str(folder / "keys"),
        # Every simulated person comes from 127.0.0.1: the per-address limits would stop them.
        "LOGIN_RATE_LIMIT": "1000000",
        "VERIFY_RATE_LIMIT": "1000000",
        "API_RATE_USER": "1000000/hour",
        "API_RATE_ANONYMOUS": "1000000/hour",
        "LOG_LEVEL": "WARNING",
    }


class Harness:
    def __init__(self, folder):
        self.folder = folder
        self.env = environment(folder)
        self.processes = {}

    def run(self, *args, **kwargs):
        subprocess.run(args, cwd=BASE_DIR, env=self.env, check=True, **kwargs)

    def start(self, name, *args):
        handle = open(self.folder / f"{name}.log", "w")  # noqa: SIM115 — closed with the process
        self.processes[name] = subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, name):
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self):
        for name in list(self.processes):
            process = self.processes.pop(name)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def wait_http(self, url, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
            time.sleep(0.5)
        raise RuntimeError(f"{url} did not answer in {timeout} s")

    def psql(self, port, sql, database="postgres"):
        return subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "-d",
                database,
                "-Atqc",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    # ------------------------------------------------------------------------------------

    def set_up(self):
        log("PostgreSQL primary and replica (.ci/replica)")
        subprocess.run(
            [str(BASE_DIR / ".ci" / "replica")], check=True, timeout=600, stdout=subprocess.DEVNULL
        )
        reuse = os.environ.get("LOADTEST_REUSE") == "1" and self.psql(
            5434, "SELECT 1 FROM pg_database WHERE datname = 'parcours_loadtest'"
        )
        if not reuse:
            self.psql(5434, "DROP DATABASE IF EXISTS parcours_loadtest WITH (FORCE)")
            self.psql(5434, "CREATE DATABASE parcours_loadtest")
        log("Redis")
        self.start(
            "redis",
            "redis-server",
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        )
        log(f"migrate, demo town ({RESIDENTS} residents, {SESSIONS} sessions), collectstatic")
        quiet = {"stdout": subprocess.DEVNULL}
        self.run(PY, "manage.py", "migrate", "--noinput", **quiet)
        self.run(PY, "manage.py", "create_issuer_keys", "--if-missing", **quiet)
        if not reuse:
            self.run(
                PY,
                "manage.py",
                "seed_demo",
                "--residents",
                str(RESIDENTS),
                "--sessions",
                str(SESSIONS),
                **quiet,
            )
        if not (Path(self.env["STATIC_ROOT"]) / "staticfiles.json").exists():
            self.run(PY, "manage.py", "collectstatic", "--noinput", **quiet)
        self.data = self.folder / "data.json"
        self.run(
            PY,
            "manage.py",
            "shell",
            "-c",
            f"from stats.bench.loadtest_data import write; write({str(self.data)!r})",
            **quiet,
        )
        for number, port in enumerate(APP_PORTS, 1):
            self.start(
                f"app{number}",
                PY,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
            )
        for number in (1, 2):
            self.start(
                f"worker{number}",
                PY,
                "manage.py",
                "db_worker",
                "--worker-id",
                f"loadtest-{number}",
                "--interval",
                "0.5",
            )
        config = self.folder / "haproxy.cfg"
        config.write_text(HAPROXY.format(proxy=PROXY_PORT, app1=APP_PORTS[0], app2=APP_PORTS[1]))
        self.start("haproxy", "haproxy", "-db", "-f", str(config))
        for port in (*APP_PORTS, PROXY_PORT):
            self.wait_http(f"http://127.0.0.1:{port}/sante/pret")
        log("all up")

    def stored_sessions(self, ids):
        if not ids:
            return 0
        found = self.psql(
            5434,
            f"SELECT count(*) FROM learners_session WHERE id IN ({','.join(map(str, ids))})",
            "parcours_loadtest",
        )
        return int(found)

    def phase(self, name, *, failure_at=None):
        acks = self.folder / f"acks-{name}.txt"
        acks.write_text("")
        report = self.folder / f"locust-{name}.json"
        env = {**self.env, "LOADTEST_DATA": str(self.data), "LOADTEST_ACKS": str(acks)}
        log(f"phase {name}: {USERS} users, {SECONDS} s")
        started = time.monotonic()
        locust = subprocess.Popen(
            [
                PY,
                "-m",
                "locust",
                "-f",
                str(BASE_DIR / "loadtest/locustfile.py"),
                "--headless",
                "--host",
                f"http://127.0.0.1:{PROXY_PORT}",
                "-u",
                str(USERS),
                "-r",
                str(USERS),
                "-t",
                f"{SECONDS}s",
                "--json-file",
                str(report.with_suffix("")),
                "--only-summary",
                "--stop-timeout",
                "10",
                "--loglevel",
                "WARNING",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / f"locust-{name}.log", "w"),  # noqa: SIM115
        )
        failures = []
        if failure_at is not None:
            time.sleep(failure_at)
            log("killing app server 2 and worker 2")
            self.kill("app2")
            self.kill("worker2")
            failures = ["app2 (SIGKILL)", "worker2 (SIGKILL)"]
        locust.wait(timeout=SECONDS + 120)
        elapsed = time.monotonic() - started
        stats = json.loads(report.read_text())
        ids = [int(line) for line in acks.read_text().split()]
        time.sleep(1)
        return summary(
            name,
            stats,
            elapsed=elapsed,
            acknowledged=ids,
            stored=self.stored_sessions(ids),
            failures=failures,
            failure_at=failure_at,
        )


def percentile(histogram, fraction):
    """`histogram`: Locust's response_times, {rounded ms: count}."""
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for value in sorted(histogram, key=float):
        seen += histogram[value]
        if seen >= fraction * total:
            return round(float(value))
    return None


def summary(name, stats, *, elapsed, acknowledged, stored, failures, failure_at):
    kinds, requests, errors = {}, 0, 0
    for entry in stats:
        histogram = entry["response_times"]
        duration = max(entry["last_request_timestamp"] - entry["start_time"], 1e-9)
        kinds[entry["name"]] = {
            "requests": entry["num_requests"],
            "failures": entry["num_failures"],
            "requests_per_s": round(entry["num_requests"] / duration, 1),
            "p50_ms": percentile(histogram, 0.50),
            "p95_ms": percentile(histogram, 0.95),
        }
        requests += entry["num_requests"]
        errors += entry["num_failures"]
    return {
        "phase": name,
        "seconds": round(elapsed, 1),
        "users": USERS,
        "killed": failures,
        "killed_after_s": failure_at,
        "requests": requests,
        "requests_per_s": round(requests / SECONDS, 1),
        "error_rate": round(errors / requests, 4) if requests else None,
        "kinds": kinds,
        "session_posts_per_s": round(len(acknowledged) / SECONDS, 1),
        "sessions_acknowledged": len(acknowledged),
        "sessions_stored": stored,
    }


# Round robin over the two app servers, checked every 2 s on /sante/pret (down after three
# failures: a busy server answering slowly is not dropped); a request that
# could not reach a server (connection refused, reset, empty response) is sent to the other
# one: safe for the session posts too, which carry an Idempotency-Key (saved once).
HAPROXY = """
global
    maxconn 2000
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout queue 10s
    timeout check 5s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response junk-response response-timeout 502 503
frontend web
    bind 127.0.0.1:{proxy}
    default_backend apps
backend apps
    balance roundrobin
    option httpchk GET /sante/pret
    http-check expect status 200
    default-server inter 2s fall 3 rise 2 maxconn 16
    server app1 127.0.0.1:{app1} check
    server app2 127.0.0.1:{app2} check
"""


def main():
    for command in ("haproxy", "redis-server", "psql"):
        if not shutil.which(command):
            sys.exit(
                f"loadtest: {command} not found (apt-get install haproxy redis-server postgresql)"
            )
    folder = Path(tempfile.mkdtemp(prefix="parcours-loadtest-"))
    harness = Harness(folder)
    result = {"machine": {"cores": os.cpu_count(), "load_before": os.getloadavg()[0]}}
    try:
        harness.set_up()
        phases = [harness.phase("steady"), harness.phase("failover", failure_at=SECONDS // 2)]
        result["phases"] = phases
        result["ok"] = (
            all(p["sessions_acknowledged"] == p["sessions_stored"] for p in phases)
            and phases[1]["error_rate"] is not None
            and phases[1]["error_rate"] < 0.01
        )
    finally:
        harness.stop_all()
        result["logs"] = str(folder)
    print(json.dumps(result, indent=2))
    return 0 if result.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
