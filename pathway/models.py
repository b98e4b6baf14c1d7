"""What the network offers: poles, actors and their places, neighbourhoods, topics,
the competence framework and training modules."""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


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
    """A local actor (structure) of the network."""

    name = models.CharField(_("nom"), max_length=150, unique=True)
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
            models.UniqueConstraint(
                fields=["siret"], condition=~Q(siret=""), name="actor_siret_unique"
            ),
            models.CheckConstraint(
                condition=Q(siret="") | Q(siret__regex=r"^[0-9]{14}$"), name="actor_siret_14_digits"
            ),
        ]

    def __str__(self):
        return self.name


class Neighbourhood(models.Model):
    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=110, unique=True)
    is_priority = models.BooleanField(
        _("quartier prioritaire (QPV)"),
        default=False,
        help_text=_("Quartier prioritaire de la politique de la ville."),
    )
    qpv_code = models.CharField(_("code QPV"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("quartier")
        verbose_name_plural = _("quartiers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PlaceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if user.is_authenticated else self.none()

    def published(self):
        return self.filter(is_published=True, actor__is_published=True, actor__is_active=True)


class Place(models.Model):
    """A place where an actor receives residents (its premises, a permanence elsewhere)."""

    actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="places", verbose_name=_("structure")
    )
    name = models.CharField(_("nom du lieu"), max_length=150)
    address = models.CharField(_("adresse"), max_length=200)
    postcode = models.CharField(_("code postal"), max_length=5)
    city = models.CharField(_("commune"), max_length=100)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="places",
        verbose_name=_("quartier"),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    website = models.URLField(_("site web"), blank=True)
    opening_hours = models.CharField(
        _("horaires (format OpenStreetMap)"), max_length=255, blank=True
    )
    accessibility = models.TextField(_("accessibilité"), blank=True)
    is_published = models.BooleanField(_("publié"), default=True)
    is_active = models.BooleanField(_("actif"), default=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")
        ordering = ["actor__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["actor", "name"], name="place_unique_name_per_actor"),
        ]

    def __str__(self):
        return self.name if self.name == self.actor.name else f"{self.actor.name} — {self.name}"


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


class Level:
    """CRCN levels 1–8, grouped in four bands."""

    MIN, MAX = 1, 8
    CHOICES = [(n, str(n)) for n in range(MIN, MAX + 1)]
    BANDS = {
        1: _("débutant"),
        2: _("débutant"),
        3: _("indépendant"),
        4: _("indépendant"),
        5: _("avancé"),
        6: _("avancé"),
        7: _("expert"),
        8: _("expert"),
    }

    @classmethod
    def band(cls, level):
        return cls.BANDS[level]


def level_range_check(field, name):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": Level.MIN, f"{field}__lte": Level.MAX}), name=name
    )


class Competence(models.Model):
    """A competence of the French framework (CRCN), with its DigComp 2.2 counterpart.

    The 16 competences are shipped by a data migration, in French and English.
    """

    code = models.CharField(_("code CRCN"), max_length=5, unique=True)
    domain_code = models.CharField(_("code du domaine"), max_length=2)
    domain_fr = models.CharField(_("domaine (français)"), max_length=100)
    domain_en = models.CharField(_("domaine (anglais)"), max_length=100)
    name_fr = models.CharField(_("intitulé (français)"), max_length=150)
    name_en = models.CharField(_("intitulé (anglais)"), max_length=150)
    digcomp_code = models.CharField(_("code DigComp 2.2"), max_length=5)
    digcomp_name = models.CharField(_("intitulé DigComp 2.2"), max_length=150)

    class Meta:
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def name(self):
        return self.name_en if (get_language() or "fr").startswith("en") else self.name_fr

    @property
    def domain(self):
        return self.domain_en if (get_language() or "fr").startswith("en") else self.domain_fr


class ModuleQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if user.is_authenticated else self.none()

    def active(self):
        return self.filter(is_active=True)


class Module(models.Model):
    """A training module of the achievement pole, mapped to competences with target levels."""

    name = models.CharField(_("nom"), max_length=150, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=160, unique=True)
    description = models.TextField(_("description"), blank=True)
    actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="modules",
        verbose_name=_("structure porteuse"),
        help_text=_("Laisser vide pour un module commun à tout le réseau."),
    )
    hours = models.DecimalField(_("durée prévue (heures)"), max_digits=5, decimal_places=1)
    competences = models.ManyToManyField(
        Competence,
        through="ModuleCompetence",
        related_name="modules",
        verbose_name=_("compétences"),
    )
    is_active = models.BooleanField(_("actif"), default=True)

    objects = ModuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("module de formation")
        verbose_name_plural = _("modules de formation")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="module_hours_positive"),
        ]

    def __str__(self):
        return self.name


class ModuleCompetence(models.Model):
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, related_name="targets", verbose_name=_("module")
    )
    competence = models.ForeignKey(
        Competence, on_delete=models.PROTECT, related_name="+", verbose_name=_("compétence")
    )
    target_level = models.PositiveSmallIntegerField(_("niveau visé"), choices=Level.CHOICES)

    class Meta:
        verbose_name = _("compétence visée")
        verbose_name_plural = _("compétences visées")
        ordering = ["competence__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["module", "competence"], name="module_competence_unique"
            ),
            level_range_check("target_level", "module_competence_level_1_8"),
        ]

    def __str__(self):
        return f"{self.competence.code} ≥ {self.target_level}"
