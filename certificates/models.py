"""What a resident takes away: skill certificates."""

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learners.models import Resident, random_code
from pathway.models import Level, Module, ModuleCompetence, level_range_check
from pathway.permissions import in_their_towns, town_actors


class SignatoryQuerySet(models.QuerySet):
    def usable_by(self, user):
        """Signatories of the user's actors (all of their town's for the network admin)."""
        if not user.is_authenticated or not user.works_with_residents:
            return self.none()
        signatories = self.select_related("actor__town").order_by(
            "actor__name", "-is_default", "name"
        )
        if user.is_network_admin:
            return in_their_towns(signatories, user)
        return signatories.filter(actor__in=user.actor_ids)


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
        return self.select_related("resident", "module", "actor__town").prefetch_related(
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

    # Up to "ABCDEF-7KQ4-X9TD-H3PV": a town's prefix has 2 to 6 letters.
    code = models.CharField(_("code de vérification"), max_length=24, unique=True, editable=False)
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
            self.code = self.new_code(self.actor.town.certificate_prefix)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("certificate_detail", args=[self.code])

    @property
    def town(self):
        """The town whose network issues it: the issuing actor's."""
        return self.actor.town

    @staticmethod
    def new_code(prefix):
        """A random public code such as MRM-7KQ4-X9TD-H3PV, never derived from ids; `prefix`
        is the issuing town's (Town.certificate_prefix), so the code says which network
        issued it.

        Twelve symbols of a 31-letter alphabet carry 59 random bits (eight would carry only
        39.6), which with rate-limited lookups makes codes impossible to enumerate."""
        body = random_code(12)
        return f"{prefix.upper()}-{body[:4]}-{body[4:8]}-{body[8:]}"

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
    def badge_png_url(self):
        """The badge image with the credential baked in, to attach to a CV or an email."""
        return settings.SITE_URL + reverse("certificate_badge_png", args=[self.code])

    @property
    def badge_svg_url(self):
        return settings.SITE_URL + reverse("certificate_badge_svg", args=[self.code])

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


# Endorsements ---------------------------------------------------------------------------------


class EndorserKind(models.TextChoices):
    MISSION_LOCALE = "mission_locale", _("Mission locale")
    FRANCE_TRAVAIL = "france_travail", _("Agence France Travail")
    EMPLOYER = "employer", _("Employeur")
    TRAINING = "training", _("Organisme de formation")
    OTHER = "other", _("Autre partenaire")


class Endorser(models.Model):
    """A partner organisation that vouches for a module or a certificate (a Mission locale,
    a France Travail agency, an employer). It holds no key: the network signs its
    endorsements on its behalf, under a profile the network publishes for it."""

    name = models.CharField(_("nom"), max_length=150, unique=True)
    kind = models.CharField(_("type de partenaire"), max_length=20, choices=EndorserKind.choices)
    slug = models.SlugField(_("identifiant dans les adresses"), max_length=60, unique=True)
    website = models.URLField(_("site web"), blank=True)

    class Meta:
        verbose_name = _("partenaire qui recommande")
        verbose_name_plural = _("partenaires qui recommandent")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def profile_url(self):
        """Its Open Badges profile, the `issuer.id` of its endorsements."""
        return settings.SITE_URL + reverse("endorser_profile", args=[self.slug])


class EndorsementQuerySet(models.QuerySet):
    def in_their_towns(self, user):
        """Endorsements of what `user`'s towns may endorse (every one for the superuser):
        their modules (the network's common ones included) and the certificates their
        actors issued. A certificate's code leads to its holder's name on its check page:
        another town's are not listed."""
        actors = town_actors(user)
        if actors is None:
            return self
        return self.filter(
            Q(module__in=Module.objects.in_their_towns(user)) | Q(certificate__actor__in=actors)
        )

    def about(self, certificates):
        """Endorsements of these certificates or of their modules, with their endorser."""
        certificates = list(certificates)
        return (
            self.filter(
                Q(certificate__in=[c.pk for c in certificates])
                | Q(module__in={c.module_id for c in certificates})
            )
            .select_related("endorser", "module")
            .order_by("issued_at", "pk")
        )


class Endorsement(models.Model):
    """A partner's word for a module (every certificate of it) or for one certificate: an
    Open Badges 3.0 EndorsementCredential whose issuer is the partner, signed by the network
    on its behalf (certificates.services.endorsement_issue)."""

    public_id = models.CharField(
        _("identifiant public"), max_length=20, unique=True, editable=False
    )
    endorser = models.ForeignKey(
        Endorser,
        on_delete=models.PROTECT,
        related_name="endorsements",
        verbose_name=_("partenaire"),
    )
    module = models.ForeignKey(
        "pathway.Module",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="endorsements",
        verbose_name=_("module"),
    )
    certificate = models.ForeignKey(
        Certificate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="endorsements",
        verbose_name=_("attestation"),
    )
    comment = models.TextField(_("ce que dit le partenaire"))
    issued_at = models.DateTimeField(_("publiée le"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistrée par"),
    )
    credential = models.JSONField(_("recommandation vérifiable (Open Badges 3.0)"))
    key_id = models.CharField(_("clé de signature"), max_length=40, editable=False)

    objects = EndorsementQuerySet.as_manager()

    class Meta:
        verbose_name = _("recommandation")
        verbose_name_plural = _("recommandations")
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(module__isnull=True, certificate__isnull=False)
                | Q(module__isnull=False, certificate__isnull=True),
                name="endorsement_of_a_module_or_a_certificate",
            ),
            models.UniqueConstraint(
                fields=["endorser", "module"],
                condition=Q(module__isnull=False),
                name="endorsement_once_per_endorser_module",
            ),
            models.UniqueConstraint(
                fields=["endorser", "certificate"],
                condition=Q(certificate__isnull=False),
                name="endorsement_once_per_endorser_certificate",
            ),
            models.CheckConstraint(condition=~Q(comment=""), name="endorsement_comment_not_empty"),
        ]

    def __str__(self):
        return f"{self.endorser} — {self.module or self.certificate}"

    def save(self, *args, **kwargs):
        if not self.public_id:
            self.public_id = random_code(16)
        super().save(*args, **kwargs)

    @property
    def credential_url(self):
        return settings.SITE_URL + reverse("endorsement_credential", args=[self.public_id])


