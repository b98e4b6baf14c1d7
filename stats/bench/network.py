"""Bench group of the network's own life: the yearly report of the whole network (web page
and PDF), the ambassadors' statistics and the ambassador's page.

    python manage.py bench --sessions 1000000 --only network
"""

import time

from django.utils import timezone

from stats.management.commands.bench import group, percentiles


@group("network")
def network(bench):
    from network.ambassadors import ambassador_refer, destinations
    from pathway.models import Actor, ActorKind
    from pathway.permissions import WholeNetwork
    from stats.annual import annual_report, annual_report_pdf
    from stats.demo.factories import UserFactory
    from stats.models import StatsReach
    from stats.services import stats_refresh

    figures = {}
    with bench.database():
        if not StatsReach.objects.exists():
            bench.log("filling the statistics summaries…")
            stats_refresh()
        bench.vacuum(lambda table: table.startswith("pathway_stats"))
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

        # The directory: every member of staff listed, with topics; searches as typed.
        from learners.models import User
        from network.directory import refresh_search
        from network.models import DirectoryEntry
        from pathway.models import Topic

        topics = list(Topic.objects.all()[:12])
        for n, user in enumerate(User.objects.exclude(role="ambassador").order_by("pk")[:400]):
            entry, created = DirectoryEntry.objects.get_or_create(
                user=user, defaults={"listed": True, "languages": "arabe, anglais"}
            )
            if created:
                entry.topics.set(topics[n % len(topics) : n % len(topics) + 2])
                refresh_search(entry)
        figures["directory_entries"] = DirectoryEntry.objects.filter(listed=True).count()
        reader = bench.client_for("elu")
        queries = ["", "pronote", "caf", "arabe", "france services", "mar", "impots"]
        samples = []
        for _ in range(6):
            for q in queries:
                started = time.perf_counter()
                reader.get("/reseau/annuaire/", {"q": q})
                samples.append((time.perf_counter() - started) * 1000)
        figures["directory_page_ms_p50"], figures["directory_page_ms_p95"] = percentiles(samples)
        # The search itself (both lists read, prefetches included), without the page.
        from network.directory import search_actors, search_people

        samples = []
        for _ in range(6):
            for q in queries:
                started = time.perf_counter()
                list(search_people(q)[:200])
                search_actors(q)
                samples.append((time.perf_counter() - started) * 1000)
        figures["directory_search_ms_p50"], figures["directory_search_ms_p95"] = percentiles(
            samples
        )
        figures["directory_queries"] = bench.count_queries(
            lambda: reader.get("/reseau/annuaire/", {"q": "arabe"})
        )

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
