"""The pathway statistics shown to officials and coordinators.

Read from the summary tables that pathway.services.stats_refresh() keeps — never from raw
sessions — and never naming anybody. A package of its own (rather than services.py, which
writes) because the dashboard's read model is a concept of its own, past 800 lines: the
filters and figures (figures.py), the suppression of small counts and the table cells
(disclosure.py), the tables the page, its charts and its exports all share (report.py,
so that an export can never show what the page hides), the charts (charts.py) and the
exports (exports.py).

    figures = collect(filters)                  # a constant number of queries
    report = Report(figures, filters, Lookups.load())
"""

from pathway.stats.charts import BarChart, LineChart
from pathway.stats.disclosure import Cell, Disclosure, Row, Table, median
from pathway.stats.exports import export_csv, export_xlsx, privacy_rule
from pathway.stats.figures import (
    AGE_BAND_CHOICES,
    Figures,
    Filters,
    Funnel,
    Period,
    collect,
    month_label,
)
from pathway.stats.report import Lookups, Report

__all__ = [
    "AGE_BAND_CHOICES",
    "BarChart",
    "Cell",
    "Disclosure",
    "Figures",
    "Filters",
    "Funnel",
    "LineChart",
    "Lookups",
    "Period",
    "Report",
    "Row",
    "Table",
    "collect",
    "export_csv",
    "export_xlsx",
    "median",
    "month_label",
    "privacy_rule",
]
