"""Partners' endorsements: an Open Badges 3.0 EndorsementCredential whose issuer is the
partner, signed by the network on its behalf; shown on the check page, in its JSON, in the
credentials issued afterwards and in the learner record."""

import copy

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from certificates import credentials, signing
from certificates.models import Endorsement, Endorser, EndorserKind
from certificates.services import (
    certificate_issue,
    endorsement_issue,
    learner_record_issue,
)
from stats.demo.factories import ResidentFactory, completed_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def mission_locale():
    return Endorser.objects.create(
        name="Mission locale Ouest Provence",
        kind=EndorserKind.MISSION_LOCALE,
        slug="mission-locale-ouest-provence",
        website="https://www.example.org/mission-locale",
    )


@pytest.fixture
def module(cast):
    return completed_module(cast.resident, targets={"2.1": 3, "4.1": 2}, mediator=cast.mediator_a)


def key_of(document):
    return signing.load_key(document.key_id).credential_public


def test_an_endorsement_is_an_endorsement_credential_issued_by_the_partner(
    cast, mission_locale, module
):
    endorsement = endorsement_issue(
        endorser=mission_locale,
        module=module,
        comment="Ce module prépare bien aux démarches de recherche d'emploi.",
        issued_by=cast.network_admin,
    )
    credential = endorsement.credential
    assert credential["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert credential["issuer"] == {
        "id": "http://127.0.0.1:8000/issuer/endorsers/mission-locale-ouest-provence/",
        "type": ["Profile"],
        "name": "Mission locale Ouest Provence",
        "url": "https://www.example.org/mission-locale",
    }
    assert credential["credentialSubject"] == {
        "id": credentials.module_achievement_id(module),
        "type": ["EndorsementSubject"],
        "endorsementComment": "Ce module prépare bien aux démarches de recherche d'emploi.",
    }
    assert credential["proof"]["verificationMethod"] == (
        "http://127.0.0.1:8000/issuer/endorsers/mission-locale-ouest-provence/keys/"
        f"{endorsement.key_id}/"
    )
    assert credentials.verify(credential, public_key=key_of(endorsement))
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["endorsementComment"] = "Module inutile."
    assert not credentials.verify(changed, public_key=key_of(endorsement))


def test_the_partner_profile_and_key_are_served_for_verifiers(cast, mission_locale, module):
    endorsement = endorsement_issue(
        endorser=mission_locale, module=module, comment="Utile.", issued_by=cast.network_admin
    )
    client = cast.client("anonymous")
    profile = client.get("/issuer/endorsers/mission-locale-ouest-provence/").json()
    method = endorsement.credential["proof"]["verificationMethod"]
    assert method in profile["assertionMethod"]
    # A verifier checks in JSON-LD that the issuer lists the key under assertionMethod.
    assert f"<{profile['id']}> <https://w3id.org/security#assertionMethod> <{method}> ." in (
        credentials.canonize(profile)
    )
    key = client.get(method.removeprefix("http://127.0.0.1:8000")).json()
    assert key["controller"] == profile["id"]
    assert key["publicKeyMultibase"] == signing.load_key(endorsement.key_id).public_key_multibase
    served = client.get(f"/issuer/endorsements/{endorsement.public_id}/").json()
    assert served == endorsement.credential
    assert client.get("/issuer/endorsers/personne/").status_code == 404


def test_the_check_page_and_json_show_endorsements_of_the_module_and_the_certificate(
    cast, mission_locale, module
):
    certificate = certificate_issue(resident=cast.resident, module=module)
    endorsement_issue(
        endorser=mission_locale, module=module, comment="Bon module.", issued_by=cast.network_admin
    )
    employer = Endorser.objects.create(
        name="Boulangerie Garnier", kind=EndorserKind.EMPLOYER, slug="boulangerie-garnier"
    )
    endorsement_issue(
        endorser=employer,
        certificate=certificate,
        comment="Éloïse utilise ces compétences chaque jour chez nous.",
        issued_by=cast.network_admin,
    )
    client = cast.client("anonymous")
    data = client.get(f"/verify/{certificate.code}/", HTTP_ACCEPT="application/json").json()
    assert [(e["endorser"], e["about"], e["comment"]) for e in data["endorsements"]] == [
        ("Mission locale Ouest Provence", "module", "Bon module."),
        (
            "Boulangerie Garnier",
            "certificate",
            "Éloïse utilise ces compétences chaque jour chez nous.",
        ),
    ]
    page = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Recommandé par" in page and "Mission locale Ouest Provence" in page
    # Another resident's certificate of the same module shows the module's endorsement only.
    other = ResidentFactory(created_by_actor=cast.actor_a)
    second = certificate_issue(
        resident=other,
        module=completed_module(other, targets={"1.1": 2}, mediator=cast.mediator_a),
    )
    assert (
        client.get(f"/verify/{second.code}/", HTTP_ACCEPT="application/json").json()["endorsements"]
        == []
    )


