"""Forms of the public guide (search and filters), of the staff pages that feed it
(places with their weekly timetable, planned workshops), and the statistics' filters."""

import datetime
import re

from django import forms
from django.db.models import Min, Q
from django.utils import dates, timezone
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from learners.models import SocialStatus
from pathway import hours
from pathway.models import (
    DISABILITY_CARE,
    ActorKind,
    ChoiceListField,
    Fee,
    Neighbourhood,
    Place,
    PlannedWorkshop,
    Pole,
    Public,
    Service,
    SpecificCare,
    StatsActivity,
)
from pathway.sorting import Alphabetical, sort_key
from pathway.stats import (
    AGE_BAND_CHOICES,
    Filters,
    Lookups,
    Period,
    Report,
    collect,
    month_label,
)

# Public guide -------------------------------------------------------------------------------


def has(field, *codes):
    query = Q()
    for code in codes:
        query |= ChoiceListField.has(field, code)
    return query


# "For whom?" in plain words: what each choice matches in the standard's fields.
PUBLIC_FILTERS = {
    "seniors": (_("Personnes âgées"), lambda: has("publics", Public.SENIORS)),
    "young": (_("Jeunes et étudiants"), lambda: has("publics", Public.YOUNG, Public.STUDENTS)),
    "families": (_("Familles et enfants"), lambda: has("publics", Public.FAMILIES)),
    "women": (_("Femmes"), lambda: has("publics", Public.WOMEN)),
    "job_seekers": (
        _("Personnes qui cherchent un emploi"),
        lambda: has("publics", Public.JOB_SEEKERS) | has("services", Service.EMPLOYMENT),
    ),
    "disability": (
        _("Personnes en situation de handicap"),
        lambda: has("specific_care", *DISABILITY_CARE),
    ),
    "reading": (
        _("Personnes qui ont du mal à lire ou à écrire"),
        lambda: has("specific_care", SpecificCare.ILLITERACY),
    ),
    "languages": (
        _("Personnes qui parlent peu le français"),
        lambda: has("specific_care", SpecificCare.ENGLISH, SpecificCare.OTHER_LANGUAGES),
    ),
}
COST_FILTERS = {
    "free": (_("Gratuit"), lambda: has("fees", Fee.FREE, Fee.FREE_UNDER_CONDITIONS)),
    "paid": (_("Payant"), lambda: has("fees", Fee.PAID)),
}


