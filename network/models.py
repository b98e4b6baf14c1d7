"""The network's own life. Parent ambassadors: volunteer parents linked to schools (staff
users of role Role.AMBASSADOR, their schools as their actors) who refer families; each
referral is a learners.Referral like any other, which reaches the chosen actor's inbox,
with what only the ambassador's side needs kept here."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learners.models import Referral, ReferralStatus


class Need(models.TextChoices):
    """What the family needs, in the words of parents."""

    PAPERWORK = "paperwork", _("Faire des démarches en ligne (CAF, impôts, santé…)")
    SCHOOL_TOOLS = "school_tools", _("Suivre la scolarité en ligne (ENT, Pronote)")
    LEARNING = "learning", _("Apprendre à se servir d'un ordinateur ou d'un téléphone")
    LEISURE = "leisure", _("Loisirs numériques (photo, jeux, création)")


# What the ambassador reads aloud to the family, by version (as the residents' consent).
FAMILY_CONSENT_TEXTS = {
    "2026-12": _(
        "J'accepte que le parent ambassadeur transmette mon prénom et mon téléphone ou mon "
        "courriel à la structure choisie, pour qu'elle me recontacte. Le parent ambassadeur "
        "saura seulement si la demande est reçue et si je suis venu ; rien d'autre. Je peux "
        "demander à tout moment que ces informations soient effacées."
    ),
}
CURRENT_FAMILY_CONSENT = "2026-12"


class AmbassadorStatus(models.TextChoices):
    """What the ambassador sees of a referral: nothing more."""

    SENT = "sent", _("Envoyée")
    RECEIVED = "received", _("Reçue par la structure")
    CAME = "came", _("La famille est venue")
    CLOSED = "closed", _("Close")


class AmbassadorReferralQuerySet(models.QuerySet):
    def of(self, user):
        """An ambassador's own referrals; nobody else's."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(ambassador=user)

    def for_ambassador_page(self):
        """Only the columns the ambassador's page shows: never the resident's record."""
        return self.select_related("school", "referral__to_actor").only(
            "first_name",
            "need",
            "came_on",
            "created_at",
            "school__name",
            "referral__status",
            "referral__to_actor__name",
        )


