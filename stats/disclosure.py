"""Suppression of small counts, and the cells of the tables that carry its result.

Counts of people by public dimension, across filters
-----------------------------------------------------
The public filters (neighbourhood or QPV, age band, situation) can be combined, and each
combination is a view of its own. A filter on one dimension with value v selects, given the
other filters, exactly the people of the cell "v" of that dimension's table under the other
filters: the headline of `?neighbourhood=1&social_status=job_seeker&age=45_59` is the cell
"45 à 59 ans" of the ages table of `?neighbourhood=1&social_status=job_seeker`, and the cell
"En recherche d'emploi" of the situations table of `?neighbourhood=1&age=45_59`. Suppressing
each view on its own let one view show what another hid (6 there, "masqué" here: then
39 − 9 − 6 − 10 − 11 = 3, a "< 5" found again).

So the counts of residents (and of new residents) by public dimension are not suppressed
view by view but once, on every cell any combination of these filters can show, for the
period, actors and pole chosen (`count_population`): each neighbourhood, the QPV and the
other neighbourhoods, everybody; each age band and all ages; each situation and all
situations — all their combinations, with every sum between them as an equation. Every view
then shows these cells as they were suppressed there, so that the same cell is hidden in
every table, chart, export and API answer that shows it, and a view whose own population
is hidden ("< 5" or "masqué") is refused with a French message (`Report.too_few_people`,
stats_report()).

What this closes: any sum or difference of counts of people by neighbourhood, age and
situation, across every combination of the public filters, for one period, actor choice
and pole — as safe as the equations of a single page (each is made safe; see Disclosure).

What it does not close, and why it is smaller:
- other figures of a filtered view (the funnel, autonomy, modules, certificates, referrals,
  the monthly series) are suppressed view by view, and add up across the values of a filter:
  a figure hidden in one view can be the difference of two other views (all situations minus
  the other situations). The view's population is at least the threshold, but a figure
  about part of it may not be;
- differences between periods (a year minus its other three quarters: new residents and
  every count of sessions, paperwork, modules or referrals add up over months) and between
  actor choices (the network minus the other actors, for those counts). Distinct residents
  do not add up (one person comes several months, or to several actors), so the headcounts
  themselves are protected far better than the flows.
Closing those would take one suppression over every period and every actor choice at once,
or perturbed counts (noise), which the dashboard does not do.
"""

import functools
import math
from collections import defaultdict, deque
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

VISIBLE, SMALL, MASKED, UNDISPLAYED = "visible", "small", "masked", "undisplayed"


