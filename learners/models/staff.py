"""Staff members: the users who sign in, with their role (pathway.permissions.Role, which
pathway's pages need too) and actors. Residents are not users."""

from functools import cached_property

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathway.models import Town
from pathway.permissions import Role


class StaffQuerySet(models.QuerySet):
    def keyed_by(self, admin):
        """The active accounts `admin` may issue or revoke API keys for: every one for the
        superuser; their town's staff, never a superuser, for a town's network admin."""
        accounts = self.filter(is_active=True)
        if admin.town_ids is None:
            return accounts
        return accounts.of_towns(admin.town_ids).filter(is_superuser=False)

    def of_towns(self, town_ids):
        """Staff of these towns: by their own town, or one of their actors'."""
        memberships = self.model.actors.through.objects.filter(actor__town__in=town_ids)
        return self.filter(
            models.Q(town__in=town_ids) | models.Q(pk__in=memberships.values("user"))
        )


class StaffUserManager(UserManager.from_queryset(StaffQuerySet)):
    pass


class User(AbstractUser):
    """A member of staff. Residents are not users: they reach their space by a personal link."""

    role = models.CharField(_("rôle"), max_length=24, choices=Role.choices, default=Role.MEDIATOR)
    actors = models.ManyToManyField(
        "pathway.Actor", blank=True, related_name="staff", verbose_name=_("structures")
    )
    town = models.ForeignKey(
        "pathway.Town",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ville"),
        help_text=_(
            "La ville dont la coordination du réseau ou l'élu voit les données ; les autres "
            "rôles ont la ville de leurs structures."
        ),
    )
    territory = models.ForeignKey(
        "pathway.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territoire"),
        help_text=_("Pour la coordination de territoire : les villes dont elle voit les chiffres."),
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
        if self.town_id is None and self.role in TOWN_ROLES and Town.objects.count() <= 1:
            # A single-town installation: its admins and officials are that town's.
            self.town = Town.objects.default()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.role in TOWN_ROLES and self.town_id is None and Town.objects.count() > 1:
            raise ValidationError(
                {"town": _("Choisissez la ville dont cette personne verra les données.")}
            )
        if self.role == Role.TERRITORY_COORDINATOR and self.territory_id is None:
            raise ValidationError(
                {"territory": _("Choisissez le territoire dont cette personne verra les chiffres.")}
            )

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
        return frozenset(self._actors_and_towns)

    @cached_property
    def _actors_and_towns(self):
        """{actor id: its town id}, in the one query actor_ids always cost."""
        return {actor_id: town_id for actor_id, town_id, *_names in self._actor_rows}

    @cached_property
    def _actor_rows(self):
        """(actor id, town id, town name, network name) of each of the person's actors: the
        towns' names come in the same query, for the page header (home_town_names). A list
        of people that prefetched their actors with their town reads them there instead."""
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("actors")
        if prefetched is not None:
            return [(a.pk, a.town_id, a.town.name, a.town.network_name) for a in prefetched]
        return list(self.actors.values_list("id", "town_id", "town__name", "town__network_name"))

    @cached_property
    def home_town_names(self):
        """(town name, network name) the page header and footer give this person: their
        own town's (loaded with the account, learners.permissions.StaffBackend), their
        territory's name (a territory coordinator), or the one town of their actors; None
        for the superuser and for whoever works in several towns or none, whose pages
        name the installation (pathway.areas.installation_names)."""
        if self.is_superuser:
            return None
        if self.role == Role.TERRITORY_COORDINATOR:
            territory = self.territory
            return (territory.name, territory.name) if territory is not None else None
        if self.town_id is not None:
            return self.town.name, self.town.network_name
        towns = {(name, network) for _actor, _town, name, network in self._actor_rows}
        return towns.pop() if len(towns) == 1 else None

    @cached_property
    def town_ids(self):
        """The towns whose records this person may see: None for every town (the
        superuser, who runs the installation); a territory coordinator's territory's; else
        their own town and their actors' (empty: none)."""
        if self.is_superuser:
            return None
        if self.role == Role.TERRITORY_COORDINATOR:
            if self.territory_id is None:
                return frozenset()
            return frozenset(self.territory.towns.values_list("id", flat=True))
        if self.town_id is not None and self.role in TOWN_ROLES:
            return frozenset([self.town_id])
        towns = set(self._actors_and_towns.values())
        if self.town_id is not None:
            towns.add(self.town_id)
        return frozenset(towns)

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


# The roles that see a whole town rather than their actors'.
TOWN_ROLES = frozenset({Role.NETWORK_ADMIN, Role.OFFICIAL})

# Stored in the admin's history (in French, like the rest of the records).
AUTHENTICATOR_RESET = (
    "Double authentification réinitialisée : une nouvelle application d'authentification "
    "sera à installer à la prochaine connexion."
)
