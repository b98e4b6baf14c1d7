"""Errors the public reports on a place's page ("Signaler une erreur"): a queue for the
place's coordinator and the network admin."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathway.models.places import Place


class PlaceReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)

    def for_manager(self, user):
        """Reports on the places a staff member manages (all for the network admin)."""
        return self.filter(place__in=Place.objects.managed_by(user))


class PlaceReport(models.Model):
    place = models.ForeignKey(
        Place, on_delete=models.CASCADE, related_name="reports", verbose_name=_("lieu")
    )
    message = models.TextField(_("ce qui ne va pas"), max_length=2000)
    # Optional: how to reach the person who reported, to ask or thank them. Deleted with
    # the report once it is dealt with (see resolve()).
    contact = models.CharField(_("contact (facultatif)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("signalé le"), default=timezone.now, db_index=True)
    resolved_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("traité par"),
    )

    objects = PlaceReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("signalement d'erreur")
        verbose_name_plural = _("signalements d'erreur")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.place} — {self.created_at:%d/%m/%Y}"

    def resolve(self, *, by, now=None):
        """Dealt with: the place counts as checked today, the person's contact is erased."""
        now = now or timezone.now()
        self.resolved_at = now
        self.resolved_by = by
        self.contact = ""
        self.save(update_fields=["resolved_at", "resolved_by", "contact"])
        Place.objects.filter(pk=self.place_id).update(checked_on=timezone.localdate(now))
