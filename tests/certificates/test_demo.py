"""The demo town shows what issue 19 added: partners' endorsements, Pix results, places
that run the Pix certification; and resetting it deletes them first."""

import io

import pytest
from django.core.management import call_command

from certificates.models import Endorsement, LearnerRecord, PixResult
from certificates.services import learner_record_issue
from pathway.models import ChoiceListField, NationalProgramme, Place

pytestmark = pytest.mark.django_db


def seed(*args):
    call_command("seed_demo", *args, stdout=io.StringIO())


def test_the_demo_town_has_endorsements_pix_results_and_pix_places():
    seed("--residents", "300", "--sessions", "1200")
    assert Endorsement.objects.count() == 2
    assert {e.endorser.name for e in Endorsement.objects.select_related("endorser")} == {
        "Mission locale Ouest Provence",
        "France Travail Miramas",
    }
    assert PixResult.objects.exists()
    assert all(r.levels.count() == 16 for r in PixResult.objects.all()[:5])
    assert Place.objects.filter(
        ChoiceListField.has("national_programmes", NationalProgramme.PIX)
    ).exists()
    learner_record_issue(resident=PixResult.objects.first().resident)
    before = set(Endorsement.objects.values_list("pk", flat=True))
    seed("--residents", "50", "--sessions", "100", "--reset")
    # The old records, endorsements and results are gone (not left pointing at nothing),
    # and the new town has its own two endorsements.
    assert not LearnerRecord.objects.exists()
    assert Endorsement.objects.count() == 2
    assert not before & set(Endorsement.objects.values_list("pk", flat=True))
