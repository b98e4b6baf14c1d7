"""python manage.py network_inactive_accounts [--dry-run] — to run daily (cron)."""

from django.core.management.base import BaseCommand

from network.team import inactive_accounts


class Command(BaseCommand):
    help = "Prévient puis désactive les comptes de l'équipe restés sans connexion."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Dire seulement qui.")

    def handle(self, *args, dry_run, **options):
        warned, switched = inactive_accounts(dry_run=dry_run)
        self.stdout.write(f"{len(warned)} prévenu(s), {len(switched)} désactivé(s).")
