"""The pathway statistics shown to officials and coordinators, and what measures the product.

The top of the house: it reads every app below it (pathway, learners, certificates) and none
of them reads it. The figures are read from the summary tables that stats.services keeps
(stats_refresh) — never from raw sessions — and never name anybody: the filters and
figures (figures.py), the suppression of small counts and the table cells (disclosure.py),
the tables the page, its charts and its exports all share (report.py, so that an export can
never show what the page hides), the charts (charts.py) and the exports (exports.py).

    figures = collect(filters)                  # a constant number of queries
    report = Report(figures, filters, Lookups.load())

Also here, because they read and write every app: the demo town and the factories the tests
share with it (demo/), and the performance figures (bench/, `manage.py bench`).
"""
