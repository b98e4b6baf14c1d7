"""Referrals (orientations) of a resident from one actor to another actor or a pole, and
the steps of their answer."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learners.models.residents import Resident, resident_visibility
from pathway.models import Pole
from pathway.permissions import in_town_of, town_actors


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Envoyée")
    RECEIVED = "received", _("Reçue")
    SEEN = "seen", _("Personne venue")
    CLOSED = "closed", _("Clôturée")


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Referrals sent by or addressed to the user's actors, for residents they may see."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_network_admin:
            # Those of their town, a referral between two towns being seen by both.
            actors = town_actors(user)
            if actors is None:
                return self
            return self.filter(Q(from_actor__in=actors) | Q(to_actor__in=actors)).filter(
                resident_visibility(user, "resident__")
            )
        if not user.works_with_residents:
            return self.none()
        return self.filter(
            Q(from_actor__in=user.actor_ids)
            | Q(to_actor__in=user.actor_ids)
            # Referred to a pole rather than an actor: any actor may take the person in.
            | Q(to_actor__isnull=True)
        ).filter(resident_visibility(user, "resident__"))

    def received_by(self, user):
        """The inbox: addressed to the user's actors, or to a pole from another actor."""
        if user.is_network_admin:
            actors = town_actors(user)
            return (
                self if actors is None else self.filter(Q(to_actor__in=actors) | Q(to_actor=None))
            )
        return self.filter(
            Q(to_actor__in=user.actor_ids)
            | (Q(to_actor__isnull=True) & ~Q(from_actor__in=user.actor_ids))
        )

    def sent_by(self, user):
        if user.is_network_admin:
            actors = town_actors(user)
            return self if actors is None else self.filter(from_actor__in=actors)
        return self.filter(from_actor__in=user.actor_ids)

    def unanswered_since(self, days, *, now=None):
        limit = (now or timezone.now()) - timezone.timedelta(days=days)
        return self.filter(status=ReferralStatus.SENT, sent_at__lt=limit)

    def with_list_data(self):
        return self.select_related(
            "resident__neighbourhood", "from_actor", "to_actor", "created_by", "received_by"
        )


class Referral(models.Model):
    """An orientation of a resident from one actor to another actor or pole."""

    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("habitant")
    )
    from_actor = models.ForeignKey(
        "pathway.Actor",
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("structure qui oriente"),
    )
    to_actor = models.ForeignKey(
        "pathway.Actor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_received",
        verbose_name=_("structure destinataire"),
    )
    to_pole = models.CharField(_("pôle visé"), max_length=20, choices=Pole.choices, blank=True)
    reason = models.TextField(_("motif"))
    status = models.CharField(
        _("état"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("orienté par"),
    )
    sent_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    received_at = models.DateTimeField(_("reçue le"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reçue par"),
    )
    seen_at = models.DateTimeField(_("personne venue le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")
        ordering = ["-sent_at"]
        indexes = [
            models.Index(fields=["to_actor", "status"], name="referral_inbox_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_actor__isnull=False) | ~Q(to_pole=""),
                name="referral_has_destination",
            ),
        ]

    def __str__(self):
        return f"{self.resident} → {self.destination}"

    @property
    def destination(self):
        """Where it goes: its structure, else its pole; a record with neither (written
        outside the forms, which ask for one) still reads, in the admin and its lists."""
        if self.to_actor is not None:
            return self.to_actor
        if self.to_pole:
            return Pole(self.to_pole).label
        return _("destination non précisée")

    def is_flagged(self, *, now=None):
        """Nobody answered it within REFERRAL_FLAG_DAYS days."""
        limit = (now or timezone.now()) - timezone.timedelta(days=settings.REFERRAL_FLAG_DAYS)
        return self.status == ReferralStatus.SENT and self.sent_at < limit

    def is_addressed_to(self, user):
        if user.is_network_admin:
            return self.to_actor_id is None or in_town_of(user, self.to_actor_id)
        if self.to_actor_id is None:
            return user.works_with_residents and self.from_actor_id not in user.actor_ids
        return self.to_actor_id in user.actor_ids

    def is_sent_by(self, user):
        if user.is_network_admin:
            return in_town_of(user, self.from_actor_id)
        return self.from_actor_id in user.actor_ids

    def next_steps(self, user):
        """The status changes `user` may make now, in pathway order."""
        order = list(ReferralStatus)
        rank = order.index(ReferralStatus(self.status))
        steps = []
        if self.is_addressed_to(user):
            steps += [
                s for s in (ReferralStatus.RECEIVED, ReferralStatus.SEEN) if order.index(s) > rank
            ]
        if self.status != ReferralStatus.CLOSED and (
            self.is_addressed_to(user) or self.is_sent_by(user)
        ):
            steps.append(ReferralStatus.CLOSED)
        return steps

    def _move_to(self, status, *, by, now):
        if status not in self.next_steps(by):
            if status != ReferralStatus.CLOSED and not self.is_addressed_to(by):
                message = _(
                    "Seule la structure destinataire peut dire qu'elle a reçu l'orientation "
                    "ou que la personne est venue."
                )
            else:
                message = _(
                    "Cette orientation est déjà « %(status)s » : elle ne peut pas revenir en "
                    "arrière."
                ) % {"status": self.get_status_display()}
            raise ValidationError(message)
        now = now or timezone.now()
        changed = ["status"]
        # Any answer of the receiving actor acknowledges receipt (the person may come before
        # anyone clicked "received").
        if self.received_at is None and self.is_addressed_to(by):
            self.received_at, self.received_by = now, by
            changed += ["received_at", "received_by"]
        if status == ReferralStatus.SEEN:
            self.seen_at = now
            changed.append("seen_at")
        if status == ReferralStatus.CLOSED:
            self.closed_at = now
            changed.append("closed_at")
        self.status = status
        self.save(update_fields=changed)

    def mark_received(self, *, by, now=None):
        self._move_to(ReferralStatus.RECEIVED, by=by, now=now)

    def mark_seen(self, *, by, now=None):
        """The resident came to the receiving actor."""
        self._move_to(ReferralStatus.SEEN, by=by, now=now)

    def close(self, *, by, now=None):
        self._move_to(ReferralStatus.CLOSED, by=by, now=now)
