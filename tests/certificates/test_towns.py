"""Certificates name the town whose actor issued them (issue 20): the code's prefix, the
PDF's header, logo and signature line, the signed credential's issuer, the badge and the
check pages. The check reads every town's codes; what was issued and signed stays as is."""

import datetime
import io
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image

from certificates.models import Certificate
from certificates.services import certificate_issue, learner_record_issue
from stats.demo.factories import (
    ActorFactory,
    ResidentFactory,
    TownFactory,
    UserFactory,
    completed_module,
)
from tests.certificates import test_interop as interop

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)
ISTRES_NETWORK = "Réseau Parcours numérique d'Istres"
MIRAMAS_NETWORK = "Réseau Parcours numérique de Miramas"


def issue(actor, first_name="Éloïse", last_name="Garnier"):
    resident = ResidentFactory(first_name=first_name, last_name=last_name, created_by_actor=actor)
    module = completed_module(resident, targets={"1.1": 3, "4.2": 2})
    return certificate_issue(resident=resident, module=module, now=NOW)


def pdftotext(document):
    """The text of a PDF as poppler's pdftotext reads it (another reader than ours)."""
    run = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=document,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return " ".join(run.stdout.decode().split())


def stored(document):
    with document.pdf.open("rb") as handle:
        return handle.read()


def pdf_images(document):
    import pypdf

    return [
        image.image.size for image in pypdf.PdfReader(io.BytesIO(stored(document))).pages[0].images
    ]


def test_a_certificate_names_the_town_whose_actor_issued_it(two_towns):
    istres = issue(two_towns.actor_i)
    miramas = issue(two_towns.actor_m, first_name="Yanis")

    assert istres.code.startswith("IST-") and len(istres.code) == 18
    assert miramas.code.startswith("MRM-")

    text = pdftotext(stored(istres))
    assert text.startswith(f"Istres {ISTRES_NETWORK} Parcours numérique")
    assert f"Document signé électroniquement par {ISTRES_NETWORK}." in text
    assert "Miramas" not in text
    assert pdftotext(stored(miramas)).startswith(f"Miramas {MIRAMAS_NETWORK}")

    issuer = istres.credential["issuer"]
    assert issuer["name"] == ISTRES_NETWORK
    assert issuer["address"]["addressLocality"] == "Istres"
    assert issuer["address"]["postalCode"] == "13800"
    # Each town's network has its issuer id (the profile a verifier reads there names it);
    # the first town keeps the installation's.
    assert issuer["id"] == "http://127.0.0.1:8000/issuer/towns/13047/"
    assert miramas.credential["issuer"]["id"] == "http://127.0.0.1:8000/issuer/"
    assert miramas.credential["issuer"]["name"] == MIRAMAS_NETWORK


def test_the_check_pages_and_the_badge_name_the_issuing_town(two_towns):
    certificate = issue(two_towns.actor_i)
    client = Client()
    page = client.get(f"/verify/{certificate.code}/").content.decode()
    assert f'<p class="certificate-network">{ISTRES_NETWORK.replace("'", "&#x27;")}</p>' in page
    assert '<span class="brand-town">Istres</span>' in page
    data = client.get(f"/verify/{certificate.code}/", HTTP_ACCEPT="application/json").json()
    assert data["issuer"]["network"] == ISTRES_NETWORK and data["issuer"]["town"] == "Istres"
    badge = client.get(f"/verify/{certificate.code}/badge.svg").content.decode()
    assert "Parcours numérique · Istres" in badge
    # The page where an employer types a code names both networks.
    index = client.get("/verify/").content.decode().replace("&#x27;", "'")
    assert f"{ISTRES_NETWORK}, {MIRAMAS_NETWORK}" in index


def test_the_check_form_reads_the_codes_of_every_town(two_towns):
    istres, miramas = issue(two_towns.actor_i), issue(two_towns.actor_m, first_name="Yanis")
    client = Client()
    for certificate in (istres, miramas):
        typed = certificate.code.replace("-", " ").lower()
        response = client.get("/verify/", {"code": typed})
        assert response.status_code == 302
        assert response["Location"] == f"/verify/{certificate.code}/"
        squeezed = certificate.code.replace("-", "").lower()
        assert client.get(f"/verify/{squeezed}/").status_code == 200


def test_a_six_letter_prefix_fits_the_code(two_towns):
    town = TownFactory(
        insee_code="13004", name="Arles", postcode="13200", certificate_prefix="ARLES"
    )
    certificate = issue(ActorFactory(name="Médiathèque d'Arles", town=town))
    assert certificate.code.startswith("ARLES-")
    longest = Certificate.new_code("ABCDEF")
    assert len(longest) == 21 <= Certificate._meta.get_field("code").max_length
    response = Client().get("/verify/", {"code": certificate.code.replace("-", "")})
    assert response["Location"] == f"/verify/{certificate.code}/"


