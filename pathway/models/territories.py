"""Towns and territories: one installation may serve several towns' networks, grouped in
territories (an intercommunality, a department, a hub coordinating towns).

A town (commune, by its INSEE code) owns its actors and neighbourhoods, and through them
its places, sessions and residents' records. Its network name, certificate code prefix,
logo and map centre live here, in the database; the environment (TOWN_NAME, NETWORK_NAME,
TOWN_INSEE_CODE, CERTIFICATE_CODE_PREFIX, TOWN_LOGO) only gives the defaults of the town
a single-town installation starts with (Town.objects.default())."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from pathway import communes


class TerritoryKind(models.TextChoices):
    EPCI = "epci", _("Intercommunalité")
    DEPARTMENT = "department", _("Département")
    HUB = "hub", _("Hub territorial")


class Territory(models.Model):
    """Towns coordinated together. An intercommunality carries its SIREN, a department its
    code (official data: pathway.communes); a hub has no official code."""

    name = models.CharField(_("nom"), max_length=150, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=160, unique=True)
    kind = models.CharField(_("type"), max_length=12, choices=TerritoryKind.choices)
    code = models.CharField(
        _("code officiel"),
        max_length=9,
        blank=True,
        help_text=_("SIREN de l'intercommunalité ou numéro du département."),
    )

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["name"]

    def __str__(self):
        return self.name


certificate_prefix_validator = RegexValidator(
    r"^[A-Z]{2,6}$", _("De 2 à 6 lettres majuscules sans accent, par exemple MRM.")
)


def validate_insee_commune(value):
    if communes.get(value) is None:
        raise ValidationError(
            _("%(code)s n'est le code INSEE d'aucune commune."), params={"code": value}
        )


class TownQuerySet(models.QuerySet):
    def default(self):
        """The installation's first town, made from the environment's defaults the first
        time it is asked for: a single-town installation never has to create it, and every
        entry path that writes an actor or a neighbourhood without a town puts it there."""
        town = self.filter(insee_code=settings.TOWN_INSEE_CODE).first()
        if town is None:
            town, _created = self.get_or_create(
                insee_code=settings.TOWN_INSEE_CODE,
                defaults={
                    "name": settings.TOWN_NAME,
                    "slug": slugify(settings.TOWN_NAME),
                    "postcode": settings.TOWN_POSTCODE,
                    "network_name": settings.NETWORK_NAME,
                    "certificate_prefix": settings.CERTIFICATE_CODE_PREFIX.upper(),
                },
            )
        return town

    def neighbours_of(self, town_ids):
        """The other towns that share a territory with one of `town_ids`: where a resident
        of these towns who agreed to it is followed too."""
        return self.filter(territories__towns__in=town_ids).exclude(pk__in=town_ids).distinct()

    def visible_to(self, user):
        """The towns whose records `user` may see (every town for the superuser)."""
        if not user.is_authenticated:
            return self.none()
        town_ids = user.town_ids
        return self if town_ids is None else self.filter(pk__in=town_ids)


class Town(models.Model):
    """A commune whose network works in this installation."""

    insee_code = models.CharField(
        _("code INSEE"), max_length=5, unique=True, validators=[validate_insee_commune]
    )
    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(_("identifiant"), max_length=110, unique=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    network_name = models.CharField(_("nom du réseau"), max_length=150)
    certificate_prefix = models.CharField(
        _("préfixe des codes d'attestation"),
        max_length=6,
        unique=True,
        validators=[certificate_prefix_validator],
        help_text=_("Les codes des attestations de la ville commencent par ces lettres."),
    )
    logo = models.FileField(
        _("logo"),
        upload_to="towns/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg"])],
        help_text=_("PNG ou JPEG imprimé sur les attestations (celui de TOWN_LOGO sinon)."),
    )
    map_latitude = models.DecimalField(
        _("latitude du centre de la carte"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    map_longitude = models.DecimalField(
        _("longitude du centre de la carte"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    territories = models.ManyToManyField(
        Territory, blank=True, related_name="towns", verbose_name=_("territoires")
    )

    objects = TownQuerySet.as_manager()

    class Meta:
        verbose_name = _("ville")
        verbose_name_plural = _("villes")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        commune = communes.get(self.insee_code)
        if commune is not None:
            self.name = self.name or commune.name
            self.postcode = self.postcode or commune.postcode
            self.slug = self.slug or slugify(self.name)
        if self.certificate_prefix:
            self.certificate_prefix = self.certificate_prefix.upper()


def has_neighbours(town):
    """Whether the town at `town` (a path from the records of a query, such as
    "created_by_actor__town") shares a territory with another town: the condition for
    offering to follow a resident in the neighbouring towns. A subquery (Exists): it is
    read with the records, at no query of its own."""
    memberships = Town.territories.through.objects
    return Exists(memberships.filter(territory__towns=OuterRef(town)).exclude(town=OuterRef(town)))


def default_town():
    """Field default of the records that belong to a town (Actor, Neighbourhood)."""
    return Town.objects.default().pk
