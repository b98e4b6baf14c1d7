"""A resident's record seen from another town: {{ resident|other_town:user }} is the town of
a person followed from a neighbouring town (None for the user's own towns, and so always in
a single-town installation), and {{ town|town_record }} says whose record it is, "Fiche de la
ville d'Istres". The records come with `created_by_actor__town` (select_related)."""

from django import template
from django.utils import translation
from django.utils.translation import gettext as _

from pathway.french import with_preposition

register = template.Library()


@register.filter
def other_town(resident, user):
    town_ids = user.town_ids
    actor = resident.created_by_actor
    if town_ids is None or actor.town_id in town_ids:
        return None
    return actor.town


@register.filter
def town_record(town):
    french = (translation.get_language() or "fr").startswith("fr")
    # Translators: de_town is the town's name after "de" in French ("de Miramas",
    # "d'Istres"); in other languages, the name alone.
    return _("Fiche de la ville %(de_town)s") % {
        "de_town": with_preposition("de", town.name) if french else town.name
    }
