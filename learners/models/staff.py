"""Staff members: the users who sign in, with their role (pathway.permissions.Role, which
pathway's pages need too) and actors. Residents are not users."""

from functools import cached_property

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathway.permissions import Role


class StaffUserManager(UserManager):
    pass


class User(AbstractUser):
    """A member of staff. Residents are not users: they reach their space by a personal link."""

    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.MEDIATOR)
    actors = models.ManyToManyField(
        "pathway.Actor", blank=True, related_name="staff", verbose_name=_("structures")
    )
    notify_referrals = models.BooleanField(
        _("prévenir par e-mail des orientations reçues"),
        default=False,
        help_text=_(
            "Un e-mail, sans le nom de la personne, à chaque orientation adressée à une de ses "
            "structures. Chacun le choisit sur la page des orientations."
        ),
    )

    objects = StaffUserManager()

    class Meta:
        verbose_name = _("membre de l'équipe")
        verbose_name_plural = _("membres de l'équipe")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # The network admin works in the Django admin too; nobody else does.
        self.is_staff = self.is_superuser or self.role == Role.NETWORK_ADMIN
        super().save(*args, **kwargs)

    @property
    def is_network_admin(self):
        return self.role == Role.NETWORK_ADMIN or self.is_superuser

    @property
    def is_official(self):
        return self.role == Role.OFFICIAL and not self.is_superuser

    @property
    def works_with_residents(self):
        """Mediators, coordinators and the network admin handle residents' records."""
        return self.is_network_admin or self.role in {Role.MEDIATOR, Role.COORDINATOR}

    @cached_property
    def actor_ids(self):
        return frozenset(self.actors.values_list("id", flat=True))

    @cached_property
    def main_actor(self):
        return self.actors.order_by("name").first()

    def has_perm(self, perm, obj=None):
        if self.is_active and self.role == Role.NETWORK_ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        if self.is_active and self.role == Role.NETWORK_ADMIN:
            return True
        return super().has_module_perms(app_label)

    def reset_authenticator(self, *, by):
        """Remove this person's authenticator apps (a lost phone): the sessions that gave one
        of its codes end (learners.middleware), and they pair a new app at their next
        sign-in. Written in the account's history in the admin (who, when), since the
        account is less protected until then."""
        with transaction.atomic():
            removed, _counts = TOTPDevice.objects.filter(user=self).delete()
            LogEntry.objects.log_actions(
                user_id=by.pk,
                queryset=[self],
                action_flag=CHANGE,
                change_message=AUTHENTICATOR_RESET,
            )
        return removed


# Stored in the admin's history (in French, like the rest of the records).
AUTHENTICATOR_RESET = (
    "Double authentification réinitialisée : une nouvelle application d'authentification "
    "sera à installer à la prochaine connexion."
)
