"""The mediators' pages: who earned what, issuing one or a whole workshop group, the list,
a certificate's page and its revocation by the network admin."""

import html
import re

import pytest

from certificates.models import Certificate
from certificates.services import certificate_issue
from learners.models import AccessLog, SessionFormat
from stats.demo.factories import ResidentFactory, SignatoryFactory, completed_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(cast):
    """Three residents of actor A who attended the same workshop sessions of one module:
    two reached every target, one did not."""
    first = completed_module(cast.resident, targets={"1.1": 2, "3.1": 1}, mediator=cast.mediator_a)
    session = first.sessions.order_by("-date").first()
    others = []
    for name, levels in [("Bernard", {"1.1": 2, "3.1": 1}), ("Chloé", {"1.1": 1, "3.1": 1})]:
        resident = ResidentFactory(first_name=name, last_name="Test", created_by_actor=cast.actor_a)
        from pathway.models import Competence
        from stats.demo.factories import CompetenceAssessmentFactory, ParticipationFactory

        for s in first.sessions.all():
            ParticipationFactory(session=s, resident=resident)
        for code, level in levels.items():
            CompetenceAssessmentFactory(
                resident=resident,
                competence=Competence.objects.get(code=code),
                level=level,
                assessed_by=cast.mediator_a,
                session=session,
            )
        others.append(resident)
    return first, session, others


def test_the_eligible_list_shows_who_earned_a_module_and_not_the_others(cast, group):
    module, session, (bernard, chloe) = group
    page = cast.client("mediator_a").get("/certificates/eligible/").content.decode()
    assert "Éloïse Garnier" in page and "Bernard Test" in page
    assert "Chloé Test" not in page  # 1.1 at level 1 of 2
    assert f'value="{bernard.pk}:{module.pk}"' in page
    # Another actor's mediator does not see residents who did not consent to sharing.
    other = cast.client("mediator_b").get("/certificates/eligible/").content.decode()
    assert "Éloïse Garnier" not in other and "Bernard Test" not in other


def test_the_eligible_list_has_a_constant_number_of_queries(cast, group, django_assert_num_queries):
    client = cast.client("mediator_a")
    client.get("/certificates/eligible/")
    # session, user, actor ids, recent workshop groups (filter), target counts of modules,
    # count of rows, the page's rows, its residents, its modules, the journal row,
    # signatories (issue form), modules with targets (filter)
    with django_assert_num_queries(13):  # with the new referrals' count
        client.get("/certificates/eligible/")
    for n in range(5):
        resident = ResidentFactory(created_by_actor=cast.actor_a, last_name=f"Autre{n}")
        completed_module(resident, targets={"1.1": 2}, mediator=cast.mediator_a)
    with django_assert_num_queries(13):  # with the new referrals' count
        response = client.get("/certificates/eligible/")
    # The first module for its two residents, and each new module ("1.1" at level 2) for
    # all seven who reached it.
    assert response.content.decode().count('name="pairs"') == 2 + 5 * 7


def test_a_mediator_issues_to_a_whole_workshop_group(cast, group):
    module, session, (bernard, chloe) = group
    client = cast.client("mediator_a")
    page = client.get(f"/certificates/eligible/?session={session.pk}").content.decode()
    assert "Groupe du" in page and "Bernard Test" in page
    signatory = cast.actor_a.signatories.get()
    response = client.post(
        "/certificates/issue/",
        {
            "pairs": [f"{cast.resident.pk}:{module.pk}", f"{bernard.pk}:{module.pk}"],
            "signatory": signatory.pk,
            "language": "fr",
            "next": f"/certificates/eligible/?session={session.pk}",
            "confirmed": "yes",
        },
        follow=True,
    )
    assert "2 attestations délivrées et signées." in response.content.decode()
    assert set(Certificate.objects.values_list("resident__first_name", flat=True)) == {
        "Éloïse",
        "Bernard",
    }
    assert all(c.pdf_sha256 and c.issued_by == cast.mediator_a for c in Certificate.objects.all())
    # Nobody is left waiting in that group.
    page = client.get(f"/certificates/eligible/?session={session.pk}").content.decode()
    assert "Personne n&#x27;attend" in page or "Personne n'attend" in page


