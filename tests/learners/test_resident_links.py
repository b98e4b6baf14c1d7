"""Personal links to a resident's space: the printed carnet, the emailed link, and
mediators blocking a lost one."""

import datetime
import io
import re

import pypdf
import pytest
from django.utils import timezone

from learners.models import AccessLog, ResidentLink
from stats.demo.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def carnet_url(response):
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    return re.search(r"http://127\.0\.0\.1:8000(/me/link/[\w-]+/)", text).group(1), text


def test_a_mediator_prints_a_carnet_whose_link_opens_the_space(cast):
    client = cast.client("mediator_a")
    page = client.get(f"/residents/{cast.resident.reference}/links/").content.decode()
    assert "Imprimer son carnet" in page
    assert AccessLog.objects.filter(user=cast.mediator_a, resident=cast.resident).exists()
    response = client.post(f"/residents/{cast.resident.reference}/links/carnet/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    path, text = carnet_url(response)
    assert "Éloïse Garnier" in text and "Mon carnet" in text
    # Printed in groups of four, without 0/O, 1/I/L: it can be typed from the paper.
    assert re.fullmatch(r"/me/link/[A-HJKMNP-Z2-9]{4}(-[A-HJKMNP-Z2-9]{4}){4}/", path), path
    link = ResidentLink.objects.filter(resident=cast.resident).latest("created_at")
    assert link.created_by == cast.mediator_a
    assert (link.expires_at - timezone.now()).days in (364, 365)
    # Only the hash is stored: the token is in the PDF and nowhere else.
    assert path.split("/")[3] not in link.token_hash
    visitor = cast.client("anonymous")
    opened = visitor.get(path, follow=True)
    assert "Bonjour Éloïse" in opened.content.decode()


def test_a_link_is_emailed_to_a_resident_who_has_an_address(cast, mailoutbox):
    cast.resident.email = "eloise@example.fr"
    cast.resident.save()
    response = cast.client("mediator_a").post(
        f"/residents/{cast.resident.reference}/links/email/", follow=True
    )
    assert "est parti à eloise@example.fr" in response.content.decode()
    (message,) = mailoutbox
    assert message.to == ["eloise@example.fr"]
    path = re.search(r"http://127\.0\.0\.1:8000(/me/link/[\w-]+/)", message.body).group(1)
    assert "Bonjour Éloïse" in cast.client("anonymous").get(path, follow=True).content.decode()
    link = ResidentLink.objects.filter(resident=cast.resident).latest("created_at")
    assert (link.expires_at - timezone.now()).days in (6, 7)


def test_no_email_is_sent_without_an_address(cast, mailoutbox):
    response = cast.client("mediator_a").post(
        f"/residents/{cast.resident.reference}/links/email/", follow=True
    )
    assert "imprimez-lui plutôt un carnet" in response.content.decode()
    assert mailoutbox == []


def test_residents_ask_for_a_link_and_learn_nothing_about_who_is_known(cast, mailoutbox):
    cast.resident.email = "eloise@example.fr"
    cast.resident.save()
    client = cast.client("anonymous")
    known = client.post("/me/access/", {"email": "Eloise@Example.fr"}, follow=True)
    unknown = client.post("/me/access/", {"email": "personne@example.fr"}, follow=True)
    said = "Si cette adresse est celle que vous avez donnée"
    assert said in known.content.decode() and said in unknown.content.decode()
    assert [m.to for m in mailoutbox] == [["eloise@example.fr"]]
    invalid = client.post("/me/access/", {"email": "eloise"})
    assert "Cette adresse n&#x27;est pas complète" in invalid.content.decode()


def test_asking_for_links_is_rate_limited(cast, mailoutbox):
    cast.resident.email = "eloise@example.fr"
    cast.resident.save()
    client = cast.client("anonymous")
    for _ in range(3):
        client.post("/me/access/", {"email": "eloise@example.fr"})
    # No more than three emails an hour to one address…
    assert len(mailoutbox) == 3
    client.post("/me/access/", {"email": "eloise@example.fr"})
    assert len(mailoutbox) == 3
    # …and no more than five requests an hour from one client.
    client.post("/me/access/", {"email": "x@example.fr"})
    assert client.post("/me/access/", {"email": "y@example.fr"}).status_code == 429


def test_blocking_a_link_closes_the_space_it_opened(cast):
    resident_browser = cast.client("resident")
    assert resident_browser.get("/me/").status_code == 200
    link = ResidentLink.objects.get(resident=cast.resident)
    response = cast.client("mediator_a").post(
        f"/residents/{cast.resident.reference}/links/{link.pk}/revoke/", follow=True
    )
    assert "Ce lien ne marche plus" in response.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert resident_browser.get("/me/").status_code == 302
    assert cast.client("anonymous").get(f"/me/link/{cast.resident_token}/").status_code == 404


def test_an_expired_link_closes_the_space_it_opened(cast):
    resident_browser = cast.client("resident")
    ResidentLink.objects.filter(resident=cast.resident).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert resident_browser.get("/me/").status_code == 302


def test_mediators_manage_links_only_of_residents_they_follow(cast):
    other = ResidentFactory(created_by_actor=cast.actor_b)
    link, _token = ResidentLink.create_for(other)
    client = cast.client("mediator_a")
    assert client.get(f"/residents/{other.reference}/links/").status_code == 404
    assert client.post(f"/residents/{other.reference}/links/carnet/").status_code == 404
    assert client.post(f"/residents/{other.reference}/links/{link.pk}/revoke/").status_code == 404
    # A link of another resident cannot be revoked through this resident's page either.
    mine = cast.resident.reference
    assert client.post(f"/residents/{mine}/links/{link.pk}/revoke/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None
