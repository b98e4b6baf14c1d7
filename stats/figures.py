"""The dashboard's filters and its figures, read from the summary tables in a constant
number of queries."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate
from learners.models import Referral, ReferralStatus
from pathway.models import Pole
from stats.models import (
    AgeBand,
    StatsActivity,
    StatsModuleCompletion,
    StatsPaperwork,
    StatsPeriodReach,
    StatsReach,
    StatsResident,
    StatsTally,
    TallyFigure,
)
from stats.services import next_month

POLES = [Pole.NECESSITY, Pole.ACHIEVEMENT, Pole.LEISURE]

AGE_BAND_CHOICES = AgeBand.CHOICES


def month_label(month):
    return formats.date_format(month, "F Y")


def day_label(day, *, with_year=True):
    """ "1er juillet 2026" in French (the first of the month is "1er"), "1 July 2026" in
    English."""
    number = _("1er") if day.day == 1 else str(day.day)
    month = formats.date_format(day, "F")
    if with_year:
        return _("%(day)s %(month)s %(year)s") % {"day": number, "month": month, "year": day.year}
    return _("%(day)s %(month)s") % {"day": number, "month": month}


# Periods and filters ---------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A range of whole months: statistics are kept month by month."""

    start: datetime.date  # first day of the first month
    end: datetime.date  # first day of the last month
    label: str

    @property
    def last_day(self):
        return next_month(self.end) - datetime.timedelta(days=1)

    def in_words(self, today):
        """The days this period covers, in words: "Du 1er juillet au 30 septembre 2026",
        and up to which day there are figures when it is not over."""
        start, last = self.start, self.last_day
        if start.year == last.year:
            text = _("Du %(start)s au %(end)s") % {
                "start": day_label(start, with_year=False),
                "end": day_label(last),
            }
        else:
            text = _("Du %(start)s au %(end)s") % {
                "start": day_label(start),
                "end": day_label(last),
            }
        if start <= today < last:
            text += " " + _("(chiffres arrêtés au %(today)s)") % {"today": day_label(today)}
        elif today < start:
            text += " " + _("(période à venir : pas encore de chiffres)")
        return text

    def months(self):
        month = self.start
        while month <= self.end:
            yield month
            month = next_month(month)

    def span(self):
        """1, 3 or 12 when the period is a month, a calendar quarter or a calendar year
        (those are counted in advance), else None."""
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        if months == 1 or (months == 3 and self.start.month % 3 == 1):
            return months
        if months == 12 and self.start.month == 1:
            return 12
        return None

    def year_masks(self):
        """{year: bit mask of the period's months in that year}."""
        masks = defaultdict(int)
        for month in self.months():
            masks[month.year] |= 1 << (month.month - 1)
        return dict(masks)