class Disclosure:
    """Primary and secondary suppression of counts of people.

    Each count is a cell. A cell between 1 and threshold − 1 shows "< 5" (primary
    suppression). Additive relations between cells ("this total is the sum of those
    parts") are equations; a count that is not shown but follows from shown ones (those
    who did not go on to training: started − reached) is an undisplayed cell of an
    equation. For every equation whose total is shown, what a reader can deduce about a
    small cell — knowing that "< 5" means 1 to 4, that masked cells are at least the
    threshold, and subtracting what is shown — must leave it at least two possible values,
    up to 4 (it could be any "< 5"), and a masked cell may never be the only unknown of an
    equation; otherwise the smallest shown part (or, failing that, the total) is masked
    too, until every equation is safe (secondary suppression). A total masked as the part
    of another equation may not be the sum of its shown parts either: one of them is masked
    too. Zeros are shown: they reveal nobody, and a masked zero would reveal its neighbour.
    """

    def __init__(self, threshold):
        self.threshold = threshold
        self.values = {}
        self.state = {}
        self.equations = []

    def count(self, key, value, *, displayed=True):
        if key not in self.values:
            self.values[key] = value
            if not displayed:
                self.state[key] = UNDISPLAYED
            elif self.is_small(value):
                self.state[key] = SMALL
            else:
                self.state[key] = VISIBLE
        return key

    def is_small(self, value):
        return 0 < value < self.threshold

    def equation(self, total, parts):
        """values[total] == sum(values[part] for part in parts)."""
        parts = list(parts)
        assert self.values[total] == sum(self.values[part] for part in parts), (total, parts)
        self.equations.append((total, parts))

    def bounds(self, key):
        """What a reader knows of a cell: (lowest, highest) possible value."""
        state = self.state[key]
        if state == VISIBLE:
            return self.values[key], self.values[key]
        if state == SMALL:
            return 1, self.threshold - 1
        if state == MASKED:
            return self.threshold, math.inf
        return 0, math.inf

    def is_unsafe(self, total, parts):
        if self.state[total] == MASKED:
            # Masked as a part of another equation: its own shown parts must not add up
            # to it (a group of one neighbourhood is that neighbourhood).
            return all(self.state[part] == VISIBLE for part in parts)
        if self.state[total] != VISIBLE:
            return False
        hidden = [part for part in parts if self.state[part] != VISIBLE]
        if not hidden:
            return False
        if len(hidden) == 1 and (
            self.state[hidden[0]] == MASKED or self.is_small(self.values[hidden[0]])
        ):
            return True  # the lone hidden cell is the difference
        if not any(self.is_small(self.values[cell]) for cell in hidden):
            return False  # several hidden cells, none of them small: nothing to protect
        rest = self.values[total] - sum(
            self.values[part] for part in parts if self.state[part] == VISIBLE
        )
        # Sums of the others' bounds, without an O(n²) loop (infinite bounds counted apart).
        bounds = [self.bounds(cell) for cell in hidden]
        lowest_sum = sum(low for low, _high in bounds)
        finite_high = sum(high for _low, high in bounds if high != math.inf)
        infinite = sum(high == math.inf for _low, high in bounds)
        for cell, (low, high) in zip(hidden, bounds, strict=True):
            if not self.is_small(self.values[cell]):
                continue
            mine_infinite = high == math.inf
            others_high = (
                math.inf
                if infinite - mine_infinite
                else finite_high - (0 if mine_infinite else high)
            )
            lowest = max(low, rest - others_high)
            highest = min(high, rest - (lowest_sum - low))
            if lowest >= highest or highest < self.threshold - 1:
                return True
        return False

    def protect(self):
        """Mask cells until every equation is safe: each equation is checked again when
        one of its cells gets masked."""
        order = {key: i for i, key in enumerate(self.values)}
        involving = defaultdict(list)
        for index, (total, parts) in enumerate(self.equations):
            for key in (total, *parts):
                involving[key].append(index)
        pending = deque(range(len(self.equations)))
        queued = set(pending)
        while pending:
            index = pending.popleft()
            queued.discard(index)
            total, parts = self.equations[index]
            if not self.is_unsafe(total, parts):
                continue
            candidates = [p for p in parts if self.state[p] == VISIBLE and self.values[p]]
            cell = min(candidates or [total], key=lambda key: (self.values[key], order[key]))
            self.state[cell] = MASKED
            for other in (index, *involving[cell]):
                if other not in queued:
                    pending.append(other)
                    queued.add(other)
        return self

    def shown(self, key):
        return self.state[key] == VISIBLE

    def cell(self, key):
        state = self.state[key]
        if state == SMALL:
            return Cell(f"< {self.threshold}", hidden=True)
        if state == MASKED:
            return Cell(_("masqué"), hidden=True)
        return Cell.number(self.values[key])

    def rate(self, part, whole):
        """part / whole as a percentage, when both are shown (either would reveal the
        other)."""
        if not (self.shown(part) and self.shown(whole)) or not self.values[whole]:
            return Cell("—", numeric=True)
        return Cell.percent(self.values[part] / self.values[whole])

    def median(self, counter, of):
        """The median of `counter` (value -> people) when it describes enough people."""
        if self.values[of] < self.threshold or not counter:
            return Cell("—", numeric=True)
        return Cell.number(median(counter))


