"""The dashboard's filters, and the report they ask for (stats_report): the page, its
exports and the API read the same."""

import datetime
import re

from django import forms
from django.db.models import Min
from django.utils import dates, timezone
from django.utils.translation import gettext_lazy as _

from learners.models import SocialStatus
from pathway.models import ActorKind, Pole
from pathway.permissions import Role
from pathway.sorting import sort_key
from stats.figures import AGE_BAND_CHOICES, Filters, Period, collect, month_label
from stats.models import StatsActivity
from stats.report import Lookups, Report

MONTHS = sorted(dates.MONTHS.items())
QUARTERS = [
    (1, _("1er trimestre (janvier à mars)")),
    (2, _("2e trimestre (avril à juin)")),
    (3, _("3e trimestre (juillet à septembre)")),
    (4, _("4e trimestre (octobre à décembre)")),
]
MONTH_INPUT = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTHS = 120
QPV, OUTSIDE_QPV = "qpv", "outside_qpv"


class PeriodForm(forms.Form):
    """A period of whole months: a year, a quarter, a month, or from one month to another
    (a GET form: the address of a page says what it shows). The dashboard and a mediator's
    own statistics read their period through it; `cleaned_data["range"]` is the Period."""

    period = forms.ChoiceField(
        label=_("Période"),
        choices=[
            ("year", _("Une année")),
            ("quarter", _("Un trimestre")),
            ("month", _("Un mois")),
            ("custom", _("D'un mois à un autre")),
        ],
    )
    year = forms.TypedChoiceField(label=_("Année"), coerce=int)
    quarter = forms.TypedChoiceField(
        label=_("Trimestre"),
        help_text=_("Si vous avez choisi un trimestre."),
        coerce=int,
        choices=[("", "—"), *QUARTERS],
        required=False,
    )
    month = forms.TypedChoiceField(
        label=_("Mois"),
        help_text=_("Si vous avez choisi un mois."),
        coerce=int,
        choices=[("", "—"), *MONTHS],
        required=False,
    )
    start = forms.CharField(
        label=_("Du mois"),
        help_text=_("Période libre, par exemple 2026-01."),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}),
    )
    end = forms.CharField(
        label=_("Au mois (compris)"),
        help_text=_("Période libre, par exemple 2026-06."),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-06"}),
    )

    def __init__(self, data, *, today, first_year):
        data = data.copy()
        if not data.get("period"):
            data["period"] = "year"
        if not data.get("year"):
            data["year"] = str(today.year)
        super().__init__(data)
        self.years = list(range(min(first_year, today.year), today.year + 1))
        self.fields["year"].choices = [(y, str(y)) for y in reversed(self.years)]

    @staticmethod
    def first_year(today):
        """The first year with figures (the year list starts there)."""
        first = StatsActivity.objects.aggregate(first=Min("month"))["first"]
        return first.year if first else today.year

    def clean_start(self):
        return self._month("start")

    def clean_end(self):
        return self._month("end")

    def _month(self, name):
        value = self.cleaned_data.get(name, "").strip()
        if not value:
            return None
        match = MONTH_INPUT.match(value)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(
                _("Écrivez le mois sous la forme année-mois, par exemple 2026-03.")
            )
        return datetime.date(int(match[1]), int(match[2]), 1)

    # The fields that say which quarter, month or months: each belongs to one period type.
    PERIOD_FIELDS = {"quarter": ("quarter",), "month": ("month",), "custom": ("start", "end")}

    def _period_kind(self, data):
        """The period type these choices ask for. A quarter, a month or months chosen while
        "Période" stayed at "Une année" (its default) switch it; a choice that belongs to
        another type than the one chosen is refused, never silently ignored: the figures
        shown are always those of the period the form displays."""
        kind = data.get("period")
        filled = [
            other
            for other, names in self.PERIOD_FIELDS.items()
            if any(data.get(name) or self.data.get(name) for name in names)
        ]
        if kind == "year" and len(filled) == 1:
            kind = filled[0]
            data["period"] = kind
            # The form shown again says the period type that applies.
            self.data = self.data.copy()
            self.data["period"] = kind
        for other in filled:
            if other == kind:
                continue
            for name in self.PERIOD_FIELDS[other]:
                if data.get(name) or self.data.get(name):
                    self.add_error(
                        name,
                        _(
                            "« %(field)s » ne va pas avec la période « %(period)s » : "
                            "videz ce champ, ou choisissez « %(other)s » dans « Période »."
                        )
                        % {
                            "field": self.fields[name].label,
                            "period": dict(self.fields["period"].choices)[kind],
                            "other": dict(self.fields["period"].choices)[other],
                        },
                    )
        return kind

    def clean(self):
        data = super().clean()
        if data.get("period") is None or data.get("year") is None:
            return data
        kind, year = self._period_kind(data), data["year"]
        if self.errors:
            return data
        if kind == "year":
            data["range"] = Period(
                datetime.date(year, 1, 1),
                datetime.date(year, 12, 1),
                _("Année %(year)s") % {"year": year},
            )
        elif kind == "quarter":
            quarter = data.get("quarter")
            if not quarter:
                self.add_error("quarter", _("Choisissez le trimestre."))
                return data
            data["range"] = Period(
                datetime.date(year, 3 * quarter - 2, 1),
                datetime.date(year, 3 * quarter, 1),
                f"{dict(QUARTERS)[quarter]} {year}",
            )
        elif kind == "month":
            month = data.get("month")
            if not month:
                self.add_error("month", _("Choisissez le mois."))
                return data
            day = datetime.date(year, month, 1)
            data["range"] = Period(day, day, month_label(day))
        else:
            start, end = data.get("start"), data.get("end")
            for name, value in (("start", start), ("end", end)):
                if value is None and name not in self.errors:
                    self.add_error(name, _("Indiquez le mois, par exemple 2026-03."))
            if start is None or end is None:
                return data
            months = (end.year - start.year) * 12 + end.month - start.month + 1
            if months < 1:
                self.add_error("end", _("Le mois de fin doit venir après le mois de début."))
                return data
            if months > MAX_MONTHS:
                self.add_error("end", _("Choisissez une période de dix ans au plus."))
                return data
            data["range"] = Period(
                start,
                end,
                _("De %(start)s à %(end)s")
                % {"start": month_label(start), "end": month_label(end)},
            )
        return data


