"""Small counts never reach an official: "< 5" on the cell, and secondary suppression so
that no total, subtotal or difference gives it away — on the page and in the exports."""

import datetime
import io
import itertools
import random
import zipfile

import openpyxl
import pytest

from stats.disclosure import MASKED, SMALL, UNDISPLAYED, Disclosure
from stats.figures import Filters, Period, collect
from stats.report import Lookups, Report
from tests.stats.test_stats_figures import YEAR, KnownTown

K = 5


def what_a_reader_can_deduce(disclosure):
    """Brute force: every value of the hidden cells consistent with what is shown (numbers,
    "< 5" meaning 1 to 4, "masqué" meaning at least 5, zeros always shown) and with every
    published relation. Returns {hidden cell: set of possible values}."""
    d = disclosure
    # A reader knows no upper bound of a masked cell: search well above the real values.
    top = 2 * max(d.values.values()) + K
    domains = {}
    for key, state in d.state.items():
        if state == SMALL:
            domains[key] = range(1, K)
        elif state == MASKED:
            domains[key] = range(K, top + 1)
        elif state == UNDISPLAYED:
            domains[key] = range(0, top + 1)
    hidden = list(domains)
    possible = {key: set() for key in hidden}
    for guess in itertools.product(*(domains[key] for key in hidden)):
        value = dict(zip(hidden, guess, strict=True))
        value.update({k: v for k, v in d.values.items() if k not in value})
        if all(value[total] == sum(value[p] for p in parts) for total, parts in d.equations):
            for key in hidden:
                possible[key].add(value[key])
    return possible


def assert_nothing_small_can_be_deduced(disclosure):
    """Every small cell keeps at least two possible values, up to 4: as vague as "< 5"."""
    possible = what_a_reader_can_deduce(disclosure)
    for key, values in possible.items():
        if 0 < disclosure.values[key] < K:
            assert len(values) >= 2 and max(values) >= K - 1, (key, sorted(values))


def distribution(values, total="total"):
    d = Disclosure(K)
    for i, value in enumerate(values):
        d.count(i, value)
    d.count(total, sum(values))
    d.equation(total, list(range(len(values))))
    return d.protect()


def test_a_small_cell_shows_less_than_five_and_another_one_is_masked():
    d = distribution([3, 10, 12])
    assert d.cell(0).text == "< 5"
    assert d.cell(1).text == "masqué"  # the smallest other cell, else 25 − 10 − 12 = 3
    assert d.cell(2).text == "12" and d.cell("total").text == "25"
    assert_nothing_small_can_be_deduced(d)


def test_random_distributions_never_let_a_small_count_through():
    rng = random.Random(2026)
    tried = 0
    while tried < 60:
        values = [rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 14]) for _ in range(rng.randint(2, 4))]
        if sum(values) < K:
            continue  # a total that is itself "< 5" already says its parts are small
        tried += 1
        assert_nothing_small_can_be_deduced(distribution(values))


def test_zeros_are_shown_and_never_used_to_hide_a_cell():
    d = distribution([0, 2, 0, 9, 14])
    assert d.cell(0).text == "0" and d.cell(2).text == "0"
    assert d.cell(1).text == "< 5" and d.cell(3).text == "masqué"
    assert_nothing_small_can_be_deduced(d)


def test_two_small_cells_may_protect_each_other_or_need_a_third():
    assert distribution([2, 3, 30]).cell(2).text == "30"  # 5 = 1+4 = 2+3 = 3+2 = 4+1
    ones = distribution([1, 1, 30])  # 2 = 1+1 only: a third cell must go
    assert ones.cell(2).text == "masqué"
    assert_nothing_small_can_be_deduced(ones)


def test_when_no_cell_can_hide_it_the_total_is_masked():
    # 2 + 5: masking the 5 is not enough (7 − "at least 5" leaves 1 or 2).
    d = distribution([2, 5])
    assert [d.cell(0).text, d.cell(1).text, d.cell("total").text] == ["< 5", "masqué", "masqué"]


