"""Rules shared by the records of the write path (sessions, assessments): written once,
asked by every resolver."""

from django.utils.translation import gettext as _

from learners.writing.inputs import EARLIEST_DATE
from pathway.models import Level


def date_problems(day, *, today):
    """Why `day` cannot be the date of a session or an assessment: [] when it can."""
    if day > today:
        return [_("La date ne peut pas être dans le futur.")]
    if day < EARLIEST_DATE:
        return [_("La date est trop ancienne : vérifiez l'année.")]
    return []


def level_problem(level):
    """Why `level` cannot be a level reached on a competence (CRCN, 1 to 8), or None."""
    if isinstance(level, bool) or not isinstance(level, int):
        return _("Le niveau est un nombre de 1 à 8.")
    if not Level.MIN <= level <= Level.MAX:
        return _("Un niveau de compétence va de 1 à 8.")
    return None
