"""The competence framework (CRCN levels and competences, with their DigComp
counterparts) and the training modules that target them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pathway.models.network import Actor
from pathway.permissions import town_actors


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

    def in_their_towns(self, user):
        """The network's common modules and those of the actors of `user`'s towns (every
        module for the superuser): what a town's coordination manages, offers and endorses."""
        actors = town_actors(user)
        if actors is None:
            return self
        return self.filter(Q(actor__isnull=True) | Q(actor__in=actors))


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
