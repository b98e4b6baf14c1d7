"""The summaries behind the pathway statistics, and the age bands they count by."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathway.models import Actor, ActorKind, Module, Neighbourhood, Operator, Pole
from pathway.tokens import hashed, new_token


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
# officials' dashboard (stats.figures). The public dimensions (neighbourhood, birth year,
# social status) are copied from the resident so that the dashboard never joins 100,000
# residents. Nothing here names anybody.
#
# The tables were made by pathway's migrations, when these models lived there; they keep
# their names (db_table), so that moving the models up to this app copied no row
# (stats/migrations/0001_initial.py).


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
        db_table = "pathway_statsresident"
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
        db_table = "pathway_statsreach"
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
        db_table = "pathway_statsperiodreach"
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
        db_table = "pathway_statsactivity"
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
        db_table = "pathway_statspaperwork"
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
        db_table = "pathway_statsmodulecompletion"
        indexes = [models.Index(fields=["completed_on"], name="stats_completion_date_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "module"], name="stats_completion_once_per_module"
            ),
        ]

    def __str__(self):
        return f"module {self.module_id} completed on {self.completed_on}"


class TallyFigure(models.TextChoices):
    """What a StatsTally row counts, and what its values `a` and `b` are."""

    # Residents whose very first session was paperwork, by the month of it (their cohort)
    # and the actor of it; a: days until their first training session (NONE: not yet).
    ACHIEVEMENT = "achievement", "achievement"
    # Of them, those who went on to leisure, by cohort; a: days from training to leisure.
    LEISURE = "leisure", "leisure"
    # Residents with two paperwork sessions or more, by the month and actor of the first;
    # a, b: their autonomy at the first and at the latest.
    AUTONOMY = "autonomy", "autonomy"
    # Modules completed, by month and actor; a: the module.
    COMPLETION = "completion", "completion"


class StatsTally(models.Model):
    """Residents counted by figure, month and scope: the counts behind the funnel, the
    autonomy tables and the modules completed, whatever the public filters.

    StatsResident and StatsModuleCompletion hold a row per resident: counting them for a
    year reads as many rows as the town has people, and 5 times more people made the
    dashboard twice as slow. These counts hold a row per month, scope and value (days,
    levels, module), a number that stops growing with the town. Each resident counts once
    per figure, at one actor: summing the rows of several actors stays exact. The
    dashboard reads them unless a public filter (neighbourhood, age, situation) is set;
    then it counts the per-resident rows. stats_refresh keeps them exact, moving them by
    the difference between the residents' old and new rows, as StatsPeriodReach."""

    EVERY = 0  # `actor` of the rows of the whole network or of a kind of actor
    NONE = -1  # `a` or `b` without a value

    figure = models.CharField(max_length=12, choices=TallyFigure.choices)
    month = models.DateField(help_text="First day of the month.")
    # "" with an actor, and for the whole network.
    kind = models.CharField(max_length=20, choices=ActorKind.choices, blank=True)
    # An actor's id, or EVERY: a plain number, so that the key has no NULL and one
    # INSERT … ON CONFLICT adds a difference to the row, on SQLite as on PostgreSQL.
    actor = models.PositiveIntegerField(default=EVERY)
    a = models.IntegerField(default=NONE)
    b = models.IntegerField(default=NONE)
    residents = models.IntegerField()

    class Meta:
        db_table = "pathway_statstally"
        constraints = [
            models.UniqueConstraint(
                fields=["figure", "kind", "actor", "month", "a", "b"], name="stats_tally_key"
            ),
        ]

    def __str__(self):
        return f"{self.figure} {self.month:%Y-%m} ({self.kind or self.actor}): {self.residents}"


# La Coop de la médiation numérique ------------------------------------------------------


class CoopMappingKind(models.TextChoices):
    TOPIC = "topic", _("Thématiques")
    POLE = "pole", _("Pôles (accompagnement sans thématique)")
    OPERATOR = "operator", _("Organismes")
    AUTONOMY = "autonomy", _("Niveaux d'autonomie")
    WORKSHOP_LEVEL = "workshop_level", _("Niveaux d'atelier")
    LOCATION = "location", _("Canaux (où)")
    EQUIPMENT = "equipment", _("Matériel")
    PLACE = "place", _("Lieux (nom dans la Coop)")
    REDIRECTION = "redirection", _("Réorientations")


class CoopMapping(models.Model):
    """A value of ours (a topic's id, a pole, a level…) and the Coop's code it is exported
    as, when a coordinator changed the default (stats.coop.mapping)."""

    kind = models.CharField(_("type"), max_length=20, choices=CoopMappingKind.choices)
    value = models.CharField(_("valeur"), max_length=50)
    code = models.CharField(_("code de la Coop"), max_length=150, blank=True)
    changed_by = models.ForeignKey(
        "learners.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("correspondance avec la Coop")
        verbose_name_plural = _("correspondances avec la Coop")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="coop_mapping_once"),
        ]

    def __str__(self):
        return f"{self.kind} {self.value} → {self.code}"


# A mediator's own statistics, shared with their employer ------------------------------


class ShareLinkQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class StatsShareLink(models.Model):
    """A read-only link to a mediator's own statistics, for their employer: the figures
    without any name. Only the token's hash is kept (the link is shown once, when it is
    made); its owner revokes it, and every visit is journaled (StatsReadLog)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="stats_share_links",
        verbose_name=_("médiateur"),
    )
    label = models.CharField(
        _("pour qui"),
        max_length=100,
        blank=True,
        help_text=_("Par exemple : ma responsable à l'association. Vous seul le voyez."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("lien de partage des statistiques")
        verbose_name_plural = _("liens de partage des statistiques")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.owner} ({self.created_at:%d/%m/%Y})"

    hash = staticmethod(hashed)

    @classmethod
    def create_for(cls, owner, *, label=""):
        """Create a link and return (link, token); the token is shown once, never stored."""
        token = new_token(24)
        link = cls.objects.create(owner=owner, label=label, token_hash=cls.hash(token))
        return link, token

    def revoke(self, *, now=None):
        if self.revoked_at is None:
            self.revoked_at = now or timezone.now()
            self.save(update_fields=["revoked_at"])


class StatsReadLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The statistics journal is append-only.")

    def delete(self):
        raise PermissionError("The statistics journal is append-only.")


class StatsReadLog(models.Model):
    """Append-only journal of who read a mediator's own statistics other than the mediator:
    a coordinator or the network admin (`user`), or a visitor of a share link (`link`, no
    user). The access journal (learners.AccessLog) names residents; these pages name none,
    but a person's work is personal data of theirs too."""

    at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("qui"),
    )
    link = models.ForeignKey(
        StatsShareLink,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("lien de partage"),
    )
    # Whose figures: one mediator's, or (empty) an actor's as a whole.
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chiffres de"),
    )
    actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("structure"),
    )
    path = models.CharField(_("page"), max_length=255, blank=True)
    query = models.CharField(_("période"), max_length=500, blank=True)

    objects = StatsReadLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("lecture de statistiques personnelles")
        verbose_name_plural = _("journal des statistiques personnelles")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(link__isnull=False),
                name="statsreadlog_by_someone",
            ),
            models.CheckConstraint(
                condition=Q(mediator__isnull=False) | Q(actor__isnull=False),
                name="statsreadlog_of_someone",
            ),
        ]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.user or self.link}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The statistics journal is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The statistics journal is append-only.")
