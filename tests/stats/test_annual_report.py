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


def pdf_text(content):
    """The PDF's text as pdftotext reads it (poppler), lines joined by spaces."""
    import subprocess

    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return " ".join(done.stdout.decode().split())


def recorded_decisions():
    """The assises of 2025 (one of its workshops too) and a steering committee, with their
    decisions; a meeting of 2026 with its own."""
    import datetime

    from django.utils import timezone

    from network.models import Meeting, MeetingKind

    def meeting(kind, title, day, **fields):
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
        return Meeting.objects.create(
            kind=kind, title=title, starts_at=start, ends_at=start, **fields
        )

    assises = meeting(MeetingKind.ASSISES, "Assises du numérique 2025", datetime.date(2025, 11, 20))
    return {
        "assises": assises,
        "workshop": meeting(
            MeetingKind.WORKING_GROUP,
            "Atelier familles",
            datetime.date(2025, 11, 20),
            parent=assises,
            decisions="Une permanence ENT dans chaque école",
        ),
        "copil": meeting(
            MeetingKind.STEERING,
            "Copil de juin",
            datetime.date(2025, 6, 12),
            decisions="\n• Publier le guide en arabe\n\n",
        ),
        "later": meeting(
            MeetingKind.STEERING,
            "Copil 2026",
            datetime.date(2026, 3, 2),
            decisions="Décision de 2026",
        ),
    }


def test_the_assises_decisions_of_a_year_are_in_the_next_years_report(cast, tmp_path):
    populate([cast.actor_a], 6, year=2025)
    populate([cast.actor_a], 6, year=2026)
    made = recorded_decisions()
    # Recorded afterwards on the meeting's page, one a line, as the coordination does.
    from network.calendar import record_minutes

    record_minutes(
        made["assises"],
        by=cast.network_admin,
        minutes="Deux cents personnes.",
        decisions="- Ouvrir un lieu le samedi matin\nFormer les agents d'accueil au Pass numérique",
        attended=[],
    )
    client = cast.client("network_admin")
    page = client.get("/stats/rapport/2026/").content.decode()
    assert "Ce que nous avions décidé aux assises 2025" in page
    assises_part = page[page.index("Ce que nous avions décidé aux assises 2025") :]
    assert "20/11/2025 — Assises du numérique 2025" in assises_part
    assert "<li>Ouvrir un lieu le samedi matin</li>" in assises_part
    assert "<li>Former les agents d&#x27;accueil au Pass numérique</li>" in assises_part
    assert "20/11/2025 — Atelier familles" in assises_part
    assert "Décisions et engagements des autres réunions du réseau en 2025" in page
    assert "12/06/2025 — Copil de juin" in page and "<li>Publier le guide en arabe</li>" in page
    assert page.index("Ouvrir un lieu") < page.index("Copil de juin")
    assert "Décision de 2026" not in page

    text = pdf_text(client.get("/stats/rapport/2026/rapport.pdf").content)
    assert "Ce que nous avions décidé aux assises 2025" in text
    assert "20/11/2025 — Assises du numérique 2025" in text
    assert "Ouvrir un lieu le samedi matin" in text
    assert "Former les agents d'accueil au Pass numérique" in text
    assert "Publier le guide en arabe" in text and "Décision de 2026" not in text

    # A coordinator's report of their actor holds the network's decisions too.
    mine = cast.client("coordinator_a").get("/stats/rapport/2026/").content.decode()
    assert "Ouvrir un lieu le samedi matin" in mine

    output = tmp_path / "rapport.pdf"
    call_command("annual_report", year=2026, output=str(output), stdout=io.StringIO())
    text = pdf_text(output.read_bytes())
    assert "Ce que nous avions décidé aux assises 2025" in text
    assert "Ouvrir un lieu le samedi matin" in text
    html = tmp_path / "rapport.html"
    call_command("annual_report", year=2026, output=str(html), stdout=io.StringIO())
    assert "<li>Ouvrir un lieu le samedi matin</li>" in html.read_text()

    # The 2025 report is the assises' own year: their decisions come the year after.
    page = client.get("/stats/rapport/2025/").content.decode()
    assert "Ouvrir un lieu" not in page and "avions décidé" not in page
    assert "Publier le guide" not in page
    text = pdf_text(client.get("/stats/rapport/2025/rapport.pdf").content)
    assert "Ouvrir un lieu" not in text and "avions décidé" not in text


def test_a_report_without_decisions_the_year_before_says_nothing_of_them(cast):
    populate([cast.actor_a], 6, year=2026)
    made = recorded_decisions()
    made["assises"].decisions = "  \n \n"  # blank lines are no decision
    made["assises"].save()
    made["workshop"].delete()
    made["copil"].delete()
    client = cast.client("network_admin")
    page = client.get("/stats/rapport/2026/").content.decode()
    assert "avions décidé" not in page and "Décisions et engagements" not in page
    text = pdf_text(client.get("/stats/rapport/2026/rapport.pdf").content)
    assert "avions décidé" not in text and "Décisions et engagements" not in text
