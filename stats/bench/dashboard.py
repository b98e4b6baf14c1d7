"""Bench groups of the officials' statistics: the dashboard against the raw SQL it saves,
and a rebuild of every summary.

    python manage.py bench --sessions 1000000 --only dashboard
"""

import datetime
import random
import time

from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from stats.management.commands.bench import group, growth_ratio, percentiles

# The headline figures of a year straight from the raw tables, in one statement: what the
# dashboard would cost without its summaries. Written for each engine with the indexes
# that exist (participations by date, by resident and date; sessions by actor and date).
RAW_HEADLINE_SQL = """
WITH
  seen AS (
    SELECT p.resident_id, p.operator_id, p.paperwork_result, p.blocked_reason
    FROM learners_participation p
    WHERE p.date BETWEEN %(start)s AND %(end)s {participation_actor}
  ),
  firsts AS (
    SELECT p.resident_id, MIN(p.date) AS first_on
    FROM learners_participation p
    WHERE 1 = 1 {participation_actor}
    GROUP BY p.resident_id
  ),
  held AS (
    SELECT COUNT(*) AS sessions, SUM(s.duration_minutes) AS minutes,
           SUM(CASE WHEN s.format = 'individual' THEN 1 ELSE 0 END) AS individual,
           SUM(CASE WHEN s.format = 'collective' THEN 1 ELSE 0 END) AS collective
    FROM learners_session s
    WHERE s.date BETWEEN %(start)s AND %(end)s {session_actor}
  ),
  outcomes AS (
    SELECT operator_id, paperwork_result, blocked_reason, COUNT(*) AS n
    FROM seen WHERE paperwork_result <> ''
    GROUP BY operator_id, paperwork_result, blocked_reason
  ),
  reached AS (
    SELECT a.resident_id, t.module_id, t.competence_id, MIN(a.assessed_on) AS reached_on
    FROM learners_competenceassessment a
    JOIN pathway_modulecompetence t
      ON t.competence_id = a.competence_id AND a.level >= t.target_level
    {assessment_actor}
    GROUP BY a.resident_id, t.module_id, t.competence_id
  ),
  completed AS (
    SELECT r.resident_id, r.module_id, MAX(r.reached_on) AS done, COUNT(*) AS targets
    FROM reached r GROUP BY r.resident_id, r.module_id
  )
SELECT
  (SELECT COUNT(DISTINCT resident_id) FROM seen) AS residents,
  (SELECT COUNT(*) FROM firsts WHERE first_on BETWEEN %(start)s AND %(end)s) AS new_residents,
  held.sessions, held.minutes, held.individual, held.collective,
  (SELECT {aggregate} FROM outcomes) AS paperwork,
  (SELECT COUNT(*) FROM completed c
     WHERE c.done BETWEEN %(start)s AND %(end)s
       AND c.targets = (SELECT COUNT(*) FROM pathway_modulecompetence t
                        WHERE t.module_id = c.module_id)) AS modules_completed,
  (SELECT COUNT(*) FROM certificates_certificate c
     WHERE c.issued_at >= %(from)s AND c.issued_at < %(until)s
       AND c.revoked_at IS NULL {certificate_actor}) AS certificates
FROM held
"""


def raw_headline_sql(actor_id=None):
    """The statement for this engine, for the whole network or one actor."""
    if connection.vendor == "postgresql":
        aggregate = (
            "string_agg(concat_ws(':', operator_id, paperwork_result, blocked_reason, n), ',')"
        )
    else:
        aggregate = (
            "group_concat(ifnull(operator_id, '') || ':' || paperwork_result || ':' "
            "|| blocked_reason || ':' || n)"
        )
    actor = {
        "participation_actor": "",
        "session_actor": "",
        "assessment_actor": "",
        "certificate_actor": "",
    }
    if actor_id is not None:
        actor = {
            "participation_actor": "AND p.actor_id = %(actor)s",
            "session_actor": "AND s.actor_id = %(actor)s",
            "assessment_actor": "JOIN learners_session s ON s.id = a.session_id "
            "AND s.actor_id = %(actor)s",
            "certificate_actor": "AND c.actor_id = %(actor)s",
        }
    return RAW_HEADLINE_SQL.format(aggregate=aggregate, **actor)


def run_raw_headline(year, actor_id=None):
    tz = timezone.get_current_timezone()
    ops = connection.ops
    params = {
        "start": ops.adapt_datefield_value(datetime.date(year, 1, 1)),
        "end": ops.adapt_datefield_value(datetime.date(year, 12, 31)),
        "from": ops.adapt_datetimefield_value(datetime.datetime(year, 1, 1, tzinfo=tz)),
        "until": ops.adapt_datetimefield_value(datetime.datetime(year + 1, 1, 1, tzinfo=tz)),
        "actor": actor_id,
    }
    with connection.cursor() as cursor:
        cursor.execute(raw_headline_sql(actor_id), params)
        return cursor.fetchone()


def time_ms(function, *, repeat, warmup=1):
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


