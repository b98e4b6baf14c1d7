"""The part of the installation a public page shows: one town (?ville=<slug> on the guide,
?commune=<INSEE code> on the open data), one territory (?territoire=<slug>), or every town.

Without a parameter a page shows every town, as its URL did before an installation could
hold several: a single-town installation's pages are unchanged. A name that matches none
of the installation's is refused, never quietly widened to everything: the guide answers
a French 404 page listing the towns (views.area_not_found), the open data, read by
programs, a 400 in plain text."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from pathway.models import Neighbourhood, Territory, Town
from pathway.sorting import Alphabetical

TOWN_PARAMETER = "ville"
TERRITORY_PARAMETER = "territoire"
COMMUNE_PARAMETER = "commune"


class UnknownArea(Exception):
    """A town or territory the installation does not have; `message` says it in French
    and `towns` are those a visitor may choose instead."""

    def __init__(self, message, towns=()):
        super().__init__(message)
        self.message = message
        self.towns = towns


@dataclass(frozen=True)
class Area:
    """Every town of the installation (`towns`, by name) and the one town or territory
    chosen, if any. A chosen town inside a chosen territory narrows it."""

    towns: tuple = ()
    town: Town | None = None
    territory: Territory | None = None
    territory_towns: tuple = ()

    @property
    def several_towns(self):
        return len(self.towns) > 1

    @property
    def is_chosen(self):
        return self.town is not None or self.territory is not None

    @property
    def only_town(self):
        """The town the page is about: the one chosen, or the installation's only town."""
        if self.town is not None:
            return self.town
        if self.territory is None and len(self.towns) == 1:
            return self.towns[0]
        return None

    @property
    def name(self):
        """What the page is about, when it is not the whole installation."""
        if self.town is not None:
            return self.town.name
        return self.territory.name if self.territory is not None else ""

    @property
    def network_name(self):
        if self.town is not None:
            return self.town.network_name
        return self.territory.name if self.territory is not None else ""

    @property
    def header_names(self):
        """(town name, network name) the page's header and footer show: the chosen town's,
        the territory's, the installation's only town's, else the installation's."""
        if self.is_chosen:
            return self.name, self.network_name
        return names_of_every_town(self.towns)

    @property
    def selector_towns(self):
        """The towns the visitor may choose between: the territory's, or all."""
        return self.territory_towns if self.territory is not None else self.towns

    @property
    def params(self):
        """The guide's query parameters that keep this choice, for links."""
        params = {}
        if self.territory is not None:
            params[TERRITORY_PARAMETER] = self.territory.slug
        if self.town is not None:
            params[TOWN_PARAMETER] = self.town.slug
        return params

    @property
    def query(self):
        """ "?ville=istres" (or "" for the whole installation), to append to a guide URL."""
        return f"?{urlencode(self.params)}" if self.params else ""

    @property
    def open_data_query(self):
        """The same choice in the open data's terms."""
        if self.town is not None:
            return f"?{urlencode({COMMUNE_PARAMETER: self.town.insee_code})}"
        if self.territory is not None:
            return f"?{urlencode({TERRITORY_PARAMETER: self.territory.slug})}"
        return ""

    @property
    def centre(self):
        """(latitude, longitude) the map opens on, when the town has one."""
        town = self.only_town
        if town is None or town.map_latitude is None or town.map_longitude is None:
            return None
        return float(town.map_latitude), float(town.map_longitude)

    def of_places(self, path=""):
        """A filter keeping the places (or what `path` leads to a place from, such as
        "place__" for a workshop) of the chosen town or territory: by the actor's town."""
        if self.town is not None:
            return Q(**{f"{path}actor__town": self.town})
        if self.territory is not None:
            return Q(**{f"{path}actor__town__territories": self.territory})
        return Q()

    def neighbourhoods(self):
        """The neighbourhoods a visitor may pick: those of the chosen town or territory."""
        neighbourhoods = Neighbourhood.objects.all()
        if self.town is not None:
            neighbourhoods = neighbourhoods.filter(town=self.town)
        elif self.territory is not None:
            neighbourhoods = neighbourhoods.filter(town__territories=self.territory)
        if self.spans_towns:
            # "Centre-ville (Istres)" before "Centre-ville (Miramas)".
            return neighbourhoods.select_related("town").order_by(
                Alphabetical("name"), Alphabetical("town__name"), "pk"
            )
        return neighbourhoods.order_by(Alphabetical("name"), "pk")

    @property
    def spans_towns(self):
        """The page lists more than one town's records (neighbourhoods say their town)."""
        if self.town is not None:
            return False
        if self.territory is not None:
            return len(self.territory_towns) > 1
        return self.several_towns