class StatsFilterForm(PeriodForm):
    """The dashboard's filters: the period, then where and who."""

    town = forms.TypedChoiceField(label=_("Ville"), coerce=int, required=False)
    actor = forms.TypedChoiceField(label=_("Structure"), coerce=int, required=False)
    actor_kind = forms.ChoiceField(
        label=_("Type de structure"),
        choices=[("", _("Tous les types")), *ActorKind.choices],
        required=False,
    )
    neighbourhood = forms.ChoiceField(label=_("Quartier"), required=False)
    pole = forms.ChoiceField(
        label=_("Pôle"),
        choices=[("", _("Tous les pôles")), *Pole.choices],
        required=False,
    )
    age = forms.ChoiceField(
        label=_("Âge"),
        choices=[("", _("Tous les âges")), *AGE_BAND_CHOICES],
        required=False,
    )
    social_status = forms.ChoiceField(
        label=_("Situation"),
        choices=[("", _("Toutes les situations")), *SocialStatus.choices],
        required=False,
    )

    def __init__(self, data, *, user, lookups, today, first_year):
        super().__init__(data, today=today, first_year=first_year)
        self.user = user
        self.lookups = lookups
        # The towns read (None: every one there is); their actors. Coordinators see their
        # own actors only; officials and the network admin, their town's; the territory
        # coordinator, their territory's.
        self.towns = lookups.scope_of(user)
        self.town_actors = None if self.towns is None else lookups.actors_of(self.towns)
        if user.is_network_admin or user.is_official or user.role == Role.TERRITORY_COORDINATOR:
            self.own_actors = self.town_actors
            self.whole = self._whole_label()
        else:
            self.own_actors = user.actor_ids
            self.whole = _("Toutes mes structures")
        readable = self.towns if self.towns is not None else set(lookups.towns)
        if len(readable) > 1:
            self.fields["town"].choices = [("", self.whole)] + sorted(
                ((pk, lookups.towns[pk]) for pk in readable if pk in lookups.towns),
                key=lambda town: sort_key(town[1]),
            )
        else:
            del self.fields["town"]
        if self.own_actors is None or self.own_actors is self.town_actors:
            actors = (
                lookups.actors
                if self.own_actors is None
                else {pk: lookups.actors[pk] for pk in self.own_actors}
            )
            by_kind = {}
            for pk, (name, kind) in sorted(actors.items(), key=lambda a: sort_key(a[1][0])):
                by_kind.setdefault(ActorKind(kind).label, []).append((pk, name))
            self.fields["actor"].choices = [("", self.whole)] + sorted(
                by_kind.items(), key=lambda group: sort_key(group[0])
            )
        else:
            mine = sorted(
                ((pk, lookups.actors[pk][0]) for pk in self.own_actors if pk in lookups.actors),
                key=lambda actor: sort_key(actor[1]),
            )
            self.fields["actor"].choices = [("", self.whole), *mine]
            del self.fields["actor_kind"]
        neighbourhoods = sorted(
            (
                item
                for item in lookups.neighbourhoods.items()
                if self.towns is None or lookups.neighbourhood_towns[item[0]] in self.towns
            ),
            key=lambda n: sort_key(n[1][0]),
        )
        self.fields["neighbourhood"].choices = [
            ("", _("Tous les quartiers")),
            (QPV, _("Quartiers prioritaires (QPV)")),
            (OUTSIDE_QPV, _("Hors quartiers prioritaires")),
            (
                _("Un quartier"),
                [
                    (str(pk), f"{name} (QPV)" if priority else name)
                    for pk, (name, priority) in neighbourhoods
                ],
            ),
        ]

    def _whole_label(self):
        if self.towns is not None and len(self.towns) > 1:
            return _("Tout le territoire")
        if self.towns is None and len(self.lookups.towns) > 1:
            return _("Toutes les villes")
        return _("Tout le réseau")

    def clean(self):
        data = super().clean()
        town, actor = data.get("town"), data.get("actor")
        if town and actor and self.lookups.actor_towns.get(actor) != town:
            self.add_error("actor", _("Cette structure n'est pas dans la ville choisie."))
        if data.get("actor") and data.get("actor_kind"):
            self.add_error(
                "actor_kind",
                _("Choisissez une structure ou un type de structure, pas les deux."),
            )
        return data

    def filters(self):
        """The Filters these choices stand for, with their description in words."""
        data = self.cleaned_data
        described = [(_("Période"), data["range"].label)]
        actor, kind, town = data.get("actor"), data.get("actor_kind"), data.get("town")
        # The actors read when none is chosen (None: every actor, the network's rows).
        base = self.own_actors
        if town:
            in_town = self.lookups.actors_of({town})
            base = in_town if base is None else base & in_town
            described.append((_("Ville"), self.lookups.towns[town]))
        if actor:
            actor_ids = frozenset([actor])
            described.append((_("Structure"), self.lookups.actors[actor][0]))
        elif kind:
            actor_ids = frozenset(
                pk
                for pk, (_n, k) in self.lookups.actors.items()
                if k == kind and (base is None or pk in base)
            )
            described.append((_("Type de structure"), ActorKind(kind).label))
            if base is not None:
                # The kind's summary rows count the whole installation: its actors in the
                # towns read are merged instead.
                kind = ""
        elif base is not None:
            actor_ids = frozenset(base)
            if town:
                pass  # said above
            elif self.own_actors is self.town_actors:
                described.append((_("Structures"), self.whole))
            else:
                names = sorted(self.lookups.actors[pk][0] for pk in actor_ids)
                described.append((_("Structures"), ", ".join(names) or "—"))
        else:
            actor_ids = None
            described.append((_("Structures"), self.whole))
        neighbourhood = data.get("neighbourhood")
        neighbourhood_ids = None
        if neighbourhood:
            priority = {pk for pk, (_n, p) in self.lookups.neighbourhoods.items() if p}
            if neighbourhood == QPV:
                neighbourhood_ids = frozenset(priority)
            elif neighbourhood == OUTSIDE_QPV:
                neighbourhood_ids = frozenset(set(self.lookups.neighbourhoods) - priority)
            else:
                neighbourhood_ids = frozenset([int(neighbourhood)])
            described.append((_("Quartier"), dict(self._flat("neighbourhood"))[neighbourhood]))
        for name in ("pole", "age", "social_status"):
            if data.get(name):
                described.append((self.fields[name].label, dict(self._flat(name))[data[name]]))
        return Filters(
            period=data["range"],
            actor_ids=actor_ids,
            actor_kind="" if actor else (kind or ""),
            neighbourhood_ids=neighbourhood_ids,
            pole=data.get("pole", ""),
            age=data.get("age", ""),
            social_status=data.get("social_status", ""),
            described=tuple((str(name), str(value)) for name, value in described),
        )

    def _flat(self, name):
        for value, label in self.fields[name].choices:
            if isinstance(label, list | tuple):
                yield from label
            else:
                yield value, label