@group("dashboard")
def dashboard(bench):
    """The officials' statistics page, against the same figures computed from raw rows; the
    same page on the small database too (1,000 sessions, or --growth-from) for
    dashboard_growth_ratio (p95 on the large over p95 on the small)."""
    from learners.models import Participation
    from stats.services import stats_refresh

    figures, found = {}, {}
    sizes = sorted({bench.small_sessions, bench.sessions})
    for size in sizes:
        with bench.database(sessions=size):
            found[size] = time_dashboard(bench)
            for name in ("queries", "ms_p50", "ms_p95", "cpu_ms_p95"):
                figures[f"dashboard_{name}_at_{size}"] = found[size][f"dashboard_{name}"]
    figures.update(growth_ratio(figures, "dashboard", sizes))
    figures.update(growth_ratio(figures, "dashboard", sizes, clock="cpu_ms"))
    with bench.database():
        figures.update(found[bench.sessions])
        figures.update(my_stats(bench))
        export = f"/stats/export/tout.xlsx?year={timezone.localdate().year}"
        client = bench.client_for("elu")
        p50, p95 = bench.time_ms(lambda: client.get(export), repeat=10)
        figures["dashboard_export_xlsx_ms_p50"] = p50

        # What keeping the summaries costs each time a session is logged: the refresh of
        # one resident, rolled back.
        rng = random.Random(5)
        ids = list(Participation.objects.values_list("resident_id", flat=True)[:50_000])
        samples = []
        for resident_id in rng.sample(ids, 30):
            with transaction.atomic():
                started = time.perf_counter()
                stats_refresh([resident_id])
                samples.append((time.perf_counter() - started) * 1000)
                transaction.set_rollback(True)
        p50, p95 = percentiles(samples)
        figures["stats_refresh_one_resident_ms_p50"] = p50
        figures["stats_refresh_one_resident_ms_p95"] = p95
    return figures


def time_dashboard(bench):
    """The statistics page of the current database, for the whole network and for one
    structure: queries, p50 and p95 (and CPU p95), and the raw SQL of its headline."""
    from learners.models import User
    from stats.models import StatsReach
    from stats.services import stats_refresh

    figures = {}
    if not StatsReach.objects.exists():
        bench.log("filling the statistics summaries of a database built before them…")
        started = time.perf_counter()
        stats_refresh()
        figures["stats_fill_s"] = round(time.perf_counter() - started, 1)
    bench.vacuum(lambda table: table.startswith("pathway_stats"))
    year = timezone.localdate().year
    actor = User.objects.get(username="responsable.fs").actors.get()
    client = bench.client_for("elu")
    for name, query in (("", f"year={year}"), ("_actor", f"year={year}&actor={actor.pk}")):
        url = f"/stats/?{query}"
        response = client.get(url)
        assert response.status_code == 200 and b'id="chiffres-cles-title"' in response.content
        figures[f"dashboard{name}_queries"] = bench.count_queries(lambda url=url: client.get(url))
        p50, p95 = bench.time_ms(lambda url=url: client.get(url))
        figures[f"dashboard{name}_ms_p50"] = p50
        figures[f"dashboard{name}_ms_p95"] = p95
        figures[f"dashboard{name}_cpu_ms_p95"] = bench.cpu_ms[1]
        actor_id = actor.pk if name else None
        p50, _p95 = time_ms(lambda a=actor_id: run_raw_headline(year, a), repeat=5)
        figures[f"dashboard{name}_raw_sql_ms"] = p50
    return figures


MY_STATS_SAMPLES = 100


def my_stats(bench):
    """A mediator's own statistics (/mes-statistiques/) for the demo's mediator of France
    services over the last twelve months (at 1,000,000 sessions, about 13,500 of theirs),
    through the real view; its share link's page beside it (small counts hidden, each visit
    journaled). Goal: my_stats_ms_p95 under 150 ms at 1,000,000 sessions, with the same
    number of queries at every size. On PostgreSQL the tables it reads are first vacuumed,
    as autovacuum would on a production server, so that the covering indexes are read
    without visiting the tables."""
    from learners.models import Session, User
    from stats.models import StatsShareLink
    from stats.services import next_month

    bench.vacuum(["learners_session", "learners_participation", "learners_session_topics"])
    today = timezone.localdate()
    first = today.replace(day=1)
    for _ in range(11):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    mediator = User.objects.get(username="mediatrice.fs")
    sessions = Session.objects.filter(
        created_by=mediator, date__gte=first, date__lt=next_month(today.replace(day=1))
    ).count()
    query = f"period=custom&start={first:%Y-%m}&end={today:%Y-%m}"
    client = bench.client_for(mediator.username)
    url = f"/mes-statistiques/?{query}"
    response = client.get(url)
    if response.status_code != 200 or b'id="chiffres-cles-title"' not in response.content:
        raise RuntimeError(f"My statistics failed ({response.status_code}).")
    figures = {
        "my_stats_mediator_sessions": sessions,
        "my_stats_samples": MY_STATS_SAMPLES,
        "my_stats_queries": bench.count_queries(lambda: client.get(url)),
    }
    figures["my_stats_ms_p50"], figures["my_stats_ms_p95"] = bench.time_ms(
        lambda: client.get(url), repeat=MY_STATS_SAMPLES
    )
    # Many visits from one address: the rate limit would answer 429 before the samples end.
    with transaction.atomic(), override_settings(STATS_SHARE_RATE_LIMIT=1_000_000):
        _link, token = StatsShareLink.create_for(mediator, label="bench")
        shared = f"/statistiques-partagees/{token}/?{query}"
        visitor = Client()
        figures["my_stats_shared_queries"] = bench.count_queries(lambda: visitor.get(shared))
        figures["my_stats_shared_ms_p50"], figures["my_stats_shared_ms_p95"] = bench.time_ms(
            lambda: visitor.get(shared), repeat=MY_STATS_SAMPLES
        )
        transaction.set_rollback(True)  # the link and its journaled visits
    return figures


@group("stats_rebuild")
def stats_rebuild(bench):
    """Rebuilding every statistics summary from the sessions (what seed_demo does once at
    the end, and `manage.py stats_refresh`), rolled back."""
    from stats.services import stats_refresh

    with bench.database(), transaction.atomic():
        started = time.perf_counter()
        stats_refresh()
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"stats_rebuild_s": round(elapsed, 1)}
