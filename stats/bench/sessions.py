"""Bench groups of the mediators' work (see stats/management/commands/bench.py): seeding,
the home page, logging a session, searching residents, the API, importing sessions."""

import time
import uuid
from urllib.parse import urlencode

from stats.management.commands.bench import group, growth_ratio, percentiles


@group("seed")
def seed_speed(bench):
    """Rows per second written by seed_demo, on a fresh 20,000-session town."""
    from stats.demo.town import seed

    sessions = 20_000
    with bench.database(sessions=sessions, residents=sessions // 10, label="seed"):
        started = time.perf_counter()
        rows = seed(residents=sessions // 10, sessions=sessions, reset=True)
        elapsed = time.perf_counter() - started
    figures = {
        "seed_rows": rows,
        "seed_s": round(elapsed, 2),
        "seed_rows_per_s": round(rows / elapsed),
    }
    for size, built in bench.built.items():
        if size != sessions:
            figures[f"seed_rows_per_s_at_{size}"] = round(built["rows"] / built["seconds"])
    return figures


# Read figures are medians and 95th percentiles of at least this many requests each.
READ_SAMPLES = 200


def full_first_page(username="mediatrice.fs"):
    """Top up the mediator's sessions to a full first page of their home, through the
    write path, and return the rows the page shows. On the 1,000-session town the demo's
    mediator has only a handful, on the large one a full page: without this the growth
    ratio would compare a page of 7 rows with one of 25, not a small database with a
    large one."""
    import datetime

    from django.utils import timezone

    from learners.models import Resident, Session, User
    from learners.views.sessions import SESSIONS_PER_PAGE
    from learners.writing import ParticipantInput, SessionInput, session_save

    user = User.objects.get(username=username)
    mine = Session.objects.filter(created_by=user).count()
    if mine < SESSIONS_PER_PAGE:
        resident = Resident.objects.visible_to(user).order_by("pk").first()
        for n in range(SESSIONS_PER_PAGE - mine):
            session_save(
                SessionInput(
                    date=timezone.localdate() - datetime.timedelta(days=n % 30),
                    duration_minutes=45,
                    pole="leisure",
                    participants=[ParticipantInput(resident=resident, autonomy=2)],
                ),
                by=user,
            )
    return min(SESSIONS_PER_PAGE, Session.objects.filter(created_by=user).count())


@group("home")
def mediator_home(bench):
    """The mediator's home page ("my recent sessions", a full first page at both sizes:
    home_rows_at_<size>) on 1,000 sessions and on the bench's database: its queries and
    its time must not grow with the data (goal: home_growth_ratio, p95 on the large over
    p95 on the small, at most 1.5)."""
    figures = {"home_samples": READ_SAMPLES}
    sizes = sorted({bench.small_sessions, bench.sessions})
    for size in sizes:
        with bench.database(sessions=size):
            figures[f"home_rows_at_{size}"] = full_first_page()
            home = bench.client_for("mediatrice.fs").get
            status = home("/sessions/").status_code
            if status != 200:  # measure the page, never a refusal
                raise RuntimeError(f"The home page failed ({status}).")
            figures[f"home_queries_at_{size}"] = bench.count_queries(
                lambda home=home: home("/sessions/")
            )
            p50, p95 = bench.time_ms(lambda home=home: home("/sessions/"), repeat=READ_SAMPLES)
            figures[f"home_ms_p50_at_{size}"] = p50
            figures[f"home_ms_p95_at_{size}"] = p95
            figures[f"home_cpu_ms_p50_at_{size}"], figures[f"home_cpu_ms_p95_at_{size}"] = (
                bench.cpu_ms
            )
    figures.update(growth_ratio(figures, "home", sizes))
    figures.update(growth_ratio(figures, "home", sizes, clock="cpu_ms"))
    return figures


# The participants of the session the bench logs.
PARTICIPANTS = 8


def session_log_setup(username="mediatrice.fs"):
    """A mediator, and the form of a collective training session with eight of the
    residents of their actor, each assessed on every competence of the module."""
    from learners.models import Resident, User
    from pathway.models import Module, Place
    from stats.demo.factories import session_form_data

    user = User.objects.get(username=username)
    actor = user.main_actor
    module = Module.objects.active().filter(actor__isnull=True).order_by("pk").first()
    codes = list(module.targets.values_list("competence__code", flat=True))
    # Their own actor's residents first; on a small town (1,000 sessions: six of them),
    # others they may see make up the eight.
    visible = Resident.objects.visible_to(user)
    residents = list(visible.filter(created_by_actor=actor).order_by("pk")[:PARTICIPANTS])
    if len(residents) < PARTICIPANTS:
        residents += visible.exclude(created_by_actor=actor).order_by("pk")[
            : PARTICIPANTS - len(residents)
        ]
    if len(residents) < PARTICIPANTS:
        raise RuntimeError(f"Fewer than {PARTICIPANTS} residents to log a session with.")
    data = session_form_data(
        actor=actor,
        place=Place.objects.filter(actor=actor).order_by("pk").first(),
        pole="achievement",
        module=module,
        format="collective",
        workshop_title="Atelier du mardi",
        workshop_level="beginner",
        unregistered_count=1,
        duration="120",
        equipment=["computer"],
        participants=[
            {"resident": r, "autonomy": 2, "levels": dict.fromkeys(codes, 2)} for r in residents
        ],
    )
    return user, data


@group("session_log")
def session_log(bench):
    """Posting a collective session with 8 participants through the real view, through
    the one write path (learners.writing; goal: p95 under 30 ms at 1,000,000 sessions, over
    SESSION_LOG_SAMPLES posts, the same at 1,000 (bench --growth-from) for
    session_log_growth_ratio); its query count must not
    grow with the database. The statistics refresh each post queues is then run as the
    worker would (timed apart), and, as a baseline in the same run, the post with that
    refresh inside the request (STATS_REFRESH_IN_WORKER false)."""
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from learners.models import Session
    from learners.services import session_delete
    from stats.services import stats_refresh_task

    def run_queued_refreshes():
        """Run the statistics refreshes waiting in the queue, as the worker does; their
        durations in ms."""
        durations = []
        queued = DBTaskResult.objects.filter(task_path__endswith=".stats_refresh_task")
        for task in queued.order_by("enqueued_at"):
            started = time.perf_counter()
            stats_refresh_task.call(*task.args_kwargs["args"], **task.args_kwargs["kwargs"])
            durations.append((time.perf_counter() - started) * 1000)
        queued.delete()
        return durations

    figures = {}
    for size in sorted({bench.small_sessions, bench.sessions}):
        with bench.database(sessions=size):
            user, data = session_log_setup()
            client = bench.client_for(user.username)
            keys = []

            def post(client=client, data=data, keys=keys):
                keys.append(str(uuid.uuid4()))
                # Encoded as a browser sends a form without files.
                body = urlencode({**data, "submission_key": keys[-1]}, doseq=True)
                response = client.post(
                    "/sessions/new/", body, content_type="application/x-www-form-urlencoded"
                )
                if response.status_code != 302:
                    raise RuntimeError(f"The session was not logged ({response.status_code}).")

            run_queued_refreshes()
            figures[f"session_log_queries_at_{size}"] = bench.count_queries(post)
            (p50, p95), (cpu_p50, cpu_p95) = wall_and_cpu_ms(
                post, repeat=SESSION_LOG_SAMPLES, warmup=10
            )
            figures[f"session_log_ms_p50_at_{size}"] = p50
            figures[f"session_log_ms_p95_at_{size}"] = p95
            # This process's CPU time alone: what a loaded machine's waits leave out.
            figures[f"session_log_cpu_ms_p50_at_{size}"] = cpu_p50
            figures[f"session_log_cpu_ms_p95_at_{size}"] = cpu_p95
            figures[f"session_log_samples_at_{size}"] = SESSION_LOG_SAMPLES
            refresh_p50, refresh_p95 = percentiles(run_queued_refreshes())
            figures[f"session_log_worker_refresh_ms_p50_at_{size}"] = refresh_p50
            figures[f"session_log_worker_refresh_ms_p95_at_{size}"] = refresh_p95
            with override_settings(STATS_REFRESH_IN_WORKER=False):
                p50, p95 = bench.time_ms(post)
                figures[f"session_log_inline_refresh_ms_p50_at_{size}"] = p50
                figures[f"session_log_inline_refresh_ms_p95_at_{size}"] = p95
                # Leave the scratch database as it was, through the service that keeps
                # the journeys and the statistics right.
                for session in Session.objects.filter(submission_key__in=keys):
                    session_delete(session=session, by=user)
    figures["session_log_ms_p50"] = figures[f"session_log_ms_p50_at_{bench.sessions}"]
    figures["session_log_ms_p95"] = figures[f"session_log_ms_p95_at_{bench.sessions}"]
    figures["session_log_queries"] = figures[f"session_log_queries_at_{bench.sessions}"]
    figures["session_log_samples"] = SESSION_LOG_SAMPLES
    sizes = sorted({bench.small_sessions, bench.sessions})
    figures.update(growth_ratio(figures, "session_log", sizes))
    figures.update(growth_ratio(figures, "session_log", sizes, clock="cpu_ms"))
    return figures


def wall_and_cpu_ms(function, *, repeat, warmup):
    """(p50, p95) of `function()` in wall-clock ms, and in this process's CPU ms."""
    for _ in range(warmup):
        function()
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return percentiles(wall), percentiles(cpu)


# Posts timed for each figure of session_log: enough that its p95 holds from run to run.
SESSION_LOG_SAMPLES = 200


SEARCH_RESIDENTS = 100_000


def search_queries(user, count=60):
    """What mediators type: the start of a last or first name (two letters and more), a
    name and a birth year, a last and a first name, with or without accents."""
    import random

    from learners.models import Resident

    rng = random.Random(7)
    visible = Resident.objects.visible_to(user).exclude(last_name="")
    ids = list(visible.values_list("pk", flat=True))
    ids = rng.sample(ids, min(count, len(ids)))
    queries = []
    for resident in visible.filter(pk__in=ids).order_by("pk"):
        last, first = resident.last_name, resident.first_name
        queries.append(
            rng.choice(
                [
                    last[:2],
                    last[:3],
                    last[:5],
                    last,
                    first[:4],
                    f"{last} {first[:2]}",
                    f"{first} {last}",
                    f"{last[:4]} {resident.birth_year}",
                    f"{last.upper()} {first.lower()}",
                ]
            )
        )
    return queries


def time_search(bench, *, username="mediatrice.fs"):
    """The as-you-type search through the real view on the current database: its queries,
    p50 and p95 over READ_SAMPLES requests cycling through search_queries(), the p95 of
    two-letter searches (the most residents match), and the CPU p50 and p95."""
    from learners.models import User

    user = User.objects.get(username=username)
    client = bench.client_for(user.username)
    queries = search_queries(user)

    def searcher(texts):
        turn = iter(range(10**9))

        def search():
            text = texts[next(turn) % len(texts)]
            response = client.get("/residents/search/", {"q": text})
            if response.status_code != 200:
                raise RuntimeError(f"The search failed ({response.status_code}).")

        return search

    search = searcher(queries)
    count = bench.count_queries(search)
    p50, p95 = bench.time_ms(search, repeat=max(READ_SAMPLES, len(queries) * 4), warmup=5)
    cpu = bench.cpu_ms
    two_letters = [q for q in queries if len(q) == 2] or ["ma"]
    _p50, p95_two = bench.time_ms(searcher(two_letters), repeat=READ_SAMPLES, warmup=5)
    return count, p50, p95, p95_two, cpu


@group("resident_search")
def resident_search(bench):
    """The as-you-type search of the session page, through the real view: on 100,000
    residents (goal: p95 under 20 ms), and on 1,000 sessions (--growth-from) and the
    bench's database for resident_search_growth_ratio (p95 on the large over p95 on the
    small)."""
    from learners.models import Resident

    figures = {"resident_search_samples": READ_SAMPLES}
    sizes = sorted({bench.small_sessions, bench.sessions})
    for size in sizes:
        with bench.database(sessions=size):
            # Without it a freshly built 500,000-resident town read p95 83.6 ms, not 32.7.
            bench.vacuum(["learners_resident"])
            count, p50, p95, p95_two, cpu = time_search(bench)
            figures[f"resident_search_residents_at_{size}"] = Resident.objects.count()
            figures[f"resident_search_queries_at_{size}"] = count
            figures[f"resident_search_ms_p50_at_{size}"] = p50
            figures[f"resident_search_ms_p95_at_{size}"] = p95
            figures[f"resident_search_cpu_ms_p50_at_{size}"] = cpu[0]
            figures[f"resident_search_cpu_ms_p95_at_{size}"] = cpu[1]
            if size == bench.sessions and bench.residents >= SEARCH_RESIDENTS:
                figures["resident_search_residents"] = Resident.objects.count()
                figures["resident_search_queries"] = count
                figures["resident_search_ms_p50"] = p50
                figures["resident_search_ms_p95"] = p95
                figures["resident_search_ms_p95_two_letters"] = p95_two
    figures.update(growth_ratio(figures, "resident_search", sizes))
    figures.update(growth_ratio(figures, "resident_search", sizes, clock="cpu_ms"))
    if "resident_search_ms_p95" not in figures:
        with bench.database(
            sessions=SEARCH_RESIDENTS, residents=SEARCH_RESIDENTS, label="search-100000"
        ):
            count, p50, p95, p95_two, _cpu = time_search(bench)
            figures["resident_search_residents"] = Resident.objects.count()
            figures["resident_search_queries"] = count
            figures["resident_search_ms_p50"] = p50
            figures["resident_search_ms_p95"] = p95
            figures["resident_search_ms_p95_two_letters"] = p95_two
    return figures


# The API ----------------------------------------------------------------------------------


@group("api")
def api(bench):
    """Creating a session through the API (two participants, an Idempotency-Key) and the
    first page of the sessions list, for a mediator, on the bench's database (goal at
    1,000,000 sessions: p95 under 50 ms each)."""
    import datetime

    from django.utils import timezone

    from learners.models import ApiToken, Resident, Session, TokenScope, User
    from learners.services import session_delete

    figures = {}
    with bench.database():
        user = User.objects.get(username="mediatrice.fs")
        actor = user.main_actor
        residents = list(
            Resident.objects.visible_to(user)
            .filter(created_by_actor=actor)
            .order_by("pk")
            .values_list("reference", flat=True)[:2]
        )
        token, key = ApiToken.issue(
            user=user, name="bench", scope=TokenScope.READ_WRITE, created_by=None
        )
        client = bench.client_for(user.username)
        headers = {"Authorization": f"Bearer {key}"}
        body = {
            "date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            "duration_minutes": 30,
            "actor": actor.pk,
            "pole": "necessity",
            "participants": [{"resident": r, "autonomy": 2} for r in residents],
        }
        created = []

        def create():
            response = client.post(
                "/api/v1/sessions/",
                body,
                content_type="application/json",
                headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            )
            if response.status_code != 201:
                raise RuntimeError(f"The session was not created ({response.status_code}).")
            created.append(response.json()["id"])

        def first_page():
            response = client.get("/api/v1/sessions/", headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"The list failed ({response.status_code}).")

        month_ago = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()

        def filtered():
            client.get(
                "/api/v1/sessions/", {"date_after": month_ago, "pole": "necessity"}, headers=headers
            )

        figures["api_session_create_queries"] = bench.count_queries(create)
        figures["api_session_list_queries"] = bench.count_queries(first_page)
        for name, function in [
            ("create", create),
            ("list", first_page),
            ("list_filtered", filtered),
        ]:
            p50, p95 = bench.time_ms(function)
            figures[f"api_session_{name}_ms_p50"] = p50
            figures[f"api_session_{name}_ms_p95"] = p95
        figures["api_sessions_visible"] = Session.objects.visible_to(user).count()
        for session in Session.objects.filter(pk__in=created):
            session_delete(session=session, by=user)
        token.delete()
    return figures


# Imports ----------------------------------------------------------------------------------

IMPORT_ROWS = 100_000
DEFAULT_IMPORT_ROWS = 2_000


def write_sessions_file(path, count, *, seed=7):
    """A sessions file as the import reads it: seven in ten paperwork sessions (one person,
    an operator, a result), two in ten leisure sessions, one in ten training workshops of
    three to eight people with their levels. Every row is a distinct session."""
    import csv
    import datetime
    import random

    from django.utils import timezone

    from learners.models import Resident
    from learners.resources import SESSION_COLUMNS
    from pathway.models import Actor, Module, Operator, Place, Topic

    rng = random.Random(seed)
    actors = list(Actor.objects.filter(is_active=True).order_by("pk"))
    places = {}
    for place in Place.objects.order_by("pk"):
        places.setdefault(place.actor_id, place.name)
    topics = {}
    for topic in Topic.objects.filter(is_active=True).order_by("pk"):
        topics.setdefault(topic.pole, []).append(topic.name)
    operators = list(Operator.objects.order_by("pk").values_list("name", flat=True))
    modules = list(
        Module.objects.filter(actor__isnull=True).prefetch_related("targets__competence")
    )
    references = list(
        Resident.objects.filter(merged_into__isnull=True).values_list("reference", flat=True)
    )
    references = rng.sample(references, min(20_000, len(references)))
    start = timezone.localdate() - datetime.timedelta(days=2)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(SESSION_COLUMNS.values())
        for n in range(count):
            # A distinct (day, time) for each row: no two rows are the same session.
            day = start - datetime.timedelta(days=n // 600 % 300)
            time = f"{8 + (n % 600) // 60:02d}:{n % 60:02d}"
            actor = actors[n % len(actors)]
            row = dict.fromkeys(SESSION_COLUMNS, "")
            row.update(
                date=day.strftime("%d/%m/%Y"),
                start_time=time,
                duration_minutes=rng.choice([15, 30, 45, 60, 90]),
                actor=actor.name,
                place=places.get(actor.pk, ""),
            )
            if n % 10 == 0 and modules:
                module = modules[n % len(modules)]
                codes = [t.competence.code for t in module.targets.all()]
                people = rng.sample(references, rng.randint(3, 8))
                row.update(
                    format="Collectif (atelier)",
                    pole="Numérique accomplissement",
                    module=module.name,
                    workshop_title="Atelier",
                    workshop_level="Débutant",
                    duration_minutes=120,
                    participants="|".join(people),
                    autonomy="2",
                    levels="|".join(
                        " ".join(f"{code}={rng.randint(1, 4)}" for code in codes) for _ in people
                    ),
                )
            elif n % 10 < 8:
                result = rng.choice(["Démarche terminée", "À poursuivre", "Bloquée"])
                row.update(
                    pole="Numérique nécessité",
                    topics=rng.choice(topics.get("necessity", [""])),
                    participants=rng.choice(references),
                    autonomy=str(rng.randint(1, 3)),
                    operator=rng.choice(operators) if operators else "",
                    paperwork_result=result,
                    blocked_reason="FranceConnect ou identifiants" if result == "Bloquée" else "",
                    equipment="Ordinateur",
                )
            else:
                row.update(
                    pole="Numérique loisir et médiation",
                    topics=rng.choice(topics.get("leisure", [""])),
                    participants=rng.choice(references),
                    autonomy="3",
                )
            writer.writerow(row[name] for name in SESSION_COLUMNS)


def forget_imported_sessions(user, since):
    """Remove the sessions a bench run imported, and put the journeys back."""
    from learners.models import CompetenceAssessment, Participation, Session
    from learners.services import participations_changed

    imported = Session.objects.filter(created_by=user, created_at__gte=since)
    resident_ids = set(
        Participation.objects.filter(session__in=imported).values_list("resident_id", flat=True)
    )
    CompetenceAssessment.objects.filter(session__in=imported).delete()
    Participation.objects.filter(session__in=imported).delete()
    Session.topics.through.objects.filter(session__in=imported).delete()
    Session.mediators.through.objects.filter(session__in=imported).delete()
    imported.delete()
    participations_changed(resident_ids)


def copy_sessions(path, user):
    """PostgreSQL COPY of the file's sessions (their own columns) into learners_session:
    the physical bound of writing these rows. Returns (rows, seconds); rows are removed."""
    import csv
    import io
    import json

    from django.db import connection
    from django.utils import timezone

    from learners.models import Session, SessionFormat
    from pathway.models import Actor, Pole

    actor_ids = {a.name: a.pk for a in Actor.objects.all()}
    poles = {str(label): code for code, label in Pole.choices}
    formats = {str(label): code for code, label in SessionFormat.choices}
    since = timezone.now()  # the rows' created_at: they are removed by it
    now = since.isoformat()
    buffer = io.StringIO()
    rows = 0
    with open(path, encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        for values in reader:
            day, month, year = values[1].split("/")
            line = [
                f"{year}-{month}-{day}",
                values[2] or "\\N",
                values[3],
                formats.get(values[4], "individual"),
                str(actor_ids[values[5]]),
                "on_site",
                poles[values[8]],
                json.dumps(["computer"] if values[11] else []),
                values[12],
                "beginner" if values[13] else "",
                "0",
                "",
                str(len(values[16].split("|"))),
                str(user.pk),
                now,
                now,
                "",  # procedure_name
                "",  # redirection_kind
                "[]",  # anonymous_participants
                "",  # external_ref
            ]
            buffer.write("\t".join(line) + "\n")
            rows += 1
    columns = (
        "date, start_time, duration_minutes, format, actor_id, location, pole, equipment, "
        "workshop_title, workshop_level, unregistered_count, notes, participant_count, "
        "created_by_id, created_at, updated_at, procedure_name, redirection_kind, "
        "anonymous_participants, external_ref"
    )
    data = buffer.getvalue()
    with connection.cursor() as cursor:
        started = time.perf_counter()
        with cursor.cursor.copy(f"COPY learners_session ({columns}) FROM STDIN") as copy:
            copy.write(data)
        elapsed = time.perf_counter() - started
    Session.objects.filter(created_by=user, created_at__gte=since).delete()
    return rows, elapsed


@group("import_sessions")
def import_sessions(bench):
    """Importing 100,000 session rows (with participants) from CSV, checked then written in
    bulk through the one write path (learners.writing), 1,000 rows read, checked and
    written at a time, the file read as the rows are imported (imports.import_file, what
    the worker runs on an uploaded file); in the same run, django-import-export's standard
    row-by-row import (its default settings, one write per row) on the file's first
    DEFAULT_IMPORT_ROWS rows, and
    PostgreSQL's COPY of the same sessions into the same table (goal: 10,000 rows/s and 25 %
    of COPY on PostgreSQL; peak memory, traced, under 250 MB)."""
    import resource
    import tempfile
    import tracemalloc
    from pathlib import Path

    from django.db import connection
    from django.utils import timezone

    from learners import imports
    from learners.models import User

    figures = {}
    with bench.database(sessions=100_000, residents=20_000, label="import"):
        user = User.objects.get(username="coordination")
        kind = imports.KINDS["sessions"]
        folder = Path(tempfile.mkdtemp())
        full, part = folder / "sessions.csv", folder / "sessions-default.csv"
        write_sessions_file(full, IMPORT_ROWS)
        with open(full, encoding="utf-8") as source, open(part, "w", encoding="utf-8") as out:
            for n, line in enumerate(source):
                if n > DEFAULT_IMPORT_ROWS:
                    break
                out.write(line)

        cpu = {}

        def timed_import(path, *, fast):
            since = timezone.now()
            started, started_cpu = time.perf_counter(), time.process_time()
            if fast:
                # What the worker does with an uploaded file: read as the rows are imported.
                report = imports.import_file(kind, path, path.name, user=user, dry_run=False)
            else:
                dataset = imports.read_dataset(path.read_bytes(), path.name)
                report = imports.run_import(kind, dataset, user=user, dry_run=False, fast=fast)
            elapsed = time.perf_counter() - started
            cpu["seconds"] = time.process_time() - started_cpu
            # Before the bench removes the rows again: Django's delete() of 100,000 sessions
            # holds them all, and would be taken for the import's peak.
            cpu["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
            if report["errors"]:
                raise RuntimeError(f"The bench file has errors: {report['errors'][:3]}")
            forget_imported_sessions(user, since)
            return report["total"], elapsed

        bench.log("import of 100,000 rows, in bulk…")
        rows, seconds = timed_import(full, fast=True)
        figures["import_sessions_rows"] = rows
        figures["import_sessions_s"] = round(seconds, 1)
        figures["import_sessions_rows_per_s"] = round(rows / seconds)
        # Per second of this process's CPU (on SQLite, the database's work included).
        figures["import_sessions_rows_per_cpu_s"] = round(rows / cpu["seconds"])
        # The peak of the process so far, at the end of the import (it may include building
        # the scratch database).
        figures["import_process_peak_rss_mb"] = cpu["peak_rss_mb"]
        bench.log("the same import again, its memory traced…")
        tracemalloc.start()
        timed_import(full, fast=True)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures["import_peak_memory_mb"] = round(peak / 1024 / 1024, 1)
        figures["import_peak_memory_method"] = (
            "tracemalloc: peak of Python allocations from reading the file to the last row "
            "written (on top of what the process held before)"
        )
        bench.log("check only (dry run) of the same file…")
        started = time.perf_counter()
        imports.import_file(kind, full, full.name, user=user, dry_run=True)
        figures["import_sessions_check_rows_per_s"] = round(rows / (time.perf_counter() - started))
        bench.log("import of the first rows with django-import-export's defaults…")
        rows, seconds = timed_import(part, fast=False)
        figures["import_default_rows"] = rows
        figures["import_default_rows_per_s"] = round(rows / seconds)
        figures["import_speedup_over_default"] = round(
            figures["import_sessions_rows_per_s"] / figures["import_default_rows_per_s"], 1
        )
        if connection.vendor == "postgresql":
            rows, seconds = copy_sessions(full, user)
            figures["copy_rows"] = rows
            figures["copy_rows_per_s"] = round(rows / seconds)
            figures["import_share_of_copy"] = round(
                figures["import_sessions_rows_per_s"] / figures["copy_rows_per_s"], 3
            )
        for path in (full, part):
            path.unlink()
        folder.rmdir()
    return figures
