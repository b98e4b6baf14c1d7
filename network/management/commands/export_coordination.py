"""python manage.py export_coordination --start AAAA-MM-JJ --end AAAA-MM-JJ [--actor ID]
--output FILE

The coordination work of a period in the Coop's vocabulary (network.coordination), as the
network admin exports it: the whole network, or one actor's part; XLSX, or CSV if the
file ends in .csv."""

import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from network.coordination import CoordinationExport
from pathway.models import Actor
from pathway.permissions import WholeNetwork


def day(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"Date invalide « {text} » : AAAA-MM-JJ attendu.") from error


class Command(BaseCommand):
    help = (
        "Exporte les réunions tenues (participants, structures) dans le vocabulaire des "
        "activités de coordination de la Coop de la médiation numérique."
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, type=day, help="AAAA-MM-JJ")
        parser.add_argument("--end", required=True, type=day, help="AAAA-MM-JJ")
        parser.add_argument("--actor", help="identifiant numérique d'une structure")
        parser.add_argument("--output", required=True, help="fichier .xlsx ou .csv")

    def handle(self, *args, start, end, actor, output, **options):
        found = None
        if actor is not None:
            found = Actor.objects.filter(pk=actor).first() if actor.isdigit() else None
            if found is None:
                raise CommandError(f"Structure inconnue : {actor}")
        path = Path(output)
        if path.suffix not in (".xlsx", ".csv"):
            raise CommandError("Le fichier doit finir par .xlsx ou .csv.")
        if not path.parent.is_dir():
            raise CommandError(f"Dossier introuvable : {path.parent}")
        try:
            export = CoordinationExport(WholeNetwork(), start, end, actor=found)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if path.suffix == ".csv":
            path.write_text(export.csv(), encoding="utf-8", newline="")
        else:
            path.write_bytes(export.xlsx())
        self.stdout.write(f"{export.count} activités écrites dans {path} ({export.scope_label}).")
