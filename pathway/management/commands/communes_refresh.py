"""Refresh the communes shipped with the product from Etalab's package (pathway.communes)."""

from django.core.management.base import BaseCommand

from pathway import communes


class Command(BaseCommand):
    help = (
        "Met à jour la liste des communes depuis le fichier data/communes.json du paquet npm "
        "@etalab/decoupage-administratif (npm pack @etalab/decoupage-administratif)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="chemin de communes.json")

    def handle(self, *args, source, **options):
        count = communes.refresh_from_json(source)
        self.stdout.write(f"{count} communes écrites dans {communes.DATA_FILE}")
