"""Import the results of a Pix Orga campaign (its "Exporter les résultats" file).

    python manage.py import_pix resultats.csv --user mediatrice.fs --dry-run
    python manage.py import_pix resultats.csv --user mediatrice.fs

The same check and import as the page /pix/ (certificates.pix.pix_import): residents are
matched among those the user may see, every line is checked, and nothing is written when
one line is wrong. The same file twice changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from certificates.pix import Outcome, pix_import
from learners.models import User
from learners.sheets import FileError


class Command(BaseCommand):
    help = "Importe les résultats d'une campagne Pix Orga (fichier exporté, CSV ou XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Le fichier exporté de Pix Orga.")
        parser.add_argument(
            "--user", required=True, help="Identifiant du membre de l'équipe qui importe."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Vérifier seulement, sans rien enregistrer."
        )

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None or not user.works_with_residents:
            raise CommandError(
                f"« {options['user']} » n'est pas un médiateur actif, ni la coordination."
            )
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            with path.open("rb") as handle:
                report = pix_import(
                    source=handle, file_name=path.name, user=user, dry_run=options["dry_run"]
                )
        except FileError as error:
            raise CommandError(str(error)) from error
        labels = {
            Outcome.NEW: "nouveau",
            Outcome.UPDATE: "mis à jour",
            Outcome.UNCHANGED: "déjà importé",
            Outcome.SKIP: "ignoré",
            Outcome.ERROR: "ERREUR",
        }
        for line in report.lines:
            if line.outcome != Outcome.UNCHANGED or options["verbosity"] > 1:
                detail = f" : {line.message}" if line.message else ""
                self.stdout.write(
                    f"  ligne {line.number} — {line.name} — {labels[line.outcome]}{detail}"
                )
        counts = report.as_json()["counts"]
        summary = (
            f"{counts['new']} nouveau(x), {counts['update']} mis à jour, "
            f"{counts['unchanged']} déjà importé(s), {counts['skip']} ignoré(s), "
            f"{len(report.errors)} erreur(s)."
        )
        if report.errors:
            raise CommandError(f"Rien n'a été importé : {summary}")
        if options["dry_run"]:
            self.stdout.write(f"Vérification seulement, rien n'est enregistré : {summary}")
            return
        self.stdout.write(self.style.SUCCESS(f"Résultats Pix importés : {summary}"))
