"""Bench groups of the learners app (see pathway/management/commands/bench.py)."""

import time
import uuid
from urllib.parse import urlencode

from pathway.management.commands.bench import group


@group("seed")
def seed_speed(bench):
    """Rows per second written by seed_demo, on a fresh 20,000-session town."""
    from learners.management.commands.seed_demo import seed

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


@group("home")
def mediator_home(bench):
    """The mediator's home page ("my recent sessions"): its queries must not grow with data."""
    figures = {}
    for size in sorted({1_000, bench.sessions}):
        with bench.database(sessions=size):
            home = bench.client_for("mediatrice.fs").get
            figures[f"home_queries_at_{size}"] = bench.count_queries(
                lambda home=home: home("/sessions/")
            )
            p50, p95 = bench.time_ms(lambda home=home: home("/sessions/"))
            figures[f"home_ms_p50_at_{size}"] = p50
            figures[f"home_ms_p95_at_{size}"] = p95
    return figures


def session_log_setup(username="mediatrice.fs"):
    """A mediator, and the form of a collective training session with eight of the
    residents of their actor, each assessed on every competence of the module."""
    from learners.models import Resident, User
    from pathway.models import Module, Place
    from tests.factories import session_form_data

    user = User.objects.get(username=username)
    actor = user.main_actor
    module = Module.objects.active().filter(actor__isnull=True).order_by("pk").first()
    codes = list(module.targets.values_list("competence__code", flat=True))
    residents = Resident.objects.visible_to(user).filter(created_by_actor=actor).order_by("pk")
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
            {"resident": r, "autonomy": 2, "levels": dict.fromkeys(codes, 2)} for r in residents[:8]
        ],
    )
    return user, data


@group("session_log")
def session_log(bench):
    """Posting a collective session with 8 participants through the real view (goal: p95
    under 50 ms); its query count must not grow with the database."""
    from learners.models import Session
    from learners.services import session_delete

    figures = {}
    for size in sorted({1_000, bench.sessions}):
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

            figures[f"session_log_queries_at_{size}"] = bench.count_queries(post)
            p50, p95 = bench.time_ms(post)
            figures[f"session_log_ms_p50_at_{size}"] = p50
            figures[f"session_log_ms_p95_at_{size}"] = p95
            # Leave the scratch database as it was, through the service that keeps the
            # journeys right.
            for session in Session.objects.filter(submission_key__in=keys):
                session_delete(session=session, by=user)
    figures["session_log_ms_p50"] = figures[f"session_log_ms_p50_at_{bench.sessions}"]
    figures["session_log_ms_p95"] = figures[f"session_log_ms_p95_at_{bench.sessions}"]
    figures["session_log_queries"] = figures[f"session_log_queries_at_{bench.sessions}"]
    return figures


SEARCH_RESIDENTS = 100_000


def search_queries(user, count=60):
    """What mediators type: the start of a last or first name (two letters and more), a
    name and a birth year, a last and a first name, with or without accents."""
    import random

    from learners.models import Resident

    rng = random.Random(7)
    visible = Resident.objects.visible_to(user).exclude(last_name="")
    ids = rng.sample(list(visible.values_list("pk", flat=True)), count)
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


@group("resident_search")
def resident_search(bench):
    """The as-you-type search of the session page, on 100,000 residents (goal: p95 under
    30 ms), through the real view."""
    if bench.residents >= SEARCH_RESIDENTS:
        database = bench.database()
    else:
        database = bench.database(
            sessions=SEARCH_RESIDENTS, residents=SEARCH_RESIDENTS, label="search-100000"
        )
    with database:
        from learners.models import Resident, User

        user = User.objects.get(username="mediatrice.fs")
        client = bench.client_for(user.username)
        queries = search_queries(user)
        turn = iter(range(10**9))

        def search():
            text = queries[next(turn) % len(queries)]
            response = client.get("/residents/search/", {"q": text})
            if response.status_code != 200:
                raise RuntimeError(f"The search failed ({response.status_code}).")

        queries_count = bench.count_queries(search)
        p50, p95 = bench.time_ms(search, repeat=len(queries) * 3, warmup=5)
        two_letters = [q for q in queries if len(q) == 2] or ["ma"]
        worst = iter(range(10**9))

        def search_two_letters():
            client.get("/residents/search/", {"q": two_letters[next(worst) % len(two_letters)]})

        _p50, p95_two = bench.time_ms(search_two_letters, repeat=30)
        return {
            "resident_search_residents": Resident.objects.count(),
            "resident_search_queries": queries_count,
            "resident_search_ms_p50": p50,
            "resident_search_ms_p95": p95,
            "resident_search_ms_p95_two_letters": p95_two,
        }
