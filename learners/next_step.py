"""The next step of a resident's journey, in plain words, with the coming workshops that fit
and a sign-up link: shown in their own space and printed on their carnet. One rule, read
from the journey (learners.services keeps its dates) and the last sessions' autonomy."""

import dataclasses

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from learners.models import Autonomy, Participation
from pathway.models import PlannedWorkshop, Pole

WORKSHOPS_SHOWN = 3


@dataclasses.dataclass
class NextStep:
    title: str
    text: str
    poles: tuple
    workshops: list = dataclasses.field(default_factory=list)


def choose(resident, *, has_certificate=False):
    """What to propose next: a first step, a beginners' module once paperwork is done
    alone, the module under way, or — with a certificate — a leisure workshop or the next
    module."""
    if not resident.first_session_on:
        return NextStep(
            _("Faire un premier pas"),
            _("Venez à un atelier près de chez vous, ou passez dans un lieu du réseau."),
            (Pole.NECESSITY, Pole.ACHIEVEMENT),
        )
    if has_certificate:
        return NextStep(
            _("Bravo pour votre attestation !"),
            _("Pour continuer : un atelier loisir pour le plaisir, ou le module suivant."),
            (Pole.LEISURE, Pole.ACHIEVEMENT),
        )
    if resident.achievement_on:
        return NextStep(
            _("Continuer votre formation"),
            _("Encore quelques ateliers, et vous aurez votre attestation."),
            (Pole.ACHIEVEMENT,),
        )
    if resident.necessity_on:
        last = (
            Participation.objects.filter(resident=resident, pole=Pole.NECESSITY)
            .exclude(autonomy=None)
            .order_by("-date", "-id")
            .values_list("autonomy", flat=True)
            .first()
        )
        if last == Autonomy.DONE_ALONE:
            return NextStep(
                _("Vous faites vos démarches seul : bravo !"),
                _(
                    "Étape suivante : un module pour débutants, pour être à l'aise avec tout "
                    "le reste."
                ),
                (Pole.ACHIEVEMENT,),
            )
        return NextStep(
            _("Continuer vos démarches, accompagné"),
            _("Un atelier pour apprendre à les faire vous-même, pas à pas."),
            (Pole.NECESSITY, Pole.ACHIEVEMENT),
        )
    return NextStep(
        _("Continuer à découvrir"),
        _("D'autres ateliers loisir vous attendent."),
        (Pole.LEISURE,),
    )


def next_step(resident, *, has_certificate=False, now=None):
    """choose() with the coming workshops of its poles that have seats (or a waiting list),
    those in the resident's neighbourhood first. One query."""
    step = choose(resident, has_certificate=has_certificate)
    workshops = PlannedWorkshop.objects.public(now=now or timezone.now()).filter(
        pole__in=step.poles
    )
    if resident.neighbourhood_id:
        workshops = workshops.annotate(
            nearby=Case(
                When(place__neighbourhood_id=resident.neighbourhood_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("nearby", "starts_at", "id")
    step.workshops = list(workshops[:WORKSHOPS_SHOWN])
    return step