def every_town():
    return tuple(Town.objects.order_by(Alphabetical("name"), "pk"))


# The product's name, where an installation of several towns has not given its own.
PRODUCT_NAME = "Parcours numérique"


def names_of_every_town(towns):
    """(town name, network name) of a page about every town of `towns` (the installation's):
    its only town's (a single-town installation, as before towns existed); with several,
    INSTALLATION_NAME (the header then names no town without it); the environment's
    defaults before any town is recorded."""
    if len(towns) == 1:
        return towns[0].name, towns[0].network_name
    if not towns:
        return settings.TOWN_NAME, settings.NETWORK_NAME
    return settings.INSTALLATION_NAME, settings.INSTALLATION_NAME or PRODUCT_NAME


def installation_names():
    """(town name, network name) of the whole installation, in one query (two towns at
    most are read: enough to know whether there are several)."""
    return names_of_every_town(tuple(Town.objects.order_by("pk")[:2]))


def names_of(town):
    """(town name, network name) of a page or a message about one town (what it is about:
    a workshop's, an account's, a referral's); about every town (None), the
    installation's."""
    return (town.name, town.network_name) if town is not None else installation_names()


def names_for(user):
    """(town name, network name) a message to a member of staff or an ambassador names:
    their own town's, as their pages' header (User.home_town_names), else the
    installation's."""
    return user.home_town_names or installation_names()


def guide_area(params):
    """The Area a guide page's query parameters choose (UnknownArea when they name a town
    or territory the installation does not have). One query (the towns), two more when a
    territory is chosen."""
    towns = every_town()
    town_slug = params.get(TOWN_PARAMETER, "").strip()
    territory_slug = params.get(TERRITORY_PARAMETER, "").strip()
    territory, territory_towns = None, ()
    if territory_slug:
        territory = (
            Territory.objects.filter(slug__iexact=territory_slug).prefetch_related("towns").first()
        )
        if territory is None:
            raise UnknownArea(
                _("Le guide ne connaît pas le territoire « %(name)s ».") % {"name": territory_slug},
                towns,
            )
        members = {town.pk for town in territory.towns.all()}
        territory_towns = tuple(town for town in towns if town.pk in members)
    town = None
    if town_slug:
        # "?ville=Istres" typed by hand is Istres too.
        town = next((t for t in towns if t.slug.lower() == town_slug.lower()), None)
        if town is None:
            raise UnknownArea(
                _("Le guide ne connaît pas de ville « %(name)s ».") % {"name": town_slug}, towns
            )
        if territory is not None and town not in territory_towns:
            raise UnknownArea(
                _("%(town)s ne fait pas partie du territoire %(territory)s.")
                % {"town": town.name, "territory": territory.name},
                territory_towns,
            )
    return Area(towns=towns, town=town, territory=territory, territory_towns=territory_towns)


def open_data_area(params):
    """The Area the open data's parameters choose: ?commune=<INSEE code> or
    ?territoire=<slug>. UnknownArea's message, in plain French, says which values exist."""
    commune = params.get(COMMUNE_PARAMETER, "").strip()
    territory_slug = params.get(TERRITORY_PARAMETER, "").strip()
    if commune and territory_slug:
        raise UnknownArea(
            _("Choisissez une commune ou un territoire, pas les deux : ?commune=… ou ?territoire=…")
        )
    towns = every_town()
    if commune:
        town = next((t for t in towns if t.insee_code == commune.upper()), None)
        if town is None:
            known = ", ".join(f"{t.insee_code} ({t.name})" for t in towns) or "—"
            raise UnknownArea(
                _(
                    "Aucune ville de ce réseau n'a le code INSEE « %(code)s ». "
                    "Codes possibles : %(known)s."
                )
                % {"code": commune, "known": known}
            )
        return Area(towns=towns, town=town)
    if territory_slug:
        territory = (
            Territory.objects.filter(slug__iexact=territory_slug).prefetch_related("towns").first()
        )
        if territory is None:
            known = ", ".join(Territory.objects.order_by("slug").values_list("slug", flat=True))
            raise UnknownArea(
                _("Aucun territoire « %(slug)s ». Territoires possibles : %(known)s.")
                % {"slug": territory_slug, "known": known or "—"}
            )
        return Area(towns=towns, territory=territory, territory_towns=tuple(territory.towns.all()))
    return Area(towns=towns)
