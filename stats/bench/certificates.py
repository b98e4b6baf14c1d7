"""Bench groups of the certificates app (see stats/management/commands/bench.py).

    python manage.py bench --only certificates

Measured on the demo town of 1,000 sessions, with residents who earned a module added for the
occasion and rolled back afterwards; keys and PDFs go to a temporary folder."""

import statistics
import tempfile
import time
from pathlib import Path

from stats.management.commands.bench import group, percentiles

SINGLE = 40  # certificates issued one by one (after a few to warm up)
BULK = 1_000


def residents_who_earned(module, count):
    """`count` new residents who attended a workshop of `module` and reached every target."""
    from django.utils import timezone

    from learners.models import CompetenceAssessment, Participation, Resident, Session, User
    from pathway.models import Actor
    from pathway.permissions import Role

    actor = Actor.objects.filter(signatories__is_default=True).order_by("pk").first()
    mediator = User.objects.filter(role=Role.MEDIATOR).order_by("pk").first()
    session = Session.objects.filter(module=module).order_by("-date").first()
    people = Resident.objects.bulk_create(
        Resident(
            reference=Resident.new_reference(),
            first_name="Éloïse",
            last_name=f"Bench-Garçon {n}",
            created_by_actor=actor,
        )
        for n in range(count)
    )
    day = session.date if session else timezone.localdate()
    if session:
        Participation.objects.bulk_create(
            Participation(
                session=session, resident=r, date=day, pole=session.pole, actor=session.actor
            )
            for r in people
        )
    CompetenceAssessment.objects.bulk_create(
        CompetenceAssessment(
            resident=r,
            competence_id=target.competence_id,
            level=target.target_level,
            assessed_on=day,
            assessed_by=mediator,
        )
        for r in people
        for target in module.targets.all()
    )
    return people


@group("certificates")
def certificates(bench):
    """One signed certificate (record, credential and its proof, PDF with the credential
    attached, PAdES signature, file), 1,000 in one bulk issue, the public check page, and a
    PDF file check."""
    from django.db import transaction
    from django.test import Client
    from django.test.utils import override_settings

    from certificates import signing
    from certificates.services import (
        certificate_check_pdf,
        certificate_issue,
        certificate_issue_many,
    )
    from pathway.models import Module

    figures = {}
    with (
        tempfile.TemporaryDirectory() as folder,
        override_settings(
            ISSUER_KEYS_DIR=Path(folder) / "keys",
            MEDIA_ROOT=Path(folder) / "media",
            VERIFY_RATE_LIMIT=10**9,
        ),
        bench.database(sessions=1_000),
        transaction.atomic(),
    ):
        if not (Path(folder) / "keys" / "current").exists():
            signing.create_key_set()
        module = max(Module.objects.prefetch_related("targets"), key=lambda m: m.targets.count())
        people = residents_who_earned(module, SINGLE + 5 + BULK)

        samples = []
        issued = []
        for n, resident in enumerate(people[: SINGLE + 5]):
            started = time.perf_counter()
            issued.append(certificate_issue(resident=resident, module=module))
            if n >= 5:  # the first ones load fonts, keys and contexts
                samples.append((time.perf_counter() - started) * 1000)
        p50, p95 = percentiles(samples)
        figures["certificate_issue_ms_p50"] = p50
        figures["certificate_issue_ms_p95"] = p95
        figures["certificate_competences"] = module.targets.count()
        sizes = [c.pdf.size for c in issued]
        figures["certificate_pdf_kb"] = round(statistics.median(sizes) / 1024, 1)

        started = time.perf_counter()
        bulk = certificate_issue_many(pairs=[(r, module) for r in people[SINGLE + 5 :]])
        figures["certificate_bulk_1000_s"] = round(time.perf_counter() - started, 1)
        assert len(bulk) == BULK

        client = Client()
        codes = [c.code for c in issued]
        assert client.get(f"/verify/{codes[0]}/").status_code == 200
        cycle = iter(codes * 3)  # a different certificate each time
        p50, p95 = bench.time_ms(lambda: client.get(f"/verify/{next(cycle)}/"), repeat=SINGLE * 2)
        figures["verify_page_ms_p50"] = p50
        figures["verify_page_ms_p95"] = p95
        figures["verify_page_queries"] = bench.count_queries(
            lambda: client.get(f"/verify/{codes[1]}/")
        )
        with issued[0].pdf.open("rb") as handle:
            data = handle.read()
        assert certificate_check_pdf(data=data).authentic
        p50, _p95 = bench.time_ms(lambda: certificate_check_pdf(data=data), repeat=10)
        figures["pdf_check_ms_p50"] = p50
        transaction.set_rollback(True)
    return figures
