"""Consent to sharing and the privacy notice, in the languages the town provides.

Each consent text version (learners.models.CONSENT_TEXTS, French source) is published in
the languages listed here for it, each reviewed from the translation catalog
(config/locale/<language>/): a new wording gets a new version, and its translations are
listed once reviewed, so that a consent given in English is read later as it was given.
The demo ships French and English."""

from django.conf import settings
from django.utils import translation

from learners.models import CONSENT_TEXTS, CURRENT_CONSENT_VERSION

CONSENT_LANGUAGES = {
    "2026-01": ("fr", "en"),
    # 2026-01 and the sentence on following in the neighbouring towns (its English
    # reviewed in the catalog with it).
    "2026-02": ("fr", "en"),
}


def languages(version=CURRENT_CONSENT_VERSION):
    """[(code, name in its own language)] of the languages `version` is published in."""
    names = dict(settings.LANGUAGES)
    published = CONSENT_LANGUAGES.get(version, (settings.LANGUAGE_CODE,))
    return [
        (code, translation.get_language_info(code)["name_local"])
        for code in published
        if code in names
    ]


def consent_text(version=CURRENT_CONSENT_VERSION, language=None):
    """The consent text of `version` in `language` (one it is published in), or ""."""
    if version not in CONSENT_TEXTS:
        return ""
    language = language or settings.LANGUAGE_CODE
    if language not in CONSENT_LANGUAGES.get(version, (settings.LANGUAGE_CODE,)):
        return ""
    with translation.override(language):
        return str(CONSENT_TEXTS[version])
