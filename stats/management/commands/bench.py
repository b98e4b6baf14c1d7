"""Performance figures, printed as one JSON object.

    python manage.py bench                          # every group, on 100,000 sessions
    python manage.py bench --sessions 1000000 --only home,dashboard

The figures are measured on a scratch database of the requested size, built once with
seed_demo and reused by later runs (SQLite: a file under .bench/; PostgreSQL: a database
named <database>_bench_<sessions> on the configured server). The groups live in the modules
of stats/bench/, declared with the @group decorator; a group returns a dict of figures. Timings
are never asserted by tests: this command prints them, with their baselines where an issue
names one, measured in the same run.
"""

import importlib
import json
import os
import pkgutil
import platform
import resource
import shutil
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

import stats.bench
from stats.demo.town import seed

GROUPS = {}


def group(name):
    """Register a bench group: a function of the Bench context returning figures."""

    def register(function):
        GROUPS[name] = function
        return function

    return register


def percentiles(samples_ms):
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return round(statistics.median(ordered), 2), round(p95, 2)


def growth_ratio(figures, name, sizes, *, clock="ms"):
    """`{name}_growth_ratio`: the p95 of `name` on the largest database of `sizes` over its
    p95 on the smallest, both measured in this run (figures `{name}_ms_p95_at_{size}`).
    1.0 means a cost that does not grow with the data. Empty with a single size. With
    clock="cpu_ms", the same from the CPU times (`{name}_cpu_ms_p95_at_{size}`, see
    Bench.time_ms): `{name}_cpu_growth_ratio`."""
    small, large = min(sizes), max(sizes)
    if small == large:
        return {}
    ratio = figures[f"{name}_{clock}_p95_at_{large}"] / figures[f"{name}_{clock}_p95_at_{small}"]
    prefix = name if clock == "ms" else f"{name}_cpu"
    return {f"{prefix}_growth_ratio": round(ratio, 2)}