class AmbassadorReferral(models.Model):
    """A family referred by a parent ambassador. `first_name` is what the ambassador typed,
    and the only name they ever read (the actor may complete the resident's record)."""

    referral = models.OneToOneField(
        Referral,
        on_delete=models.CASCADE,
        related_name="ambassador_referral",
        verbose_name=_("orientation"),
    )
    ambassador = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="ambassador_referrals",
        verbose_name=_("parent ambassadeur"),
    )
    school = models.ForeignKey(
        "pathway.Actor",
        on_delete=models.PROTECT,
        related_name="ambassador_referrals",
        verbose_name=_("établissement scolaire"),
    )
    first_name = models.CharField(_("prénom donné par le parent ambassadeur"), max_length=100)
    need = models.CharField(_("besoin"), max_length=20, choices=Need.choices)
    consent_version = models.CharField(_("version du texte lu à la famille"), max_length=10)
    consent_at = models.DateTimeField(_("accord de la famille le"))
    came_on = models.DateField(
        _("venue par un parent ambassadeur le"),
        null=True,
        blank=True,
        help_text=_("Le jour du premier accompagnement de la famille."),
    )
    created_at = models.DateTimeField(_("envoyée le"), default=timezone.now)

    objects = AmbassadorReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("orientation par un parent ambassadeur")
        verbose_name_plural = _("orientations par des parents ambassadeurs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["ambassador", "-created_at"], name="ambassador_referral_idx"),
            models.Index(fields=["school", "came_on"], name="ambassador_school_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(first_name=""), name="ambassador_first_name"),
        ]

    def __str__(self):
        return f"{self.first_name} ({self.school})"

    @property
    def status(self):
        if self.came_on or self.referral.status == ReferralStatus.SEEN:
            return AmbassadorStatus.CAME
        if self.referral.status == ReferralStatus.CLOSED:
            return AmbassadorStatus.CLOSED
        if self.referral.status == ReferralStatus.RECEIVED:
            return AmbassadorStatus.RECEIVED
        return AmbassadorStatus.SENT

    @property
    def consent_text(self):
        return FAMILY_CONSENT_TEXTS.get(self.consent_version, "")


# The extranet ----------------------------------------------------------------------------


class DirectoryEntry(models.Model):
    """A member of staff who chose to appear in the network's directory, with how to reach
    them at work and what to call them for. Nobody appears without their own choice."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="directory_entry",
        verbose_name=_("membre de l'équipe"),
    )
    listed = models.BooleanField(_("apparaître dans l'annuaire du réseau"), default=False)
    job_title = models.CharField(_("fonction"), max_length=100, blank=True)
    phone = models.CharField(_("téléphone professionnel"), max_length=20, blank=True)
    email = models.EmailField(_("courriel professionnel"), blank=True)
    topics = models.ManyToManyField(
        "pathway.Topic", blank=True, related_name="+", verbose_name=_("on peut m'appeler pour")
    )
    operators = models.ManyToManyField(
        "pathway.Operator", blank=True, related_name="+", verbose_name=_("organismes connus")
    )
    languages = models.CharField(
        _("langues parlées"),
        max_length=200,
        blank=True,
        help_text=_("Séparées par des virgules, par exemple : arabe, anglais."),
    )
    # Accent-free, lower-case text of everything searchable (names, actor, topics…), kept by
    # network.directory.refresh_search(): the search reads one column.
    search_text = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("fiche de l'annuaire")
        verbose_name_plural = _("fiches de l'annuaire")

    def __str__(self):
        return str(self.user)


class InvitationQuerySet(models.QuerySet):
    def usable(self, *, now=None):
        return self.filter(used_at__isnull=True, expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """A one-time link inviting a colleague to an actor's team with a role. Only the hash of
    its token is kept; it expires, and is refused once used."""

    email = models.EmailField(_("courriel"))
    actor = models.ForeignKey(
        "pathway.Actor",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("structure"),
    )
    role = models.CharField(_("rôle"), max_length=20)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invité par"),
    )
    created_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("utilisée le"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte créé"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.actor}"


# What a town's network shares with its own staff ---------------------------------------


def town_field():
    """The town a date of the calendar, a document or a news item is for; none for every
    town of the installation (what the superuser shares, and what a single-town
    installation wrote before towns existed)."""
    return models.ForeignKey(
        "pathway.Town",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ville"),
        help_text=_("Vide : pour toutes les villes."),
    )


class OfTownsQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What `user` reads: their towns' (their own town, their actors'; a territory
        coordinator's territory's) and what is for every town; everything for the
        superuser. Another town's does not exist for them (404)."""
        town_ids = user.town_ids
        if town_ids is None:
            return self
        return self.filter(Q(town__isnull=True) | Q(town__in=town_ids))

    def of_town(self, town):
        """Narrowed to `town`'s (and what is for every town): the pages' town filter."""
        return self.filter(Q(town__isnull=True) | Q(town=town))


def writing_town(user, town=None):
    """The town `user` writes for: `town` when it is one of theirs; without one, their
    own town (their only one), or every town (None) for the superuser. Refused, in
    French, for a town not theirs, or when they have several and named none."""
    from pathway.models import Town

    town_ids = user.town_ids
    if town is not None:
        if town_ids is not None and town.pk not in town_ids:
            raise ValidationError(_("Vous ne pouvez pas écrire pour cette ville."))
        return town
    if town_ids is None:
        return None
    if len(town_ids) != 1:
        raise ValidationError(_("Choisissez la ville."))
    return Town.objects.get(pk=next(iter(town_ids)))


# The network calendar -------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    STEERING = "steering", _("Comité de pilotage")
    WORKING_GROUP = "working_group", _("Groupe de travail")
    COORDINATION = "coordination", _("Réunion de coordination")
    WEBINAR = "webinar", _("Webinaire")
    TRAINING = "training", _("Formation des médiateurs")
    EVENT = "event", _("Événement")
    ASSISES = "assises", _("Assises du numérique")


class Meeting(models.Model):
    """A date of the network's calendar; after it, its minutes and decisions. An event with
    public registration (the assises) takes registrations from anyone, up to `capacity`."""

    town = town_field()
    kind = models.CharField(_("type"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("titre"), max_length=150)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    location = models.CharField(_("lieu ou lien"), max_length=200, blank=True)
    description = models.TextField(_("présentation"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="workshops",
        verbose_name=_("atelier de l'événement"),
    )
    capacity = models.PositiveIntegerField(_("nombre de places"), null=True, blank=True)
    public_registration = models.BooleanField(_("inscription ouverte au public"), default=False)
    minutes = models.TextField(_("compte rendu"), blank=True)
    decisions = models.TextField(
        _("décisions et engagements"),
        blank=True,
        help_text=_("Une par ligne ; reprises dans le rapport de l'année suivante."),
    )
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte rendu écrit par"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("organisé par"),
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    objects = OfTownsQuerySet.as_manager()

    class Meta:
        verbose_name = _("date du calendrier")
        verbose_name_plural = _("calendrier du réseau")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def decision_list(self):
        """The decisions and commitments, one a line (a leading dash or bullet dropped)."""
        lines = (line.strip().lstrip("-•*").strip() for line in self.decisions.splitlines())
        return [line for line in lines if line]


class Registration(models.Model):
    """Someone registered for a meeting: a member of staff, or a guest (name, structure,
    email) — partners invited, or the public of the assises."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("date")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("membre de l'équipe"),
    )
    name = models.CharField(_("nom"), max_length=150, blank=True)
    organisation = models.CharField(_("structure"), max_length=150, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    attended = models.BooleanField(_("présent"), default=False)
    reminded_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("inscrit le"), default=timezone.now)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=Q(user__isnull=False),
                name="registration_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["meeting", "email"],
                condition=Q(user__isnull=True),
                name="registration_once_per_email",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="registration_has_someone"
            ),
        ]

    def __str__(self):
        return f"{self.display_name} — {self.meeting}"

    @property
    def display_name(self):
        return str(self.user) if self.user_id else self.name


# News and shared documents ----------------------------------------------------------------


class Folder(models.Model):
    """A folder of the library, shared by the towns: each sees in it its own documents
    (and those for every town)."""

    name = models.CharField(_("nom"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Document(models.Model):
    """A shared document of the library; its file is its latest version."""

    town = town_field()
    folder = models.ForeignKey(
        Folder, on_delete=models.PROTECT, related_name="documents", verbose_name=_("dossier")
    )
    title = models.CharField(_("titre"), max_length=150)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    objects = OfTownsQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title


class DocumentVersion(models.Model):
    """One upload of a document: who, when, the file (served only to staff by a view)."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="versions", verbose_name=_("document")
    )
    file = models.FileField(_("fichier"), upload_to="network/documents/%Y/")
    name = models.CharField(_("nom du fichier"), max_length=200)
    size = models.PositiveIntegerField(_("taille (octets)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.document} ({self.uploaded_at:%d/%m/%Y})"


class Post(models.Model):
    """News of the network by the network admin and coordinators, for every member of staff;
    plain text (paragraphs and links made safe when shown), documents of the library
    attached."""

    town = town_field()
    title = models.CharField(_("titre"), max_length=150)
    body = models.TextField(_("texte"))
    documents = models.ManyToManyField(
        Document, blank=True, related_name="posts", verbose_name=_("documents joints")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    published_at = models.DateTimeField(_("publiée le"), default=timezone.now)

    objects = OfTownsQuerySet.as_manager()

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return self.title


class DigestSubscription(models.Model):
    """A member of staff who wants the weekly email of the news."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="news_digest"
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("abonnement au résumé de la semaine")
        verbose_name_plural = _("abonnements au résumé de la semaine")

    def __str__(self):
        return str(self.user)
