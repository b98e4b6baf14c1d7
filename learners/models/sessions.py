"""Sessions, each resident's participation with its outcome, and the competence
assessments made there."""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learners.models.residents import NOT_SHARED, Resident, VisibleThroughResident
from learners.models.staff import User
from pathway.models import Level, Pole, level_range_check
from pathway.permissions import in_their_towns, in_town_of, towns_meet


class SessionFormat(models.TextChoices):
    INDIVIDUAL = "individual", _("Individuel")
    COLLECTIVE = "collective", _("Collectif (atelier)")


class Location(models.TextChoices):
    ON_SITE = "on_site", _("Dans un lieu du réseau")
    HOME = "home", _("À domicile")
    REMOTE = "remote", _("À distance")
    OTHER = "other", _("Autre lieu")


class WorkshopLevel(models.TextChoices):
    BEGINNER = "beginner", _("Débutant")
    INTERMEDIATE = "intermediate", _("Intermédiaire")
    ADVANCED = "advanced", _("Avancé")


class Equipment(models.TextChoices):
    COMPUTER = "computer", _("Ordinateur")
    TABLET = "tablet", _("Tablette")
    SMARTPHONE = "smartphone", _("Smartphone")
    OWN_DEVICE = "own_device", _("Appareil personnel")
    PRINTER = "printer", _("Imprimante ou scanner")
    NONE = "none", _("Pas de matériel")


class RedirectionKind(models.TextChoices):
    """Where a person was sent after a session (the kinds of the national activity report)."""

    ADMINISTRATION = "administration", _("Administration (mairie, préfecture…)")
    MEDIATION = "mediation", _("Autre structure de médiation numérique")
    OPERATOR = "operator", _("Organisme en charge de la démarche")
    SOCIAL = "social", _("Structure d'aide sociale (maison des solidarités, centre social…)")
    EMPLOYMENT = "employment", _("Structure d'insertion professionnelle (France Travail…)")
    PAPERWORK_HELP = "paperwork_help", _("Aide aux démarches administratives (France Services…)")
    OTHER = "other", _("Autre")


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Sessions run by the user's actors (all of their town's for the network admin)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_network_admin:
            return in_their_towns(self, user)
        if not user.works_with_residents:
            return self.none()
        return self.filter(actor__in=user.actor_ids)

    def posted(self, *, by, key):
        """The session `by` already posted with this double-post key. Keys are compared
        with their author's own only: another person may post any key they like."""
        if key is None:
            return self.none()
        return self.filter(created_by=by, submission_key=key)

    def with_list_data(self):
        """Everything the session lists show, in a constant number of queries. Of the
        structure, place and module, only their names: a place has some forty columns,
        read and made into a record on every row otherwise."""
        own = (f.name for f in self.model._meta.concrete_fields)
        return (
            self.select_related("actor", "place", "module")
            .only(*own, "actor__name", "place__name", "module__name")
            .prefetch_related("topics")
        )

    def with_api_data(self, user):
        """Everything the API shows of sessions to `user` (related records by id,
        participants by reference — masked when `user` may not see them — levels assessed),
        in a constant number of queries: one per relation."""
        return self.prefetch_related(
            models.Prefetch("topics", queryset=apps.get_model("pathway.Topic").objects.only("id")),
            models.Prefetch("mediators", queryset=User.objects.only("id")),
            models.Prefetch(
                "participations",
                queryset=Participation.objects.with_shown(user)
                .select_related("resident")
                .only(
                    "session_id",
                    "resident__reference",
                    "autonomy",
                    "operator_id",
                    "paperwork_result",
                    "blocked_reason",
                    "is_first_visit",
                )
                .order_by("id"),
            ),
            models.Prefetch(
                "assessments",
                queryset=CompetenceAssessment.objects.select_related("competence")
                .only("session_id", "resident_id", "level", "competence__code")
                .order_by("competence__code", "id"),
            ),
        )