class Bench:
    """What a group gets: the database size, switching databases, timing and clients."""

    def __init__(
        self, command, *, sessions, residents, log, small_sessions=1_000, copies_from=None
    ):
        self.command = command
        # Build a missing database from copies of this smaller one (stats/bench/copies.py).
        self.copies_from = copies_from
        self.sessions = sessions
        self.residents = residents
        # The small database of the growth ratios (the same figure on both sizes).
        self.small_sessions = small_sessions
        self.log = log
        self.built = {}
        self.original_name = settings.DATABASES["default"]["NAME"]

    # Databases ----------------------------------------------------------------------
    def database_name(self, label):
        if connection.vendor == "sqlite":
            folder = Path(settings.BASE_DIR) / ".bench"
            folder.mkdir(exist_ok=True)
            return str(folder / f"bench-{label}.sqlite3")
        # Named after the configured database, so that two checkouts never share one.
        return f"{self.original_name}_bench_{label}"

    def switch_to(self, name):
        connections["default"].close()
        connections.settings["default"]["NAME"] = name
        connections["default"].settings_dict["NAME"] = name

    @contextmanager
    def database(self, sessions=None, residents=None, *, label=None):
        """Use (building it if needed) the scratch database with this many sessions."""
        sessions = sessions or self.sessions
        residents = residents or max(10, sessions // 10)
        name = self.database_name(label or sessions)
        copies = self.copies_of(sessions, name, label)
        if connection.vendor == "postgresql":
            self.create_postgres_database(name, template=copies and copies[0])
        self.switch_to(name)
        try:
            call_command("migrate", verbosity=0, interactive=False)
            from learners.models import Session

            if copies:
                from stats.bench.copies import copy_town

                self.log(f"copying {copies[1]} times the town of {self.copies_from:,} sessions…")
                started = time.perf_counter()
                rows = copy_town(copies[1], log=self.log)
                elapsed = time.perf_counter() - started
                self.built[sessions] = {
                    "rows": rows,
                    "seconds": round(elapsed, 1),
                    "copies_of": self.copies_from,
                }
            elif not Session.objects.exists():
                self.log(f"building a scratch database with {sessions:,} sessions…")
                started = time.perf_counter()
                rows = seed(residents=residents, sessions=sessions, progress=self.log)
                elapsed = time.perf_counter() - started
                self.built[sessions] = {"rows": rows, "seconds": round(elapsed, 1)}
            yield
        finally:
            self.switch_to(self.original_name)

    def copies_of(self, sessions, name, label):
        """(the smaller database, how many copies to add) when `name` is missing and is to be
        made of copies of the database of --copies-from sessions (built first if needed);
        None otherwise. On SQLite the file is copied here."""
        small = self.copies_from
        if label or not small or sessions <= small or sessions % small:
            return None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if cursor.fetchone() is not None:
                    return None
        elif Path(name).exists():
            return None
        with self.database(sessions=small):
            pass
        source = self.database_name(small)
        if connection.vendor != "postgresql":
            shutil.copyfile(source, name)
        return source, sessions // small - 1

    def create_postgres_database(self, name, *, template=None):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                copy = f' TEMPLATE "{template}"' if template else ""
                cursor.execute(f'CREATE DATABASE "{name}"{copy}')

    # Measuring ------------------------------------------------------------------------
    def time_ms(self, function, *, repeat=30, warmup=3):
        """p50 and p95 in milliseconds of `function()` over `repeat` runs. The p50 and p95
        of the CPU time this process spent in each run (the database's too on SQLite) are
        left in `self.cpu_ms`: on a machine shared with other work, they move less than the
        time on the clock."""
        for _ in range(warmup):
            function()
        samples, cpu = [], []
        for _ in range(repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            function()
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        self.cpu_ms = percentiles(cpu)
        return percentiles(samples)

    def vacuum(self, tables):
        """On PostgreSQL, VACUUM ANALYZE `tables` (names, or a predicate on the table
        names), as autovacuum would on a production server once the data is written (the
        bench server runs without it): visibility maps, so that covering indexes are read
        without visiting the tables, and fresh statistics for the planner."""
        if connection.vendor != "postgresql":
            return
        if callable(tables):
            tables = [t for t in connection.introspection.table_names() if tables(t)]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")

    def count_queries(self, function):
        # Django keeps the last 9,000 queries: once full (after building a big scratch
        # database), the context would count 0.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as context:
            function()
        return len(context)

    def client_for(self, username):
        from learners.models import User

        client = Client()
        client.force_login(User.objects.get(username=username))
        return client


class Command(BaseCommand):
    help = "Prints performance figures as one JSON object."

    def add_arguments(self, parser):
        parser.add_argument("--sessions", type=int, default=100_000)
        parser.add_argument("--residents", type=int, default=None, help="Default: sessions / 10.")
        parser.add_argument("--only", default="", help="Comma-separated groups to run.")
        parser.add_argument(
            "--growth-from",
            type=int,
            default=None,
            help="Sessions of the small database the growth ratios compare with (1,000).",
        )
        parser.add_argument(
            "--copies-from",
            type=int,
            default=None,
            help="Build a missing database of --sessions (a multiple of this) from copies of "
            "the database of this many sessions: minutes instead of hours "
            "(stats/bench/copies.py).",
        )
        parser.add_argument("--list", action="store_true", help="List the groups and stop.")

    def handle(self, *args, **options):
        for module in pkgutil.iter_modules(stats.bench.__path__):
            importlib.import_module(f"stats.bench.{module.name}")
        if options["list"]:
            self.stdout.write("\n".join(sorted(GROUPS)))
            return
        wanted = [g.strip() for g in options["only"].split(",") if g.strip()] or sorted(GROUPS)
        unknown = set(wanted) - set(GROUPS)
        if unknown:
            raise CommandError(
                f"Groupes inconnus : {', '.join(sorted(unknown))}. "
                f"Groupes disponibles : {', '.join(sorted(GROUPS))}."
            )
        sessions = options["sessions"]
        growth_from = options["growth_from"]
        if growth_from is None:
            growth_from = min(1_000, sessions)
        if not 1 <= growth_from <= sessions:
            raise CommandError(
                "--growth-from : un nombre de séances entre 1 et --sessions "
                f"({sessions:,}).".replace(",", " ")
            )
        bench = Bench(
            self,
            sessions=sessions,
            residents=options["residents"] or max(10, sessions // 10),
            log=lambda message: self.stderr.write(f"[bench] {message}"),
            small_sessions=growth_from,
            copies_from=options["copies_from"],
        )
        figures = {}
        # The groups' test clients ask for the host "testserver", which a server's own
        # ALLOWED_HOSTS does not list. Only that is added: Django's full test environment
        # would also instrument template rendering and so change the timings.
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            for name in wanted:
                bench.log(f"group {name}…")
                started = time.perf_counter()
                figures.update(GROUPS[name](bench))
                bench.log(f"group {name} done in {time.perf_counter() - started:.1f} s")
        result = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "database": connection.vendor,
            "sessions": sessions,
            "residents": bench.residents,
            "growth_from_sessions": bench.small_sessions,
            "scratch_databases_built": bench.built,
            "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "figures": figures,
        }
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
