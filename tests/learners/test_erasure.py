"""Erasure (on request, or after inactivity), consent withdrawal, and journal retention."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from certificates.models import Certificate
from learners.models import AccessLog, Participation, Referral, Resident, ResidentLink
from learners.services import resident_erase, residents_anonymize_inactive
from stats.demo.factories import (
    CertificateFactory,
    ParticipationFactory,
    ReferralFactory,
    ResidentFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)


@pytest.fixture
def followed(cast):
    resident = cast.resident
    resident.phone, resident.email = "06 11 22 33 44", "eloise@example.fr"
    resident.save()
    alone = SessionFactory(
        actor=cast.actor_a,
        created_by=cast.mediator_a,
        notes="Éloïse a perdu son mot de passe Ameli",
        participant_count=1,
    )
    ParticipationFactory(session=alone, resident=resident)
    workshop = SessionFactory(
        actor=cast.actor_a,
        created_by=cast.mediator_a,
        collective=True,
        notes="Atelier très calme",
        participant_count=2,
    )
    ParticipationFactory(session=workshop, resident=resident)
    ParticipationFactory(session=workshop)
    ReferralFactory(resident=resident, to_actor=cast.actor_b, reason="Mme Garnier veut un CV")
    return resident


def test_a_mediator_erases_a_resident_on_request(cast, followed):
    client = cast.client("mediator_a")
    refused = client.post(f"/residents/{followed.reference}/erase/", {"certificates": "keep"})
    assert "Cochez la case" in refused.content.decode()
    assert Resident.objects.get(pk=followed.pk).erased_at is None

    client.post(
        f"/residents/{followed.reference}/erase/", {"certificates": "keep", "confirm": "on"}
    )

    erased = Resident.objects.get(pk=followed.pk)
    assert erased.erased_at and not (erased.first_name or erased.last_name)
    assert not (erased.phone or erased.email or erased.search_last or erased.sharing_consent)
    assert str(erased.display_name) == "Personne anonymisée"
    # Statistics keep their rows; free text about the person is gone.
    assert Participation.objects.filter(resident=erased).count() == 2
    assert erased.birth_year == followed.birth_year
    notes = set(
        Participation.objects.filter(resident=erased).values_list("session__notes", flat=True)
    )
    assert notes == {"", "Atelier très calme"}
    assert Referral.objects.get(resident=erased).reason == "—"
    assert not ResidentLink.objects.filter(resident=erased).exists()
    assert AccessLog.objects.filter(resident=erased, action="erase", user=cast.mediator_a).exists()
    # Nobody finds the name any more.
    assert client.get("/residents/", {"q": "Garnier"}).context["residents"] == []


def test_certificates_stay_verifiable_without_the_name_or_are_revoked(
    cast, followed, django_capture_on_commit_callbacks
):
    kept = CertificateFactory(resident=followed, module__name="Module A")
    kept.pdf.save("a.pdf", ContentFile(b"%PDF-1.7 Garnier"))
    path = Path(kept.pdf.path)
    with django_capture_on_commit_callbacks(execute=True):
        resident_erase(resident=followed)
    kept.refresh_from_db()
    assert not kept.pdf and kept.revoked_at is None
    assert not path.exists()  # the stored PDF named the person
    page = cast.client("anonymous").get(f"/verify/{kept.code}/").content.decode()
    assert "Personne anonymisée" in page and "Garnier" not in page

    other = ResidentFactory(created_by_actor=cast.actor_a)
    revoked = CertificateFactory(resident=other)
    resident_erase(resident=other, revoke_certificates=True)
    revoked.refresh_from_db()
    assert revoked.revoked_at is not None
    assert Certificate.objects.get(pk=revoked.pk).status().value == "revoked"


def test_records_merged_into_an_erased_one_are_erased_too(cast, followed):
    duplicate = ResidentFactory(
        first_name="Eloise",
        last_name="Garnier",
        merged_into=followed,
        created_by_actor=cast.actor_a,
    )
    resident_erase(resident=followed)
    duplicate.refresh_from_db()
    assert duplicate.erased_at and duplicate.last_name == ""


def test_a_resident_erases_their_own_data_and_their_space_closes(cast, followed):
    client = cast.client("resident")
    response = client.post("/me/data/erase/", {"certificates": "keep", "confirm": "on"})
    assert "Vos données sont effacées" in response.content.decode()
    assert Resident.objects.get(pk=followed.pk).erased_at
    assert AccessLog.objects.filter(resident=followed, action="erase", user=None).exists()
    assert client.get("/me/").status_code == 302


def test_a_resident_downloads_their_data(cast, followed):
    response = cast.client("resident").get("/me/data/export.json")
    assert response.json()["resident"]["email"] == "eloise@example.fr"


def test_withdrawing_consent_takes_effect_at_once(cast, followed):
    followed.give_consent()
    followed.save()
    assert cast.client("mediator_b").get(f"/residents/{followed.reference}/").status_code == 200

    cast.client("resident").post("/me/data/", {"consent": ""})

    assert cast.client("mediator_b").get(f"/residents/{followed.reference}/").status_code == 404
    assert cast.client("mediator_a").get(f"/residents/{followed.reference}/").status_code == 200
    assert AccessLog.objects.filter(resident=followed, action="consent").exists()
    # The resident may give it again, having read the text.
    page = cast.client("resident").get("/me/data/").content.decode()
    assert "que les médiateurs des autres structures du réseau" in page


class TestRetention:
    def test_inactive_residents_are_anonymised_active_ones_kept(self, settings, cast):
        settings.RESIDENT_INACTIVITY_DAYS = 3 * 365
        old = timezone.make_aware(datetime.datetime(2022, 1, 10, 10))
        gone = ResidentFactory(
            created_by_actor=cast.actor_a, created_at=old, last_session_on=datetime.date(2023, 6, 1)
        )
        never_came = ResidentFactory(created_by_actor=cast.actor_a, created_at=old)
        still_here = ResidentFactory(
            created_by_actor=cast.actor_a, created_at=old, last_session_on=datetime.date(2025, 3, 1)
        )
        new = ResidentFactory(created_by_actor=cast.actor_a)

        assert residents_anonymize_inactive(today=TODAY) == 2

        states = {r.pk: r.erased_at is not None for r in Resident.objects.all()}
        assert states[gone.pk] and states[never_came.pk]
        assert not states[still_here.pk] and not states[new.pk]

    def test_the_command_purges_old_journal_rows(self, settings, cast):
        settings.JOURNAL_RETENTION_DAYS = 365
        old = AccessLog.objects.create(
            user=cast.mediator_a,
            resident=cast.resident,
            action="view_record",
            at=timezone.now() - datetime.timedelta(days=400),
        )
        recent = AccessLog.objects.create(
            user=cast.mediator_a, resident=cast.resident, action="view_record"
        )
        call_command("anonymize_inactive", stdout=StringIO())
        remaining = set(AccessLog.objects.values_list("pk", flat=True))
        assert recent.pk in remaining and old.pk not in remaining
