"""Rebuild the statistics summaries from the sessions themselves.

    python manage.py stats_refresh

Never needed in normal use (every write to participations refreshes what it touches), but
useful after restoring a backup, fixing data with SQL, or changing a module's targets or an
actor's kind; it is also what to schedule if some tool writes sessions without going
through learners.services.participations_changed().
"""

import time

from django.core.management.base import BaseCommand

from stats.services import stats_refresh


class Command(BaseCommand):
    help = "Recalcule les tableaux de synthèse des statistiques à partir des accompagnements."

    def handle(self, *args, **options):
        started = time.perf_counter()
        stats_refresh()
        self.stdout.write(
            self.style.SUCCESS(
                f"Statistiques recalculées en {time.perf_counter() - started:.1f} s."
            )
        )