def test_the_towns_own_logo_is_printed_else_the_installations(two_towns, settings, tmp_path):
    fallback = tmp_path / "logo-installation.png"
    Image.new("RGB", (300, 120), "#c0392b").save(fallback)
    settings.TOWN_LOGO = fallback
    image = io.BytesIO()
    Image.new("RGB", (200, 200), "#1d6b36").save(image, "PNG")
    two_towns.istres.logo.save("istres.png", ContentFile(image.getvalue()))

    assert pdf_images(issue(two_towns.actor_i)) == [(200, 200)]
    assert pdf_images(issue(two_towns.actor_m, first_name="Yanis")) == [(300, 120)]
    # A logo the storage lost: the installation's, not a failed certificate.
    two_towns.istres.logo.storage.delete(two_towns.istres.logo.name)
    two_towns.istres.logo.name = "towns/lost.png"
    two_towns.istres.save()
    assert pdf_images(issue(two_towns.actor_i, first_name="Inès")) == [(300, 120)]


def test_issued_certificates_stay_as_signed_when_the_town_changes(two_towns):
    certificate = issue(two_towns.actor_m)
    document, credential = stored(certificate), certificate.credential
    town = two_towns.miramas
    town.certificate_prefix, town.network_name = "MIR", "Réseau numérique miramasséen"
    town.save()

    certificate.refresh_from_db()
    assert stored(certificate) == document and certificate.credential == credential
    client = Client()
    # The old code, typed as printed, still checks; the PDF served is the one signed.
    assert client.get("/verify/", {"code": certificate.code.lower()})["Location"] == (
        f"/verify/{certificate.code}/"
    )
    assert client.get(f"/verify/{certificate.code}/pdf/").content == document
    # New certificates take the new prefix and name.
    newer = issue(two_towns.actor_m, first_name="Yanis")
    assert newer.code.startswith("MIR-")
    assert newer.credential["issuer"]["name"] == "Réseau numérique miramasséen"


def test_a_learner_record_names_the_residents_town(two_towns):
    certificate = issue(two_towns.actor_i)
    record = learner_record_issue(resident=certificate.resident)
    assert record.code.startswith("IST-")
    assert record.credential["issuer"]["name"] == ISTRES_NETWORK
    assert record.credential["name"] == f"Passeport numérique — {ISTRES_NETWORK}"
    text = pdftotext(stored(record))
    assert text.startswith(f"Parcours numérique · Istres {ISTRES_NETWORK}")
    data = Client().get(f"/verify/{record.code}/", HTTP_ACCEPT="application/json").json()
    assert data["issuer"] == {"network": ISTRES_NETWORK, "town": "Istres"}


