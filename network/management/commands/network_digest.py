"""python manage.py network_digest — weekly (cron): the news of the week by email."""

from django.core.management.base import BaseCommand

from network.news import digest_send


class Command(BaseCommand):
    help = "Envoie le résumé des actualités de la semaine aux abonnés."

    def handle(self, *args, **options):
        self.stdout.write(f"{digest_send()} résumé(s) envoyé(s).")
