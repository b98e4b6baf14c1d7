"""The people who travel the pathway and what happened to them: staff users, residents,
sessions, participations with their outcomes, competence assessments, referrals and the
access journal."""

import hashlib
import secrets
import unicodedata
from functools import cached_property

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pathway.models import Level, Pole, level_range_check

# Unambiguous alphabet for codes people read aloud or type: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def random_code(length):
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


# Letters NFKD does not split into a base letter and an accent.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"})


def normalise(text):
    """Lower-case ASCII words separated by single spaces: "Lefèvre-Œuvrard" → "lefevre oeuvrard".

    Names are stored and searched in this form, so that accents, capitals and hyphens never
    decide whether a resident is found."""
    text = unicodedata.normalize("NFKD", (text or "").lower().translate(LIGATURES))
    ascii_text = text.encode("ascii", "ignore").decode()
    return " ".join("".join(c if c.isalnum() else " " for c in ascii_text).split())


class Role(models.TextChoices):
    NETWORK_ADMIN = "network_admin", _("Coordination du réseau")
    COORDINATOR = "coordinator", _("Responsable de structure")
    MEDIATOR = "mediator", _("Médiateur ou médiatrice")
    OFFICIAL = "official", _("Élu ou service de la ville")


class StaffUserManager(UserManager):
    pass


