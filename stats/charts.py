"""Charts as accessible inline SVG (a title, a description, and the table that follows),
drawn from the very cells of the tables so that they hide what the tables hide."""

import math
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stats.disclosure import Cell

CHART_WIDTH = 400


@dataclass
class Bar:
    label: str
    cell: Cell
    width: float
    y: int
    css: str = ""

    @property
    def short_label(self):
        return self.label if len(self.label) <= 52 else self.label[:50] + "…"

    @property
    def label_y(self):
        return self.y + 14

    @property
    def bar_y(self):
        return self.y + 20

    @property
    def value_x(self):
        return round(self.width + 6, 1)

    @property
    def value_y(self):
        return self.y + 34


@dataclass
class BarChart:
    """Horizontal bars, each with its label above it so that it reads on a phone."""

    id: str
    title: str
    description: str
    bars: list
    height: int
    template = "stats/chart_bars.html"
    STEP = 44

    @classmethod
    def build(cls, chart_id, title, items, *, percent=False, classes=None):
        """The bars of the items that have a figure: a row without one ("—", nothing to
        compute) is left out, a hidden one ("< 5", "masqué") stays, saying so; None when no
        bar at all would be drawn (rows of empty bars would only push the page down)."""
        kept = [
            (label, cell, classes[min(i, len(classes) - 1)] if classes else "")
            for i, (label, cell) in enumerate(items)
            if cell.hidden or cell.value is not None
        ]
        if not any(not cell.hidden for _label, cell, _css in kept):
            return None
        shown = [cell.value for _label, cell, _css in kept if not cell.hidden]
        top = 100 if percent else max([*shown, 0])
        usable = CHART_WIDTH - 80
        bars = []
        for i, (label, cell, css) in enumerate(kept):
            width = round(usable * cell.value / top, 1) if top and not cell.hidden else 0
            bars.append(Bar(str(label), cell, width, i * cls.STEP, css))
        values = "; ".join(f"{bar.label} : {bar.cell.text}" for bar in bars)
        left_out = len(items) - len(kept)
        if left_out:
            values += ". " + ngettext(
                "%(count)s ligne sans chiffre à montrer n'est pas dessinée",
                "%(count)s lignes sans chiffre à montrer ne sont pas dessinées",
                left_out,
            ) % {"count": left_out}
        description = _(
            "Diagramme en barres. %(values)s. Les chiffres sont repris dans le tableau qui suit."
        ) % {"values": values}
        return cls(chart_id, str(title), description, bars, len(bars) * cls.STEP + 4)


@dataclass
class LineChart:
    """Lines month by month, one per pole, with distinct markers (not colour alone)."""

    id: str
    title: str
    description: str
    series: list  # [{"name", "css", "segments": [[(x, y)]], "points": [(x, y, text)]}]
    ticks: list  # [(y, text)]
    labels: list  # [(x, text)]
    legend: list  # [(x, name, css)]
    height: int = 250
    template = "stats/chart_lines.html"
    LEFT, TOP, BOTTOM = 44, 16, 200

    @classmethod
    def build(cls, chart_id, title, months, series):
        """`months`: first days of the months; `series`: [(name, css, cells)]."""
        values = [
            c.value
            for _n, _c, cells in series
            for c in cells
            if c.value is not None and not c.hidden
        ]
        top = nice_ceiling(max([*values, 1]))
        span = CHART_WIDTH - cls.LEFT - 12
        step = span / max(len(months) - 1, 1)

        def y_of(value):
            return round(cls.BOTTOM - (cls.BOTTOM - cls.TOP) * value / top, 1)

        drawn = []
        for name, css, cells in series:
            segments, current, points = [], [], []
            for i, cell in enumerate(cells):
                if cell.hidden or cell.value is None:
                    if current:
                        segments.append(current)
                    current = []
                    continue
                point = (round(cls.LEFT + i * step, 1), y_of(cell.value))
                current.append(point)
                points.append((*point, cell.text))
            if current:
                segments.append(current)
            drawn.append(
                {
                    "name": str(name),
                    "css": css,
                    "segments": [" ".join(f"{x},{y}" for x, y in seg) for seg in segments],
                    "points": points,
                }
            )
        every = max(1, math.ceil(len(months) / 12))
        one_year = len({month.year for month in months}) == 1
        labels = [
            (round(cls.LEFT + i * step, 1), short_month(month, with_year=not one_year))
            for i, month in enumerate(months)
            if i % every == 0
        ]
        ticks = [(y_of(top * i / 4), Cell.number(top * i / 4).text) for i in range(5)]
        legend = [
            (cls.LEFT + 8 + i * 110, line["name"], line["css"]) for i, line in enumerate(drawn)
        ]
        lines = []
        for name, _css, cells in series:
            lines.append(
                f"{name} : "
                + ", ".join(
                    f"{month_label(m)} {c.text}" for m, c in zip(months, cells, strict=True)
                )
            )
        description = _(
            "Courbes, une par pôle. %(values)s. Les chiffres sont repris dans le tableau qui suit."
        ) % {"values": " ; ".join(lines)}
        return cls(chart_id, str(title), description, drawn, ticks, labels, legend)


def nice_ceiling(value):
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at least `value`: round axis ticks."""
    magnitude = 10 ** math.floor(math.log10(value)) if value > 0 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= value:
            return factor * magnitude
    return 10 * magnitude


def short_month(month, *, with_year):
    """An axis label: "janv." (or "janv. 26" when the chart spans several years)."""
    name = formats.date_format(month, "N")
    return f"{name} {month:%y}" if with_year else name


def month_label(month):
    return formats.date_format(month, "F Y")
