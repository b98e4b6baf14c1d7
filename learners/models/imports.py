"""Files uploaded to be imported, with their progress and report (the checking and
importing is done by learners.imports)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Vérification en cours")
    CHECKED = "checked", _("Vérifié, en attente de confirmation")
    REFUSED = "refused", _("Refusé : le fichier contient des erreurs")
    IMPORTING = "importing", _("Import en cours")
    DONE = "done", _("Importé")
    FAILED = "failed", _("Échec")
    CANCELLED = "cancelled", _("Abandonné")


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A staff member sees their own imports; the network admin sees every import made
        by the staff of their town."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if not user.is_network_admin:
            return self.filter(created_by=user)
        if user.town_ids is None:
            return self
        from learners.models.staff import User

        return self.filter(created_by__in=User.objects.of_towns(user.town_ids).values("pk"))

    def stale(self, *, now=None):
        """Imports whose file is kept for more than a day (never confirmed, or forgotten)."""
        limit = (now or timezone.now()) - timezone.timedelta(days=1)
        return self.filter(created_at__lt=limit).exclude(file="")


class ImportJob(models.Model):
    """A file uploaded to be imported: checked first (a dry run whose report lists new,
    updated and unchanged rows and every error), then imported once confirmed. Big files
    are checked and imported by the background worker; the page shows the progress."""

    resource = models.CharField(_("données"), max_length=20)
    file = models.FileField(_("fichier"), upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("nom du fichier"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("par"),
    )
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    status = models.CharField(
        _("état"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    total_rows = models.PositiveIntegerField(_("lignes"), default=0)
    done_rows = models.PositiveIntegerField(_("lignes traitées"), default=0)
    # {"new": n, "update": n, "skip": n, "errors": [{"row", "column", "message"}], "rows": […]}
    report = models.JSONField(_("rapport"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import de fichier")
        verbose_name_plural = _("imports de fichiers")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_running(self):
        return self.status in {ImportStatus.CHECKING, ImportStatus.IMPORTING}

    @property
    def percent(self):
        return round(100 * self.done_rows / self.total_rows) if self.total_rows else 0

    @property
    def error_count(self):
        return len(self.report.get("errors", []))

    def delete_file(self):
        if self.file:
            self.file.delete(save=False)
            self.file = ""
            self.save(update_fields=["file"])