def test_a_second_towns_credential_verifies_elsewhere(two_towns):
    """The Istres credential, as served, verified by openvc and, where Node is installed,
    by Digital Bazaar (with its status list)."""
    certificate = issue(two_towns.actor_i)
    client = Client()
    served = interop.served(client, certificate.credential_url)
    assert interop.openvc_verify(client, served).issuer == served["issuer"]["id"]
    if not (interop.NODE and (interop.JS_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir()):
        if interop.node_required():
            pytest.fail("The Node verifier must run here.")
        return
    documents = interop.offline_documents(client, served)
    report = interop.digital_bazaar_verify(interop.NODE, documents, {"istres": served})
    assert report["istres"] == {"verified": True, "revoked": False, "errors": [], "refused": []}


# The issuer a verifier reads ----------------------------------------------------------------


def test_the_issuer_a_verifier_reads_is_the_town_named_in_the_credential(two_towns):
    """Istres' credential names Istres' network as issuer; its id answers that same
    profile, with keys it controls, and its status list is issued by it."""
    credential = issue(two_towns.actor_i).credential
    client = Client()
    issuer = credential["issuer"]
    profile = interop.served(client, issuer["id"])
    assert {key: profile[key] for key in issuer} == issuer
    assert profile["name"] == ISTRES_NETWORK and "Miramas" not in str(profile)
    method = credential["proof"]["verificationMethod"]
    assert method.startswith(issuer["id"] + "keys/") and method in profile["assertionMethod"]
    assert interop.served(client, method)["controller"] == issuer["id"]
    status_url = credential["credentialStatus"]["statusListCredential"]
    assert status_url == issuer["id"] + "status/0/"
    status_list = interop.served(client, status_url)
    assert status_list["issuer"] == issuer["id"]
    assert status_list["proof"]["verificationMethod"].startswith(issuer["id"] + "keys/")
    # The first town's profile is still the installation's, and names only it.
    first = interop.served(client, "http://127.0.0.1:8000/issuer/")
    assert first["name"] == MIRAMAS_NETWORK and "Istres" not in str(first)
    # The check page's JSON gives the key URL the proof names.
    data = client.get(f"{credential['id']}", HTTP_ACCEPT="application/json").json()
    assert data["issuer_key"]["verification_method"] == method


def test_a_towns_issuer_address_is_its_insee_code_only_once(two_towns):
    client = Client()
    assert client.get("/issuer/towns/13063/").status_code == 404  # Miramas: /issuer/
    assert client.get("/issuer/towns/99999/").status_code == 404
    assert client.get("/issuer/towns/99999/status/0/").status_code == 404
    # Renamed, Istres keeps its issuer's address: its credentials stay checkable.
    credential = issue(two_towns.actor_i).credential
    two_towns.istres.name, two_towns.istres.slug = "Istres-sur-Étang", "istres-sur-etang"
    two_towns.istres.save()
    assert interop.served(client, credential["issuer"]["id"])["address"]["addressLocality"] == (
        "Istres-sur-Étang"
    )


def test_a_second_towns_credential_signed_under_the_installations_issuer_still_verifies(
    two_towns, monkeypatch
):
    """Credentials a second town issued before it had its own issuer name it under the
    installation's id (/issuer/): they verify as they did, and their revocation shows in
    the installation's status list."""
    from certificates import credentials
    from certificates.services import certificate_revoke

    with monkeypatch.context() as patched:
        patched.setattr(credentials, "first_town", lambda town: True)
        certificate = issue(two_towns.actor_i)
    credential = certificate.credential
    assert credential["issuer"]["id"] == "http://127.0.0.1:8000/issuer/"
    assert credential["issuer"]["name"] == ISTRES_NETWORK
    with monkeypatch.context() as patched:
        patched.setattr(credentials, "first_town", lambda town: True)
        revoked = issue(two_towns.actor_i, first_name="Inès")
    # And one issued since, under Istres' own issuer, revoked too.
    newer = issue(two_towns.actor_i, first_name="Yanis")
    admin = UserFactory(username="admin_istres", network_admin=True, town=two_towns.istres)
    for document in (revoked, newer):
        certificate_revoke(certificate=document, reason="Erreur.", revoked_by=admin)
    client = Client()
    served = {
        "old": interop.served(client, certificate.credential_url),
        "old_revoked": interop.served(client, revoked.credential_url),
        "new_revoked": interop.served(client, newer.credential_url),
    }
    assert interop.openvc_verify(client, served["old"]).issuer == served["old"]["issuer"]["id"]
    if not (interop.NODE and (interop.JS_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir()):
        if interop.node_required():
            pytest.fail("The Node verifier must run here.")
        return
    documents = interop.offline_documents(client, *served.values())
    report = interop.digital_bazaar_verify(interop.NODE, documents, served)
    assert report["old"] == {"verified": True, "revoked": False, "errors": [], "refused": []}
    for name in ("old_revoked", "new_revoked"):
        assert report[name] == {"verified": True, "revoked": True, "errors": [], "refused": []}


def test_partners_profiles_and_endorsements_name_who_signs_for_every_town(two_towns, settings):
    """A partner's endorsements are signed by the installation for it, not by one town's
    network: with several towns, the installation's operator is named."""
    from certificates.models import Endorser, EndorserKind
    from certificates.services import endorsement_issue

    partner = Endorser.objects.create(
        name="Mission locale Ouest Provence", kind=EndorserKind.MISSION_LOCALE, slug="mlop"
    )
    admin = UserFactory(username="admin_istres", network_admin=True, town=two_towns.istres)
    certificate = issue(two_towns.actor_i)
    settings.INSTALLATION_NAME = "Métropole Aix-Marseille-Provence"
    endorsement = endorsement_issue(
        endorser=partner, certificate=certificate, comment="Utile.", issued_by=admin
    )
    assert endorsement.credential["description"].endswith(
        "Recommandation signée pour son compte par Métropole Aix-Marseille-Provence."
    )
    profile = Client().get("/issuer/endorsers/mlop/").json()
    assert profile["description"].startswith("Profil publié par Métropole Aix-Marseille-Provence,")
    assert "Miramas" not in profile["description"] + endorsement.credential["description"]
