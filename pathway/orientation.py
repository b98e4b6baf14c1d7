"""« Je ne sais pas où aller » : three plain questions (what for, where, when free) that
lead to the places and coming workshops that fit, with their next opening times. Read by
the guide's orientation page (GET steps: works without JavaScript) and by the bench."""

import dataclasses
import datetime
import math

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathway import hours
from pathway.models import ChoiceListField, Neighbourhood, Place, PlannedWorkshop, Pole, Service
from pathway.sorting import Alphabetical


@dataclasses.dataclass(frozen=True)
class Need:
    label: str
    hint: str
    services: tuple
    poles: tuple


NEEDS = {
    "papiers": Need(
        _("Remplir un papier ou faire une démarche en ligne"),
        _("CAF, impôts, Ameli, France Travail, carte grise…"),
        (Service.PAPERWORK,),
        (Pole.NECESSITY,),
    ),
    "apprendre": Need(
        _("Apprendre à me servir d'un téléphone ou d'un ordinateur"),
        _("Les courriels, internet, les applications, se protéger des arnaques…"),
        (Service.DAILY_TOOLS, Service.SAFE_USE, Service.UNDERSTANDING),
        (Pole.ACHIEVEMENT, Pole.NECESSITY),
    ),
    "attestation": Need(
        _("Obtenir une attestation de compétences pour un emploi"),
        _("Un parcours d'ateliers qui se termine par une attestation à montrer à un employeur."),
        (Service.EMPLOYMENT, Service.DAILY_TOOLS),
        (Pole.ACHIEVEMENT,),
    ),
    "decouvrir": Need(
        _("Découvrir, me faire plaisir"),
        _("Photo, vidéo, musique, jeux, création, les écrans en famille…"),
        (Service.LEISURE, Service.UNDERSTANDING, Service.PARENTING),
        (Pole.LEISURE,),
    ),
}


@dataclasses.dataclass(frozen=True)
class Moment:
    label: str
    weekdays: tuple
    start: datetime.time
    end: datetime.time

    def fits_slots(self, week):
        """Whether the usual week ({weekday: [(start, end)]}) is open during this moment."""
        for day in self.weekdays:
            for start, end in week.get(day, ()):
                end = end if end != datetime.time(0) else datetime.time.max
                if start < self.end and end > self.start:
                    return True
        return False

    def fits_time(self, moment):
        local = moment.time()
        return moment.weekday() in self.weekdays and self.start <= local < self.end


WEEKDAYS = (0, 1, 2, 3, 4)
MOMENTS = {
    "matin": Moment(_("En semaine, le matin"), WEEKDAYS, datetime.time(7), datetime.time(12)),
    "apres-midi": Moment(
        _("En semaine, l'après-midi"), WEEKDAYS, datetime.time(12), datetime.time(17)
    ),
    "soir": Moment(_("En semaine, après 17 h"), WEEKDAYS, datetime.time(17), datetime.time.max),
    "samedi": Moment(_("Le samedi"), (5,), datetime.time.min, datetime.time.max),
}
ANYTIME = "tout"
EVERYWHERE = "partout"
NEAR_ME = "pres"


class OrientationForm(forms.Form):
    """The three answers, each a GET parameter; later steps keep the earlier answers."""

    besoin = forms.ChoiceField(
        label=_("De quoi avez-vous besoin ?"),
        choices=[(key, need.label) for key, need in NEEDS.items()],
        widget=forms.RadioSelect,
        required=False,
    )
    quartier = forms.CharField(required=False, max_length=110)
    quand = forms.ChoiceField(
        label=_("Quand êtes-vous libre ?"),
        choices=[(key, moment.label) for key, moment in MOMENTS.items()]
        + [(ANYTIME, _("N'importe quand"))],
        widget=forms.RadioSelect,
        required=False,
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180)

    def answers(self):
        """(need key, where, moment key), each "" until answered; where is a neighbourhood
        (by its slug), EVERYWHERE or NEAR_ME (with coordinates)."""
        if not self.is_valid():
            return "", "", ""
        data = self.cleaned_data
        need = data["besoin"]
        where = data["quartier"]
        if where == NEAR_ME and (data["lat"] is None or data["lon"] is None):
            where = ""  # "near me" without a position (no JavaScript): ask again
        elif where not in ("", EVERYWHERE, NEAR_ME) and not (
            Neighbourhood.objects.filter(slug=where).exists()
        ):
            where = ""
        return need, where if need else "", data["quand"] if need and where else ""

    @property
    def position(self):
        if self.is_valid() and self.cleaned_data["lat"] is not None:
            return self.cleaned_data["lat"], self.cleaned_data["lon"]
        return None


def distance_km(a, b):
    """Great-circle distance between two (lat, lon), in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


PLACES_SHOWN = 8
WORKSHOPS_SHOWN = 6


def results(*, need, where, moment, now, position=None, area=None):
    """The places and workshops that fit the answers, best first: (places, workshops). Each
    place carries `status` (open now / next opening, in plain words), `fits` (open when
    the person is free) and `distance` (km, near me); each workshop its place. `area`
    (pathway.areas.Area) keeps a town's or a territory's."""
    need = NEEDS[need]
    moment = MOMENTS.get(moment)
    services = ChoiceListField.has("services", need.services[0])
    for code in need.services[1:]:
        services |= ChoiceListField.has("services", code)
    places = Place.objects.in_guide().with_guide_data().filter(services)
    workshops = PlannedWorkshop.objects.public(now=now).filter(pole__in=need.poles)
    if area is not None:
        places = places.filter(area.of_places())
        workshops = workshops.filter(area.of_places("place__"))
    if where not in (EVERYWHERE, NEAR_ME):
        places = places.filter(neighbourhood__slug=where)
        workshops = workshops.filter(place__neighbourhood__slug=where)
    # Ranked from four columns (no model built for the hundreds of places left out), then
    # the few shown read in full.
    ranked = []
    rows = places.order_by(Alphabetical("name"), "pk").values_list(
        "pk", "opening_hours", "latitude", "longitude"
    )
    for pk, opening_hours, latitude, longitude in rows:
        fits = moment is None or moment.fits_slots(hours.usual_week(opening_hours))
        if moment is not None and not fits and opening_hours:
            continue  # known hours that never fit; unknown hours stay (call to check)
        distance = (
            distance_km(position, (float(latitude), float(longitude)))
            if position and latitude is not None and longitude is not None
            else None
        )
        ranked.append((not fits, not opening_hours, math.inf if distance is None else distance, pk))
    ranked.sort(key=lambda row: row[:3])  # stable: alphabetical within equals
    chosen = {row[3]: row for row in ranked[:PLACES_SHOWN]}
    shown = sorted(places.filter(pk__in=chosen), key=lambda place: list(chosen).index(place.pk))
    for place in shown:
        not_fits, _unknown, distance, _pk = chosen[place.pk]
        place.fits = not not_fits
        place.distance = None if distance == math.inf else distance
        place.status = hours.status(place.opening_hours, now)
    fitting_workshops = []
    for workshop in workshops[:200]:
        if moment is None or moment.fits_time(timezone.localtime(workshop.starts_at)):
            fitting_workshops.append(workshop)
            if len(fitting_workshops) == WORKSHOPS_SHOWN:
                break
    return shown, len(ranked), fitting_workshops
