"""The network admin's Django admin: issuing from the residents' list; certificates are read
only there."""

import pytest

from certificates.models import Certificate
from certificates.services import certificate_issue
from stats.demo.factories import ResidentFactory, completed_module

pytestmark = pytest.mark.django_db


def test_the_admin_action_issues_what_the_selected_residents_earned(cast):
    module = completed_module(cast.resident, mediator=cast.mediator_a)
    not_ready = ResidentFactory(created_by_actor=cast.actor_a)
    response = cast.client("network_admin").post(
        "/admin/learners/resident/",
        {
            "action": "issue_earned_certificates",
            "_selected_action": [cast.resident.pk, not_ready.pk],
        },
        follow=True,
    )
    assert "1 attestation délivrée." in response.content.decode()
    certificate = Certificate.objects.get()
    assert (certificate.resident, certificate.module) == (cast.resident, module)
    assert certificate.issued_by == cast.network_admin
    again = cast.client("network_admin").post(
        "/admin/learners/resident/",
        {"action": "issue_earned_certificates", "_selected_action": [cast.resident.pk]},
        follow=True,
    )
    assert (
        "Aucune de ces personnes n&#x27;a d&#x27;attestation à recevoir."
        in (again.content.decode())
        or "Aucune de ces personnes n'a d'attestation à recevoir." in again.content.decode()
    )


def test_a_signed_certificate_cannot_be_edited_in_the_admin(cast):
    module = completed_module(cast.resident, mediator=cast.mediator_a)
    certificate = certificate_issue(resident=cast.resident, module=module)
    client = cast.client("network_admin")
    url = f"/admin/certificates/certificate/{certificate.pk}/change/"
    page = client.get(url).content.decode()
    assert f"/certificates/{certificate.code}/" in page  # revoke from the application
    client.post(url, {"signatory_name": "Quelqu'un d'autre"})
    certificate.refresh_from_db()
    assert certificate.signatory_name == "Claire Martin"
    assert client.get("/admin/certificates/certificate/add/").status_code == 403
