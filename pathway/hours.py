"""Opening hours: stored in the OpenStreetMap `opening_hours` format (what the national
open-data standard asks for), entered through a weekly timetable, shown in plain French.

Parsing and evaluation (is it open at 10:00 on 14 July?) are done by `opening-hours-py`,
a maintained parser of the whole OSM syntax that knows French public holidays. This module
adds what it does not do: the timetable a person fills in (and back), the French wording,
and the names of French public holidays, computed here (a few lines, tested against the
parser's own calendar).
"""

import datetime
import functools
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.formats import date_format, time_format
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from opening_hours import OpeningHours, ParserError, State

OSM_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
DAY_NAMES = [
    gettext_lazy("lundi"),
    gettext_lazy("mardi"),
    gettext_lazy("mercredi"),
    gettext_lazy("jeudi"),
    gettext_lazy("vendredi"),
    gettext_lazy("samedi"),
    gettext_lazy("dimanche"),
]
OSM_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
# A week without any French public holiday, used to read the usual weekly timetable.
REFERENCE_MONDAY = datetime.date(2026, 9, 7)
# Closure periods the timetable form writes, e.g. "2026 Aug 01-2026 Aug 15 off".
CLOSURE_RULE = re.compile(
    r"^(\d{4}) ?([A-Z][a-z]{2}) ?(\d{1,2})(?:-(\d{4}) ?([A-Z][a-z]{2}) ?(\d{1,2}))? (?:off|closed)$"
)
HOLIDAY_RULE = re.compile(r"^PH (?:off|closed)$")


# French public holidays ---------------------------------------------------------------------


