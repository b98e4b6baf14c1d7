"""The yearly report: the statistics API's figures for the same year, the year before beside
them, per actor or for the network, as a page, a PDF and a command."""

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from stats.annual import REPORT_TABLES
from tests.stats.test_stats_dashboard import populate

pytestmark = pytest.mark.django_db


def api_tables(client, query):
    data = client.get(f"/api/v1/statistics/?{query}").json()
    return {t["slug"]: t for t in data["tables"]}


def api_cells(table):
    """{row label: [cell texts]} from the API's answer."""
    rows = {}
    for row in table["rows"]:
        texts = []
        for cell in row["cells"]:
            for one in cell.get("parts") or [cell]:
                texts.append(one["text"])
        rows[row["label"]] = texts
    return rows


def page_cells(table, column):
    """The report's cells of one year: column 0 (the year) or 1 (the year before)."""
    rows = {}
    for row in table.rows:
        texts = []
        for cell in row.cells[column::2]:
            texts += [one.text for one in cell.parts] or [cell.text]
        rows[row.label] = texts
    return rows


def test_the_report_shows_the_api_figures_of_the_year_and_the_year_before(cast):
    populate([cast.actor_a, cast.actor_b], 6, year=2025)
    populate([cast.actor_a], 8, year=2026)
    client = cast.client("official")
    response = client.get("/stats/rapport/2026/")
    assert response.status_code == 200
    report = response.context["report"]
    this_year = api_tables(client, "period=year&year=2026")
    last_year = api_tables(client, "period=year&year=2025")
    for table in report.tables:
        assert table.slug in REPORT_TABLES
        assert page_cells(table, 0) == api_cells(this_year[table.slug]), table.slug
        before = api_cells(last_year[table.slug])
        for label, texts in page_cells(table, 1).items():
            if label in before:
                assert texts == before[label], (table.slug, label)
    headline = page_cells(report.tables[0], 0)
    assert headline["Habitants accompagnés"] == ["8"]
    assert page_cells(report.tables[0], 1)["Habitants accompagnés"] == ["12"]
    page = response.content.decode()
    assert "Rapport annuel 2026 — Tout le réseau" in page and "Habitants accompagnés" in page


def test_per_actor_and_a_coordinator_reads_only_their_own(cast):
    populate([cast.actor_a], 6, year=2026)
    populate([cast.actor_b], 9, year=2026)
    admin = cast.client("network_admin")
    report = admin.get(f"/stats/rapport/2026/?actor={cast.actor_b.pk}").context["report"]
    assert report.scope == "Médiathèque de Miramas"
    assert page_cells(report.tables[0], 0)["Habitants accompagnés"] == ["9"]
    coordinator = cast.client("coordinator_a")
    mine = coordinator.get("/stats/rapport/2026/").context["report"]
    assert page_cells(mine.tables[0], 0)["Habitants accompagnés"] == ["6"]
    assert coordinator.get(f"/stats/rapport/2026/?actor={cast.actor_b.pk}").status_code == 404
    assert admin.get("/stats/rapport/1990/").status_code == 404


def test_small_counts_are_hidden_as_on_the_dashboard(cast):
    populate([cast.actor_a], 3, year=2026)
    report = cast.client("official").get("/stats/rapport/2026/").context["report"]
    assert page_cells(report.tables[0], 0)["Habitants accompagnés"] == ["< 5"]


def test_the_pdf_and_the_command(cast, tmp_path):
    populate([cast.actor_a], 6, year=2026)
    response = cast.client("network_admin").get("/stats/rapport/2026/rapport.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Rapport annuel 2026" in text and "Habitants accompagnés" in text
    assert "Lieux et ateliers" in text

    output = tmp_path / "rapport.pdf"
    call_command("annual_report", year=2026, actor=cast.actor_a.pk, output=str(output))
    text = "".join(p.extract_text() for p in PdfReader(output).pages)
    assert "France services de Miramas" in text and "Chiffres clés" in text
    html = tmp_path / "rapport.html"
    call_command("annual_report", year=2026, output=str(html))
    assert "Rapport annuel 2026" in html.read_text()
