"""Make the issuer's signing keys, or a new set of them (rotation).

    python manage.py create_issuer_keys               # first keys, or a new set
    python manage.py create_issuer_keys --if-missing  # only when there are none (make run)

Keys are written to ISSUER_KEYS_DIR (default var/keys/), outside the database. A new set
becomes the one that signs new certificates; the old sets stay, so that certificates they
signed can still be checked (their private keys may be deleted; keep the .pem public files).
"""

from django.core.management.base import BaseCommand, CommandError

from certificates import signing


class Command(BaseCommand):
    help = "Crée les clés de signature des attestations (ou un nouveau jeu de clés)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Ne rien faire si des clés existent déjà.",
        )

    def handle(self, *args, **options):
        directory = signing.keys_dir()
        try:
            current = signing.current_key_id()
        except signing.IssuerKeysMissing:
            current = None
        if current and options["if_missing"]:
            self.stdout.write(f"Les clés existent déjà ({current}) : rien n'a été créé.")
            return
        try:
            key_id = signing.create_key_set(directory=directory)
        except OSError as error:
            raise CommandError(
                f"Impossible d'écrire les clés dans {directory} : {error.strerror}. "
                "Vérifiez le dossier ISSUER_KEYS_DIR et ses droits."
            ) from error
        key = signing.load_key(key_id)
        self.stdout.write(
            self.style.SUCCESS(f"Nouveau jeu de clés {key_id} dans {directory}.")
            + f"\n  Empreinte du certificat de signature des PDF (SHA-256) : {key.fingerprint}"
            + f"\n  Clé publique des attestations numériques : {key.public_key_multibase}"
            + (
                f"\n  Les attestations déjà signées avec {current} restent vérifiables."
                if current
                else ""
            )
        )