class Session(models.Model):
    """A mediation session (activité): individual help or a collective workshop."""

    MAX_MINUTES = 12 * 60

    date = models.DateField(_("date"))
    start_time = models.TimeField(_("heure de début"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"))
    format = models.CharField(
        _("format"), max_length=12, choices=SessionFormat.choices, default=SessionFormat.INDIVIDUAL
    )
    # No index of its own for this key (nor for created_by below): indexes of Meta start
    # with it and serve the same lookups, and each index is written with every row (an
    # import writes hundreds of thousands).
    actor = models.ForeignKey(
        "pathway.Actor",
        on_delete=models.PROTECT,
        related_name="sessions",
        db_index=False,
        verbose_name=_("structure"),
    )
    location = models.CharField(
        _("où"), max_length=10, choices=Location.choices, default=Location.ON_SITE
    )
    place = models.ForeignKey(
        "pathway.Place",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("lieu"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="created_sessions",
        db_index=False,
        verbose_name=_("saisi par"),
    )
    mediators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="sessions", verbose_name=_("médiateurs")
    )
    pole = models.CharField(_("pôle"), max_length=20, choices=Pole.choices)
    topics = models.ManyToManyField(
        "pathway.Topic", blank=True, related_name="sessions", verbose_name=_("thématiques")
    )
    module = models.ForeignKey(
        "pathway.Module",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("module de formation"),
    )
    equipment = models.JSONField(_("matériel utilisé"), default=list, blank=True)
    workshop_title = models.CharField(_("titre de l'atelier"), max_length=150, blank=True)
    workshop_level = models.CharField(
        _("niveau de l'atelier"), max_length=12, choices=WorkshopLevel.choices, blank=True
    )
    unregistered_count = models.PositiveSmallIntegerField(_("participants non inscrits"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    procedure_name = models.CharField(
        _("nom de la démarche administrative"), max_length=150, blank=True
    )
    redirected = models.BooleanField(_("personne réorientée"), null=True, blank=True)
    redirection_kind = models.CharField(
        _("réorientée vers"), max_length=20, choices=RedirectionKind.choices, blank=True
    )
    participant_count = models.PositiveSmallIntegerField(_("participants inscrits"), default=0)
    # What is known of the participants without a record (unregistered_count of them at
    # most), in order: autonomy, gender, age band, social status, commune (the Coop's
    # beneficiaries without a name). Nothing that names anybody.
    anonymous_participants = models.JSONField(
        _("participants sans fiche"), default=list, blank=True
    )
    # The id of the same activity in another tool (the Coop's "ID CRA"), so that importing
    # its export twice adds nothing.
    external_ref = models.CharField(_("référence externe"), max_length=64, blank=True)
    # One key per displayed form (or API request): posting it twice creates one session.
    # Unique per user, not across users: a key is only ever compared with its author's own
    # (anyone may choose the key they post, so a global uniqueness would let one person
    # block or replay another's).
    submission_key = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("saisi le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("accompagnement")
        verbose_name_plural = _("accompagnements")
        ordering = ["-date", "-id"]  # by day, then as saved: newest first
        indexes = [
            # In the lists' order (Meta.ordering): the first page of an actor's or an
            # author's sessions is read from the index, however many share a day.
            models.Index(fields=["actor", "-date", "-id"], name="session_actor_order_idx"),
            models.Index(
                fields=["created_by", "-date", "-id"],
                name="session_creator_order_idx",
            ),
            models.Index(fields=["date", "pole"], name="session_date_pole_idx"),
            models.Index(
                fields=["external_ref"],
                name="session_external_ref_idx",
                condition=~Q(external_ref=""),
            ),
            # Covering the statistics' recount of an actor's month (stats.services).
            models.Index(
                fields=[
                    "actor",
                    "date",
                    "pole",
                    "format",
                    "duration_minutes",
                    "participant_count",
                    "unregistered_count",
                ],
                name="session_stats_idx",
            ),
            # Covering a mediator's own statistics (stats.mine): a busy mediator's year is
            # read from the index alone, month by month.
            models.Index(
                fields=[
                    "created_by",
                    "date",
                    "actor",
                    "pole",
                    "format",
                    "duration_minutes",
                    "participant_count",
                    "unregistered_count",
                ],
                name="session_creator_stats_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "submission_key"], name="session_submission_key_per_user"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0, duration_minutes__lte=12 * 60),
                name="session_duration_0_12h",
            ),
            models.CheckConstraint(
                condition=Q(place__isnull=True) | Q(location=Location.ON_SITE),
                name="session_place_only_on_site",
            ),
            models.CheckConstraint(
                condition=Q(format=SessionFormat.COLLECTIVE) | Q(workshop_level=""),
                name="session_workshop_level_collective_only",
            ),
            models.CheckConstraint(
                condition=Q(module__isnull=True) | Q(pole="achievement"),
                name="session_module_only_for_achievement",
            ),
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} — {self.title}"

    @property
    def title(self):
        if self.workshop_title:
            return self.workshop_title
        if self.module_id:
            return self.module.name
        return Pole(self.pole).label

    @property
    def pole_name(self):
        # get_pole_display() builds a dict of the choices at each call: the lists show
        # this on every row.
        return Pole(self.pole).label

    @property
    def hours(self):
        return self.duration_minutes / 60

    def can_be_changed_by(self, user, *, today=None):
        """A mediator may edit or delete their own sessions for SESSION_EDIT_DAYS days; the
        network admin, any session of their town."""
        if user.is_network_admin:
            return in_town_of(user, self.actor_id)
        today = today or timezone.localdate()
        return (
            self.created_by_id == user.pk
            and (today - self.created_at.date()).days <= settings.SESSION_EDIT_DAYS
        )


class Autonomy(models.IntegerChoices):
    DONE_FOR = 1, _("Fait pour la personne")
    DONE_WITH = 2, _("Fait avec la personne")
    DONE_ALONE = 3, _("Fait seul par la personne")


class PaperworkResult(models.TextChoices):
    COMPLETED = "completed", _("Démarche terminée")
    TO_CONTINUE = "to_continue", _("À poursuivre")
    BLOCKED = "blocked", _("Bloquée")


class BlockedReason(models.TextChoices):
    FRANCECONNECT = "franceconnect", _("FranceConnect ou identifiants")
    MISSING_DOCUMENT = "missing_document", _("Pièce justificative manquante")
    NO_EMAIL_OR_PHONE = "no_email_or_phone", _("Pas d'adresse mail ou de téléphone")
    WEBSITE_ISSUE = "website_issue", _("Site en panne ou bloquant")
    NEEDS_OPERATOR = "needs_operator", _("Rendez-vous avec l'organisme nécessaire")
    OTHER = "other", _("Autre raison")


class ParticipationQuerySet(VisibleThroughResident):
    pass


class Participation(models.Model):
    """One resident in one session, with its outcome."""

    # Indexed by participation_once_per_session, particip_resident_date_idx and
    # particip_stats_idx, which start with them.
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="participations",
        db_index=False,
        verbose_name=_("séance"),
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        related_name="participations",
        db_index=False,
        verbose_name=_("habitant"),
    )
    # Copied from the session so that journeys and statistics read one table.
    date = models.DateField(_("date"))
    pole = models.CharField(_("pôle"), max_length=20, choices=Pole.choices)
    actor = models.ForeignKey(
        "pathway.Actor",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("structure"),
    )
    # The session's author (who never changes): a mediator's own statistics count their
    # people from this table alone, without joining a million sessions.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("saisi par"),
    )
    autonomy = models.PositiveSmallIntegerField(
        _("autonomie"), choices=Autonomy.choices, null=True, blank=True
    )
    operator = models.ForeignKey(
        "pathway.Operator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name=_("organisme"),
    )
    paperwork_result = models.CharField(
        _("résultat de la démarche"), max_length=12, choices=PaperworkResult.choices, blank=True
    )
    blocked_reason = models.CharField(
        _("raison du blocage"), max_length=20, choices=BlockedReason.choices, blank=True
    )
    is_first_visit = models.BooleanField(_("première venue dans la structure"), default=False)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["resident", "date"], name="particip_resident_date_idx"),
            models.Index(fields=["date", "pole"], name="particip_date_pole_idx"),
            # Covering the statistics' recount of an actor's paperwork in a month.
            models.Index(
                fields=["actor", "date", "paperwork_result", "operator", "blocked_reason"],
                name="particip_stats_idx",
            ),
            # Covering a mediator's own statistics (stats.mine): the people they met over a
            # period, month by month, and their autonomy in the order of the sessions.
            models.Index(
                fields=["created_by", "date", "session", "resident", "autonomy", "actor"],
                name="particip_creator_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "resident"], name="participation_once_per_session"
            ),
            models.CheckConstraint(
                condition=Q(autonomy__isnull=True) | Q(autonomy__gte=1, autonomy__lte=3),
                name="participation_autonomy_1_3",
            ),
            models.CheckConstraint(
                condition=Q(blocked_reason="") | Q(paperwork_result="blocked"),
                name="participation_reason_only_when_blocked",
            ),
            models.CheckConstraint(
                condition=(Q(paperwork_result="") & Q(operator__isnull=True)) | Q(pole="necessity"),
                name="participation_paperwork_only_for_necessity",
            ),
        ]

    def __str__(self):
        return f"{self.resident} — {self.session}"

    # The participant as the reader may see them; `shown` comes from
    # Participation.objects.with_shown(user) (an AttributeError without it, never a leak).
    @property
    def person_name(self):
        return self.resident.display_name if self.shown else NOT_SHARED

    @property
    def person_reference(self):
        """The resident's reference, or None when the reader may not see them."""
        return self.resident.reference if self.shown else None


class CompetenceAssessmentQuerySet(VisibleThroughResident):
    pass


class CompetenceAssessment(models.Model):
    """A mediator's finding that a resident reached level N on a competence: the evidence
    behind certificates."""

    # Indexed by assessment_resident_idx and assessment_once_per_session, which start with
    # resident and session.
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        related_name="assessments",
        db_index=False,
        verbose_name=_("habitant"),
    )
    competence = models.ForeignKey(
        "pathway.Competence",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("compétence"),
    )
    level = models.PositiveSmallIntegerField(_("niveau atteint"), choices=Level.CHOICES)
    assessed_on = models.DateField(_("évalué le"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("évalué par"),
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessments",
        db_index=False,
        verbose_name=_("séance"),
    )

    objects = CompetenceAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("évaluation de compétence")
        verbose_name_plural = _("évaluations de compétences")
        ordering = ["-assessed_on", "competence__code"]
        indexes = [
            models.Index(fields=["resident", "competence"], name="assessment_resident_idx"),
        ]
        constraints = [
            level_range_check("level", "assessment_level_1_8"),
            models.UniqueConstraint(
                fields=["session", "resident", "competence"],
                name="assessment_once_per_session",
            ),
        ]

    def __str__(self):
        return f"{self.resident} — {self.competence.code} niveau {self.level}"

    def can_be_changed_by(self, user, *, today=None):
        """An assessment is its author's finding: they (or the network admin) may change
        it; one made during a session follows the session's rule."""
        if self.session_id is not None:
            return self.session.can_be_changed_by(user, today=today)
        if user.is_network_admin:
            return self.assessed_by_id is None or towns_meet(user, self.assessed_by)
        return self.assessed_by_id == user.pk