# The learner record ---------------------------------------------------------------------------


class LearnerRecord(models.Model):
    """The "passeport numérique": every certificate in force of a resident on a date, in
    one signed PDF and one Comprehensive Learner Record 2.0 credential, checked at
    /verify/<code>/ like a certificate. Made again only when its contents change
    (certificates.services.learner_record_issue)."""

    code = models.CharField(_("code de vérification"), max_length=24, unique=True, editable=False)
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        related_name="learner_records",
        verbose_name=_("habitant"),
    )
    issued_at = models.DateTimeField(_("établi le"), default=timezone.now)
    certificates = models.ManyToManyField(
        Certificate, related_name="learner_records", verbose_name=_("attestations")
    )
    # What it gathered (certificates and endorsements): the same contents give the same record.
    contents_key = models.CharField(max_length=64, editable=False)
    pdf = models.FileField(_("PDF signé"), upload_to="records/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("empreinte SHA-256 du PDF"), max_length=64, blank=True)
    credential = models.JSONField(
        _("relevé vérifiable (Comprehensive Learner Record 2.0)"), null=True, blank=True
    )
    key_id = models.CharField(_("clé de signature"), max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = _("passeport numérique")
        verbose_name_plural = _("passeports numériques")
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.code} — {self.resident}"

    def save(self, *args, **kwargs):
        if not self.code:
            self.code = Certificate.new_code(self.town.certificate_prefix)
        super().save(*args, **kwargs)

    @property
    def town(self):
        """The town whose network issues it: that of the actor that holds the resident's
        record (the certificates it gathers may come from a neighbouring town's)."""
        return self.resident.created_by_actor.town

    @property
    def verify_url(self):
        return settings.SITE_URL + reverse("certificate_verify", args=[self.code])

    @property
    def pdf_url(self):
        return settings.SITE_URL + reverse("certificate_verify_pdf", args=[self.code])

    @property
    def credential_url(self):
        return settings.SITE_URL + reverse("certificate_verify_credential", args=[self.code])

    @property
    def pdf_filename(self):
        return f"passeport-numerique-{self.code}.pdf"


# Pix ------------------------------------------------------------------------------------------

PIX_LEVEL_MAX = 8
# Pix's own rule for taking its certification: five competences at level 1 or more
# (1024pix/pix, MINIMUM_CERTIFIABLE_COMPETENCES_FOR_CERTIFIABILITY and
# MINIMUM_COMPETENCE_LEVEL_FOR_CERTIFIABILITY).
PIX_CERTIFIABLE_COMPETENCES = 5
PIX_CERTIFIABLE_LEVEL = 1


class PixResult(models.Model):
    """A resident's Pix profile as they shared it in a Pix Orga campaign, imported from the
    campaign's results file (certificates.pix)."""

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="pix_results", verbose_name=_("habitant")
    )
    campaign_id = models.CharField(_("identifiant de la campagne Pix"), max_length=30)
    campaign_code = models.CharField(_("code de la campagne"), max_length=30, blank=True)
    campaign_name = models.CharField(_("campagne"), max_length=255)
    organization_name = models.CharField(_("organisation Pix Orga"), max_length=255)
    shared_on = models.DateField(_("résultats envoyés le"))
    pix_score = models.PositiveIntegerField(_("nombre de pix"), null=True, blank=True)
    certifiable = models.BooleanField(_("certifiable selon Pix"), null=True)
    imported_at = models.DateTimeField(_("importé le"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("importé par"),
    )

    class Meta:
        verbose_name = _("résultat Pix")
        verbose_name_plural = _("résultats Pix")
        ordering = ["-shared_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "campaign_id", "shared_on"], name="pix_result_once_per_sending"
            ),
        ]

    def __str__(self):
        return f"{self.campaign_name} ({self.shared_on:%d/%m/%Y})"


