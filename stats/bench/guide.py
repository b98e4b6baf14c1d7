"""Bench groups of the public guide: its list of places and its printable brochure.

python manage.py bench --only public_places,guide_pdf
"""

import io
import statistics
import time

from stats.management.commands.bench import group

# The public guide ---------------------------------------------------------------------------

GUIDE_PLACES = 500
GUIDE_HOURS = [
    "Mo-Fr 09:00-12:00,14:00-17:00; PH off",
    "Tu,Th 14:00-17:00; Sa 09:00-12:00; PH off",
    "We 14:00-18:00; Sa 10:00-17:00",
    "Mo-Th 08:30-12:00,13:30-17:00; Fr 08:30-12:00; 2026 Dec 24-2026 Dec 31 off; PH off",
    "Mo,We,Fr 09:30-12:30",
]


def guide_database(bench):
    """The demo town (1,000 sessions) grown to GUIDE_PLACES places in the public guide."""
    context = bench.database(sessions=1_000, label="guide")
    context.__enter__()
    from pathway.models import Actor, Fee, Place, Pole, Public, Service

    actors = list(Actor.objects.filter(is_published=True, is_active=True))
    missing = GUIDE_PLACES - Place.objects.in_guide().count()
    base = Place.objects.in_guide().first()
    Place.objects.bulk_create(
        Place(
            actor=actors[n % len(actors)],
            name=f"Permanence numérique n° {n}",
            address=f"{n % 120 + 1} avenue de la République",
            postcode="13140",
            city="Miramas",
            insee_code="13063",
            neighbourhood_id=base.neighbourhood_id,
            latitude=base.latitude,
            longitude=base.longitude,
            phone=f"+33490{n:06d}",
            opening_hours=GUIDE_HOURS[n % len(GUIDE_HOURS)],
            poles=[list(Pole)[n % 3]],
            services=[list(Service)[n % 9], Service.PAPERWORK],
            publics=[Public.SENIORS] if n % 4 == 0 else [],
            fees=[Fee.FREE] if n % 5 else [Fee.PAID],
        )
        for n in range(max(0, missing))
    )
    return context


@group("public_places")
def public_places(bench):
    """The public list of places with 500 places: unfiltered, filtered, "open now" (which
    reads every place's hours), and a place's page."""
    from django.test import Client

    from pathway.models import Place

    context = guide_database(bench)
    try:
        client = Client()
        pages = {
            "": "/guide/",
            "_filtered": "/guide/?service=paperwork&public=seniors&cost=free",
            "_open_now": "/guide/?open_now=on",
            "_map": "/guide/carte/",
            "_detail": Place.objects.in_guide().order_by("pk").first().get_absolute_url(),
        }
        figures = {"public_places_count": Place.objects.in_guide().count()}
        for suffix, url in pages.items():
            assert client.get(url).status_code == 200, url
            p50, p95 = bench.time_ms(lambda url=url: client.get(url))
            figures[f"public_places{suffix}_ms_p50"] = p50
            figures[f"public_places{suffix}_ms_p95"] = p95
            figures[f"public_places{suffix}_queries"] = bench.count_queries(
                lambda url=url: client.get(url)
            )
    finally:
        context.__exit__(None, None, None)
    return figures


@group("guide_pdf")
def guide_pdf(bench):
    """The full printable brochure: 500 places, and the demo town's own places."""
    from pypdf import PdfReader

    from pathway.guide import build_guide
    from pathway.models import Place

    context = guide_database(bench)
    try:
        samples, pdf = [], b""
        for _n in range(3):
            started = time.perf_counter()
            pdf = build_guide()
            samples.append(time.perf_counter() - started)
        town = list(
            Place.objects.in_guide()
            .with_guide_data()
            .exclude(name__startswith="Permanence numérique n°")
            .order_by("name")
        )
        started = time.perf_counter()
        build_guide(places=town)
        town_seconds = time.perf_counter() - started
        figures = {
            "guide_pdf_s": round(statistics.median(samples), 2),
            "guide_pdf_places": Place.objects.in_guide().count(),
            "guide_pdf_pages": len(PdfReader(io.BytesIO(pdf)).pages),
            "guide_pdf_kb": len(pdf) // 1024,
            "guide_pdf_demo_town_s": round(town_seconds, 2),
            "guide_pdf_demo_town_places": len(town),
        }
    finally:
        context.__exit__(None, None, None)
    return figures
