"""Import a CSV or XLSX file of actors, places, modules, residents, sessions or competence
assessments, all or nothing, on behalf of a staff member, with a progress bar.

    python manage.py import_data sessions historique.csv --user coordination
    python manage.py import_data residents habitants.xlsx --user mediatrice.fs --dry-run

The file is checked like on the import page; any error stops everything and lists the
lines to fix.
"""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learners import imports
from learners.models import User


class ProgressBar:
    """A one-line progress bar on the terminal (redrawn at most ten times a second)."""

    def __init__(self, stream, label):
        self.stream, self.label = stream, label
        self.drawn_at = 0.0

    def __call__(self, done, total):
        now = time.monotonic()
        if now - self.drawn_at < 0.1 and done < total:
            return
        self.drawn_at = now
        share = done / total if total else 1
        filled = round(30 * share)
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {share:4.0%}", ending=""
        )
        self.stream.flush()

    def close(self):
        self.stream.write("")


class Command(BaseCommand):
    help = "Importe un fichier CSV ou XLSX (tout ou rien), avec une barre de progression."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(imports.KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="Identifiant de la personne qui importe.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Vérifier seulement, sans rien enregistrer."
        )

    def handle(self, *args, kind, file, user, dry_run, **options):
        importer = User.objects.filter(username=user, is_active=True).first()
        if importer is None:
            raise CommandError(f"Aucun compte actif ne s'appelle « {user} ».")
        kind = imports.KINDS[kind]
        if not kind.may_import(importer):
            raise CommandError(f"{importer} ne peut pas importer : {kind.label}.")
        bar = ProgressBar(self.stderr, "vérification" if dry_run else "import")
        started = time.monotonic()
        try:
            # Read as the rows are imported: a file of any size takes the memory of a batch.
            report = imports.import_file(
                kind, file, file.name, user=importer, dry_run=dry_run, progress=bar
            )
        except OSError as error:
            raise CommandError(f"Fichier illisible : {error}") from error
        except imports.FileError as error:
            raise CommandError(str(error)) from error
        bar(1, 1)
        bar.close()
        elapsed = time.monotonic() - started
        for error in report["errors"][:100]:
            where = f"ligne {error['row']}" if error["row"] else "fichier"
            column = f", colonne « {error['column']} »" if error["column"] else ""
            self.stderr.write(f"{where}{column} : {error['message']}")
        if len(report["errors"]) > 100:
            self.stderr.write(f"… et {len(report['errors']) - 100} autres erreurs.")
        summary = (
            f"{report['total']} lignes en {elapsed:.1f} s : {report['new']} à ajouter, "
            f"{report['update']} à modifier, {report['skip']} inchangées."
        )
        if report["errors"]:
            raise CommandError(f"{summary} {len(report['errors'])} erreurs : rien n'a été importé.")
        self.stdout.write(summary + (" (vérification seulement)" if dry_run else " Importé."))
        sys.stdout.flush()