def stats_report(data, user):
    """The statistics filter form for these choices (a query string) and, when they are
    valid, the report they ask for: the dashboard, its exports and the API share it."""
    lookups = Lookups.load()
    today = timezone.localdate()
    form = StatsFilterForm(
        data, user=user, lookups=lookups, today=today, first_year=PeriodForm.first_year(today)
    )
    if not form.is_valid():
        return form, None
    filters = form.filters()
    report = Report(collect(filters), filters, lookups)
    if report.too_few_people:
        # The people these filters select are a hidden cell of another view's table
        # (stats.disclosure): the view would give it away.
        form.add_error(
            None, _("Trop peu de personnes pour ce croisement de filtres : élargissez-les.")
        )
        return form, None
    return form, report


class MyStatsForm(PeriodForm):
    """A mediator's own statistics: the period; for a coordinator, whose figures too."""

    qui = forms.ChoiceField(label=_("Les chiffres de"), required=False)

    def __init__(self, data, *, today, first_year, whose_choices=None):
        super().__init__(data, today=today, first_year=first_year)
        if whose_choices is None:
            del self.fields["qui"]
        else:
            self.fields["qui"].choices = whose_choices


class ShareLinkForm(forms.Form):
    label = forms.CharField(
        label=_("Pour qui est ce lien ?"),
        help_text=_("Facultatif. Par exemple : ma responsable. Vous seul le voyez."),
        max_length=100,
        required=False,
    )
