"""{% consent_in_other_languages %}: links to the consent text and privacy notice in each
other language it is published in (learners.consent), for the person in front of the
mediator. Opens in a new tab, so that the form being filled stays as it is."""

from django import template
from django.utils import translation

from learners import consent
from learners.models import ACROSS_TOWNS_CONSENT_VERSION, CURRENT_CONSENT_VERSION

register = template.Library()


@register.inclusion_tag("learners/includes/consent_languages.html")
def consent_in_other_languages(version=CURRENT_CONSENT_VERSION, *, across_towns=False):
    """`across_towns`: the text of a consent that extends to the neighbouring towns."""
    if across_towns:
        version = ACROSS_TOWNS_CONSENT_VERSION
    current = translation.get_language()
    return {
        "version": version,
        "languages": [(c, n) for c, n in consent.languages(version) if c != current],
    }
