"""Residents, referrals and competence assessments through the API: scoped like the
pages, written through the same services, journaled."""

import datetime

import pytest
from django.utils import timezone

from learners.models import AccessLog, CompetenceAssessment, Referral, Resident
from stats.demo.factories import (
    CompetenceAssessmentFactory,
    ReferralFactory,
    ResidentFactory,
)
from tests.conftest import API_THROTTLE_QUERIES

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def send(client, method, url, data):
    return getattr(client, method)(url, data, content_type="application/json")


def test_the_list_shows_only_the_residents_one_may_see(cast):
    shared = ResidentFactory(created_by_actor=cast.actor_b, consented=True, last_name="Zola")
    ResidentFactory(created_by_actor=cast.actor_b, last_name="Hidden")
    response = cast.client("mediator_a").get("/api/v1/residents/")
    assert [r["reference"] for r in response.json()["results"]] == [
        cast.resident.reference,  # Garnier
        shared.reference,  # Zola
    ]
    assert cast.client("official").get("/api/v1/residents/").status_code == 404


def test_the_list_is_filtered(cast):
    seen = ResidentFactory(created_by_actor=cast.actor_a, last_name="Lefèvre")
    Resident.objects.filter(pk=seen.pk).update(last_session_on=YESTERDAY, first_pole="leisure")
    client = cast.client("mediator_a")

    def references(**params):
        return [r["reference"] for r in client.get("/api/v1/residents/", params).json()["results"]]

    assert references(q="lefe") == [seen.reference]
    assert references(first_pole="leisure") == [seen.reference]
    assert references(seen_after=YESTERDAY.isoformat()) == [seen.reference]
    assert references(actor=cast.actor_b.pk) == []


@pytest.mark.parametrize("residents", [1, 10])
def test_the_list_costs_the_same_queries(cast, residents, django_assert_num_queries):
    for _ in range(residents):
        ResidentFactory(created_by_actor=cast.actor_a)
    client = cast.client("mediator_a")
    # session, user, the user's actors, count, residents, the journal row naming them
    with django_assert_num_queries(6 + API_THROTTLE_QUERIES):
        response = client.get("/api/v1/residents/")
    assert response.json()["count"] == residents + 1


def test_reading_a_record_is_journaled(cast):
    response = cast.client("colleague_a").get(f"/api/v1/residents/{cast.resident.reference}/")
    assert response.status_code == 200
    assert response.json()["display_name"] == "Éloïse Garnier"
    entry = AccessLog.objects.get()
    assert (entry.user, entry.resident, entry.action) == (
        cast.colleague_a,
        cast.resident,
        "view_record",
    )
    # Actor B's mediator: the record does not exist for them, and nothing is journaled.
    response = cast.client("mediator_b").get(f"/api/v1/residents/{cast.resident.reference}/")
    assert response.status_code == 404
    assert AccessLog.objects.count() == 1


def test_a_resident_is_created_at_the_users_actor(cast):
    response = send(
        cast.client("mediator_a"),
        "post",
        "/api/v1/residents/",
        {"first_name": "Karim", "last_name": "Haddad", "birth_year": 1967, "consent": True},
    )
    assert response.status_code == 201, response.json()
    karim = Resident.objects.get(reference=response.json()["reference"])
    assert (karim.created_by_actor, karim.created_by, karim.sharing_consent) == (
        cast.actor_a,
        cast.mediator_a,
        True,
    )
    assert karim.consent_version == "2026-01"


def test_a_likely_duplicate_must_be_confirmed(cast):
    data = {"first_name": "Éloïse", "last_name": "GARNIER", "birth_year": cast.resident.birth_year}
    client = cast.client("mediator_a")
    response = send(client, "post", "/api/v1/residents/", data)
    assert response.status_code == 400
    assert cast.resident.reference in response.json()["errors"]["confirm_new"][0]
    assert Resident.objects.count() == 1
    response = send(client, "post", "/api/v1/residents/", {**data, "confirm_new": True})
    assert response.status_code == 201
    assert Resident.objects.count() == 2


