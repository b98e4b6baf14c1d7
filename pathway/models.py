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


class AgeBand:
    """Age bands of the statistics, from a birth year and the year one looks at."""

    # key, label, youngest, oldest
    BANDS = [
        ("under_18", _("Moins de 18 ans"), 0, 17),
        ("18_25", _("18 à 25 ans"), 18, 25),
        ("26_44", _("26 à 44 ans"), 26, 44),
        ("45_59", _("45 à 59 ans"), 45, 59),
        ("60_74", _("60 à 74 ans"), 60, 74),
        ("75_plus", _("75 ans et plus"), 75, 150),
    ]
    UNKNOWN = "unknown"
    CHOICES = [(key, label) for key, label, _young, _old in BANDS] + [
        (UNKNOWN, _("Âge non renseigné"))
    ]

    @classmethod
    def of(cls, birth_year, year):
        if birth_year is None:
            return cls.UNKNOWN
        age = year - birth_year
        for key, _label, youngest, oldest in cls.BANDS:
            if youngest <= age <= oldest:
                return key
        return cls.BANDS[0][0] if age < 0 else cls.BANDS[-1][0]

    @classmethod
    def birth_years(cls, key, year):
        """(earliest, latest) birth year of people in this band in `year`."""
        for band, _label, youngest, oldest in cls.BANDS:
            if band == key:
                return year - oldest, year - youngest
        raise KeyError(key)


# Statistics summaries -------------------------------------------------------------------
# Derived from participations by services.stats_refresh(), which every write to
# participations reaches through learners.services.participations_changed(); read by the
# officials' dashboard (pathway.stats). The public dimensions (neighbourhood, birth year,
# social status) are copied from the resident so that the dashboard never joins 100,000
# residents. Nothing here names anybody.


