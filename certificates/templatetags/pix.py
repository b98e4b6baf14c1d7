"""{% load pix %}{% pix_levels resident %}: the resident's Pix levels beside the assessed
ones, in the journey pages of the learners app, which may not import this app: a template
library is found by name, so the journey shows Pix without learners depending on
certificates."""

from django import template

from certificates.pix import pix_profile

register = template.Library()


@register.inclusion_tag("certificates/includes/pix_levels.html")
def pix_levels(resident, audience="staff"):
    """`audience`: "staff" (the journey page) or "resident" (their own space): the words
    change, not what is shown."""
    return {"pix": pix_profile(resident), "audience": audience, "resident": resident}