@pytest.mark.security_review
def test_a_masked_total_is_never_the_sum_of_its_shown_parts():
    """The QPV of a town of one priority neighbourhood is that neighbourhood: masked as a
    part of everybody, it must not be found again as the sum of its own parts."""
    d = Disclosure(K)
    d.count("everybody", 15)
    d.count("qpv", 12)
    d.count("others", 3)
    d.count("la maille", 12)
    d.equation("everybody", ["qpv", "others"])
    d.equation("qpv", ["la maille"])
    d.protect()
    assert [d.cell(key).text for key in ("everybody", "qpv", "others", "la maille")] == [
        "15",
        "masqué",
        "< 5",
        "masqué",
    ]
    assert_nothing_small_can_be_deduced(d)


def test_a_difference_of_shown_counts_is_protected_too():
    """20 started, 18 went on: the two who stopped must not be deducible."""
    d = Disclosure(K)
    d.count("started", 20)
    d.count("trained", 18)
    d.count("stopped", 2, displayed=False)
    d.equation("started", ["trained", "stopped"])
    d.protect()
    assert not (d.shown("started") and d.shown("trained"))
    assert_nothing_small_can_be_deduced(d)
    assert d.rate("trained", "started").text == "—"


def test_a_table_with_row_and_column_totals():
    cells = {("a", "x"): 2, ("a", "y"): 8, ("b", "x"): 7, ("b", "y"): 9}
    d = Disclosure(K)
    for key, value in cells.items():
        d.count(key, value)
    for row in "ab":
        d.count(row, sum(v for (r, _c), v in cells.items() if r == row))
        d.equation(row, [(row, c) for c in "xy"])
    for column in "xy":
        d.count(column, sum(v for (_r, c), v in cells.items() if c == column))
        d.equation(column, [(r, column) for r in "ab"])
    d.count("all", 26)
    d.equation("all", ["a", "b"])
    d.equation("all", ["x", "y"])
    d.protect()
    assert d.cell(("a", "x")).text == "< 5"
    assert sum(not d.shown(key) for key in cells) >= 4  # a whole rectangle
    assert_nothing_small_can_be_deduced(d)


def test_medians_and_rates_of_few_people_are_not_shown():
    from collections import Counter

    d = Disclosure(K)
    d.count("few", 3)
    d.count("many", 12)
    assert d.median(Counter({10: 2, 40: 1}), "few").text == "—"
    assert d.median(Counter({10: 6, 40: 6}), "many").text == "25"
    assert d.rate("few", "many").text == "—"


@pytest.mark.django_db
def test_every_relation_of_the_real_report_is_safe():
    KnownTown()
    report = Report(
        collect(Filters(period=YEAR)), Filters(period=YEAR), Lookups.load(), threshold=K
    )
    d = report.disclosure
    # Every equation of the page, checked one at a time (the brute force of the whole page
    # would take too long): nothing small can be deduced from any of them.
    for total, parts in d.equations:
        if not d.shown(total):
            continue
        hidden = [p for p in parts if not d.shown(p)]
        if not hidden:
            continue
        one = Disclosure(K)
        for key in [total, *parts]:
            one.values[key] = d.values[key]
            one.state[key] = d.state[key]
        one.equations = [(total, parts)]
        assert_nothing_small_can_be_deduced(one)
    funnel = {row.label: [c.text for c in row.cells] for row in report.by_slug["parcours"].rows}
    assert funnel["Total"][:5] == ["5", "< 5", "—", "< 5", "—"]
    headline = {row.label: row.cells[0].text for row in report.by_slug["chiffres-cles"].rows}
    # 7 residents of whom 6 new: the one who came back would follow from 7 − 6, and from
    # "7" and "at least 5" they would be 2 at most: in a town this small, both are masked.
    assert headline["Habitants accompagnés"] == "masqué"
    assert headline["dont nouveaux dans le réseau"] == "masqué"
    assert headline["Modules de formation validés"] == "< 5"
    assert headline["Séances"] == "19"  # sessions are not people


