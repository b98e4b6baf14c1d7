"""What a resident takes away: skill certificates."""

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learners.models import Resident, random_code
from pathway.models import Level, ModuleCompetence, level_range_check


class SignatoryQuerySet(models.QuerySet):
    def usable_by(self, user):
        """Signatories of the user's actors (all of them for the network admin)."""
        if not user.is_authenticated or not user.works_with_residents:
            return self.none()
        signatories = self.select_related("actor").order_by("actor__name", "-is_default", "name")
        return (
            signatories if user.is_network_admin else signatories.filter(actor__in=user.actor_ids)
        )


class Signatory(models.Model):
    """The person who signs an actor's certificates."""

    actor = models.ForeignKey(
        "pathway.Actor",
        on_delete=models.CASCADE,
        related_name="signatories",
        verbose_name=_("structure"),
    )
    name = models.CharField(_("nom"), max_length=150)
    role = models.CharField(_("fonction"), max_length=150)
    is_default = models.BooleanField(_("signataire par défaut"), default=True)

    objects = SignatoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("signataire")
        verbose_name_plural = _("signataires")
        ordering = ["actor__name", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["actor"], condition=Q(is_default=True), name="signatory_one_default"
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.role}"


class CertificateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Certificates of residents the user may see (none for officials)."""
        return self.filter(resident__in=Resident.objects.visible_to(user))

    def valid(self, *, today=None):
        today = today or timezone.localdate()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today)
        )

    def in_force(self):
        """Not revoked: what prevents issuing the same module to the same resident again."""
        return self.filter(revoked_at__isnull=True)

    def with_claims(self):
        """Everything a certificate states, for its pages and JSON, in three queries."""
        return self.select_related("resident", "module", "actor").prefetch_related(
            models.Prefetch(
                "competences",
                queryset=CertificateCompetence.objects.select_related("competence"),
            )
        )

    def with_list_data(self):
        return self.select_related("resident", "module", "actor")


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valide")
    REVOKED = "revoked", _("Révoquée")
    EXPIRED = "expired", _("Expirée")


class Certificate(models.Model):
    """A skill certificate for a training module, with its public verification code."""

    code = models.CharField(_("code de vérification"), max_length=20, unique=True, editable=False)
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("habitant")
    )
    module = models.ForeignKey(
        "pathway.Module",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("module"),
    )
    actor = models.ForeignKey(
        "pathway.Actor",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("structure émettrice"),
    )
    signatory_name = models.CharField(_("signataire"), max_length=150)
    signatory_role = models.CharField(_("fonction du signataire"), max_length=150)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("émise par"),
    )
    issued_at = models.DateTimeField(_("émise le"), default=timezone.now)
    hours = models.DecimalField(_("heures de formation"), max_digits=6, decimal_places=1)
    period_start = models.DateField(_("début de la formation"))
    period_end = models.DateField(_("fin de la formation"))
    expires_on = models.DateField(_("expire le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    revocation_reason = models.TextField(_("motif de révocation"), blank=True)
    language = models.CharField(_("langue"), max_length=5, default="fr")
    pdf = models.FileField(_("PDF signé"), upload_to="certificates/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("empreinte SHA-256 du PDF"), max_length=64, blank=True)
    credential = models.JSONField(
        _("attestation vérifiable (Open Badges 3.0)"), null=True, blank=True
    )
    status_index = models.PositiveIntegerField(
        _("position dans la liste de statuts"), unique=True, null=True, blank=True
    )
    key_id = models.CharField(
        _("clé de signature"),
        max_length=40,
        blank=True,
        editable=False,
        help_text=_("Le jeu de clés de l'émetteur qui a signé le PDF et l'attestation."),
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "module"],
                condition=Q(revoked_at__isnull=True),
                name="certificate_once_per_resident_module",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="certificate_period_ordered",
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="certificate_hours_positive"),
        ]

    def __str__(self):
        return f"{self.code} — {self.module}"

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = self.new_code()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("certificate_detail", args=[self.code])

    @staticmethod
    def new_code():
        """A random public code such as MRM-7KQ4-X9TD-H3PV, never derived from ids.

        Twelve symbols of a 31-letter alphabet carry 59 random bits (eight would carry only
        39.6), which with rate-limited lookups makes codes impossible to enumerate."""
        body = random_code(12)
        return f"{settings.CERTIFICATE_CODE_PREFIX}-{body[:4]}-{body[4:8]}-{body[8:]}"

    def status(self, *, today=None):
        today = today or timezone.localdate()
        if self.revoked_at:
            return CertificateStatus.REVOKED
        if self.expires_on and self.expires_on < today:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID

    @property
    def verify_url(self):
        """The public check page: printed on the PDF, shared with employers."""
        return settings.SITE_URL + reverse("certificate_verify", args=[self.code])

    @property
    def pdf_url(self):
        return settings.SITE_URL + reverse("certificate_verify_pdf", args=[self.code])

    @property
    def credential_url(self):
        return settings.SITE_URL + reverse("certificate_verify_credential", args=[self.code])

    @property
    def pdf_filename(self):
        return f"attestation-{self.code}.pdf"


class CertificateCompetence(models.Model):
    """A competence and the level the resident reached, as stated on the certificate."""

    certificate = models.ForeignKey(
        Certificate,
        on_delete=models.CASCADE,
        related_name="competences",
        verbose_name=_("attestation"),
    )
    competence = models.ForeignKey(
        "pathway.Competence",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("compétence"),
    )
    level = models.PositiveSmallIntegerField(_("niveau atteint"), choices=Level.CHOICES)

    class Meta:
        verbose_name = _("compétence attestée")
        verbose_name_plural = _("compétences attestées")
        ordering = ["competence__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "competence"], name="certificate_competence_unique"
            ),
            level_range_check("level", "certificate_competence_level_1_8"),
        ]

    def __str__(self):
        return f"{self.competence.code} niveau {self.level}"


def earned_modules(residents, *, modules=None):
    """(resident_id, module_id) rows of modules whose every competence the resident was
    assessed at or above its target level, and that have no certificate in force yet.

    Two queries: the number of competences of each module, then the module targets joined
    to the assessments that reach them, counted per resident and module and kept when the
    count is the module's. `residents` is a queryset, scoped to the user by the caller."""
    targets = ModuleCompetence.objects.all()
    if modules is not None:
        targets = targets.filter(module__in=modules)
    needed = dict(targets.values_list("module_id").annotate(n=Count("id")).order_by())
    if not needed:
        return []
    complete = Q()
    for module_id, n in needed.items():
        complete |= Q(module_id=module_id, met=n)
    resident = "competence__assessments__resident_id"
    # One filter() call, so that every condition is about the same assessment row (a second
    # call, or an alias in values(), would join the assessments a second time).
    return (
        targets.filter(
            ~Exists(
                Certificate.objects.in_force().filter(
                    resident_id=OuterRef(resident), module_id=OuterRef("module_id")
                )
            ),
            competence__assessments__level__gte=F("target_level"),
            competence__assessments__resident__in=residents,
        )
        .values("module_id", resident)
        .annotate(met=Count("competence_id", distinct=True))
        .filter(complete)
        .order_by("module_id", resident)
        .values_list(resident, "module_id")
    )
