"""The towns of a territory side by side, and all together: for the territory coordinator
(and anyone who reads the statistics of several towns). No name, and small counts
protected across towns: a town's count hidden in its own row must not come back as the
territory's total minus the other towns (stats.disclosure)."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pathway.sorting import sort_key
from stats.disclosure import Cell, Disclosure, Row, Table
from stats.figures import Filters, collect

# The counts of people, protected; then the offer (sessions, hours), which names nobody.
PEOPLE = [
    ("residents", gettext_lazy("Habitants accompagnés")),
    ("new", gettext_lazy("dont nouveaux")),
    ("completed", gettext_lazy("Modules validés")),
    ("certified", gettext_lazy("Attestations délivrées")),
]
OFFER = [("sessions", gettext_lazy("Séances")), ("hours", gettext_lazy("Heures de médiation"))]
ALL = "all"


@dataclass
class TownFigures:
    residents: int = 0
    new: int = 0
    completed: int = 0
    certified: int = 0
    sessions: int = 0
    hours: float = 0.0


def figures_of(filters):
    """The headline counts for these filters (the dashboard's, read the same way)."""
    figures = collect(filters)
    minutes = sum(totals[1] for totals in figures.activity.values())
    return TownFigures(
        residents=sum(counts[0] for counts in figures.population.values()),
        new=sum(counts[1] for counts in figures.population.values()),
        completed=sum(figures.completions.values()),
        certified=sum(figures.certificates.values()),
        sessions=sum(totals[0] for totals in figures.activity.values()),
        hours=round(minutes / 60, 1),
    )


def territory_table(period, lookups, town_ids, *, threshold=None):
    """One row per town and the territory's row, for `period`: a Table of the dashboard's
    kind. The territory counts distinct people (someone helped in two towns is one
    person there, one in each town's row)."""
    towns = sorted(town_ids, key=lambda pk: sort_key(lookups.towns.get(pk, "")))
    by_town = {
        pk: figures_of(Filters(period=period, actor_ids=lookups.actors_of({pk}))) for pk in towns
    }
    whole = figures_of(Filters(period=period, actor_ids=lookups.actors_of(set(towns))))
    disclosure = Disclosure(threshold or settings.STATS_MIN_COUNT)
    for name, _label in PEOPLE:
        parts = [disclosure.count((name, pk), getattr(by_town[pk], name)) for pk in towns]
        total = disclosure.count((name, ALL), getattr(whole, name))
        # The towns' rows add up to the territory's, but for the people helped in two
        # towns: a reader may know how many they are, so the sum of the towns is
        # protected as a shown total, and hides the territory's with it.
        summed = sum(getattr(by_town[pk], name) for pk in towns)
        if summed == getattr(whole, name):
            disclosure.equation(total, parts)
        else:
            disclosure.equation(disclosure.count((name, "sum"), summed), parts)
    disclosure.protect()
    for name, _label in PEOPLE:
        if (name, "sum") in disclosure.values and not disclosure.shown((name, "sum")):
            disclosure.state[name, ALL] = disclosure.state[name, "sum"]

    def cells(key, figures):
        return [disclosure.cell((name, key)) for name, _label in PEOPLE] + [
            Cell.number(getattr(figures, name)) for name, _label in OFFER
        ]

    rows = [Row(lookups.towns.get(pk, "?"), cells(pk, by_town[pk]), key=pk) for pk in towns]
    rows.append(Row(_("Ensemble du territoire"), cells(ALL, whole), total=True, key=ALL))
    return Table(
        "villes",
        _("Les villes côte à côte"),
        _("Ville"),
        [str(label) for _name, label in PEOPLE + OFFER],
        rows,
        note=_(
            "Une personne accompagnée dans deux villes compte dans chacune, et une seule "
            "fois pour l'ensemble du territoire."
        ),
    )
