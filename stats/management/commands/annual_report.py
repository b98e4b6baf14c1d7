"""python manage.py annual_report --year 2026 [--actor ID] --output rapport.pdf

The yearly report for the assises, as the network admin reads it (/stats/rapport/<année>/):
the same figures, the year before beside, as a PDF (or HTML if the file ends in .html)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string

from pathway.permissions import WholeNetwork
from stats.annual import annual_report, annual_report_pdf
from stats.exports import privacy_rule


class Command(BaseCommand):
    help = "Écrit le rapport annuel (PDF, ou HTML si le fichier finit par .html)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="Année, par exemple 2026.")
        parser.add_argument("--actor", type=int, help="Une seule structure (son identifiant).")
        parser.add_argument("--output", required=True, help="Fichier à écrire.")

    def handle(self, *args, year, actor, output, **options):
        try:
            report = annual_report(WholeNetwork(), year, actor=actor)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        path = Path(output)
        if path.suffix == ".html":
            path.write_text(
                render_to_string(
                    "stats/annual_report.html", {"report": report, "privacy_rule": privacy_rule()}
                ),
                encoding="utf-8",
            )
        else:
            path.write_bytes(annual_report_pdf(report))
        self.stdout.write(f"{path} : rapport {year}, {report.scope}.")
