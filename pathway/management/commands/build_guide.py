"""Write the printable guide du numérique (the same brochure as /guide.pdf) to a file.

python manage.py build_guide                       # guide-du-numerique.pdf
python manage.py build_guide --output /srv/print/guide.pdf
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pathway.guide import build_guide


class Command(BaseCommand):
    help = "Écrit le guide du numérique imprimable (PDF A4) à partir des données à jour."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="guide-du-numerique.pdf")

    def handle(self, *args, output, **options):
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"Le dossier {path.parent} n'existe pas : créez-le d'abord.")
        pdf = build_guide()
        # Write next to the target then rename, so a reader never gets half a file.
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(pdf)
        partial.replace(path)
        self.stdout.write(f"Guide écrit dans {path} ({len(pdf) // 1024} Ko).")