def test_a_resident_cannot_be_created_at_someone_elses_actor(cast):
    response = send(
        cast.client("mediator_a"),
        "post",
        "/api/v1/residents/",
        {"last_name": "Roux", "actor": cast.actor_b.pk},
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["actor"]
    assert not Resident.objects.filter(last_name="Roux").exists()


def test_updating_a_record_changes_consent_and_is_journaled(cast):
    client = cast.client("mediator_a")
    url = f"/api/v1/residents/{cast.resident.reference}/"
    response = send(client, "patch", url, {"consent": True, "phone": "06 12 34 56 78"})
    assert response.status_code == 200, response.json()
    cast.resident.refresh_from_db()
    assert cast.resident.sharing_consent and cast.resident.phone == "06 12 34 56 78"
    assert cast.resident.first_name == "Éloïse"  # untouched by a PATCH
    # PUT replaces everything: consent withdrawn, phone emptied.
    response = send(client, "put", url, {"first_name": "Éloïse", "last_name": "Garnier-Roux"})
    assert response.status_code == 200
    cast.resident.refresh_from_db()
    assert (cast.resident.last_name, cast.resident.sharing_consent, cast.resident.phone) == (
        "Garnier-Roux",
        False,
        "",
    )
    # Each request: the record changed, and its consent given, then withdrawn.
    assert sorted(AccessLog.objects.values_list("action", flat=True)) == [
        "consent",
        "consent",
        "edit_record",
        "edit_record",
    ]
    assert send(cast.client("mediator_b"), "patch", url, {"phone": ""}).status_code == 404


def test_a_referral_is_sent_and_answered(cast):
    response = send(
        cast.client("mediator_a"),
        "post",
        "/api/v1/referrals/",
        {
            "resident": cast.resident.reference,
            "to_actor": cast.actor_b.pk,
            "reason": "Atelier CV",
            "consent": True,
        },
    )
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert (referral.from_actor, referral.to_actor, referral.status) == (
        cast.actor_a,
        cast.actor_b,
        "sent",
    )
    assert response.json()["next_steps"] == ["closed"]  # the sender may only close it
    # Actor B now sees the resident (consent given) and answers.
    client_b = cast.client("mediator_b")
    response = send(
        client_b, "post", f"/api/v1/referrals/{referral.pk}/status/", {"status": "seen"}
    )
    assert response.status_code == 200, response.json()
    referral.refresh_from_db()
    assert referral.status == "seen" and referral.received_by == cast.mediator_b
    # A referral never goes back.
    response = send(
        client_b, "post", f"/api/v1/referrals/{referral.pk}/status/", {"status": "received"}
    )
    assert response.status_code == 400
    assert "ne peut pas revenir en arrière" in response.json()["errors"]["non_field_errors"][0]


def test_a_referral_without_consent_is_refused(cast):
    response = send(
        cast.client("mediator_a"),
        "post",
        "/api/v1/referrals/",
        {"resident": cast.resident.reference, "to_pole": "leisure", "reason": "Loisirs"},
    )
    assert response.status_code == 400
    assert "accepter le partage" in response.json()["errors"]["non_field_errors"][0]
    assert not Referral.objects.exists()


def test_referrals_list_is_scoped_and_filtered(cast, django_assert_num_queries):
    to_b = ReferralFactory(
        resident=cast.resident, from_actor=cast.actor_a, to_actor=cast.actor_b, status="closed"
    )
    to_pole = ReferralFactory(
        resident=cast.resident, from_actor=cast.actor_a, to_actor=None, to_pole="leisure"
    )
    client = cast.client("mediator_a")
    # session, user, the user's actors, count, referrals with their residents, the journal
    # row
    with django_assert_num_queries(6 + API_THROTTLE_QUERIES):
        response = client.get("/api/v1/referrals/")
    assert {r["id"] for r in response.json()["results"]} == {to_b.pk, to_pole.pk}
    response = client.get("/api/v1/referrals/", {"status": "closed"})
    assert [r["id"] for r in response.json()["results"]] == [to_b.pk]
    # B does not see A's resident who did not consent.
    assert cast.client("mediator_b").get("/api/v1/referrals/").json()["results"] == []


def test_an_assessment_is_recorded(cast):
    response = send(
        cast.client("mediator_a"),
        "post",
        "/api/v1/assessments/",
        {"resident": cast.resident.reference, "competence": "4.2", "level": 3},
    )
    assert response.status_code == 201, response.json()
    assessment = CompetenceAssessment.objects.get()
    assert (assessment.competence.code, assessment.level, assessment.assessed_by) == (
        "4.2",
        3,
        cast.mediator_a,
    )
    assert assessment.assessed_on == timezone.localdate()
    response = send(
        cast.client("mediator_a"),
        "post",
        "/api/v1/assessments/",
        {"resident": cast.resident.reference, "competence": "9.9", "level": 9},
    )
    assert response.status_code == 400
    # Every problem at once, as the import reports them (the API stopped at the level).
    assert response.json()["errors"] == {
        "competence": ["Compétence inconnue « 9.9 » (un code CRCN, par exemple 4.2)."],
        "level": ["Un niveau de compétence va de 1 à 8."],
    }
    assert CompetenceAssessment.objects.count() == 1


@pytest.mark.parametrize("assessments", [1, 8])
def test_assessments_list_costs_the_same_queries(cast, assessments, django_assert_num_queries):
    for _ in range(assessments):
        CompetenceAssessmentFactory(resident=cast.resident, assessed_by=cast.mediator_a)
    CompetenceAssessmentFactory(resident=ResidentFactory(created_by_actor=cast.actor_b))
    client = cast.client("mediator_a")
    # session, user, the user's actors, count, assessments with residents and competences,
    # the journal row
    with django_assert_num_queries(6 + API_THROTTLE_QUERIES):
        response = client.get("/api/v1/assessments/", {"competence": "1.1"})
    assert response.json()["count"] == assessments
    assert response.json()["results"][0]["resident"] == cast.resident.reference
