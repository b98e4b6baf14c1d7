"""Sign-ups to planned workshops, made by residents themselves from the public guide (no
account) or by staff for them; the attendance sheet turns them into a logged session."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learners.models.residents import Resident
from learners.models.sessions import Session
from pathway.tokens import hashed, new_token


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Inscrit")
    WAITING = "waiting", _("En liste d'attente")
    CANCELLED = "cancelled", _("Annulé")


class WorkshopSignupQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=SignupStatus.CANCELLED)

    def waiting_in_order(self):
        return self.filter(status=SignupStatus.WAITING).order_by("created_at", "id")


class WorkshopSignup(models.Model):
    """One person's seat (or place on the waiting list) at a planned workshop. The personal
    cancel link's token is shown once; only its hash is kept."""

    workshop = models.ForeignKey(
        "pathway.PlannedWorkshop",
        on_delete=models.CASCADE,
        related_name="signups",
        verbose_name=_("atelier"),
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=SignupStatus.choices, default=SignupStatus.CONFIRMED
    )
    # Consent to network sharing, given (or not) with the sign-up, in the text's language
    # and version as read: carried to the resident's record when the attendance is taken.
    sharing_consent = models.BooleanField(_("accepte le partage dans le réseau"), default=False)
    consent_version = models.CharField(_("version du texte"), max_length=10, blank=True)
    consent_language = models.CharField(_("langue du texte"), max_length=8, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("inscrit le"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inscrit par"),
    )
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("sorti de la liste d'attente le"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)
    # Set when the attendance sheet is saved: the record the person was matched to, and the
    # session logged. Sign-ups without a session are deleted after SIGNUP_RETENTION_DAYS.
    resident = models.ForeignKey(
        Resident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshop_signups",
        verbose_name=_("habitant"),
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workshop_signups",
        verbose_name=_("accompagnement"),
    )

    objects = WorkshopSignupQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription à un atelier")
        verbose_name_plural = _("inscriptions aux ateliers")
        ordering = ["workshop", "created_at", "id"]
        indexes = [models.Index(fields=["workshop", "status"], name="signup_workshop_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(phone="", email=""), name="signup_has_phone_or_email"
            ),
            # One live sign-up per phone (and per email) and workshop, even when the same
            # form is posted twice at once.
            models.UniqueConstraint(
                fields=["workshop", "phone"],
                condition=~Q(phone="") & ~Q(status="cancelled"),
                name="signup_one_per_phone",
            ),
            models.UniqueConstraint(
                fields=["workshop", "email"],
                condition=~Q(email="") & ~Q(status="cancelled"),
                name="signup_one_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def display_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    hash = staticmethod(hashed)

    def new_token(self):
        """Give the sign-up a fresh personal token; returns it (shown once)."""
        token = new_token(18)
        self.token_hash = self.hash(token)
        return token


class WorkshopAttendance(models.Model):
    """The attendance of a planned workshop, taken once: the session it was logged as."""

    workshop = models.OneToOneField(
        "pathway.PlannedWorkshop",
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("atelier"),
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accompagnement"),
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("présence prise par"),
    )
    taken_at = models.DateTimeField(_("présence prise le"), default=timezone.now)

    class Meta:
        verbose_name = _("présence à un atelier")
        verbose_name_plural = _("présences aux ateliers")

    def __str__(self):
        return str(self.workshop)
