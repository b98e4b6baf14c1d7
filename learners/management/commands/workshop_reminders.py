"""The day before a workshop, remind each person with a seat (email and/or text message
through settings.SMS_BACKEND), once. Run it once a day, e.g. at 10:00 (README)."""

from django.core.management.base import BaseCommand

from learners.signups import send_reminders


class Command(BaseCommand):
    help = "Envoie le rappel de la veille aux inscrits des ateliers de demain."

    def handle(self, *args, **options):
        count = send_reminders()
        self.stdout.write(f"{count} rappel(s) envoyé(s).")
