"""Write the printable guide du numérique (the same brochure as /guide.pdf) to a file.

python manage.py build_guide                       # guide-du-numerique.pdf
python manage.py build_guide --output /srv/print/guide.pdf
python manage.py build_guide --ville istres        # one town's (or --territoire SLUG)
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pathway.areas import TERRITORY_PARAMETER, TOWN_PARAMETER, UnknownArea, guide_area
from pathway.guide import build_guide


class Command(BaseCommand):
    help = "Écrit le guide du numérique imprimable (PDF A4) à partir des données à jour."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="guide-du-numerique.pdf")
        parser.add_argument("--ville", default="", help="Le guide d'une ville (son identifiant).")
        parser.add_argument(
            "--territoire", default="", help="Le guide d'un territoire (son identifiant)."
        )

    def handle(self, *args, output, ville, territoire, **options):
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"Le dossier {path.parent} n'existe pas : créez-le d'abord.")
        try:
            area = guide_area({TOWN_PARAMETER: ville, TERRITORY_PARAMETER: territoire})
        except UnknownArea as error:
            known = ", ".join(town.slug for town in error.towns)
            raise CommandError(f"{error.message} Villes : {known or '—'}.") from None
        pdf = build_guide(area=area)
        # Write next to the target then rename, so a reader never gets half a file.
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(pdf)
        partial.replace(path)
        self.stdout.write(f"Guide écrit dans {path} ({len(pdf) // 1024} Ko).")