# Every value of a dimension: "all neighbourhoods", "all ages", "all situations".
ANY = "*"


def count_population(disclosure, counts, *, parts, groups):
    """Register residents and new residents of every cell of the population, with their
    sums as equations (see the module's docstring).

    `counts`: {(neighbourhood id or None, age band, situation): (residents, new ones)};
    `parts`: the groups of neighbourhoods that, with the unknown neighbourhood (None), make
    up everybody (the QPV and the others); `groups`: every group of neighbourhoods a view
    can select (frozensets of ids, `parts` among them). A cell is ("people", neighbourhood,
    band, situation) or ("new", …), a coordinate being ANY for the whole dimension; cells
    of nobody are not registered (a zero reveals nobody). A few thousand cells for a town:
    written for speed (see protected_population())."""
    cells = {}
    areas_of = {}
    for (neighbourhood, band, status), (n, new) in counts.items():
        if not n:
            continue
        areas = areas_of.get(neighbourhood)
        if areas is None:
            inside = (g for g in groups if neighbourhood in g)
            areas = areas_of[neighbourhood] = (neighbourhood, *inside, ANY)
        for area in areas:
            for a in (band, ANY):
                for s in (status, ANY):
                    cell = cells.get((area, a, s))
                    if cell is None:
                        cells[area, a, s] = [n, new]
                    else:
                        cell[0] += n
                        cell[1] += new
    # A fixed order, whatever the order of the rows read: it decides between equal cells.
    ranks = {c: _rank(c) for cell in cells for c in cell}
    ordered = sorted(cells, key=lambda c: (ranks[c[0]], ranks[c[1]], ranks[c[2]]))
    d = disclosure
    for coordinates in ordered:
        n, new = cells[coordinates]
        people, newcomers = ("people", *coordinates), ("new", *coordinates)
        d.count(people, n)
        # Nobody filters on "neighbourhood unknown": its new residents are never shown.
        d.count(newcomers, new, displayed=coordinates[0] is not None)
        # Those who came back before (never shown, protected all the same): when none did,
        # residents and new residents are one number, with one state.
        if n != new and d.state[people] == VISIBLE:
            returning = d.count(("returning", *coordinates), n - new, displayed=False)
            d.equations.append((people, [newcomers, returning]))
    bands = sorted({band for _n, band, _s in counts}, key=_rank)
    statuses = sorted({status for _n, _b, status in counts}, key=_rank)
    everybody = [*parts, None]
    for area, band, status in ordered:
        splits = []
        if area == ANY:
            splits.append([(part, band, status) for part in everybody])
        elif isinstance(area, frozenset):
            splits.append([(n, band, status) for n in sorted(area)])
        if band == ANY:
            splits.append([(area, b, status) for b in bands])
        if status == ANY:
            splits.append([(area, band, s) for s in statuses])
        for split in splits:
            present = [c for c in split if c in cells]
            for figure in ("people", "new"):
                total = (figure, area, band, status)
                if d.state[total] == VISIBLE:  # a "< 5" total needs nothing more
                    d.equations.append((total, [(figure, *c) for c in present]))


@functools.lru_cache(maxsize=32)
def protected_population(threshold, counts, parts, groups):
    """A Disclosure of the population alone (count_population(), then protect()),
    remembered: its suppression depends on nothing else, and every view of the same
    period, actors and pole — each combination of public filters, each export, the API —
    shares it. `counts` is a frozenset of count_population()'s items, `parts` a tuple and
    `groups` a frozenset (hashable, for the memory). The result is read, never changed."""
    disclosure = Disclosure(threshold)
    count_population(disclosure, dict(counts), parts=parts, groups=groups)
    return disclosure.protect()


def _rank(coordinate):
    if coordinate == ANY:
        return (0,)
    if isinstance(coordinate, frozenset):
        return (1, sorted(coordinate))
    if coordinate is None:
        return (3,)
    return (2, coordinate)


