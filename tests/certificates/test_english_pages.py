"""A certificate on a page in English: its own wording follows the certificate's language,
and French wording is marked lang="fr" so that a screen reader (and a translator) reads it
as French; the rest of the page is English."""

from html.parser import HTMLParser

import pytest
from django.conf import settings

from certificates.services import certificate_issue
from stats.demo.factories import completed_module

pytestmark = pytest.mark.django_db


class TextByLanguage(HTMLParser):
    """The text of a page with the language of the element it is in."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.languages, self.skip, self.texts = [], 0, []

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")
        if tag not in self.VOID:
            inherited = self.languages[-1][1] if self.languages else None
            self.languages.append((tag, dict(attrs).get("lang") or inherited))

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style")
        while self.languages and self.languages.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if data.strip() and not self.skip and self.languages:
            self.texts.append((self.languages[-1][1], " ".join(data.split())))


def texts_by_language(html):
    parser = TextByLanguage()
    parser.feed(html)
    english = " ".join(text for language, text in parser.texts if language == "en")
    french = " ".join(text for language, text in parser.texts if language == "fr")
    return english, french


def issued(cast, language):
    module = completed_module(cast.resident, targets={"2.1": 3, "4.1": 2}, mediator=cast.mediator_a)
    return certificate_issue(
        resident=cast.resident, module=module, issued_by=cast.mediator_a, language=language
    )


def english_client(cast, role):
    client = cast.client(role)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("anonymous", "/verify/{code}/"),
        ("resident", "/me/certificates/{code}/"),
        ("mediator_a", "/certificates/{code}/"),
    ],
)
def test_a_french_certificate_on_an_english_page_is_marked_french(cast, role, path):
    certificate = issued(cast, "fr")
    html = english_client(cast, role).get(path.format(code=certificate.code)).content.decode()
    assert '<html lang="en">' in html
    english, french = texts_by_language(html)
    for wording in [
        "Attestation de compétences numériques",
        "Délivrée à",
        "niveau 3 sur 8 (indépendant)",
        "fait seul les tâches courantes",
        "Compétences et niveaux atteints",
    ]:
        assert wording in french and wording not in english, wording
    # The page around it is English, its status banner included.
    assert "Valid certificate." in english and "Attestation valide" not in html


def test_an_english_certificate_reads_in_english_throughout(cast):
    certificate = issued(cast, "en")
    html = english_client(cast, "anonymous").get(f"/verify/{certificate.code}/").content.decode()
    english, french = texts_by_language(html)
    for wording in [
        "Certificate of digital skills",
        "level 3 of 8 (independent)",
        "does everyday tasks alone",
        "level 2 of 8 (beginner)",
        "Communication and collaboration",  # the competence's domain
    ]:
        assert wording in english, wording
    for french_word in ["débutant", "indépendant", "sur 8", "Communication et collaboration"]:
        assert french_word not in english, french_word
