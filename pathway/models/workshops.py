"""Collective workshops announced ahead of time, with their seats, for the public guide."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathway.models.network import Actor, Pole
from pathway.models.places import Place
from pathway.permissions import in_their_towns


class PlannedWorkshopQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Workshops a staff member manages: their actors' (all of their town's for the
        network admin)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_network_admin:
            return in_their_towns(self, user)
        if not user.works_with_residents:
            return self.none()
        return self.filter(actor__in=user.actor_ids)

    def upcoming(self, *, now=None):
        return self.filter(starts_at__gte=now or timezone.now())

    def public(self, *, now=None):
        """What the public guide lists: published, still to come, at a place in the guide."""
        return (
            self.upcoming(now=now)
            .filter(is_published=True, place__in=Place.objects.in_guide())
            .select_related("place", "actor", "place__neighbourhood")
            .order_by("starts_at", "id")
        )


class PlannedWorkshop(models.Model):
    """A collective workshop announced ahead of time, with seats, for the public guide.

    Not a learners.Session: a session records what happened (never in the future); this
    is a promise of what will happen."""

    MAX_MINUTES = 12 * 60

    actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="planned_workshops",
        verbose_name=_("structure"),
    )
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="planned_workshops", verbose_name=_("lieu")
    )
    pole = models.CharField(_("étape du parcours"), max_length=20, choices=Pole.choices)
    title = models.CharField(_("titre de l'atelier"), max_length=150)
    description = models.TextField(
        _("en quelques mots"), blank=True, help_text=_("Ce qu'on y fait, ce qu'il faut apporter.")
    )
    starts_at = models.DateTimeField(_("date et heure"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=90)
    seats = models.PositiveSmallIntegerField(
        _("nombre de places"),
        validators=[MinValueValidator(1, _("Indiquez au moins une place."))],
    )
    seats_taken = models.PositiveSmallIntegerField(_("places déjà prises"), default=0)
    is_published = models.BooleanField(_("publié dans le guide"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("annoncé par"),
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    objects = PlannedWorkshopQuerySet.as_manager()

    class Meta:
        verbose_name = _("atelier à venir")
        verbose_name_plural = _("ateliers à venir")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at", "pole"], name="workshop_start_pole_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0, duration_minutes__lte=12 * 60),
                name="workshop_duration_0_12h",
            ),
            models.CheckConstraint(condition=Q(seats__gt=0), name="workshop_has_seats"),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=models.F("seats")),
                name="workshop_seats_taken_within_seats",
            ),
        ]

    def __str__(self):
        return f"{self.title} — {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"

    @property
    def when_text(self):
        """ "mardi 14 juillet à 10 h" (plain French)."""
        from pathway.hours import plain_date, plain_time

        start = timezone.localtime(self.starts_at)
        return _("%(day)s à %(time)s") % {
            "day": plain_date(start.date(), weekday=True),
            "time": plain_time(start.time()),
        }

    @property
    def pole_plain_label(self):
        return Pole(self.pole).plain_label

    @property
    def seats_free(self):
        return max(0, self.seats - self.seats_taken)

    @property
    def ends_at(self):
        return self.starts_at + timezone.timedelta(minutes=self.duration_minutes)

    def clean(self):
        errors = {}
        if self.place_id and self.actor_id and self.place.actor_id != self.actor_id:
            errors["place"] = _("Choisissez un lieu de la structure qui organise l'atelier.")
        if (
            self.seats is not None
            and self.seats_taken is not None
            and self.seats_taken > self.seats
        ):
            errors["seats_taken"] = _(
                "Il ne peut pas y avoir plus de places prises (%(taken)s) que de places "
                "(%(seats)s)."
            ) % {"taken": self.seats_taken, "seats": self.seats}
        if self.duration_minutes is not None and not 0 < self.duration_minutes <= self.MAX_MINUTES:
            errors["duration_minutes"] = _(
                "La durée doit être comprise entre 1 minute et 12 heures."
            )
        if errors:
            raise ValidationError(errors)