@pytest.fixture
def town(db):
    return KnownTown()


def export_texts(client, name, query=""):
    response = client.get(f"/stats/export/{name}?{query}")
    assert response.status_code == 200, response.content
    if name.endswith(".csv"):
        return response.content.decode("utf-8-sig")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return "\n".join(
        " | ".join("" if value is None else str(value) for value in row)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def test_exports_show_exactly_what_the_page_shows(town, cast, settings):
    client = cast.client("official")
    page = client.get("/stats/?year=2026").context["report"]
    for table in page.tables:
        csv_text = export_texts(client, f"{table.slug}.csv", "year=2026")
        lines = [line.split(";") for line in csv_text.splitlines()]
        header = lines.index(table.export_header())
        shown = [
            [str(v).replace(".", ",") if isinstance(v, float) else str(v) for v in row]
            for row in table.export_rows()
        ]
        assert lines[header + 1 : header + 1 + len(shown)] == shown, table.slug
        assert ["Période", "Année 2026"] in lines[:header]  # the filters, above the table
    xlsx = export_texts(client, "parcours.xlsx", "year=2026")
    assert "Venus pour une démarche" in xlsx and "< 5" in xlsx and "Année 2026" in xlsx


def test_no_name_contact_or_note_reaches_an_official(town, cast):
    from learners.models import Referral, Resident, Session

    Resident.objects.update(phone="06 12 34 56 78", email="temoin@example.fr")
    for i, resident in enumerate(Resident.objects.all()):
        resident.first_name = f"Zéphyrine{i}"  # no staff member shown in the menu is called so
        resident.save()
    Session.objects.update(notes="A pleuré en parlant de ses dettes")
    Referral.objects.update(reason="Violences conjugales, orienter vers l'aide juridique")
    secrets = ["Témoin", "06 12 34 56 78", "temoin@example.fr", "dettes", "conjugales"]
    secrets += [r.first_name for r in Resident.objects.all()]
    secrets += [r.reference for r in Resident.objects.all()]
    queries = ["year=2026", "year=2026&neighbourhood=qpv", "period=month&year=2026&month=2"]
    for role in ("official", "coordinator_a", "network_admin"):
        client = cast.client(role)
        for query in queries:
            page = client.get(f"/stats/?{query}")
            texts = [page.content.decode()]
            if page.context["report"] is None:
                # Too few people in the QPV of this small town: refused, and so are its
                # exports (tests/stats/test_stats_combined_filters.py).
                assert "Trop peu de personnes" in texts[0], (role, query)
                texts.append(client.get(f"/stats/export/tout.xlsx?{query}").content.decode())
            else:
                texts.append(export_texts(client, "tout.xlsx", query))
                for table in page.context["report"].tables:
                    texts.append(export_texts(client, f"{table.slug}.csv", query))
            for text in texts:
                for secret in secrets:
                    assert secret not in text, (role, query, secret)


def test_the_xlsx_file_is_a_real_workbook_with_the_filters_on_top(town, cast):
    response = cast.client("official").get("/stats/export/tout.xlsx?year=2026&pole=necessity")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert zipfile.is_zipfile(io.BytesIO(response.content))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(workbook.worksheets) == 13
    first = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert ("Période", "Année 2026") in [row[:2] for row in first]
    assert ("Pôle", "Numérique nécessité") in [row[:2] for row in first]


def test_the_threshold_is_a_setting(town, cast, settings):
    settings.STATS_MIN_COUNT = 8
    content = cast.client("official").get("/stats/?year=2026").content.decode()
    assert "&lt; 8" in content and "&lt; 5" not in content
    filters = Filters(period=Period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 1), "x"))
    report = Report(collect(filters), filters, Lookups.load())
    assert report.disclosure.threshold == 8