@dataclass(frozen=True)
class Filters:
    period: Period
    actor_ids: frozenset | None = None  # None: the whole network
    actor_kind: str = ""  # when the actors are all those of one kind
    neighbourhood_ids: frozenset | None = None  # None: everybody, wherever they live
    pole: str = ""
    age: str = ""  # a key of AGE_BAND_CHOICES
    social_status: str = ""
    # What the person chose, in words, for the page and the exports: [(name, value)].
    described: tuple = ()

    @property
    def reference_year(self):
        """Ages are those reached during the last year of the period."""
        return self.period.end.year

    def public(self, prefix=""):
        """Q on the public dimensions (neighbourhood, age, social status)."""
        condition = Q()
        if self.neighbourhood_ids is not None:
            condition &= Q(**{f"{prefix}neighbourhood_id__in": self.neighbourhood_ids})
        if self.age == AgeBand.UNKNOWN:
            condition &= Q(**{f"{prefix}birth_year__isnull": True})
        elif self.age:
            oldest, youngest = AgeBand.birth_years(self.age, self.reference_year)
            condition &= Q(
                **{f"{prefix}birth_year__gte": oldest, f"{prefix}birth_year__lte": youngest}
            )
        if self.social_status:
            condition &= Q(**{f"{prefix}social_status": self.social_status})
        return condition

    def public_bands(self):
        """Q on the public dimensions of StatsPeriodReach (age bands rather than years)."""
        condition = Q()
        if self.neighbourhood_ids is not None:
            condition &= Q(neighbourhood_id__in=self.neighbourhood_ids)
        if self.age:
            condition &= Q(age_band=self.age)
        if self.social_status:
            condition &= Q(social_status=self.social_status)
        return condition

    def admits(self, neighbourhood_id, band, status):
        """Whether people of this neighbourhood, age band and social status are among those
        the public filters select (as public() and public_bands() do in SQL)."""
        return (
            (self.neighbourhood_ids is None or neighbourhood_id in self.neighbourhood_ids)
            and (not self.age or band == self.age)
            and (not self.social_status or status == self.social_status)
        )

    def actors(self, field):
        return Q() if self.actor_ids is None else Q(**{f"{field}__in": self.actor_ids})

    def has_public_filter(self):
        return bool(self.neighbourhood_ids is not None or self.age or self.social_status)

    def pole_allows(self, pole):
        return not self.pole or self.pole == pole


# The figures, straight from the summary tables ------------------------------------------


@dataclass
class Funnel:
    started: int = 0
    achievement: int = 0
    leisure: int = 0
    to_achievement: Counter = field(default_factory=Counter)  # days -> residents
    to_leisure: Counter = field(default_factory=Counter)


@dataclass
class Figures:
    # (neighbourhood, age band, social status) -> [residents, new residents], of the people
    # the public filters select
    reach: dict = field(default_factory=dict)
    # The same whatever the public filters: every view of the same period, actors and pole
    # is made of these cells (the suppression of small counts works on all of them).
    population: dict = field(default_factory=dict)
    # month -> {"all": residents, pole: residents}
    residents_by_month: dict = field(default_factory=dict)
    # (month, pole, format) -> [sessions, minutes, attendees]
    activity: dict = field(default_factory=dict)
    # (operator, result, blocked reason) -> participations
    paperwork: dict = field(default_factory=dict)
    funnel: dict = field(default_factory=dict)  # cohort month -> Funnel
    autonomy: dict = field(default_factory=dict)  # (first level, latest level) -> residents
    completions: dict = field(default_factory=dict)  # module -> residents
    certificates: dict = field(default_factory=dict)  # module -> certificates
    # (from actor, to actor or None, to pole when no actor) -> [sent, seen, closed]
    referrals: dict = field(default_factory=dict)


def collect(filters):
    """Every figure of the dashboard for these filters, in a constant number of queries."""
    figures = Figures()
    _collect_reach(figures, filters)
    _collect_activity(figures, filters)
    _collect_paperwork(figures, filters)
    _collect_funnel(figures, filters)
    _collect_autonomy(figures, filters)
    _collect_modules(figures, filters)
    _collect_referrals(figures, filters)
    return figures


def _reach_columns(filters):
    if filters.pole:
        return f"{filters.pole}_months", f"{filters.pole}_first_on"
    return "months", "first_on"


