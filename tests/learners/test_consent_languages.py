"""Consent and the privacy notice in the resident's language: versioned per language (the
demo ships French and English), shown from the session, resident and sign-up forms."""

import pytest
from django.test import Client

from learners import consent
from learners.models import WorkshopSignup

pytestmark = pytest.mark.django_db


def test_the_consent_and_the_privacy_notice_read_in_english():
    page = Client().get("/consentement/2026-01/en/").content.decode()
    assert '<html lang="en">' in page
    assert "I agree that mediators from other organisations" in page
    assert "Your personal data" in page
    assert "A workshop sign-up (name, phone or email) is deleted 30 days after" in page
    assert 'href="/consentement/2026-01/fr/"' in page  # and back in French
    french = Client().get("/consentement/2026-01/fr/").content.decode()
    assert "J&#x27;accepte que les médiateurs" in french or "J’accepte" in french


def test_only_published_versions_and_languages_exist():
    assert Client().get("/consentement/2026-01/de/").status_code == 404
    assert Client().get("/consentement/1999-01/fr/").status_code == 404
    assert consent.languages("2026-01") == [("fr", "français"), ("en", "English")]


def test_the_session_and_resident_forms_offer_the_text_in_the_persons_language(cast):
    client = cast.client("mediator_a")
    for url in ["/sessions/new/", "/residents/new/"]:
        page = client.get(url).content.decode()
        assert 'href="/consentement/2026-01/en/"' in page, url


def test_a_sign_up_records_the_language_its_consent_was_read_in(cast):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.post(
        f"/guide/ateliers/{cast.workshop_a.pk}/inscription/",
        {
            "first_name": "Amira",
            "last_name": "Said",
            "phone": "0611223344",
            "data_use": "on",
            "sharing_consent": "on",
        },
    )
    signup = WorkshopSignup.objects.get()
    assert (signup.consent_language, signup.consent_version) == ("en", "2026-01")
    assert signup.sharing_consent
