"""What a staff member may name when writing a session, read once per request or import."""

import functools
from functools import cached_property
from itertools import batched

from django.db import models
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from learners.models import (
    Resident,
    normalise,
    resident_visibility,
)
from pathway.models import (
    Actor,
    Module,
    ModuleCompetence,
    Neighbourhood,
    Operator,
    Place,
    Topic,
    has_neighbours,
)
from pathway.permissions import in_their_towns
from pathway.sorting import Alphabetical

# What a user may pick -------------------------------------------------------------------


# Names repeat from one row of a file to the next: each is folded once.
folded = functools.lru_cache(maxsize=8192)(normalise)


def is_record(value):
    return isinstance(value, models.Model)


class SessionChoices:
    """What a staff member may name when writing a session, each list read once (per
    request, or per import): by id, by name (folded accents and case), or as records."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def actors(self):
        # Whether each actor's town has neighbours (following across towns is offered to
        # the people it welcomes) is read in the same query.
        actors = (
            Actor.objects.active()
            .annotate(town_has_neighbours=has_neighbours("town"))
            .order_by(Alphabetical("name"), "pk")
        )
        if self.user.is_network_admin:
            actors = in_their_towns(actors, self.user, "pk")
        else:
            actors = actors.filter(pk__in=self.user.actor_ids)
        return list(actors)

    @property
    def across_towns_offered(self):
        """Whether a new person may be asked to be followed in the neighbouring towns: one
        of the user's structures is in a town that shares a territory with another."""
        return any(actor.town_has_neighbours for actor in self.actors)

    @cached_property
    def places(self):
        return list(
            Place.objects.filter(actor__in=[a.pk for a in self.actors], is_active=True).order_by(
                Alphabetical("name"), "pk"
            )
        )

    @cached_property
    def topics(self):
        return list(Topic.objects.filter(is_active=True).order_by("pole", Alphabetical("name")))

    @cached_property
    def modules(self):
        """Network-wide modules and those of the user's actors, with their competences."""
        modules = (
            Module.objects.active()
            .order_by(Alphabetical("name"), "pk")
            .prefetch_related(
                Prefetch("targets", queryset=ModuleCompetence.objects.select_related("competence"))
            )
        )
        if not self.user.is_network_admin:
            modules = modules.filter(Q(actor__isnull=True) | Q(actor__in=self.user.actor_ids))
        else:
            modules = modules.in_their_towns(self.user)
        return list(modules)

    @cached_property
    def operators(self):
        return list(Operator.objects.order_by(Alphabetical("name"), "pk"))

    @cached_property
    def neighbourhoods(self):
        neighbourhoods = Neighbourhood.objects.order_by(Alphabetical("name"), "pk")
        if self.user.town_ids is not None:
            neighbourhoods = neighbourhoods.filter(town__in=self.user.town_ids)
        return list(neighbourhoods)

    # Choices of the form's participant rows, built once for all the rows.
    def get_neighbourhood_choices(self):
        return [("", _("Non renseigné"))] + [(n.pk, n.name) for n in self.neighbourhoods]

    def get_operator_choices(self):
        return [("", _("Non renseigné"))] + [(o.pk, o.name) for o in self.operators]

    @staticmethod
    def by_pk(objects):
        return {o.pk: o for o in objects}

    def module_competences(self):
        """For the page's script: the competences of each module, to draw level fields."""
        return {
            str(module.pk): [
                {
                    "id": t.competence_id,
                    "code": t.competence.code,
                    "name": t.competence.name,
                    "target": t.target_level,
                }
                for t in module.targets.all()
            ]
            for module in self.modules
        }

    def default_actor(self):
        """The structure a session or a record goes to when none is named: the user's
        first structure by name (the first one a network admin may pick otherwise)."""
        own = self.user.actor_ids
        return next((a for a in self.actors if a.pk in own), None) or next(iter(self.actors), None)

    def _index(self, kind):
        """{id or folded name (or SIRET): record} of one kind, built when first needed."""
        indexes = self.__dict__.setdefault("_indexes", {})
        if kind in indexes:
            return indexes[kind]
        found = indexes[kind] = {}
        if kind == "places":
            for place in self.places:
                found[(place.actor_id, place.pk)] = place
                found.setdefault((place.actor_id, normalise(place.name)), place)
        elif kind == "topics":
            for topic in self.topics:
                found[topic.pk] = topic
                found.setdefault((topic.pole, normalise(topic.name)), topic)
                found.setdefault(normalise(topic.name), topic)
        else:
            for item in getattr(self, kind):
                found[item.pk] = item
                found.setdefault(normalise(item.name), item)
                if getattr(item, "siret", ""):
                    found.setdefault(item.siret, item)
        return found

    @staticmethod
    def _key(value):
        return value if isinstance(value, int) else folded(str(value))

    def find(self, kind, value):
        """The actor, module, operator or neighbourhood `value` names (None: unknown, or not
        the user's to pick). A record is taken as it is: its caller checked it."""
        if is_record(value):
            return value
        found = self._index(kind).get(self._key(value))
        if found is None and kind == "actors" and isinstance(value, str):
            found = self._index(kind).get("".join(value.split()))  # a SIRET with spaces
        return found

    def place(self, actor, value):
        if is_record(value):
            return value
        return self._index("places").get((actor.pk, self._key(value)))

    def actor_of_place(self, value):
        """The structure of the place `value` names (its id, or a name that only one of the
        user's structures gives a place), for a session that names a place and no
        structure: a mediator of two structures logs at either's places. None when the
        place is unknown or its name ambiguous."""
        if value in (None, ""):
            return None
        if is_record(value):
            return self.find("actors", value.actor_id)
        owners = self.__dict__.get("_place_owners")
        if owners is None:
            owners = self.__dict__["_place_owners"] = {}
            for actor_id, key in self._index("places"):
                owners.setdefault(key, set()).add(actor_id)
        found = owners.get(self._key(value), ())
        return self.find("actors", next(iter(found))) if len(found) == 1 else None

    def topic(self, pole, value):
        """The topic `value` names, of `pole` if there are namesakes."""
        if is_record(value):
            return value
        if isinstance(value, int):
            return self._index("topics").get(value)
        key = folded(str(value))
        return self._index("topics").get((pole, key)) or self._index("topics").get(key)

    def residents(self, values):
        """{value: Resident} for the ids and references among `values` that the user may
        see, a few queries whatever their number. Those found are kept: an import names the
        same people from one batch of rows to the next, and reads each of them once."""
        known = self.__dict__.setdefault("_residents", {})
        ids = {v for v in values if isinstance(v, int)}
        references = {v.strip().upper() for v in values if isinstance(v, str)}
        found = {key: known[key] for key in ids | references if key in known}
        ids, references = ids - found.keys(), references - found.keys()
        allowed = resident_visibility(self.user)
        if allowed is None:
            return found
        for batch in batched(sorted(ids), 2000):
            found |= {r.pk: r for r in Resident.objects.filter(allowed, pk__in=batch)}
        for batch in batched(sorted(references), 2000):
            found |= {r.reference: r for r in Resident.objects.filter(allowed, reference__in=batch)}
        for resident in found.values():
            known[resident.pk] = known[resident.reference] = resident
        return found