class PlaceFilterForm(forms.Form):
    """Search and filters of the public list of places (GET)."""

    q = forms.CharField(
        label=_("Chercher un lieu"),
        required=False,
        max_length=100,
        help_text=_("Un nom, une rue, une structure…"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    service = forms.ChoiceField(
        label=_("Pour faire quoi ?"),
        required=False,
        choices=[("", _("Tous les services"))] + [(s.value, s.plain) for s in Service],
    )
    pole = forms.ChoiceField(
        label=_("Étape du parcours"),
        required=False,
        choices=[("", _("Toutes les étapes"))] + [(p.value, p.plain_label) for p in Pole],
    )
    neighbourhood = forms.ModelChoiceField(
        label=_("Quartier"),
        required=False,
        queryset=Neighbourhood.objects.order_by(Alphabetical("name"), "pk"),
        to_field_name="slug",
        empty_label=_("Tous les quartiers"),
    )
    public = forms.ChoiceField(
        label=_("Pour qui ?"),
        required=False,
        choices=[("", _("Tout le monde"))] + [(k, v[0]) for k, v in PUBLIC_FILTERS.items()],
    )
    cost = forms.ChoiceField(
        label=_("Prix"),
        required=False,
        choices=[("", _("Gratuit ou payant"))] + [(k, v[0]) for k, v in COST_FILTERS.items()],
    )
    open_now = forms.BooleanField(label=_("Ouvert maintenant"), required=False)

    def filter(self, places, *, now, open_now=True):
        """The places matching the filters: a queryset, or a list once "open now" (which
        reads each place's hours) is asked; open_now=False leaves that one filter out."""
        if not self.is_valid():
            return places.none()
        data = self.cleaned_data
        if data["q"]:
            for word in data["q"].split():
                places = places.filter(
                    Q(name__icontains=word)
                    | Q(actor__name__icontains=word)
                    | Q(address__icontains=word)
                    | Q(neighbourhood__name__icontains=word)
                )
        if data["service"]:
            places = places.with_service(data["service"])
        if data["pole"]:
            places = places.filter(ChoiceListField.has("poles", data["pole"]))
        if data["neighbourhood"]:
            places = places.filter(neighbourhood=data["neighbourhood"])
        if data["public"]:
            places = places.filter(PUBLIC_FILTERS[data["public"]][1]())
        if data["cost"]:
            places = places.filter(COST_FILTERS[data["cost"]][1]())
        if data["open_now"] and open_now:
            return [place for place in places if hours.is_open(place.opening_hours, now)]
        return places

    @property
    def is_filtered(self):
        return self.is_valid() and any(self.cleaned_data.values())


# Weekly timetable ---------------------------------------------------------------------------

SLOTS = [(1, _("matin (ou journée)")), (2, _("après-midi"))]
CLOSURES = 2


def time_input(label):
    return forms.TimeField(
        label=label, required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


def date_input(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def timetable_fields():
    fields = {}
    for day in range(7):
        for slot, label in SLOTS:
            name = format_lazy("{} {}", capfirst(hours.DAY_NAMES[day]), label)
            fields[f"day{day}_slot{slot}_start"] = time_input(
                format_lazy("{} : {}", name, _("ouverture"))
            )
            fields[f"day{day}_slot{slot}_end"] = time_input(_("fermeture"))
    for n in range(1, CLOSURES + 1):
        fields[f"closure{n}_first"] = date_input(_("Fermeture exceptionnelle : du"))
        fields[f"closure{n}_last"] = date_input(_("au (inclus)"))
    fields["closed_on_public_holidays"] = forms.BooleanField(
        label=_("Fermé les jours fériés"), required=False, initial=True
    )
    return fields


# The weekly timetable: for each day two slots (morning, afternoon), closed on public
# holidays, and up to two closure periods. Declared fields, so that the admin sees them.
TimetableFields = type("TimetableFields", (forms.Form,), timetable_fields())
TIMETABLE_FIELD_NAMES = list(timetable_fields())


def timetable_initial(expression):
    """Initial form values read from an OSM expression, and whether they say it all."""
    timetable, exact = hours.Timetable.from_osm(expression)
    initial = {"closed_on_public_holidays": timetable.closed_on_public_holidays}
    for day, slots in timetable.days.items():
        # A single afternoon slot goes in the afternoon column.
        columns = [2] if len(slots) == 1 and slots[0][0] >= datetime.time(13) else [1, 2]
        for column, (start, end) in zip(columns, slots, strict=False):
            initial[f"day{day}_slot{column}_start"] = start
            initial[f"day{day}_slot{column}_end"] = end
        if len(slots) > 2:
            exact = False
    for n, (first, last) in enumerate(timetable.closures[:CLOSURES], start=1):
        initial[f"closure{n}_first"] = first
        initial[f"closure{n}_last"] = last
    if len(timetable.closures) > CLOSURES:
        exact = False
    return initial, exact


class TimetableFormMixin(TimetableFields):
    """The weekly timetable of a ModelForm of a model with `opening_hours`: it writes the
    OSM expression; nobody types the OSM syntax."""

    def init_timetable(self):
        expression = self.instance.opening_hours if self.instance.pk else ""
        initial, self.hours_exact = timetable_initial(expression)
        if not self.instance.pk:
            initial = {"closed_on_public_holidays": True}
        for name, value in initial.items():
            self.initial.setdefault(name, value)
        self.hours_replaced = expression if expression and not self.hours_exact else ""

    def timetable_rows(self):
        """For the template: one row per day, with its bound fields."""
        return [
            {
                "name": str(hours.DAY_NAMES[day]).capitalize(),
                "slots": [
                    (label, self[f"day{day}_slot{slot}_start"], self[f"day{day}_slot{slot}_end"])
                    for slot, label in SLOTS
                ],
            }
            for day in range(7)
        ]

    def closure_rows(self):
        return [
            (self[f"closure{n}_first"], self[f"closure{n}_last"]) for n in range(1, CLOSURES + 1)
        ]

    def clean_timetable(self):
        data = self.cleaned_data
        timetable = hours.Timetable(
            closed_on_public_holidays=bool(data.get("closed_on_public_holidays"))
        )
        for day in range(7):
            name = hours.DAY_NAMES[day]
            previous_end = None
            for slot, label in SLOTS:
                start = data.get(f"day{day}_slot{slot}_start")
                end = data.get(f"day{day}_slot{slot}_end")
                field = f"day{day}_slot{slot}_start"
                if start is None and end is None:
                    continue
                if start is None or end is None:
                    self.add_error(
                        field,
                        _(
                            "%(day)s %(slot)s : indiquez l'heure d'ouverture et l'heure "
                            "de fermeture."
                        )
                        % {"day": str(name).capitalize(), "slot": label},
                    )
                    continue
                if end != datetime.time(0) and end <= start:
                    self.add_error(
                        field,
                        _(
                            "%(day)s %(slot)s : l'heure de fermeture doit venir après "
                            "l'heure d'ouverture."
                        )
                        % {"day": str(name).capitalize(), "slot": label},
                    )
                    continue
                if previous_end is not None and start < previous_end:
                    self.add_error(
                        field,
                        _("%(day)s : l'après-midi commence avant la fin du matin.")
                        % {"day": str(name).capitalize()},
                    )
                    continue
                timetable.days[day].append((start, end))
                previous_end = end
        for n in range(1, CLOSURES + 1):
            first, last = data.get(f"closure{n}_first"), data.get(f"closure{n}_last")
            if first is None and last is None:
                continue
            first, last = first or last, last or first
            if last < first:
                self.add_error(
                    f"closure{n}_first",
                    _("La fermeture exceptionnelle doit finir après son début."),
                )
                continue
            timetable.closures.append((first, last))
        has_slots = any(timetable.days.values())
        expression = timetable.to_osm() if has_slots else ""
        if expression:
            try:
                hours.validate_opening_hours(expression)
            except forms.ValidationError as error:  # pragma: no cover - generated syntax
                self.add_error(None, error)
        return expression


# Staff pages --------------------------------------------------------------------------------

PLACE_FIELDS = [
    "name",
    "summary",
    "address",
    "address_complement",
    "postcode",
    "city",
    "insee_code",
    "neighbourhood",
    "latitude",
    "longitude",
    "directions",
    "phone",
    "email",
    "website",
    "appointment_url",
    "poles",
    "services",
    "publics",
    "specific_care",
    "fees",
    "access_modes",
    "support_modes",
    "accessibility",
    "accessibility_url",
    "description",
    "national_programmes",
    "typology",
    "is_mobile",
    "is_published",
]


class PlaceFormMixin(TimetableFormMixin):
    """What the staff page and the admin share: the timetable, and a postcode typed with a
    space ("13 140") accepted."""

    postcode = forms.CharField(
        label=_("code postal"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_timetable()

    def clean_postcode(self):
        return "".join(self.cleaned_data["postcode"].split())

    def clean(self):
        cleaned = super().clean()
        self.instance.opening_hours = self.clean_timetable()
        return cleaned


class PlaceForm(PlaceFormMixin, forms.ModelForm):
    """A place as its coordinator (or the network admin) describes it for the guide."""

    class Meta:
        model = Place
        fields = PLACE_FIELDS


class PlannedWorkshopForm(forms.ModelForm):
    DURATIONS = [(30, "30 min"), (60, "1 h"), (90, "1 h 30"), (120, "2 h"), (180, "3 h")]

    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(
        label=_("Heure de début"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.TypedChoiceField(
        label=_("Durée"), choices=DURATIONS, coerce=int, initial=90
    )

    class Meta:
        model = PlannedWorkshop
        fields = ["place", "pole", "title", "description", "seats", "seats_taken", "is_published"]

    def __init__(self, *args, user, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        places = (
            Place.objects.filter(is_active=True)
            .select_related("actor")
            .order_by(Alphabetical("name"), "pk")
        )
        if not user.is_network_admin:
            places = places.filter(actor__in=user.actor_ids)
        self.fields["place"].queryset = places
        self.fields["place"].label_from_instance = str
        if self.instance.pk:
            local = timezone.localtime(self.instance.starts_at)
            self.initial.update(
                date=local.date(),
                time=local.time(),
                duration_minutes=self.instance.duration_minutes,
            )

    def clean(self):
        cleaned = super().clean()
        date, time = cleaned.get("date"), cleaned.get("time")
        if date and time:
            starts_at = timezone.make_aware(datetime.datetime.combine(date, time))
            if starts_at <= self.now:
                self.add_error(
                    "date",
                    _("Un atelier à annoncer a lieu plus tard : choisissez une date à venir."),
                )
            self.instance.starts_at = starts_at
        if cleaned.get("place"):
            self.instance.actor = cleaned["place"].actor
        if cleaned.get("duration_minutes"):
            self.instance.duration_minutes = cleaned["duration_minutes"]
        return cleaned


# Statistics -------------------------------------------------------------------------------

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


class StatsFilterForm(forms.Form):
    """The dashboard's filters (a GET form: the address of a page says what it shows)."""

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
        data = data.copy()
        if not data.get("period"):
            data["period"] = "year"
        if not data.get("year"):
            data["year"] = str(today.year)
        super().__init__(data)
        self.user = user
        self.lookups = lookups
        self.years = list(range(min(first_year, today.year), today.year + 1))
        self.fields["year"].choices = [(y, str(y)) for y in reversed(self.years)]
        # Coordinators see their own actors only; officials and the network admin, all.
        self.own_actors = None if user.is_network_admin or user.is_official else user.actor_ids
        if self.own_actors is None:
            by_kind = {}
            for pk, (name, kind) in sorted(lookups.actors.items(), key=lambda a: sort_key(a[1][0])):
                by_kind.setdefault(ActorKind(kind).label, []).append((pk, name))
            self.fields["actor"].choices = [("", _("Tout le réseau"))] + sorted(
                by_kind.items(), key=lambda group: sort_key(group[0])
            )
        else:
            mine = sorted(
                ((pk, lookups.actors[pk][0]) for pk in self.own_actors if pk in lookups.actors),
                key=lambda actor: sort_key(actor[1]),
            )
            self.fields["actor"].choices = [("", _("Toutes mes structures")), *mine]
            del self.fields["actor_kind"]
        neighbourhoods = sorted(lookups.neighbourhoods.items(), key=lambda n: sort_key(n[1][0]))
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

    def clean(self):
        data = super().clean()
        kind, year = data.get("period"), data.get("year")
        if kind is None or year is None:
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
        actor, kind = data.get("actor"), data.get("actor_kind")
        if actor:
            actor_ids = frozenset([actor])
            described.append((_("Structure"), self.lookups.actors[actor][0]))
        elif kind:
            actor_ids = frozenset(pk for pk, (_n, k) in self.lookups.actors.items() if k == kind)
            described.append((_("Type de structure"), ActorKind(kind).label))
        elif self.own_actors is not None:
            actor_ids = frozenset(self.own_actors)
            described.append(
                (
                    _("Structures"),
                    ", ".join(sorted(self.lookups.actors[pk][0] for pk in actor_ids)) or "—",
                )
            )
        else:
            actor_ids = None
            described.append((_("Structures"), _("Tout le réseau")))
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
    first = StatsActivity.objects.aggregate(first=Min("month"))["first"]
    today = timezone.localdate()
    form = StatsFilterForm(
        data,
        user=user,
        lookups=lookups,
        today=today,
        first_year=first.year if first else today.year,
    )
    if not form.is_valid():
        return form, None
    filters = form.filters()
    report = Report(collect(filters), filters, lookups)
    if report.too_few_people:
        # The people these filters select are a hidden cell of another view's table
        # (pathway.stats.disclosure): the view would give it away.
        form.add_error(
            None, _("Trop peu de personnes pour ce croisement de filtres : élargissez-les.")
        )
        return form, None
    return form, report
