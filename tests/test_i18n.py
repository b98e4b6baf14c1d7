"""The interface in English: every text is marked for translation, the English catalogs are
complete and compiled, and a visitor who picks English gets it on every layer (templates,
Python messages, scripts, opening hours)."""

import gettext
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType
from django.urls import reverse
from django.utils import translation

from pathway import hours

ROOT = Path(settings.BASE_DIR)
CATALOGS = ROOT / "config" / "locale" / "en" / "LC_MESSAGES"
DOMAINS = ["django", "djangojs"]

# Words shown as they are in every language: names, formats, and the certificate title, which
# follows the certificate's own language rather than the visitor's.
UNTRANSLATED = {
    "Parcours",
    "numérique",
    "English",
    "Français",
    "Excel",
    "CSV",
    "JSON",
    "guide",  # the CSS classes of the guide's <body>, set in a block
    "large-text",
    "SHA",
    "min",
    "Authorization",
    "Bearer",
    "Certificate of digital skills",
    "Attestation de compétences numériques",
}
TEXT_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}
WORD = re.compile(r"[A-Za-zÀ-ÿ]{2,}")


class _VisibleText(HTMLParser):
    """Text nodes and text attributes of an HTML fragment, scripts and styles left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts = []
        self.in_code = 0

    def handle_starttag(self, tag, attrs):
        self.in_code += tag in ("script", "style")
        self.texts += [value for name, value in attrs if name in TEXT_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        self.in_code -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.in_code:
            self.texts.append(data)


def untranslated_texts(source):
    """The literal texts of a template that are outside {% translate %}/{% blocktranslate %}."""
    pieces, in_block, in_comment = [], 0, 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.TEXT:
            pieces.append("" if in_block or in_comment else token.contents)
            continue
        tag = token.contents.split()[0] if token.contents else ""
        in_block += {"blocktranslate": 1, "endblocktranslate": -1}.get(tag, 0)
        in_comment += {"comment": 1, "endcomment": -1}.get(tag, 0)
        pieces.append(" \x00 ")  # a tag or a variable: the text around it is cut there
    parser = _VisibleText()
    parser.feed("".join(pieces))
    parser.close()
    found = []
    for text in parser.texts:
        for part in text.split("\x00"):
            part = part.strip()
            if part not in UNTRANSLATED and any(
                word not in UNTRANSLATED for word in WORD.findall(part)
            ):
                found.append(part)
    return found


def test_the_scanner_finds_unmarked_text():
    assert untranslated_texts('<p>Bonjour</p><img alt="Plan du quartier">') == [
        "Bonjour",
        "Plan du quartier",
    ]
    assert (
        untranslated_texts(
            '{% load i18n %}<p>{% translate "Bonjour" %} {{ name }}</p>'
            "{% blocktranslate %}Au revoir {{ name }}{% endblocktranslate %}"
            "<script>const x = 'rien';</script>"
        )
        == []
    )


def test_every_template_text_is_marked_for_translation():
    unmarked = {
        str(path.relative_to(ROOT)): texts
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if (texts := untranslated_texts(path.read_text()))
    }
    assert not unmarked, f"Wrap these texts in {{% translate %}}: {unmarked}"


def untranslated_script_texts(source):
    """String literals of a script that read as words (two or more) outside gettext()."""
    found = []
    for line in source.splitlines():
        code = line.split("//")[0] if not line.lstrip().startswith("//") else ""
        code = re.sub(r"gettext\(\s*(\"[^\"]*\"|'[^']*')\s*\)", "", code)
        code = re.sub(r"ngettext\(\s*(\"[^\"]*\"|'[^']*')\s*,\s*(\"[^\"]*\"|'[^']*')", "", code)
        for literal in re.findall(r"\"([^\"]*)\"|'([^']*)'|`([^`]*)`", code):
            text = "".join(literal)
            if text != "use strict" and re.search(r"[A-Za-zÀ-ÿ]{2,} [A-Za-zÀ-ÿ]{2,}", text):
                found.append(text)
    return found


def test_the_script_scanner_finds_unmarked_text():
    assert untranslated_script_texts('say("Lien copié");  // "un commentaire"') == ["Lien copié"]
    assert untranslated_script_texts('say(label + " est ajouté");') == [" est ajouté"]
    assert untranslated_script_texts('ngettext("%s niveau vu", "%s niveaux vus", n)') == []
    assert untranslated_script_texts('say(gettext("Lien copié. Collez-le ici."));') == []


def test_every_script_text_goes_through_gettext():
    unmarked = {
        path.name: texts
        for path in sorted((ROOT / "static" / "js").glob("*.js"))
        if (texts := untranslated_script_texts(path.read_text()))
    }
    assert not unmarked, f"Wrap these texts in gettext(): {unmarked}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_english_catalog_is_complete(domain):
    catalog = polib.pofile(CATALOGS / f"{domain}.po")
    assert len(catalog) > (1000 if domain == "django" else 5)
    assert not catalog.untranslated_entries()
    assert not catalog.fuzzy_entries()
    for entry in catalog:
        pairs = (
            [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
            if entry.msgid_plural
            else [(entry.msgid, entry.msgstr)]
        )
        for french, english in pairs:
            assert placeholders(french) == placeholders(english), f"placeholders of {french!r}"


def placeholders(text):
    return sorted(re.findall(r"%\(\w+\)[sdr]|%[sd]|\{\w*\}", text))


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalog_matches_the_translations(domain, tmp_path):
    compiled = tmp_path / f"{domain}.mo"
    polib.pofile(CATALOGS / f"{domain}.po").save_as_mofile(compiled)
    with compiled.open("rb") as expected, (CATALOGS / f"{domain}.mo").open("rb") as committed:
        expected_catalog = gettext.GNUTranslations(expected)._catalog
        committed_catalog = gettext.GNUTranslations(committed)._catalog
    del expected_catalog[""], committed_catalog[""]  # the headers (msgfmt drops some)
    assert committed_catalog == expected_catalog, "Run `make messages` to compile the .po files."


@pytest.mark.skipif(not shutil.which("xgettext"), reason="xgettext (Debian gettext) is needed")
def test_the_catalogs_hold_every_marked_string(tmp_path, monkeypatch, settings):
    """makemessages run on a copy of the code finds no string the catalogs lack."""
    for folder in [
        "config",
        "pathway",
        "learners",
        "certificates",
        "network",
        "stats",
        "templates",
    ]:
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("locale", "__pycache__")
        )
    shutil.copytree(ROOT / "static" / "js", tmp_path / "static" / "js")
    (tmp_path / "config" / "locale").mkdir()
    settings.LOCALE_PATHS = [tmp_path / "config" / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["en"], verbosity=0)
    call_command("makemessages", locale=["en"], domain="djangojs", verbosity=0)
    for domain in DOMAINS:
        found = {
            (entry.msgctxt, entry.msgid)
            for entry in polib.pofile(tmp_path / "config/locale/en/LC_MESSAGES" / f"{domain}.po")
        }
        known = {(entry.msgctxt, entry.msgid) for entry in polib.pofile(CATALOGS / f"{domain}.po")}
        assert not found - known, f"New strings to translate: run `make messages` ({domain})"


@pytest.mark.django_db
def test_french_by_default_and_english_on_request(client):
    page = client.get("/guide/")
    assert page.headers["Content-Language"] == "fr"
    assert "Aller au contenu" in page.text

    switched = client.post(reverse("set_language"), {"language": "en", "next": "/guide/"})
    assert switched.status_code == 302
    page = client.get("/guide/")
    assert page.headers["Content-Language"] == "en"
    assert '<html lang="en">' in page.text
    assert "Skip to content" in page.text
    assert "Aller au contenu" not in page.text


@pytest.mark.django_db
def test_form_errors_and_scripts_speak_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    assert "Aller au contenu" not in page.text
    assert "Skip to content" in page.text

    scripts = client.get(reverse("javascript_catalog"))
    assert "Not assessed" in scripts.text or "Not evaluated" in scripts.text
    assert "Link copied" in scripts.text


def test_opening_hours_read_naturally_in_english():
    week = "Mo-Fr 09:00-12:00,14:30-17:00"
    with translation.override("fr"):
        assert hours.describe_week(week)[0] == ("Lundi", "9 h – 12 h et 14 h 30 – 17 h")
    with translation.override("en"):
        assert hours.describe_week(week)[0] == ("Monday", "9 a.m. – noon and 2:30 p.m. – 5 p.m.")
        assert hours.describe_week(week)[6] == ("Sunday", "closed")
