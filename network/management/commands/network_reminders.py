"""python manage.py network_reminders — hourly or daily: reminders of the coming dates."""

from django.core.management.base import BaseCommand

from network.calendar import send_reminders


class Command(BaseCommand):
    help = "Envoie le rappel aux inscrits des dates des 48 prochaines heures (une fois)."

    def handle(self, *args, **options):
        self.stdout.write(f"{send_reminders()} rappel(s) envoyé(s).")