def easter_sunday(year):
    """Gregorian Easter (anonymous algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def french_public_holidays(year):
    """The eleven national public holidays of metropolitan France: {date: name}."""
    easter = easter_sunday(year)
    days = {
        datetime.date(year, 1, 1): _("Jour de l'an"),
        easter + datetime.timedelta(days=1): _("Lundi de Pâques"),
        datetime.date(year, 5, 1): _("Fête du Travail"),
        datetime.date(year, 5, 8): _("Victoire 1945"),
        easter + datetime.timedelta(days=39): _("Ascension"),
        easter + datetime.timedelta(days=50): _("Lundi de Pentecôte"),
        datetime.date(year, 7, 14): _("Fête nationale"),
        datetime.date(year, 8, 15): _("Assomption"),
        datetime.date(year, 11, 1): _("Toussaint"),
        datetime.date(year, 11, 11): _("Armistice 1918"),
        datetime.date(year, 12, 25): _("Noël"),
    }
    return dict(sorted(days.items()))


def public_holiday_name(day):
    return french_public_holidays(day.year).get(day)


# Parsing and validation ---------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def parse(expression, *, holidays=True):
    """The parsed expression (cached: many places share the same hours). With holidays,
    "PH" means French public holidays; without, it never applies (the usual week)."""
    return OpeningHours(
        expression,
        country="FR" if holidays else None,
        auto_country=False,
        auto_timezone=False,
    )


def validate_opening_hours(value):
    """Model and form validator: the value must be a valid OSM opening_hours expression."""
    if not value:
        return
    try:
        parse(value)
    except (ParserError, ValueError) as error:
        raise ValidationError(
            _(
                "Les horaires « %(value)s » ne sont pas au bon format. Remplissez le tableau "
                "des horaires jour par jour plutôt que de les écrire."
            ),
            code="opening_hours",
            params={"value": value},
        ) from error


def is_valid(expression):
    try:
        validate_opening_hours(expression)
    except ValidationError:
        return False
    return True


def local_naive(now):
    """Evaluation happens in the town's local time, without timezone (the parser's way)."""
    if now.tzinfo is not None:
        from django.utils import timezone

        now = timezone.localtime(now)
    return now.replace(tzinfo=None, second=0, microsecond=0)


def is_open(expression, now):
    if not expression or not is_valid(expression):
        return False
    return parse(expression).state(local_naive(now))[0] == State.OPEN


# The weekly timetable a person fills in -----------------------------------------------------


@dataclass
class Timetable:
    """Opening slots for each weekday (0 = Monday), with the exceptions people ask about:
    closed on public holidays, closed for some periods (summer, Christmas)."""

    days: dict = field(default_factory=lambda: {day: [] for day in range(7)})
    closed_on_public_holidays: bool = True
    closures: list = field(default_factory=list)  # [(first day, last day)]

    def to_osm(self):
        """The OSM expression, e.g. "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off"."""
        by_slots = {}
        for day in range(7):
            slots = tuple(sorted(self.days.get(day, [])))
            if slots:
                by_slots.setdefault(slots, []).append(day)
        rules = [
            f"{osm_days(days)} {','.join(f'{start:%H:%M}-{osm_end(end)}' for start, end in slots)}"
            for slots, days in sorted(by_slots.items(), key=lambda item: item[1][0])
        ]
        if not rules:
            rules = ["closed"]
        for first, last in sorted(self.closures):
            if first == last:
                rules.append(f"{osm_date(first)} off")
            else:
                rules.append(f"{osm_date(first)}-{osm_date(last)} off")
        if self.closed_on_public_holidays:
            rules.append("PH off")
        return "; ".join(rules)

    @classmethod
    def from_osm(cls, expression):
        """Read an expression back into a timetable. Returns (timetable, exact): exact is
        False when the expression says more than a timetable can (then saving the form
        replaces it)."""
        timetable = cls(closed_on_public_holidays=False)
        if not expression:
            return cls(), True
        rules = [rule.strip() for rule in expression.split(";") if rule.strip()]
        for rule in rules:
            if HOLIDAY_RULE.match(rule):
                timetable.closed_on_public_holidays = True
            elif match := CLOSURE_RULE.match(rule):
                first = read_osm_date(*match.group(1, 2, 3))
                last = read_osm_date(*match.group(4, 5, 6)) if match.group(4) else first
                timetable.closures.append((first, last))
        timetable.days = usual_week(expression)
        try:
            exact = str(parse(timetable.to_osm()).normalize()) == str(parse(expression).normalize())
        except (ParserError, ValueError):
            exact = False
        return timetable, exact


def osm_end(end):
    return "24:00" if end == datetime.time(0) else f"{end:%H:%M}"


def osm_days(days):
    """[0, 1, 2, 4] -> "Mo-We,Fr"."""
    runs, run = [], [days[0]]
    for day in days[1:]:
        if day == run[-1] + 1:
            run.append(day)
        else:
            runs.append(run)
            run = [day]
    runs.append(run)
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{OSM_DAYS[run[0]]}-{OSM_DAYS[run[-1]]}")
        else:
            parts.extend(OSM_DAYS[day] for day in run)
    return ",".join(parts)


def osm_date(day):
    return f"{day.year} {OSM_MONTHS[day.month - 1]} {day.day:02d}"


def read_osm_date(year, month, day):
    return datetime.date(int(year), OSM_MONTHS.index(month) + 1, int(day))


def usual_week(expression, *, monday=REFERENCE_MONDAY):
    """{weekday: [(start, end)]} of a week without public holidays nor closures."""
    return {day: list(slots) for day, slots in enumerate(_usual_week(expression, monday))}


@functools.lru_cache(maxsize=4096)
def _usual_week(expression, monday):
    days = {day: [] for day in range(7)}
    if not expression or not is_valid(expression):
        return tuple(tuple(days[day]) for day in range(7))
    start = datetime.datetime.combine(monday, datetime.time())
    end = start + datetime.timedelta(days=7)
    for begin, finish, state, _comment in parse(expression, holidays=False).intervals(start, end):
        if state != State.OPEN:
            continue
        # Split intervals that cross midnight into each day.
        while begin < finish:
            day_end = datetime.datetime.combine(
                begin.date() + datetime.timedelta(days=1), datetime.time()
            )
            piece_end = min(finish, day_end)
            days[begin.weekday()].append((begin.time(), piece_end.time()))
            begin = piece_end
    return tuple(tuple(days[day]) for day in range(7))


# Plain words (French, or the active language) ----------------------------------------------


def plain_time(value, *, end=False):
    """9:00 -> "9 h", 14:30 -> "14 h 30", midnight ending a slot -> "minuit" (in English:
    "9 a.m.", "2:30 p.m.", "midnight")."""
    if end and value == datetime.time(0):
        return _("minuit")
    if not (get_language() or "fr").startswith("fr"):
        return time_format(value, "P")
    if value.minute:
        return f"{value.hour} h {value.minute:02d}"
    return f"{value.hour} h"


def plain_slots(slots):
    return _(" et ").join(
        f"{plain_time(start)} – {plain_time(end, end=True)}" for start, end in slots
    )


def describe_week(expression):
    """[("Lundi", "9 h – 12 h et 14 h – 17 h"), …, ("Dimanche", "fermé")]."""
    week = usual_week(expression)
    return [
        (str(DAY_NAMES[day]).capitalize(), plain_slots(week[day]) if week[day] else _("fermé"))
        for day in range(7)
    ]


def describe_exceptions(expression, *, today, horizon_days=45):
    """Sentences about closures: public holidays, closure periods still to come, and the
    public holidays of the coming weeks on which the place is closed."""
    if not expression or not is_valid(expression):
        return []
    timetable, _exact = Timetable.from_osm(expression)
    sentences = []
    if timetable.closed_on_public_holidays:
        sentences.append(_("Fermé les jours fériés."))
    for first, last in sorted(timetable.closures):
        if last < today:
            continue
        if first == last:
            sentences.append(_("Fermé le %(day)s.") % {"day": plain_date(first, year=True)})
        else:
            sentences.append(
                _("Fermé du %(first)s au %(last)s.")
                % {"first": plain_date(first), "last": plain_date(last, year=True)}
            )
    if timetable.closed_on_public_holidays:
        coming = [
            f"{plain_date(day, weekday=True)} ({name})"
            for year in (today.year, today.year + 1)
            for day, name in french_public_holidays(year).items()
            if today <= day <= today + datetime.timedelta(days=horizon_days)
            and usual_week(expression)[day.weekday()]
        ]
        if coming:
            sentences.append(
                _("Prochain jour férié, lieu fermé : %(days)s.") % {"days": ", ".join(coming)}
                if len(coming) == 1
                else _("Prochains jours fériés, lieu fermé : %(days)s.")
                % {"days": ", ".join(coming)}
            )
    return sentences


def plain_date(day, *, year=False, weekday=False):
    text = date_format(day, "j F Y" if year else "j F")
    if day.day == 1 and (get_language() or "fr").startswith("fr"):
        text = "1er" + text[1:]
    if weekday:
        text = f"{DAY_NAMES[day.weekday()]} {text}"
    return text


def sentence(text):
    """End `text` with a full stop, unless it ends with one already: in English a time
    does ("opens Tuesday at 2 p.m."), and "2 p.m.." is a typo people notice."""
    return text if text.endswith(".") else f"{text}."


@dataclass
class Status:
    is_open: bool
    text: str
    known: bool = True


def status(expression, now):
    """What a resident wants to know right now: "Ouvert maintenant, ferme à 17 h"."""
    if not expression:
        return Status(False, _("Horaires non communiqués : appelez avant de venir."), known=False)
    if not is_valid(expression):
        return Status(False, _("Horaires à vérifier : appelez avant de venir."), known=False)
    local = local_naive(now)
    hours = parse(expression)
    state, _comment = hours.state(local)
    change = hours.next_change(local)
    if state == State.OPEN:
        if change is None:
            return Status(True, _("Ouvert maintenant."))
        if change.date() == local.date() or change.time() == datetime.time(0):
            return Status(
                True,
                sentence(
                    _("Ouvert maintenant, ferme à %(time)s")
                    % {"time": plain_time(change.time(), end=True)}
                ),
            )
        return Status(
            True,
            sentence(
                _("Ouvert maintenant, ferme %(when)s à %(time)s")
                % {
                    "when": french_day(change.date(), local.date()),
                    "time": plain_time(change.time()),
                }
            ),
        )
    holiday = public_holiday_name(local.date())
    prefix = (
        _("Fermé aujourd'hui (jour férié : %(name)s)") % {"name": holiday}
        if holiday and usual_week(expression)[local.weekday()]
        else _("Fermé maintenant")
    )
    if change is None or change - local > datetime.timedelta(days=60):
        return Status(False, prefix + ".")
    return Status(
        False,
        sentence(
            _("%(prefix)s, ouvre %(when)s à %(time)s")
            % {
                "prefix": prefix,
                "when": french_day(change.date(), local.date()),
                "time": plain_time(change.time()),
            }
        ),
    )


def next_opening(expression, now, *, within=datetime.timedelta(days=60)):
    """When a place that is closed at `now` opens next (local, naive), or None: open now,
    hours unknown, or nothing within `within`."""
    if not expression or not is_valid(expression):
        return None
    local = local_naive(now)
    hours = parse(expression)
    if hours.state(local)[0] == State.OPEN:
        return None
    change = hours.next_change(local)
    if change is None or change - local > within:
        return None
    return change


def french_day(day, today):
    """ "aujourd'hui", "demain", "lundi" (within a week) or "le 3 septembre"."""
    delta = (day - today).days
    if delta == 0:
        return _("aujourd'hui")
    if delta == 1:
        return _("demain")
    if 1 < delta < 7:
        return str(DAY_NAMES[day.weekday()])
    return _("le %(date)s") % {"date": plain_date(day)}


def french_days(days):
    """[0, 1, 2, 3, 4] -> "du lundi au vendredi"; [2, 5] -> "mercredi et samedi"."""
    runs = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(
                _("du %(first)s au %(last)s")
                % {"first": DAY_NAMES[run[0]], "last": DAY_NAMES[run[-1]]}
            )
        else:
            parts.extend(str(DAY_NAMES[day]) for day in run)
    if len(parts) == 1:
        return parts[0]
    return _("%(list)s et %(last)s") % {"list": ", ".join(parts[:-1]), "last": parts[-1]}


def describe_week_grouped(expression):
    """The usual week in a few lines for print, days with the same hours together:
    ["Du lundi au vendredi : 9 h – 12 h", "Mercredi et samedi : 14 h – 17 h"]; closed days
    are left out."""
    week = usual_week(expression)
    by_slots = {}
    for day in range(7):
        if week[day]:
            by_slots.setdefault(tuple(week[day]), []).append(day)
    return [
        # French puts a space before the colon, English none: the translator's choice.
        _("%(days)s : %(hours)s")
        % {"days": capfirst(french_days(days)), "hours": plain_slots(slots)}
        for slots, days in by_slots.items()
    ]