def _collect_reach(figures, filters):
    """Distinct residents (and new ones) by public dimensions, and residents month by month.

    For one scope (the network, a kind of actor, one actor) the per-period counts answer
    months, quarters and years directly, and every month of the series; other periods
    count distinct people in StatsReach. Several actors (a coordinator's) have their rows
    merged by resident in Python. The counts by public dimensions are read whatever the
    public filters (the population), in the same query, and filtered here."""
    period = filters.period
    if filters.actor_kind:
        scope = Q(actor__isnull=True, kind=filters.actor_kind)
    elif filters.actor_ids is None:
        scope = Q(actor__isnull=True, kind="")
    elif len(filters.actor_ids) == 1:
        # kind="" always holds for an actor's rows: it lets the (…, kind, actor, …)
        # indexes be used.
        scope = Q(actor_id__in=filters.actor_ids, kind="")
    else:
        _reach_by_resident(figures, filters)
        _select_reach(figures, filters)
        return
    span = period.span()
    if span:
        cells = StatsPeriodReach.objects.filter(
            scope, span=span, start=period.start, pole=filters.pole
        )
        for *key, n, new in (
            cells.values_list("neighbourhood_id", "age_band", "social_status")
            .annotate(n=Sum("residents"), new=Sum("new_residents"))
            .order_by()
        ):
            figures.population[tuple(key)] = [n, new]
    else:
        _reach_from_rows(figures, filters, scope)
    _select_reach(figures, filters)
    # The series, one month at a time (the age band is that of each month's year).
    names = defaultdict(list)
    for pole in ["", *POLES]:
        if not filters.pole:
            names[pole].append(pole or "all")
        elif pole == filters.pole:
            names[pole] += ["all", pole]
    months = StatsPeriodReach.objects.filter(
        scope,
        filters.public_bands(),
        span=1,
        start__gte=period.start,
        start__lte=period.end,
        pole__in=list(names),
    )
    series = defaultdict(Counter)
    for start, pole, n in (
        months.values_list("start", "pole").annotate(n=Sum("residents")).order_by()
    ):
        for name in names[pole]:
            series[start][name] += n
    figures.residents_by_month = dict(series)


def _select_reach(figures, filters):
    figures.reach = {
        key: counts for key, counts in figures.population.items() if filters.admits(*key)
    }


def _reach_from_rows(figures, filters, scope):
    """Distinct residents over any range of months, for one scope, from StatsReach."""
    period = filters.period
    months_column, first_column = _reach_columns(filters)
    rows = StatsReach.objects.filter(scope, year__in=period.year_masks())
    seen = Q()
    for year, mask in period.year_masks().items():
        rows = rows.alias(**{f"seen_{year}": F(months_column).bitand(mask)})
        seen |= Q(year=year, **{f"seen_{year}__gt": 0})
    is_new = Q(**{f"{first_column}__gte": period.start, f"{first_column}__lte": period.last_day})
    # Within one year a resident has one row per scope; across years, several.
    distinct = len(period.year_masks()) > 1
    for neighbourhood_id, birth_year, status, n, new in (
        rows.filter(seen)
        .values_list("neighbourhood_id", "birth_year", "social_status")
        .annotate(
            n=Count("resident_id", distinct=distinct),
            new=Count("resident_id", distinct=distinct, filter=is_new),
        )
        .order_by()
    ):
        counts = figures.population.setdefault(
            (neighbourhood_id, AgeBand.of(birth_year, filters.reference_year), status), [0, 0]
        )
        counts[0] += n
        counts[1] += new


def _reach_by_resident(figures, filters):
    """Several actors: a person may have a row at each, and whether they are new to these
    actors depends on earlier years too. Rows are merged by resident in Python."""
    period = filters.period
    masks = period.year_masks()
    months_column, first_column = _reach_columns(filters)
    series = [("all", months_column)] + [
        (pole.value, f"{pole}_months") for pole in POLES if filters.pole_allows(pole)
    ]
    columns = list(dict.fromkeys(column for _name, column in series))
    # The public filters are applied in Python: everybody counts in the population, the
    # series counts those of the view (their age band at each month's year).
    rows = StatsReach.objects.filter(
        actor_id__in=filters.actor_ids, kind="", year__lte=max(masks)
    ).values_list(
        "resident_id",
        "year",
        first_column,
        "neighbourhood_id",
        "birth_year",
        "social_status",
        *columns,
    )
    people = {}  # resident -> [(neighbourhood, birth year, status), first, {(year, column): mask}]
    for resident_id, year, first, *dims_and_masks in rows:
        dims, values = tuple(dims_and_masks[:3]), dims_and_masks[3:]
        person = people.setdefault(resident_id, [dims, first, defaultdict(int)])
        if first is not None and (person[1] is None or first < person[1]):
            person[1] = first
        for column, value in zip(columns, values, strict=True):
            person[2][year, column] |= value & masks.get(year, 0)
    population = defaultdict(lambda: [0, 0])
    by_month = defaultdict(Counter)
    for (neighbourhood_id, birth_year, status), first, seen in people.values():
        for (year, column), value in seen.items():
            if not filters.admits(neighbourhood_id, AgeBand.of(birth_year, year), status):
                continue
            for bit in range(12):
                if value & (1 << bit):
                    for name, series_column in series:
                        if series_column == column:
                            by_month[datetime.date(year, bit + 1, 1)][name] += 1
        if not any(value for (_y, column), value in seen.items() if column == months_column):
            continue
        band = AgeBand.of(birth_year, filters.reference_year)
        counts = population[neighbourhood_id, band, status]
        counts[0] += 1
        if first is not None and period.start <= first <= period.last_day:
            counts[1] += 1
    figures.population = dict(population)
    figures.residents_by_month = dict(by_month)


