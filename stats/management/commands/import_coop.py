"""Bring in a Coop accompaniments file (stats.coop.importer)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learners.models import User
from stats.coop.importer import CoopFileError, CoopImport


class Command(BaseCommand):
    help = "Importe un export « accompagnements » de la Coop de la médiation numérique."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="compte du médiateur")
        parser.add_argument("--dry-run", action="store_true", help="vérifier sans rien écrire")

    def handle(self, *args, file, user, dry_run, **options):
        by = User.objects.filter(username=user, is_active=True).first()
        if by is None:
            raise CommandError(f"Compte inconnu : {user}")
        importer = CoopImport(by)
        try:
            report = importer.check(Path(file).read_bytes(), file)
        except CoopFileError as error:
            raise CommandError(str(error)) from error
        for row in report.errors:
            self.stderr.write(f"ligne {row.line} ({row.cra}) : {' ; '.join(row.errors)}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} ligne(s) en erreur : rien n'a été importé.")
        summary = (
            f"{report.activities_new} accompagnement(s) à ajouter, "
            f"{report.activities_present} déjà présent(s)"
        )
        if report.nothing_to_add:
            self.stdout.write(f"Rien à ajouter ({summary}).")
            return
        if dry_run:
            self.stdout.write(f"Vérification seulement : {summary}.")
            return
        written = importer.write()
        self.stdout.write(f"{written} accompagnement(s) ajouté(s) ; {summary}.")
