"""Forms of the public guide (search and filters) and of the staff pages that feed it
(places with their weekly timetable, planned workshops)."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from pathway import hours
from pathway.models import (
    DISABILITY_CARE,
    ChoiceListField,
    Fee,
    Neighbourhood,
    Place,
    PlannedWorkshop,
    Pole,
    Public,
    Service,
    SpecificCare,
)
from pathway.permissions import in_their_towns
from pathway.sorting import Alphabetical

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

    def __init__(self, *args, area=None, **kwargs):
        """`area` (pathway.areas.Area): the neighbourhoods offered are its towns' only,
        each with its town's name when there are several."""
        super().__init__(*args, **kwargs)
        if area is not None:
            field = self.fields["neighbourhood"]
            field.queryset = area.neighbourhoods()
            if area.spans_towns:
                field.label_from_instance = lambda n: f"{n.name} ({n.town.name})"

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
    # The seats taken as the form showed them: seats taken online meanwhile are kept, the
    # form only adds what the person changed (see apply_seats_taken).
    seats_taken_seen = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

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
        if user.is_network_admin:
            places = in_their_towns(places, user)
        else:
            places = places.filter(actor__in=user.actor_ids)
        self.fields["place"].queryset = places
        self.fields["place"].label_from_instance = str
        if self.instance.pk:
            local = timezone.localtime(self.instance.starts_at)
            self.initial.update(
                date=local.date(),
                time=local.time(),
                duration_minutes=self.instance.duration_minutes,
                seats_taken_seen=self.instance.seats_taken,
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

    def apply_seats_taken(self, current):
        """Inside the transaction that saves, with `current` the seats taken now (row
        locked): add the change the person made to what they saw, so that the sign-ups
        made online while the form was open are not lost. False (with an error on the
        form) when that would give more seats taken than seats."""
        seen = self.cleaned_data.get("seats_taken_seen")
        if seen is None or not self.instance.pk:
            return True
        taken = current + self.cleaned_data["seats_taken"] - seen
        if not 0 <= taken <= self.instance.seats:
            self.add_error(
                "seats",
                _(
                    "Des personnes se sont inscrites entre-temps : %(taken)s places sont "
                    "prises. Indiquez au moins autant de places."
                )
                % {"taken": current},
            )
            return False
        self.instance.seats_taken = taken
        return True


class PlaceReportForm(forms.Form):
    """« Signaler une erreur » on a place's page."""

    message = forms.CharField(
        label=_("Qu'est-ce qui ne va pas ?"),
        max_length=2000,
        help_text=_(
            "Par exemple : les horaires ont changé, le lieu a déménagé, le numéro ne répond pas."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Dites-nous en quelques mots ce qui ne va pas.")},
    )
    contact = forms.CharField(
        label=_("Votre téléphone ou courriel (facultatif)"),
        max_length=200,
        required=False,
        help_text=_(
            "Seulement si vous voulez qu'on vous réponde. Effacé une fois l'erreur traitée."
        ),
    )
    # Left empty by people; robots fill every field.
    website = forms.CharField(required=False, widget=forms.HiddenInput)