def test_certificates_issued_after_a_module_endorsement_carry_it_signed(
    cast, mission_locale, module
):
    endorsement = endorsement_issue(
        endorser=mission_locale, module=module, comment="Bon module.", issued_by=cast.network_admin
    )
    certificate = certificate_issue(resident=cast.resident, module=module)
    achievement = certificate.credential["credentialSubject"]["achievement"]
    assert achievement["endorsement"] == [endorsement.credential]
    assert credentials.verify(certificate.credential, public_key=key_of(certificate))
    record = learner_record_issue(resident=cast.resident)
    (entry,) = record.credential["credentialSubject"]["achievement"]
    assert entry["endorsement"] == [endorsement.credential]
    assert credentials.verify(record.credential, public_key=key_of(record))


def test_a_new_endorsement_makes_a_new_learner_record(cast, mission_locale, module):
    certificate_issue(resident=cast.resident, module=module)
    first = learner_record_issue(resident=cast.resident)
    endorsement_issue(
        endorser=mission_locale, module=module, comment="Bon module.", issued_by=cast.network_admin
    )
    assert learner_record_issue(resident=cast.resident) != first


def test_only_the_coordination_endorses_once_with_words(cast, mission_locale, module):
    with pytest.raises(ValidationError, match="Seule la coordination"):
        endorsement_issue(
            endorser=mission_locale, module=module, comment="Oui.", issued_by=cast.mediator_a
        )
    with pytest.raises(ValidationError, match="Écrivez ce que dit le partenaire"):
        endorsement_issue(
            endorser=mission_locale, module=module, comment="  ", issued_by=cast.network_admin
        )
    endorsement_issue(
        endorser=mission_locale, module=module, comment="Oui.", issued_by=cast.network_admin
    )
    with pytest.raises(ValidationError, match="recommande déjà"):
        endorsement_issue(
            endorser=mission_locale, module=module, comment="Encore.", issued_by=cast.network_admin
        )
    assert Endorsement.objects.count() == 1


def test_the_coordination_page_publishes_an_endorsement(cast, mission_locale, module):
    certificate = certificate_issue(resident=cast.resident, module=module)
    client = cast.client("network_admin")
    assert cast.client("mediator_a").get("/certificates/endorsements/").status_code == 404
    page = client.post(
        "/certificates/endorsements/",
        {"endorser": mission_locale.pk, "module": "", "certificate_code": "", "comment": "Bien."},
    ).content.decode()
    assert "Choisissez un module, ou tapez le code d&#x27;une attestation" in page
    done = client.post(
        "/certificates/endorsements/",
        {
            "endorser": mission_locale.pk,
            "certificate_code": certificate.code.lower(),
            "comment": "Bien.",
        },
        follow=True,
    )
    assert "Recommandation de Mission locale Ouest Provence publiée et signée." in (
        done.content.decode()
    )
    assert Endorsement.objects.get().certificate == certificate


# Several towns ------------------------------------------------------------------------------


def test_a_town_coordination_endorses_its_own_towns_certificates_and_modules_only(
    towns, mission_locale
):
    from stats.demo.factories import ModuleFactory
    from tests.certificates.test_towns import issue
    from tests.conftest import sign_in

    ours, theirs = issue(towns.actor_m), issue(towns.actor_i, last_name="Istréen")
    module_i = ModuleFactory(name="Atelier d'Istres", actor=towns.actor_i, targets={"1.1": 2})
    client = sign_in(Client(), towns.admin_m)
    page = client.get("/certificates/endorsements/").content.decode()
    assert "Atelier d&#x27;Istres" not in page and ours.module.name in page
    form = {"endorser": mission_locale.pk, "comment": "Bien."}
    page = client.post(
        "/certificates/endorsements/", {**form, "certificate_code": theirs.code}
    ).content.decode()
    assert "Aucune attestation n&#x27;a ce code : vérifiez-le." in page
    client.post("/certificates/endorsements/", {**form, "module": module_i.pk})
    assert not Endorsement.objects.exists()
    # The service refuses it too, whatever calls it.
    for what in ({"certificate": theirs}, {"module": module_i}):
        with pytest.raises(ValidationError, match="coordination de la ville"):
            endorsement_issue(
                endorser=mission_locale, comment="Oui.", issued_by=towns.admin_m, **what
            )
    # Their own town's, and the network's common modules, are theirs to endorse.
    client.post("/certificates/endorsements/", {**form, "certificate_code": ours.code})
    client.post("/certificates/endorsements/", {**form, "module": ours.module.pk})
    assert Endorsement.objects.count() == 2
    # Each town's coordination lists and opens its own town's endorsements.
    endorsement_issue(
        endorser=mission_locale, certificate=theirs, comment="Oui.", issued_by=towns.admin_i
    )
    endorsement = Endorsement.objects.get(certificate=theirs)
    assert theirs.code not in client.get("/certificates/endorsements/").content.decode()
    assert theirs.code not in client.get("/admin/certificates/endorsement/").content.decode()
    opened = client.get(f"/admin/certificates/endorsement/{endorsement.pk}/change/")
    assert opened.status_code == 302  # "does not exist", back to the admin's home
    other = sign_in(Client(), towns.admin_i)
    assert theirs.code in other.get("/certificates/endorsements/").content.decode()
