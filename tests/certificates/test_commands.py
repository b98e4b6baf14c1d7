"""create_issuer_keys, issue_certificates, and the demo town's certificates."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from certificates import signing
from certificates.models import Certificate
from certificates.services import certificate_check_pdf
from learners.models import Resident
from stats.demo.factories import ResidentFactory, completed_module

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_issuer_keys_makes_then_rotates(settings, tmp_path):
    settings.ISSUER_KEYS_DIR = tmp_path / "keys"
    first = run("create_issuer_keys")
    key_id = signing.current_key_id()
    assert f"Nouveau jeu de clés {key_id}" in first and "SHA-256" in first
    assert "rien n'a été créé" in run("create_issuer_keys", "--if-missing")
    assert signing.current_key_id() == key_id
    second = run("create_issuer_keys")
    assert signing.current_key_id() != key_id
    assert f"signées avec {key_id} restent vérifiables" in second
    assert len(signing.all_keys()) == 2


def test_create_issuer_keys_says_when_it_cannot_write(settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.ISSUER_KEYS_DIR = blocker / "keys"
    with pytest.raises(CommandError, match="Impossible d'écrire les clés"):
        run("create_issuer_keys")


def test_issue_certificates_issues_what_was_earned_once(cast):
    module = completed_module(cast.resident, mediator=cast.mediator_a)
    dry = run("issue_certificates", "--dry-run")
    assert cast.resident.reference in dry and "1 attestation(s) à délivrer" in dry
    assert not Certificate.objects.exists()
    out = run("issue_certificates", "--module", module.slug, "--by", "mediator_a")
    certificate = Certificate.objects.get()
    assert certificate.code in out and certificate.issued_by == cast.mediator_a
    assert "0 attestation(s) à délivrer" in run("issue_certificates")


def test_issue_certificates_refuses_clearly(cast):
    with pytest.raises(CommandError, match="Aucun membre actif"):
        run("issue_certificates", "--by", "nobody")
    with pytest.raises(CommandError, match="Aucun module"):
        run("issue_certificates", "--module", "nothing")
    with pytest.raises(CommandError, match="Habitants introuvables : HNOPE"):
        run("issue_certificates", "--resident", "HNOPE")


def test_issue_certificates_by_someone_only_covers_who_they_follow(cast):
    completed_module(cast.resident, mediator=cast.mediator_a)
    assert "0 attestation(s) à délivrer" in run("issue_certificates", "--by", "mediator_b")


def test_issue_certificates_is_all_or_nothing(cast):
    module = completed_module(cast.resident, mediator=cast.mediator_a)
    other = ResidentFactory(created_by_actor=cast.actor_b)
    completed_module(other, targets={"5.2": 1})
    other.created_by_actor.signatories.all().delete()
    with pytest.raises(CommandError, match="pas de signataire"):
        run("issue_certificates")
    assert not Certificate.objects.exists()
    run("issue_certificates", "--module", module.slug)
    assert Certificate.objects.count() == 1


def test_the_demo_town_has_real_certificates(settings, tmp_path):
    settings.ISSUER_KEYS_DIR = tmp_path / "demo-keys"  # seed_demo makes them when missing
    output = run("seed_demo", "--residents", "200", "--sessions", "800", "--certificates", "6")
    assert Certificate.objects.count() == 6
    nadia = Resident.objects.get(first_name="Nadia", last_name="Benhamou")
    certificate = nadia.certificates.get()
    assert f"/verify/{certificate.code}/" in output
    with certificate.pdf.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
    assert certificate_check_pdf(data=data).authentic
    assert nadia.achievement_on and nadia.leisure_on  # her journey went through every pole
    # Resetting the town deletes the files with the rows.
    run("seed_demo", "--residents", "50", "--sessions", "100", "--certificates", "1", "--reset")
    assert not certificate.pdf.storage.exists(certificate.pdf.name)