def test_nobody_is_ticked_and_nothing_is_signed_before_a_confirmation(cast, group):
    module, session, (bernard, chloe) = group
    client = cast.client("mediator_a")
    page = client.get(f"/certificates/eligible/?session={session.pk}").content.decode()
    boxes = re.findall(r'<input type="checkbox" name="pairs"[^>]*>', page)
    assert len(boxes) == 2 and not any("checked" in box for box in boxes)

    signatory = cast.actor_a.signatories.get()
    asked = {
        "pairs": [f"{cast.resident.pk}:{module.pk}", f"{bernard.pk}:{module.pk}"],
        "signatory": signatory.pk,
        "language": "en",
        "next": f"/certificates/eligible/?session={session.pk}",
    }
    response = client.post("/certificates/issue/", asked)
    # The step before signing names who gets what, signed by whom, in which language.
    assert response.status_code == 200
    page = response.content.decode()
    assert "Délivrer ces 2 attestations ?" in page
    assert "Éloïse Garnier" in page and "Bernard Test" in page and module.name in page
    assert signatory.name in page and "Anglais" in page
    assert "Signer et délivrer les 2 attestations" in page
    assert not Certificate.objects.exists()
    # Reading the names is journaled like the list.
    entry = AccessLog.objects.latest("id")
    assert entry.user == cast.mediator_a and entry.path == "/certificates/issue/"
    assert set(entry.residents.split()) == {cast.resident.reference, bernard.reference}

    # Confirming posts the same choice back, and only then signs.
    confirmed = {
        name: re.findall(rf'name="{name}" value="([^"]*)"', page)
        for name in ("pairs", "signatory", "language", "expires_on", "next", "confirmed")
    }
    assert confirmed["pairs"] == asked["pairs"] and confirmed["confirmed"] == ["yes"]
    response = client.post(
        "/certificates/issue/",
        {name: [html.unescape(v) for v in values] for name, values in confirmed.items()},
    )
    assert response["Location"] == f"/certificates/eligible/?session={session.pk}"
    assert set(Certificate.objects.values_list("resident__first_name", "language")) == {
        ("Éloïse", "en"),
        ("Bernard", "en"),
    }


def test_one_row_button_issues_to_that_person_only(cast, group):
    module, session, (bernard, chloe) = group
    response = cast.client("mediator_a").post(
        "/certificates/issue/",
        {
            "pairs": [f"{cast.resident.pk}:{module.pk}", f"{bernard.pk}:{module.pk}"],
            "only": f"{bernard.pk}:{module.pk}",
            "signatory": cast.actor_a.signatories.get().pk,
            "language": "en",
            "confirmed": "yes",
        },
    )
    certificate = Certificate.objects.get()
    assert certificate.resident == bernard and certificate.language == "en"
    assert response["Location"] == f"/certificates/{certificate.code}/"


