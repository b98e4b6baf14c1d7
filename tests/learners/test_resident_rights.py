"""A resident's rights over their data: access and portability (export)."""

import io
import json

import pytest
from pypdf import PdfReader

from learners.models import AccessLog
from stats.demo.factories import (
    CertificateFactory,
    CompetenceAssessmentFactory,
    ParticipationFactory,
    ReferralFactory,
    SessionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(cast):
    resident = cast.resident
    resident.phone = "06 12 34 56 78"
    resident.save()
    session = SessionFactory(actor=cast.actor_a, created_by=cast.mediator_a)
    session.topics.add(TopicFactory(name="Allocations CAF"))
    ParticipationFactory(session=session, resident=resident, autonomy=1)
    CompetenceAssessmentFactory(resident=resident, level=3)
    ReferralFactory(resident=resident, to_actor=cast.actor_b)
    CertificateFactory(resident=resident, module__name="Premiers pas sur ordinateur")
    return resident


def test_the_export_holds_everything_kept_about_the_resident(cast, history):
    response = cast.client("mediator_a").get(f"/residents/{history.reference}/export.json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["resident"]["last_name"] == "Garnier"
    assert data["resident"]["phone"] == "06 12 34 56 78"
    assert data["sessions"][0]["topics"] == ["Allocations CAF"]
    assert data["sessions"][0]["autonomy"] == "Fait pour la personne"
    assert data["competences"][0]["code"] == "1.1" and data["competences"][0]["level"] == 3
    assert data["referrals"][0]["to"] == "Médiathèque de Miramas"
    assert data["certificates"][0]["module"] == "Premiers pas sur ordinateur"


def test_the_pdf_export_is_readable_french(cast, history):
    response = cast.client("mediator_a").get(f"/residents/{history.reference}/export.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Éloïse" in text and "Garnier" in text
    assert "Allocations CAF" in text
    assert "Premiers pas sur ordinateur" in text


def test_an_export_is_written_in_the_journal(cast, history):
    cast.client("mediator_a").get(f"/residents/{history.reference}/export.json")
    assert AccessLog.objects.filter(
        resident=history, action="export", user=cast.mediator_a
    ).exists()


def test_another_actor_cannot_export_a_resident_who_did_not_consent(cast, history):
    response = cast.client("mediator_b").get(f"/residents/{history.reference}/export.json")
    assert response.status_code == 404


def test_only_json_and_pdf_are_offered(cast, history):
    assert (
        cast.client("mediator_a").get(f"/residents/{history.reference}/export.xml").status_code
        == 404
    )
