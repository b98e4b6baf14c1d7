"""The network: the poles of the pathway, the actors (structures), the town's
neighbourhoods, the organisations residents deal with online and the topics of sessions."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pathway.models.territories import default_town


class Pole(models.TextChoices):
    """The three stages of the pathway, in the order a resident is meant to travel them."""

    NECESSITY = "necessity", _("Numérique nécessité")
    ACHIEVEMENT = "achievement", _("Numérique accomplissement")
    LEISURE = "leisure", _("Numérique loisir et médiation")

    @property
    def rank(self):
        return list(Pole).index(self) + 1

    @property
    def short_label(self):
        return {
            "necessity": _("Démarches"),
            "achievement": _("Formation"),
            "leisure": _("Loisirs"),
        }[self.value]

    @property
    def plain_label(self):
        """The pole in the words of residents and the public (the guide, the home page,
        their own space); staff pages keep the network's official names."""
        return {
            "necessity": _("Démarches"),
            "achievement": _("Se former"),
            "leisure": _("Loisirs numériques"),
        }[self.value]


class ActorKind(models.TextChoices):
    FRANCE_SERVICES = "france_services", _("France services")
    CCAS = "ccas", _("CCAS")
    MEDIA_LIBRARY = "media_library", _("Médiathèque")
    SOCIAL_CENTRE = "social_centre", _("Centre social")
    MICRO_FOLIE = "micro_folie", _("Micro-Folie")
    ASSOCIATION = "association", _("Association")
    MISSION_LOCALE = "mission_locale", _("Mission locale")
    SCHOOL = "school", _("Établissement scolaire")
    TOWN_SERVICE = "town_service", _("Service municipal")
    OTHER = "other", _("Autre")


class ActorQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Actors are public information: every signed-in staff member sees all of them."""
        return self if user.is_authenticated else self.none()

    def active(self):
        return self.filter(is_active=True)


class Actor(models.Model):
    """A local actor (structure) of a town's network."""

    town = models.ForeignKey(
        "pathway.Town",
        on_delete=models.PROTECT,
        default=default_town,
        related_name="actors",
        verbose_name=_("ville"),
    )
    name = models.CharField(_("nom"), max_length=150)
    slug = models.SlugField(_("identifiant"), max_length=160, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=ActorKind.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    website = models.URLField(_("site web"), blank=True)
    description = models.TextField(_("présentation"), blank=True)
    is_published = models.BooleanField(
        _("publiée dans le guide et les données ouvertes"), default=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    objects = ActorQuerySet.as_manager()

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="actor_name_unique_in_town"),
            models.UniqueConstraint(
                fields=["siret"], condition=~Q(siret=""), name="actor_siret_unique"
            ),
            models.CheckConstraint(
                condition=Q(siret="") | Q(siret__regex=r"^[0-9]{14}$"), name="actor_siret_14_digits"
            ),
        ]

    def __str__(self):
        return self.name


class NeighbourhoodQuerySet(models.QuerySet):
    def of_town_of(self, actor):
        """The neighbourhoods of the town of `actor` (a record or its id): the only ones a
        resident's record held by that actor may be in. A name is unique within a town
        only, and each town's statistics count its people by its own neighbourhoods; the
        record's page, the API and the residents' import all ask here."""
        return self.filter(town__actors=actor)

    def in_their_towns(self, user):
        """The neighbourhoods of the towns `user` may see (every one for the superuser)."""
        return self if user.town_ids is None else self.filter(town__in=user.town_ids)


class Neighbourhood(models.Model):
    """A neighbourhood of a town (its slug is unique in the installation: the guide's
    addresses name it)."""

    town = models.ForeignKey(
        "pathway.Town",
        on_delete=models.PROTECT,
        default=default_town,
        related_name="neighbourhoods",
        verbose_name=_("ville"),
    )
    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(_("identifiant"), max_length=110, unique=True)
    is_priority = models.BooleanField(
        _("quartier prioritaire (QPV)"),
        default=False,
        help_text=_("Quartier prioritaire de la politique de la ville."),
    )
    qpv_code = models.CharField(_("code QPV"), max_length=12, blank=True)

    objects = NeighbourhoodQuerySet.as_manager()

    class Meta:
        verbose_name = _("quartier")
        verbose_name_plural = _("quartiers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "name"], name="neighbourhood_name_unique_in_town"
            ),
        ]

    def __str__(self):
        return self.name


class Operator(models.Model):
    """An organisation residents deal with online (CAF, ANTS, impôts, Ameli…)."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=110, unique=True)

    class Meta:
        verbose_name = _("organisme")
        verbose_name_plural = _("organismes")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Topic(models.Model):
    """A theme of a session (thématique), always within one pole."""

    pole = models.CharField(_("pôle"), max_length=20, choices=Pole.choices)
    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(_("identifiant"), max_length=110)
    operator = models.ForeignKey(
        Operator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="topics",
        verbose_name=_("organisme"),
        help_text=_("Pour une démarche administrative : l'organisme concerné."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("thématique")
        verbose_name_plural = _("thématiques")
        ordering = ["pole", "name"]
        constraints = [
            models.UniqueConstraint(fields=["pole", "slug"], name="topic_unique_slug_per_pole"),
            models.CheckConstraint(
                condition=Q(operator__isnull=True) | Q(pole="necessity"),
                name="topic_operator_only_for_paperwork",
            ),
        ]

    def __str__(self):
        return self.name
