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
                session=session,
                resident=r,
                date=day,
                pole=session.pole,
                actor=session.actor,
                created_by_id=session.created_by_id,
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


RECORD_CERTIFICATES = 5
PIX_ROWS = 10_000


def resident_with_certificates(modules):
    """A new resident who earned every one of `modules`, their certificates issued."""
    from django.utils import timezone

    from certificates.services import certificate_issue_many
    from learners.models import CompetenceAssessment, Resident, User
    from pathway.models import Actor

    actor = Actor.objects.filter(signatories__is_default=True).order_by("pk").first()
    mediator = User.objects.filter(role="mediator").order_by("pk").first()
    resident = Resident(first_name="Éloïse", last_name="Bench-Passeport", created_by_actor=actor)
    resident.save()
    CompetenceAssessment.objects.bulk_create(
        CompetenceAssessment(
            resident=resident,
            competence_id=target.competence_id,
            level=target.target_level,
            assessed_on=timezone.localdate(),
            assessed_by=mediator,
        )
        for module in modules
        for target in module.targets.all()
    )
    certificate_issue_many(pairs=[(resident, module) for module in modules])
    return resident


def pix_file(residents):
    """A Pix Orga results file as Pix writes it (BOM, ";", quotes), one line a resident."""
    from certificates.pix import words
    from pathway.models import Competence

    competences = list(Competence.objects.order_by("code"))
    headers = [
        "Nom de l'organisation", "ID Campagne", "Code", "Nom de la campagne",
        "Nom du Participant", "Prénom du Participant", "Référence Parcours", "Envoi (O/N)",
        "Date de l'envoi", "Nombre de pix total", "Certifiable (O/N)",
        "Nombre de compétences certifiables",
    ]  # fmt: skip
    for competence in competences:
        headers += [
            f"Niveau pour la compétence {competence.name_fr}",
            f"Nombre de pix pour la compétence {competence.name_fr}",
        ]
    assert all(words(h) for h in headers)
    lines = [headers]
    for n, resident in enumerate(residents):
        levels = [(n + i) % 6 for i in range(len(competences))]
        line = [
            "Mission locale", "4242", "BENCH2026", "Bench", resident.last_name,
            resident.first_name, resident.reference, "Oui", "2026-11-03",
            str(sum(levels) * 8), "Oui", "5",
        ]  # fmt: skip
        for level in levels:
            line += [str(level), str(level * 8)]
        lines.append(line)
    text = "\n".join(";".join(f'"{cell}"' for cell in line) for line in lines)
    return ("\ufeff" + text + "\n").encode("utf-8")


@group("learner_record")
def learner_record(bench):
    """The learner record of a resident with five certificates (CLR 2.0 credential with its
    proof, PDF with the credential attached, PAdES signature, file), a baked badge image
    through its public URL, and the import of a Pix Orga file of 10,000 lines."""
    from django.db import transaction
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from certificates import signing
    from certificates.pix import pix_import
    from certificates.services import make_learner_record, record_contents
    from learners.models import Resident, User
    from pathway.models import Actor, Module

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
        modules = [
            m for m in Module.objects.prefetch_related("targets").order_by("pk") if m.targets.all()
        ][:RECORD_CERTIFICATES]
        assert len(modules) == RECORD_CERTIFICATES
        resident = resident_with_certificates(modules)
        certificates, endorsements = record_contents(resident, today=timezone.localdate())
        assert len(certificates) == RECORD_CERTIFICATES
        runs = iter(range(10**6))
        # A new record each time (make_learner_record, not the service that reuses one).
        p50, p95 = bench.time_ms(
            lambda: make_learner_record(
                resident,
                certificates,
                endorsements,
                contents_key=f"bench-{next(runs)}",
                now=timezone.now(),
            ),
            repeat=20,
        )
        figures["learner_record_ms_p50"] = p50
        figures["learner_record_ms_p95"] = p95
        # The CPU time of this process alone (the database's too on SQLite): what other work
        # on the machine moves less.
        figures["learner_record_cpu_ms_p50"], figures["learner_record_cpu_ms_p95"] = bench.cpu_ms
        record = resident.learner_records.order_by("-pk").first()
        figures["learner_record_pdf_kb"] = round(record.pdf.size / 1024, 1)

        client = Client()
        code = certificates[0].code
        assert client.get(f"/verify/{code}/badge.png").status_code == 200
        p50, p95 = bench.time_ms(lambda: client.get(f"/verify/{code}/badge.png"), repeat=40)
        figures["baked_badge_ms_p50"] = p50
        figures["baked_badge_ms_p95"] = p95
        p50, _p95 = bench.time_ms(lambda: client.get(f"/verify/{code}/badge.svg"), repeat=40)
        figures["baked_badge_svg_ms_p50"] = p50

        actor = Actor.objects.order_by("pk").first()
        people = Resident.objects.bulk_create(
            Resident(first_name="Pix", last_name=f"Bench {n}", created_by_actor=actor).prepare()
            for n in range(PIX_ROWS)
        )
        data = pix_file(people)
        admin = User.objects.filter(role="network_admin").order_by("pk").first()
        started = time.perf_counter()
        report = pix_import(source=data, file_name="pix.csv", user=admin, dry_run=True)
        figures["pix_import_check_rows_per_s"] = round(PIX_ROWS / (time.perf_counter() - started))
        assert not report.errors, report.errors[:3]
        started = time.perf_counter()
        report = pix_import(source=data, file_name="pix.csv", user=admin, dry_run=False)
        figures["pix_import_rows_per_s"] = round(PIX_ROWS / (time.perf_counter() - started))
        assert report.imported and report.count("new") == PIX_ROWS
        started = time.perf_counter()
        again = pix_import(source=data, file_name="pix.csv", user=admin, dry_run=False)
        figures["pix_import_again_rows_per_s"] = round(PIX_ROWS / (time.perf_counter() - started))
        assert again.count("unchanged") == PIX_ROWS
        transaction.set_rollback(True)
    return figures