def _collect_activity(figures, filters):
    rows = StatsActivity.objects.filter(
        filters.actors("actor_id"), month__gte=filters.period.start, month__lte=filters.period.end
    )
    if filters.pole:
        rows = rows.filter(pole=filters.pole)
    for month, pole, fmt, *totals in (
        rows.values_list("month", "pole", "format")
        .annotate(n=Sum("sessions"), minutes=Sum("minutes"), people=Sum("attendees"))
        .order_by()
    ):
        figures.activity[month, pole, fmt] = totals


def _collect_paperwork(figures, filters):
    if not filters.pole_allows(Pole.NECESSITY):
        return
    rows = StatsPaperwork.objects.filter(
        filters.actors("actor_id"), month__gte=filters.period.start, month__lte=filters.period.end
    )
    for operator_id, result, reason, n in (
        rows.values_list("operator_id", "result", "blocked_reason")
        .annotate(n=Sum("count"))
        .order_by()
    ):
        figures.paperwork[operator_id, result, reason] = n


def _tallies(filters, *figures):
    """The StatsTally rows of these figures for the chosen actors and months, or None when
    a public filter is set: those count per-resident rows (see StatsTally)."""
    if filters.has_public_filter():
        return None
    if filters.actor_kind:
        scope = Q(kind=filters.actor_kind, actor=StatsTally.EVERY)
    elif filters.actor_ids is None:
        scope = Q(kind="", actor=StatsTally.EVERY)
    else:
        # Each resident counts at one actor: the rows of several actors add up.
        scope = Q(kind="", actor__in=filters.actor_ids)
    return StatsTally.objects.filter(
        scope,
        figure__in=figures,
        month__gte=filters.period.start,
        month__lte=filters.period.end,
    )


def _collect_funnel(figures, filters):
    """Residents who started in necessity during the period (cohorts by month of their
    first session, at the chosen actors), followed up to today."""
    tallies = _tallies(filters, TallyFigure.ACHIEVEMENT, TallyFigure.LEISURE)
    if tallies is not None:
        for figure, cohort, days, n in (
            tallies.values_list("figure", "month", "a").annotate(n=Sum("residents")).order_by()
        ):
            if not n:
                continue
            funnel = figures.funnel.setdefault(cohort, Funnel())
            if figure == TallyFigure.LEISURE:
                funnel.leisure += n
                funnel.to_leisure[days] += n
                continue
            funnel.started += n
            if days != StatsTally.NONE:
                funnel.achievement += n
                funnel.to_achievement[days] += n
        return
    started = StatsResident.objects.filter(
        filters.public(),
        filters.actors("first_actor_id"),
        first_pole=Pole.NECESSITY,
        cohort__gte=filters.period.start,
        cohort__lte=filters.period.end,
    )
    for cohort, days, n, leisure in (
        started.values_list("cohort", "days_to_achievement")
        .annotate(n=Count("*"), leisure=Count("days_to_leisure"))
        .order_by()
    ):
        funnel = figures.funnel.setdefault(cohort, Funnel())
        funnel.started += n
        if days is not None:
            funnel.achievement += n
            funnel.leisure += leisure
            funnel.to_achievement[days] += n
    for cohort, days, n in (
        started.filter(days_to_leisure__isnull=False)
        .values_list("cohort", "days_to_leisure")
        .annotate(n=Count("*"))
        .order_by()
    ):
        figures.funnel[cohort].to_leisure[days] += n