class User(AbstractUser):
    """A member of staff. Residents are not users: they reach their space by a personal link."""

    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.MEDIATOR)
    actors = models.ManyToManyField(
        "pathway.Actor", blank=True, related_name="staff", verbose_name=_("structures")
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


class SocialStatus(models.TextChoices):
    IN_SCHOOL = "in_school", _("Scolarisé ou étudiant")
    JOB_SEEKER = "job_seeker", _("En recherche d'emploi")
    EMPLOYED = "employed", _("En emploi")
    RETIRED = "retired", _("Retraité")
    NOT_STATED = "not_stated", _("Non renseigné")


# The consent text shown to the resident, by version. A new wording gets a new version;
# old versions stay here so that every recorded consent can be read as it was given.
CONSENT_TEXTS = {
    "2026-01": _(
        "J'accepte que les médiateurs des autres structures du réseau Parcours numérique "
        "voient mon nom et mon parcours (les accompagnements, les ateliers, mes compétences). "
        "Cela leur permet de m'aider sans tout me redemander. Je peux changer d'avis à tout "
        "moment : il suffit de le dire à un médiateur."
    ),
}
CURRENT_CONSENT_VERSION = "2026-01"


def resident_visibility(user, path=""):
    """The residents a staff member may see, as a condition on `path` to a resident
    ("resident__" from a participation), or None when they may see none.

    A resident belongs to the actor that created the record; other actors see them only
    if they consented to network sharing. Officials never see residents. Merged records
    are hidden: their history lives on the survivor. Related records filter through this
    join rather than `resident__in=<subquery>`, which SQLite runs over every resident.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    live = Q(**{f"{path}merged_into__isnull": True})
    if user.is_network_admin:
        return live
    if not user.works_with_residents:
        return None
    return live & (
        Q(**{f"{path}created_by_actor__in": user.actor_ids}) | Q(**{f"{path}sharing_consent": True})
    )


class VisibleThroughResident(models.QuerySet):
    """Records of residents (participations, assessments…): visible with their resident."""

    def visible_to(self, user):
        condition = resident_visibility(user, "resident__")
        return self.none() if condition is None else self.filter(condition)


class ResidentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Residents a staff member may see (see resident_visibility)."""
        condition = resident_visibility(user)
        return self.none() if condition is None else self.filter(condition)

    def active(self):
        return self.filter(merged_into__isnull=True, erased_at__isnull=True)

    def _starting_with(self, field, prefix):
        """`field` starts with `prefix` (normalised, so free of wildcards), in the form each
        database answers from an index: PostgreSQL has a varchar_pattern_ops index for LIKE
        (Django adds it to every indexed CharField); SQLite only uses its plain index for a
        range, as its LIKE is case-insensitive."""
        if connections[self.db].vendor == "sqlite":
            following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            return Q(**{f"{field}__gte": prefix, f"{field}__lt": following})
        return Q(**{f"{field}__startswith": prefix})

    def search(self, text, *, neighbourhoods=()):
        """Residents whose first or last name starts with one of the words typed, narrowed by
        every other word: a birth year ("1971"), another name, or the start of a neighbourhood
        name among `neighbourhoods` ("dupont jean maille"). Empty unless a word of two letters
        or more is given. Prefix conditions on the indexed normalised names come first, so the
        database reads only the residents whose name matches, whatever their number."""
        words = normalise(text).split()
        years = [int(w) for w in words if w.isdigit() and len(w) == 4]
        names = [w for w in words if not (w.isdigit() and len(w) == 4)]
        starts = [w for w in names if len(w) >= 2]
        if not starts:
            return self.none()
        found = Q()
        for word in starts:
            found |= self._starting_with("search_last", word) | self._starting_with(
                "search_first", word
            )
        queryset = self.filter(found)
        for word in names:
            matches = (
                self._starting_with("search_last", word)
                | self._starting_with("search_first", word)
                | Q(search_last__contains=f" {word}")
                | Q(search_first__contains=f" {word}")
            )
            places = [
                n.pk
                for n in neighbourhoods
                if any(part.startswith(word) for part in normalise(n.name).split())
            ]
            if places:
                matches |= Q(neighbourhood__in=places)
            queryset = queryset.filter(matches)
        for year in years:
            queryset = queryset.filter(birth_year=year)
        return queryset

    def likely_duplicates(self, *, first_name, last_name, birth_year=None):
        """Records that may be the same person: same last name and a first name starting
        alike, or same first name and birth year (a misspelt or changed last name). A known,
        different birth year (more than a year apart) rules a record out."""
        last, first = normalise(last_name), normalise(first_name)
        if not last and not first:
            return self.none()
        alike = Q()
        if last:
            alike |= Q(search_last=last) & (
                self._starting_with("search_first", first[:3]) if first else Q()
            )
        if first and birth_year:
            alike |= Q(search_first=first, birth_year=birth_year)
        queryset = self.filter(alike)
        if birth_year:
            queryset = queryset.filter(
                Q(birth_year__isnull=True)
                | Q(birth_year__gte=birth_year - 1, birth_year__lte=birth_year + 1)
            )
        return queryset


class Resident(models.Model):
    """An inhabitant helped by the network. Minimal data: nothing about health, origin or
    religion."""

    reference = models.CharField(_("référence"), max_length=12, unique=True, editable=False)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("année de naissance"), null=True, blank=True)
    neighbourhood = models.ForeignKey(
        "pathway.Neighbourhood",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("quartier"),
    )
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    social_status = models.CharField(
        _("situation"), max_length=20, choices=SocialStatus.choices, default=SocialStatus.NOT_STATED
    )
    sharing_consent = models.BooleanField(_("accepte le partage dans le réseau"), default=False)
    consent_at = models.DateTimeField(_("date du consentement"), null=True, blank=True)
    consent_version = models.CharField(
        _("version du texte de consentement"), max_length=10, blank=True
    )
    created_by_actor = models.ForeignKey(
        "pathway.Actor",
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("structure d'accueil"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        verbose_name=_("fusionné dans"),
        # No index: the column is empty for nearly every row, and SQLite, which keeps no
        # statistics, would read residents through it instead of the search indexes.
        db_index=False,
    )
    erased_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)
    # Accent-free, lower-case copies of the names (normalise()), indexed for the search as
    # one types; save() and prepare() keep them in step with the names.
    search_last = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    search_first = models.CharField(max_length=100, blank=True, editable=False, db_index=True)

    # The journey, denormalised from participations by services.resident_refresh_journey()
    # so that lists and statistics never scan every participation.
    first_session_on = models.DateField(_("premier accompagnement"), null=True, blank=True)
    last_session_on = models.DateField(_("dernier accompagnement"), null=True, blank=True)
    first_pole = models.CharField(
        _("pôle d'entrée"), max_length=20, choices=Pole.choices, blank=True
    )
    necessity_on = models.DateField(_("pôle nécessité atteint le"), null=True, blank=True)
    achievement_on = models.DateField(_("pôle accomplissement atteint le"), null=True, blank=True)
    leisure_on = models.DateField(_("pôle loisir atteint le"), null=True, blank=True)
    session_count = models.PositiveIntegerField(_("nombre d'accompagnements"), default=0)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("habitant")
        verbose_name_plural = _("habitants")
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="resident_name_idx"),
            models.Index(fields=["created_by_actor", "last_name"], name="resident_actor_name_idx"),
            models.Index(fields=["first_session_on"], name="resident_first_session_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(birth_year__gte=1900, birth_year__lte=2100),
                name="resident_birth_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(sharing_consent=False) | Q(consent_at__isnull=False),
                name="resident_consent_is_dated",
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=models.F("id")),
                name="resident_not_merged_into_itself",
            ),
        ]

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.prepare()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_last", "search_first"}
        super().save(*args, **kwargs)

    def prepare(self):
        """Fill what save() fills, for records written with bulk_create()."""
        if not self.reference:
            self.reference = self.new_reference()
        self.search_last = normalise(self.last_name)[:100]
        self.search_first = normalise(self.first_name)[:100]
        return self

    @staticmethod
    def new_reference():
        return "H" + random_code(7)

    @property
    def display_name(self):
        if self.erased_at:
            return _("Personne anonymisée")
        name = f"{self.first_name} {self.last_name}".strip()
        return name or _("Anonyme %(reference)s") % {"reference": self.reference}

    @property
    def consent_text(self):
        return CONSENT_TEXTS.get(self.consent_version, "")

    def give_consent(self, *, version=CURRENT_CONSENT_VERSION, at=None):
        self.sharing_consent = True
        self.consent_version = version
        self.consent_at = at or timezone.now()

    def withdraw_consent(self):
        self.sharing_consent = False


