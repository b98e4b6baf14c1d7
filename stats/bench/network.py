"""Bench group of the network's own life: the yearly report of the whole network (web page
and PDF), the ambassadors' statistics and the ambassador's page.

    python manage.py bench --sessions 1000000 --only network
"""

import time

from django.db import connection
from django.utils import timezone

from stats.management.commands.bench import group


@group("network")
def network(bench):
    from network.ambassadors import ambassador_refer, destinations
    from pathway.models import Actor, ActorKind
    from stats.annual import WholeNetwork, annual_report, annual_report_pdf
    from stats.demo.factories import UserFactory
    from stats.models import StatsReach
    from stats.services import stats_refresh

    figures = {}
    with bench.database():
        if not StatsReach.objects.exists():
            bench.log("filling the statistics summaries…")
            stats_refresh()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in connection.introspection.table_names():
                    if table.startswith("pathway_stats"):
                        cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
        year = timezone.localdate().year

        def whole_report():
            return annual_report_pdf(annual_report(WholeNetwork(), year))

        whole_report()  # warm
        samples = []
        for _ in range(3):
            started = time.perf_counter()
            whole_report()
            samples.append(time.perf_counter() - started)
        figures["annual_report_s"] = round(max(samples), 2)
        client = bench.client_for("elu")
        p50, p95 = bench.time_ms(lambda: client.get(f"/stats/rapport/{year}/"), repeat=5)
        figures["annual_report_page_ms_p50"], figures["annual_report_page_ms_p95"] = p50, p95

        # An ambassador with 50 referrals: their page, and the statistics page.
        school, _created = Actor.objects.get_or_create(
            slug="bench-ecole", defaults={"name": "École du banc", "kind": ActorKind.SCHOOL}
        )
        ambassador = UserFactory(username="bench-ambassadeur", ambassador=True, actors=[school])
        target = destinations().first()
        for n in range(50 - ambassador.ambassador_referrals.count()):
            ambassador_refer(
                ambassador=ambassador,
                school=school,
                to_actor=target,
                first_name=f"Famille {n}",
                phone="0600000000",
                need="paperwork",
                consent=True,
            )
        phone = bench.client_for("bench-ambassadeur")
        figures["ambassador_home_queries"] = bench.count_queries(
            lambda: phone.get("/ambassadeurs/")
        )
        p50, p95 = bench.time_ms(lambda: phone.get("/ambassadeurs/"))
        figures["ambassador_home_ms_p50"], figures["ambassador_home_ms_p95"] = p50, p95
        p50, p95 = bench.time_ms(lambda: client.get("/stats/ambassadeurs/"))
        figures["stats_ambassadors_ms_p50"], figures["stats_ambassadors_ms_p95"] = p50, p95
    return figures
