"""Certificates through the API: issued by the same service as the mediators' page, the
signed PDF served as stored, the verifiable credential, scoped to the residents one
follows."""

import hashlib

import pytest

from certificates.models import Certificate
from certificates.services import certificate_issue
from learners.models import ApiToken, TokenScope
from stats.demo.factories import ResidentFactory, completed_module
from tests.conftest import API_THROTTLE_QUERIES

pytestmark = pytest.mark.django_db


def issue(client, data, **headers):
    return client.post(
        "/api/v1/certificates/", data, content_type="application/json", headers=headers
    )


def test_a_mediator_issues_a_certificate_and_downloads_it(cast):
    module = completed_module(cast.resident, mediator=cast.mediator_a, targets={"4.1": 2})
    client = cast.client("mediator_a")
    response = issue(client, {"resident": cast.resident.reference, "module": module.pk})

    assert response.status_code == 201, response.json()
    certificate = Certificate.objects.get()
    body = response.json()
    assert (body["code"], body["status"], body["holder"]) == (
        certificate.code,
        "valid",
        "Éloïse Garnier",
    )
    assert body["competences"] == [{"competence": "4.1", "digcomp": "4.1", "level": 2}]
    assert certificate.issued_by == cast.mediator_a

    pdf = client.get(f"/api/v1/certificates/{certificate.code}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == certificate.pdf_sha256  # as stored
    credential = client.get(f"/api/v1/certificates/{certificate.code}/credential/").json()
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential == certificate.credential


def test_a_certificate_not_yet_earned_is_refused_in_french(cast):
    module = completed_module(
        cast.resident, mediator=cast.mediator_a, targets={"4.1": 3}, levels={"4.1": 1}
    )
    response = issue(
        cast.client("mediator_a"), {"resident": cast.resident.reference, "module": module.pk}
    )
    assert response.status_code == 400
    [message] = response.json()["errors"]["non_field_errors"]
    assert message.startswith("Éloïse Garnier n'a pas encore toutes les compétences du module")
    assert not Certificate.objects.exists()


def test_certificates_of_residents_one_does_not_follow_do_not_exist(cast):
    module = completed_module(cast.resident, mediator=cast.mediator_a)
    certificate = certificate_issue(resident=cast.resident, module=module)
    client = cast.client("mediator_b")
    assert client.get("/api/v1/certificates/").json()["results"] == []
    for suffix in ["", "pdf/", "credential/"]:
        assert client.get(f"/api/v1/certificates/{certificate.code}/{suffix}").status_code == 404
    response = issue(client, {"resident": cast.resident.reference, "module": module.pk})
    assert response.json()["errors"] == {
        "resident": ["Aucune fiche accessible n'a cette référence."]
    }


def test_a_read_only_key_lists_but_does_not_issue(cast):
    module = completed_module(cast.resident, mediator=cast.mediator_a)
    _token, key = ApiToken.issue(
        user=cast.mediator_a, name="lecture", scope=TokenScope.READ, created_by=None
    )
    client = cast.client("anonymous")
    auth = {"Authorization": f"Bearer {key}"}
    response = issue(client, {"resident": cast.resident.reference, "module": module.pk}, **auth)
    assert response.status_code == 403
    assert client.get("/api/v1/certificates/", headers=auth).status_code == 200


@pytest.mark.parametrize("count", [1, 3])
def test_the_list_costs_the_same_queries(cast, count, django_assert_num_queries):
    for _ in range(count):
        resident = ResidentFactory(created_by_actor=cast.actor_a)
        certificate_issue(
            resident=resident, module=completed_module(resident, mediator=cast.mediator_a)
        )
    client = cast.client("mediator_a")
    # session, user, the user's actors, count, certificates with residents, modules and
    # actors, their competences, the journal row
    with django_assert_num_queries(7 + API_THROTTLE_QUERIES):
        response = client.get("/api/v1/certificates/")
    assert response.json()["count"] == count
    response = client.get("/api/v1/certificates/", {"revoked": "true"})
    assert response.json()["count"] == 0