class StatsResident(models.Model):
    """One row per resident (merged records excluded): the public dimensions, where the
    pathway went (funnel) and how autonomy in paperwork moved."""

    resident = models.OneToOneField(
        "learners.Resident", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    birth_year = models.PositiveSmallIntegerField(null=True)
    social_status = models.CharField(max_length=20)
    # The funnel: the first session, the first training session after it, then the first
    # leisure session on or after that training (days between stages kept as numbers so
    # that medians need no date arithmetic in SQL).
    first_on = models.DateField(null=True)
    cohort = models.DateField(null=True, help_text="First day of the month of first_on.")
    first_pole = models.CharField(max_length=20, choices=Pole.choices, blank=True)
    first_actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    achievement_on = models.DateField(null=True)
    leisure_on = models.DateField(null=True)
    days_to_achievement = models.PositiveIntegerField(null=True)
    days_to_leisure = models.PositiveIntegerField(null=True)
    # Autonomy: necessity sessions with an autonomy level, the first and the latest one.
    paperwork_first_on = models.DateField(null=True)
    paperwork_actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    paperwork_sessions = models.PositiveIntegerField(default=0)
    autonomy_first = models.PositiveSmallIntegerField(null=True)
    autonomy_last = models.PositiveSmallIntegerField(null=True)

    class Meta:
        # Covering indexes: the funnel and autonomy queries read them only, not the table.
        indexes = [
            models.Index(
                fields=[
                    "first_pole",
                    "cohort",
                    "days_to_achievement",
                    "days_to_leisure",
                    "first_actor",
                    "neighbourhood",
                    "birth_year",
                    "social_status",
                ],
                name="stats_resident_funnel_idx",
            ),
            models.Index(
                fields=[
                    "paperwork_first_on",
                    "paperwork_sessions",
                    "autonomy_first",
                    "autonomy_last",
                    "paperwork_actor",
                    "neighbourhood",
                    "birth_year",
                    "social_status",
                ],
                name="stats_resident_autonomy_idx",
            ),
        ]

    def __str__(self):
        return f"stats of resident {self.resident_id}"


class StatsReach(models.Model):
    """Who was seen when, and where: one row per resident, calendar year and actor, one per
    resident, year and kind of actor (empty actor), and one per resident and year for the
    whole network (empty actor and kind).

    Months are bit masks (bit 0 = January), so that "seen between March and June" is one
    bitwise test and distinct residents over any range of months are counted without
    scanning sessions. `digest` fingerprints, month by month, the resident's sessions at
    this actor, so that a change touches only the months that really changed."""

    resident = models.ForeignKey(
        "learners.Resident", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=20, choices=ActorKind.choices, blank=True)
    months = models.PositiveIntegerField()
    necessity_months = models.PositiveIntegerField(default=0)
    achievement_months = models.PositiveIntegerField(default=0)
    leisure_months = models.PositiveIntegerField(default=0)
    # First session ever (any year) in this scope, overall and by pole: "new residents".
    first_on = models.DateField()
    necessity_first_on = models.DateField(null=True)
    achievement_first_on = models.DateField(null=True)
    leisure_first_on = models.DateField(null=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    birth_year = models.PositiveSmallIntegerField(null=True)
    social_status = models.CharField(max_length=20)
    digest = models.JSONField(default=dict)

    class Meta:
        # Covering the queries of periods that are not a month, a quarter or a year.
        indexes = [
            models.Index(
                fields=[
                    "year",
                    "kind",
                    "actor",
                    "neighbourhood",
                    "birth_year",
                    "social_status",
                    "months",
                    "first_on",
                    "resident",
                ],
                name="stats_reach_scope_idx",
            ),
            # A refresh reads and replaces one resident's rows.
            models.Index(fields=["resident"], name="stats_reach_resident_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "year", "actor"],
                condition=Q(actor__isnull=False),
                name="stats_reach_once_per_actor",
            ),
            models.UniqueConstraint(
                fields=["resident", "year", "kind"],
                condition=Q(actor__isnull=True),
                name="stats_reach_once_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(actor__isnull=True) | Q(kind=""), name="stats_reach_actor_or_kind"
            ),
        ]

    def __str__(self):
        return f"reach of resident {self.resident_id} in {self.year}"


class StatsPeriodReach(models.Model):
    """Distinct residents (and new ones) per month, quarter and year, per scope (actor,
    kind of actor, whole network — as in StatsReach), per pole or any pole (empty), and
    per public dimensions (neighbourhood, age band that year, social status): the
    dashboard sums a few hundred of these rows instead of counting 100,000 people. Kept by
    adding each resident's contribution and removing their previous one."""

    start = models.DateField(help_text="First day of the period.")
    span = models.PositiveSmallIntegerField(help_text="Months: 1, 3 or 12.")
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=20, choices=ActorKind.choices, blank=True)
    pole = models.CharField(max_length=20, choices=Pole.choices, blank=True)
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    age_band = models.CharField(max_length=10)
    social_status = models.CharField(max_length=20)
    residents = models.PositiveIntegerField()
    new_residents = models.PositiveIntegerField()

    class Meta:
        # Covering: a dashboard reads the index only.
        indexes = [
            models.Index(
                fields=[
                    "span",
                    "kind",
                    "actor",
                    "pole",
                    "start",
                    "neighbourhood",
                    "age_band",
                    "social_status",
                    "residents",
                    "new_residents",
                ],
                name="stats_period_scope_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(span__in=[1, 3, 12]), name="stats_period_span"),
        ]

    def __str__(self):
        return f"{self.start:%Y-%m} ({self.span}): {self.residents}"


class StatsActivity(models.Model):
    """Sessions held (the network's offer), by month, actor, pole and format."""

    month = models.DateField(help_text="First day of the month.")
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+", db_index=False)
    pole = models.CharField(max_length=20, choices=Pole.choices)
    format = models.CharField(max_length=12)
    sessions = models.PositiveIntegerField()
    minutes = models.PositiveBigIntegerField()
    attendees = models.PositiveIntegerField(help_text="Registered and unregistered people.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "actor", "pole", "format"], name="stats_activity_unique"
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.pole} {self.format}: {self.sessions}"


class StatsPaperwork(models.Model):
    """Outcomes of paperwork (necessity participations with a result), by month, actor,
    operator, result and blocking reason."""

    month = models.DateField(help_text="First day of the month.")
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+", db_index=False)
    operator = models.ForeignKey(
        Operator, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    result = models.CharField(max_length=12)
    blocked_reason = models.CharField(max_length=20, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["month", "actor", "operator", "result", "blocked_reason", "count"],
                name="stats_paperwork_month_idx",
            )
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.result}: {self.count}"


class StatsModuleCompletion(models.Model):
    """A resident reached every target level of a module, on the day the last one was
    reached (from competence assessments)."""

    resident = models.ForeignKey(
        "learners.Resident", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="+")
    completed_on = models.DateField()
    actor = models.ForeignKey(
        Actor, on_delete=models.CASCADE, null=True, related_name="+", db_index=False
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.SET_NULL, null=True, related_name="+", db_index=False
    )
    birth_year = models.PositiveSmallIntegerField(null=True)
    social_status = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["completed_on"], name="stats_completion_date_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "module"], name="stats_completion_once_per_module"
            ),
        ]

    def __str__(self):
        return f"module {self.module_id} completed on {self.completed_on}"
