"""Retention: anonymise residents inactive for RESIDENT_INACTIVITY_DAYS and purge journal
rows older than JOURNAL_RETENTION_DAYS. Run it every day (cron or systemd timer, README)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from learners.models import AccessLog
from learners.services import residents_anonymize_inactive


class Command(BaseCommand):
    help = "Anonymise les habitants inactifs et purge le journal d'accès ancien."

    def handle(self, *args, **options):
        erased = residents_anonymize_inactive()
        before = timezone.now() - datetime.timedelta(days=settings.JOURNAL_RETENTION_DAYS)
        purged = AccessLog.purge(before=before)
        self.stdout.write(
            f"{erased} habitant(s) anonymisé(s) après {settings.RESIDENT_INACTIVITY_DAYS} jours "
            f"sans accompagnement ; {purged} ligne(s) du journal de plus de "
            f"{settings.JOURNAL_RETENTION_DAYS} jours supprimée(s)."
        )
