"""Retention: delete the workshop sign-ups never turned into a session
SIGNUP_RETENTION_DAYS after their workshop. Run it every night (README)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from learners.signups import signups_purge


class Command(BaseCommand):
    help = "Supprime les inscriptions aux ateliers qui ne sont pas devenues un accompagnement."

    def handle(self, *args, **options):
        count = signups_purge()
        self.stdout.write(
            f"{count} inscription(s) supprimée(s), {settings.SIGNUP_RETENTION_DAYS} jours "
            "après leur atelier."
        )
