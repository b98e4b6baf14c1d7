"""Bench groups of the learners app (see pathway/management/commands/bench.py)."""

import time

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