def _collect_autonomy(figures, filters):
    """Residents whose first paperwork session was in the period, at the chosen actors, and
    who had at least two: their autonomy at the first and at the latest one."""
    if not filters.pole_allows(Pole.NECESSITY):
        return
    tallies = _tallies(filters, TallyFigure.AUTONOMY)
    if tallies is not None:
        rows = tallies.values_list("a", "b").annotate(n=Sum("residents"))
        none = StatsTally.NONE
        figures.autonomy = {
            (None if first == none else first, None if last == none else last): n
            for first, last, n in rows.order_by()
            if n
        }
        return
    for first, last, n in (
        StatsResident.objects.filter(
            filters.public(),
            filters.actors("paperwork_actor_id"),
            paperwork_first_on__gte=filters.period.start,
            paperwork_first_on__lte=filters.period.last_day,
            paperwork_sessions__gte=2,
        )
        .values_list("autonomy_first", "autonomy_last")
        .annotate(n=Count("*"))
        .order_by()
    ):
        figures.autonomy[first, last] = n


def _aware_bounds(period):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(next_month(period.end), datetime.time.min, tzinfo=tz)
    return start, end


def _collect_modules(figures, filters):
    if not filters.pole_allows(Pole.ACHIEVEMENT):
        return
    tallies = _tallies(filters, TallyFigure.COMPLETION)
    if tallies is not None:
        rows = tallies.values_list("a").annotate(n=Sum("residents")).order_by()
        figures.completions = {module_id: n for module_id, n in rows if n}
    else:
        figures.completions = dict(
            StatsModuleCompletion.objects.filter(
                filters.public(),
                filters.actors("actor_id"),
                completed_on__gte=filters.period.start,
                completed_on__lte=filters.period.last_day,
            )
            .values_list("module_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    start, end = _aware_bounds(filters.period)
    figures.certificates = dict(
        Certificate.objects.filter(
            filters.public("resident__"),
            filters.actors("actor_id"),
            issued_at__gte=start,
            issued_at__lt=end,
            revoked_at__isnull=True,
        )
        .values_list("module_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _collect_referrals(figures, filters):
    start, end = _aware_bounds(filters.period)
    referrals = Referral.objects.filter(
        filters.public("resident__"), sent_at__gte=start, sent_at__lt=end
    )
    if filters.actor_ids is not None:
        referrals = referrals.filter(
            Q(from_actor_id__in=filters.actor_ids) | Q(to_actor_id__in=filters.actor_ids)
        )
    if filters.pole:
        referrals = referrals.filter(to_pole=filters.pole)
    came = Q(seen_at__isnull=False) | Q(status__in=[ReferralStatus.SEEN, ReferralStatus.CLOSED])
    for from_id, to_id, to_pole, sent, seen, closed in (
        referrals.values_list("from_actor_id", "to_actor_id", "to_pole")
        .annotate(
            sent=Count("pk"),
            seen=Count("pk", filter=came),
            closed=Count("pk", filter=Q(status=ReferralStatus.CLOSED)),
        )
        .order_by()
    ):
        key = (from_id, to_id, "" if to_id else to_pole)
        totals = figures.referrals.setdefault(key, [0, 0, 0])
        for i, value in enumerate((sent, seen, closed)):
            totals[i] += value
