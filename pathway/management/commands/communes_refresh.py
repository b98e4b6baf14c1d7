"""Refresh the communes, intercommunalities and departments shipped with the product from
Etalab's package (pathway.communes)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pathway import communes


class Command(BaseCommand):
    help = (
        "Met à jour les communes, les intercommunalités (EPCI) et les départements depuis le "
        "dossier data du paquet npm @etalab/decoupage-administratif "
        "(npm pack @etalab/decoupage-administratif)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "source", help="le dossier package/data (ou le fichier communes.json qu'il contient)"
        )

    def handle(self, *args, source, **options):
        folder = Path(source)
        if folder.is_file():
            folder = folder.parent
        try:
            count, epcis, departments = communes.refresh_from_package(folder)
        except FileNotFoundError as missing:
            raise CommandError(
                f"Fichiers introuvables : {missing}. Donnez le dossier data du paquet "
                "(package/data après tar xzf)."
            ) from None
        self.stdout.write(
            f"{count} communes, {epcis} intercommunalités et {departments} départements écrits "
            f"dans {communes.DATA_DIR}"
        )