def median(counter):
    """Median of a {value: how many people} counter (the mean of the two middle values
    when the number of people is even)."""
    ordered = sorted(counter.items())
    total = sum(counter.values())

    def nth(n):
        seen = 0
        for value, how_many in ordered:
            seen += how_many
            if n < seen:
                return value

    if total % 2:
        return nth(total // 2)
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


# Tables ---------------------------------------------------------------------------------


@functools.cache
def separators(language):
    return (
        formats.get_format("THOUSAND_SEPARATOR", language),
        formats.get_format("DECIMAL_SEPARATOR", language),
    )


def format_number(value, decimals=0):
    """1234.5 → "1 234,5" in French: formats.number_format() for the thousands of cells of
    a dashboard, without its per-call cost."""
    thousands, decimal = separators(get_language())
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)


@dataclass
class Cell:
    text: str
    value: object = None  # what exports write; None when hidden
    hidden: bool = False
    numeric: bool = True
    parts: tuple = ()  # a cell made of several figures (sent / seen)

    @classmethod
    def number(cls, value):
        if isinstance(value, float) and not value.is_integer():
            return cls(format_number(value, 1), value)
        return cls(format_number(int(value)), int(value))

    @classmethod
    def percent(cls, share):
        value = round(share * 100, 1)
        return cls(f"{format_number(value, 1)}\xa0%", value)

    @classmethod
    def label(cls, text):
        return cls(str(text), str(text), numeric=False)

    @classmethod
    def pair(cls, *cells):
        return cls(" / ".join(cell.text for cell in cells), parts=cells)


@dataclass
class Row:
    label: str
    cells: list
    total: bool = False
    key: object = None  # what the row stands for (for charts)


@dataclass
class Table:
    slug: str
    title: str
    label_header: str
    columns: list
    rows: list = field(default_factory=list)
    note: str = ""
    part_labels: tuple = ()  # the names of the figures of a pair cell, for exports
    chart: object = None

    def body_html(self):
        """The rows as HTML: built here rather than in the template, which would spend a
        tenth of a second on the thousand cells of a big referral matrix."""
        html = []
        for row in self.rows:
            html.append('<tr class="total-row">' if row.total else "<tr>")
            html.append(f'<th scope="row">{escape(row.label)}</th>')
            for cell in row.cells:
                css = ("numeric" if cell.numeric else "") + (" suppressed" if cell.hidden else "")
                html.append(f'<td class="{css}">{escape(cell.text)}</td>')
            html.append("</tr>")
        return mark_safe("".join(html))  # every piece of text above is escaped

    def flows_html(self):
        """A matrix of pairs (sent / seen) as a list that reads on a phone: for each row,
        only the columns where something happened, in words."""
        html = ['<ul class="matrix-list">']
        for row in self.rows:
            items = []
            for column, cell in zip(self.columns, row.cells, strict=True):
                if all(part.value == 0 for part in cell.parts):
                    continue
                sent, seen = cell.parts
                items.append(
                    "<li>"
                    + escape(
                        _("vers %(to)s : %(sent)s envoyées, %(seen)s personnes venues")
                        % {"to": column, "sent": sent.text, "seen": seen.text}
                    )
                    + "</li>"
                )
            if not items:
                continue
            css = ' class="total-row"' if row.total else ""
            html.append(
                f'<li{css}><p class="matrix-from">'
                + escape(_("Au total") if row.total else _("De %(from)s") % {"from": row.label})
                + "</p><ul>"
                + "".join(items)
                + "</ul></li>"
            )
        html.append("</ul>")
        return mark_safe("".join(html))  # every piece of text above is escaped

    def export_header(self):
        header = [self.label_header]
        for column in self.columns:
            if self.part_labels:
                header += [f"{column} — {part}" for part in self.part_labels]
            else:
                header.append(column)
        return header

    def export_rows(self):
        for row in self.rows:
            values = [row.label]
            for cell in row.cells:
                for one in cell.parts or (cell,):
                    values.append(one.value if one.value is not None else one.text)
            yield values