class SessionFormat(models.TextChoices):
    INDIVIDUAL = "individual", _("Individuel")
    COLLECTIVE = "collective", _("Collectif (atelier)")


class Location(models.TextChoices):
    ON_SITE = "on_site", _("Dans un lieu du réseau")
    HOME = "home", _("À domicile")
    REMOTE = "remote", _("À distance")


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


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Sessions run by the user's actors (all of them for the network admin)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_network_admin:
            return self
        if not user.works_with_residents:
            return self.none()
        return self.filter(actor__in=user.actor_ids)

    def in_period(self, start, end):
        return self.filter(date__gte=start, date__lte=end)

    def with_list_data(self):
        """Everything the session lists show, in a constant number of queries."""
        return self.select_related("actor", "place", "module", "created_by").prefetch_related(
            "topics"
        )

    def with_api_data(self):
        """Everything the API shows of sessions (related records by id, participants by
        reference, levels assessed), in a constant number of queries: one per relation."""
        return self.prefetch_related(
            models.Prefetch("topics", queryset=apps.get_model("pathway.Topic").objects.only("id")),
            models.Prefetch("mediators", queryset=User.objects.only("id")),
            models.Prefetch(
                "participations",
                queryset=Participation.objects.select_related("resident")
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
    actor = models.ForeignKey(
        "pathway.Actor",
        on_delete=models.PROTECT,
        related_name="sessions",
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
    participant_count = models.PositiveSmallIntegerField(_("participants inscrits"), default=0)
    # One key per displayed form (or API request): posting it twice creates one session.
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("saisi le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("accompagnement")
        verbose_name_plural = _("accompagnements")
        ordering = ["-date", "-start_time", "-id"]
        indexes = [
            models.Index(fields=["actor", "-date"], name="session_actor_date_idx"),
            models.Index(fields=["created_by", "-date"], name="session_creator_date_idx"),
            models.Index(fields=["date", "pole"], name="session_date_pole_idx"),
            # Covering the statistics' recount of an actor's month (pathway.services).
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
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0, duration_minutes__lte=12 * 60),
                name="session_duration_0_12h",
            ),
            models.CheckConstraint(
                condition=Q(place__isnull=True) | Q(location="on_site"),
                name="session_place_only_on_site",
            ),
            models.CheckConstraint(
                condition=Q(format="collective") | (Q(workshop_level="") & Q(unregistered_count=0)),
                name="session_workshop_fields_collective_only",
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
    def hours(self):
        return self.duration_minutes / 60

    def can_be_changed_by(self, user, *, today=None):
        """A mediator may edit or delete their own sessions for SESSION_EDIT_DAYS days."""
        if user.is_network_admin:
            return True
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

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="participations", verbose_name=_("séance")
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("habitant"),
    )
    # Copied from the session so that journeys and statistics read one table.
    date = models.DateField(_("date"))
    pole = models.CharField(_("pôle"), max_length=20, choices=Pole.choices)
    actor = models.ForeignKey(
        "pathway.Actor", on_delete=models.PROTECT, related_name="+", verbose_name=_("structure")
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


class CompetenceAssessmentQuerySet(VisibleThroughResident):
    pass


class CompetenceAssessment(models.Model):
    """A mediator's finding that a resident reached level N on a competence: the evidence
    behind certificates."""

    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("habitant")
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
            return self
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
            return self
        return self.filter(
            Q(to_actor__in=user.actor_ids)
            | (Q(to_actor__isnull=True) & ~Q(from_actor__in=user.actor_ids))
        )

    def sent_by(self, user):
        return self if user.is_network_admin else self.filter(from_actor__in=user.actor_ids)

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
        return self.to_actor or Pole(self.to_pole).label

    def is_flagged(self, *, now=None):
        """Nobody answered it within REFERRAL_FLAG_DAYS days."""
        limit = (now or timezone.now()) - timezone.timedelta(days=settings.REFERRAL_FLAG_DAYS)
        return self.status == ReferralStatus.SENT and self.sent_at < limit

    def is_addressed_to(self, user):
        if user.is_network_admin:
            return True
        if self.to_actor_id is None:
            return user.works_with_residents and self.from_actor_id not in user.actor_ids
        return self.to_actor_id in user.actor_ids

    def is_sent_by(self, user):
        return user.is_network_admin or self.from_actor_id in user.actor_ids

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


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access journal is append-only.")

    def delete(self):
        raise PermissionError("The access journal is append-only.")

    def visible_to(self, user):
        return self if user.is_authenticated and user.is_network_admin else self.none()


class AccessAction(models.TextChoices):
    VIEW_JOURNEY = "view_journey", _("Consultation du parcours")
    VIEW_RECORD = "view_record", _("Consultation de la fiche")
    EDIT_RECORD = "edit_record", _("Modification de la fiche")
    EXPORT = "export", _("Export des données")
    MERGE = "merge", _("Fusion de fiches")
    ERASE = "erase", _("Anonymisation")
    CONSENT = "consent", _("Changement du consentement au partage")


class AccessLog(models.Model):
    """Append-only journal of every read or change of a resident's record by staff."""

    at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    # Empty when the resident acted on their own record, or for the retention job.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("qui"),
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="+", verbose_name=_("habitant")
    )
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    path = models.CharField(_("page"), max_length=255, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal d'accès")
        verbose_name_plural = _("journal d'accès")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.user} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The access journal is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access journal is append-only.")

    @classmethod
    def record(cls, request, resident, action):
        """Write who opened what of this resident's record, from this request (no staff
        member when the resident acts in their own space)."""
        user = request.user if request.user.is_authenticated else None
        return cls.objects.create(
            user=user, resident=resident, action=action, path=request.path[:255]
        )

    @classmethod
    def purge(cls, *, before):
        """Delete the rows older than `before` (retention, JOURNAL_RETENTION_DAYS): the one
        deletion the journal allows, in plain SQL, since the ORM refuses any."""
        from django.db import connection

        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE at < %s", [before])
            return cursor.rowcount


class ResidentLinkQuerySet(models.QuerySet):
    def usable(self, *, now=None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ResidentLink(models.Model):
    """A personal link that opens a resident's own space. Only its hash is stored."""

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="links", verbose_name=_("habitant")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    objects = ResidentLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("lien personnel")
        verbose_name_plural = _("liens personnels")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.resident} ({self.expires_at:%d/%m/%Y})"

    @staticmethod
    def hash(token):
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def create_for(cls, resident, *, created_by=None, days=365):
        """Create a link and return (link, token); the token is shown once, never stored."""
        token = secrets.token_urlsafe(24)
        link = cls.objects.create(
            resident=resident,
            token_hash=cls.hash(token),
            created_by=created_by,
            expires_at=timezone.now() + timezone.timedelta(days=days),
        )
        return link, token

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


# The API's credentials ------------------------------------------------------------------


class TokenScope(models.TextChoices):
    READ = "read", _("Lecture seule")
    READ_WRITE = "read_write", _("Lecture et écriture")


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, *, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal key to the API, issued by the network admin for a staff member (or the
    account of another tool). It acts as that person, within `scope`. Only its hash is
    stored: the key itself is shown once, when it is issued."""

    PREFIX = "pn_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("pour"),
    )
    name = models.CharField(
        _("usage"), max_length=100, help_text=_("Par exemple : logiciel France services.")
    )
    scope = models.CharField(
        _("droits"), max_length=10, choices=TokenScope.choices, default=TokenScope.READ
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the key, shown to tell keys apart; not enough to use one.
    key_start = models.CharField(_("début de la clé"), max_length=12, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("émis par"),
    )
    created_at = models.DateTimeField(_("émis le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("clé d'API")
        verbose_name_plural = _("clés d'API")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.key_start}… ({self.name})"

    @staticmethod
    def hash(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user, name, scope, created_by, expires_at=None):
        """Create a key and return (token, key); the key is shown once, never stored."""
        key = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            scope=scope,
            key_hash=cls.hash(key),
            key_start=key[:10],
            created_by=created_by,
            expires_at=expires_at,
        )
        return token, key

    def revoke(self, *, now=None):
        if self.revoked_at is None:
            self.revoked_at = now or timezone.now()
            self.save(update_fields=["revoked_at"])

    @property
    def allows_writing(self):
        return self.scope == TokenScope.READ_WRITE

    def is_usable(self, *, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


# Imports --------------------------------------------------------------------------------


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Vérification en cours")
    CHECKED = "checked", _("Vérifié, en attente de confirmation")
    REFUSED = "refused", _("Refusé : le fichier contient des erreurs")
    IMPORTING = "importing", _("Import en cours")
    DONE = "done", _("Importé")
    FAILED = "failed", _("Échec")
    CANCELLED = "cancelled", _("Abandonné")


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A staff member sees their own imports; the network admin sees every import."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self if user.is_network_admin else self.filter(created_by=user)

    def stale(self, *, now=None):
        """Imports whose file is kept for more than a day (never confirmed, or forgotten)."""
        limit = (now or timezone.now()) - timezone.timedelta(days=1)
        return self.filter(created_at__lt=limit).exclude(file="")


class ImportJob(models.Model):
    """A file uploaded to be imported: checked first (a dry run whose report lists new,
    updated and unchanged rows and every error), then imported once confirmed. Big files
    are checked and imported by the background worker; the page shows the progress."""

    resource = models.CharField(_("données"), max_length=20)
    file = models.FileField(_("fichier"), upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("nom du fichier"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("par"),
    )
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    status = models.CharField(
        _("état"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    total_rows = models.PositiveIntegerField(_("lignes"), default=0)
    done_rows = models.PositiveIntegerField(_("lignes traitées"), default=0)
    # {"new": n, "update": n, "skip": n, "errors": [{"row", "column", "message"}], "rows": […]}
    report = models.JSONField(_("rapport"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import de fichier")
        verbose_name_plural = _("imports de fichiers")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_running(self):
        return self.status in {ImportStatus.CHECKING, ImportStatus.IMPORTING}

    @property
    def percent(self):
        return round(100 * self.done_rows / self.total_rows) if self.total_rows else 0

    @property
    def error_count(self):
        return len(self.report.get("errors", []))

    def delete_file(self):
        if self.file:
            self.file.delete(save=False)
            self.file = ""
            self.save(update_fields=["file"])