class PixLevel(models.Model):
    """The level Pix measured on one competence (0: not yet reached level 1)."""

    result = models.ForeignKey(
        PixResult, on_delete=models.CASCADE, related_name="levels", verbose_name=_("résultat")
    )
    competence = models.ForeignKey(
        "pathway.Competence",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("compétence"),
    )
    level = models.PositiveSmallIntegerField(_("niveau Pix"))
    pix = models.PositiveSmallIntegerField(_("pix de la compétence"), null=True, blank=True)

    class Meta:
        verbose_name = _("niveau Pix")
        verbose_name_plural = _("niveaux Pix")
        ordering = ["competence__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["result", "competence"], name="pix_level_once_per_competence"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=0, level__lte=PIX_LEVEL_MAX), name="pix_level_0_8"
            ),
        ]

    def __str__(self):
        return f"{self.competence_id}: {self.level}"


class PixImport(models.Model):
    """A Pix Orga results file waiting to be confirmed after its dry run: its own uploader
    confirms it (anyone else gets a 404); the file is deleted once imported, and after a day
    in any case."""

    file = models.FileField(_("fichier"), upload_to="pix/%Y/%m/", blank=True)
    file_name = models.CharField(_("nom du fichier"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("par"),
    )
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    imported_at = models.DateTimeField(_("importé le"), null=True, blank=True)
    report = models.JSONField(_("rapport"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import Pix")
        verbose_name_plural = _("imports Pix")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name