def test_issuing_to_someone_not_ready_says_why_and_issues_nothing(cast, group):
    module, session, (bernard, chloe) = group
    response = cast.client("mediator_a").post(
        "/certificates/issue/",
        {
            "pairs": [f"{bernard.pk}:{module.pk}", f"{chloe.pk}:{module.pk}"],
            "signatory": cast.actor_a.signatories.get().pk,
            "language": "fr",
            "confirmed": "yes",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Aucune attestation n&#x27;a été délivrée" in page
    assert "Chloé Test n&#x27;a pas encore toutes les compétences" in page
    assert "1.1 niveau 1 sur 2 visé" in page
    assert not Certificate.objects.exists()


def test_a_mediator_cannot_issue_with_another_actors_signatory(cast, group):
    module, _session, _others = group
    theirs = SignatoryFactory(actor=cast.actor_b)
    response = cast.client("mediator_a").post(
        "/certificates/issue/",
        {"pairs": [f"{cast.resident.pk}:{module.pk}"], "signatory": theirs.pk, "language": "fr"},
        follow=True,
    )
    assert "Choisissez un signataire de votre structure" in response.content.decode()
    assert not Certificate.objects.exists()


def test_issuing_to_a_resident_one_does_not_follow_is_not_found(cast, group):
    module, _session, _others = group
    mediator_b_signatory = SignatoryFactory(actor=cast.actor_b)
    response = cast.client("mediator_b").post(
        "/certificates/issue/",
        {
            "pairs": [f"{cast.resident.pk}:{module.pk}"],
            "signatory": mediator_b_signatory.pk,
            "language": "fr",
        },
    )
    assert response.status_code == 404
    assert not Certificate.objects.exists()


def test_garbled_pairs_get_a_clear_message(cast):
    SignatoryFactory(actor=cast.actor_a)
    response = cast.client("mediator_a").post(
        "/certificates/issue/",
        {"pairs": ["1;2"], "signatory": cast.actor_a.signatories.get().pk, "language": "fr"},
        follow=True,
    )
    assert "La liste des personnes est illisible" in response.content.decode()


# The list and a certificate's page ------------------------------------------------------------


@pytest.fixture
def issued(cast):
    module = completed_module(cast.resident, mediator=cast.mediator_a)
    return certificate_issue(resident=cast.resident, module=module, issued_by=cast.mediator_a)


def test_the_list_has_a_constant_number_of_queries(cast, issued, django_assert_num_queries):
    client = cast.client("colleague_a")
    client.get("/certificates/")
    # session, user, actor ids, count, page of certificates with resident, module, actor,
    # the journal row, the count of new referrals (navigation)
    with django_assert_num_queries(7):
        response = client.get("/certificates/")
    assert issued.code in response.content.decode()
    for _n in range(3):
        resident = ResidentFactory(created_by_actor=cast.actor_a)
        module = completed_module(resident, mediator=cast.mediator_a)
        certificate_issue(resident=resident, module=module)
    with django_assert_num_queries(7):
        response = client.get("/certificates/")
    assert response.content.decode().count("/certificates/MRM-") == 4


def test_the_list_finds_by_name_or_typed_code(cast, issued):
    client = cast.client("mediator_a")
    assert issued.code in client.get("/certificates/", {"q": "garnier"}).content.decode()
    typed = issued.code.lower().replace("-", "")
    assert issued.code in client.get("/certificates/", {"q": typed}).content.decode()
    assert issued.code not in client.get("/certificates/", {"q": "personne"}).content.decode()


def test_another_actors_mediator_does_not_see_the_certificate(cast, issued):
    client = cast.client("mediator_b")
    assert issued.code not in client.get("/certificates/").content.decode()
    assert client.get(f"/certificates/{issued.code}/").status_code == 404
    assert client.get(f"/certificates/{issued.code}/pdf/").status_code == 404


def test_the_network_admin_revokes_with_a_reason(cast, issued):
    client = cast.client("network_admin")
    page = client.get(f"/certificates/{issued.code}/").content.decode()
    assert "Révoquer cette attestation" in page
    refused = client.post(f"/certificates/{issued.code}/revoke/", {"reason": ""}, follow=True)
    assert "Écrivez le motif de la révocation" in refused.content.decode()
    issued.refresh_from_db()
    assert issued.revoked_at is None
    response = client.post(
        f"/certificates/{issued.code}/revoke/", {"reason": "Erreur de module."}, follow=True
    )
    assert "est révoquée" in response.content.decode()
    issued.refresh_from_db()
    assert issued.revoked_at and issued.revocation_reason == "Erreur de module."
    again = client.post(f"/certificates/{issued.code}/revoke/", {"reason": "encore"}, follow=True)
    assert "déjà révoquée" in again.content.decode()


def test_only_the_network_admin_revokes(cast, issued):
    for role in ["mediator_a", "coordinator_a"]:
        client = cast.client(role)
        assert (
            "Révoquer cette attestation"
            not in client.get(f"/certificates/{issued.code}/").content.decode()
        )
        response = client.post(f"/certificates/{issued.code}/revoke/", {"reason": "non"})
        assert response.status_code == 404
    issued.refresh_from_db()
    assert issued.revoked_at is None


def test_the_workshop_groups_offered_are_the_users(cast, group):
    module, session, _others = group
    assert session.format == SessionFormat.COLLECTIVE
    page = cast.client("mediator_b").get(f"/certificates/eligible/?session={session.pk}")
    assert "Groupe du" not in page.content.decode()


def test_mediators_see_the_residents_of_their_actors_not_the_whole_network(cast):
    shared = ResidentFactory(first_name="Damien", consented=True, created_by_actor=cast.actor_a)
    completed_module(shared, mediator=cast.mediator_a)
    assert "Damien" in cast.client("mediator_a").get("/certificates/eligible/").content.decode()
    assert "Damien" in cast.client("network_admin").get("/certificates/eligible/").content.decode()
    # Actor B may see the record (consent), but did not welcome or train Damien.
    assert "Damien" not in cast.client("mediator_b").get("/certificates/eligible/").content.decode()
