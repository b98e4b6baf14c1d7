"""Access to residents' records: the append-only access journal, the personal links that
open a resident's own space, and the API's credentials."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learners.models.residents import Resident
from pathway.permissions import town_actors
from pathway.tokens import hashed, new_token


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access journal is append-only.")

    def delete(self):
        raise PermissionError("The access journal is append-only.")

    def visible_to(self, user):
        """The network admin's: the reads of their town's residents and by their town's
        staff (every row for the superuser)."""
        if not (user.is_authenticated and user.is_network_admin):
            return self.none()
        if user.town_ids is None:
            return self
        from learners.models.staff import User

        # Reads by accounts of no town (the superuser, the installation's jobs) show in
        # every town's journal, as they did with one town.
        townless = User.objects.filter(town=None, actors=None)
        return self.filter(
            Q(resident__created_by_actor__in=town_actors(user))
            | Q(user__in=User.objects.of_towns(user.town_ids).values("pk"))
            | Q(user__in=townless.values("pk"))
            | Q(user=None, resident=None)
        )


class AccessAction(models.TextChoices):
    VIEW_JOURNEY = "view_journey", _("Consultation du parcours")
    VIEW_RECORD = "view_record", _("Consultation de la fiche")
    VIEW_LIST = "view_list", _("Consultation d'une liste")
    EDIT_RECORD = "edit_record", _("Modification de la fiche")
    EXPORT = "export", _("Export des données")
    MERGE = "merge", _("Fusion de fiches")
    ERASE = "erase", _("Anonymisation")
    CONSENT = "consent", _("Changement du consentement au partage")


class AccessLog(models.Model):
    """Append-only journal of every read or change of residents' records by staff.

    One row per request, not one per resident: a read of one record names it in
    `resident`; a list, a search, an export or an answer of the API names every resident
    it showed in `residents` (their references) with the search or filters in `query`.
    A row per resident would make as-you-type search and pages of 200 write hundreds of
    rows a minute (and the journal grow with page sizes rather than with use), while a
    row naming them still answers "who saw this person, when, through which page"
    (the journal page searches both columns)."""

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
    # The one record read or changed; empty for a list (see `residents`).
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("habitant"),
    )
    # The references of the residents a list, search, export or API answer showed,
    # separated by spaces.
    residents = models.TextField(_("habitants affichés"), blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    path = models.CharField(_("page"), max_length=255, blank=True)
    query = models.CharField(_("recherche ou filtres"), max_length=500, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal d'accès")
        verbose_name_plural = _("journal d'accès")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resident__isnull=False) | ~Q(residents=""),
                name="accesslog_names_someone",
            ),
        ]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.user} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The access journal is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access journal is append-only.")

    @property
    def listed(self):
        """The references the row names beside its one record, as a list."""
        return self.residents.split()

    @classmethod
    def record(cls, request, resident=None, action=AccessAction.VIEW_LIST, *, residents=()):
        """Journal what this request showed of residents' records: one row naming
        `resident` (the one record read) and/or `residents` (those a list showed: Resident
        objects or references), the page and its query string. Nothing is written when
        the request showed nobody. The one way every page, API answer and export
        journals its reads (no staff member when the resident acts in their own space)."""
        user = request.user if request.user.is_authenticated else None
        return cls.write(
            user=user,
            resident=resident,
            residents=residents,
            action=action,
            path=request.path,
            query=request.META.get("QUERY_STRING", ""),
        )

    @classmethod
    def write(cls, *, user, action, resident=None, residents=(), path="", query=""):
        """record() without a request (exports built for a user, imports, services)."""
        references = dict.fromkeys(getattr(r, "reference", r) for r in residents)
        references.pop(None, None)
        if resident is None and not references:
            return None
        return cls.objects.create(
            user=user,
            resident=resident,
            residents=" ".join(references),
            action=action,
            path=path[:255],
            query=query[:500],
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

    # Tokens are printed on the carnet and may be typed from it: capitals and digits
    # without the ones people mistake for one another (0/O, 1/I/L), in groups of four.
    ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    GROUPS = 5  # 20 characters of 31: 99 random bits, behind a rate limit

    hash = staticmethod(hashed)

    @classmethod
    def canonical(cls, token):
        """What a person typed ("k7qx 9tdh-m3pv…") as the token it was printed from."""
        return "".join(c for c in token.upper() if c.isalnum())

    @classmethod
    def hashes(cls, token):
        """The hashes a link given as `token` may be stored under: the token as printed
        (read without case or separators), or as it was written before the printed form
        (an older link, case-sensitive)."""
        return {cls.hash(cls.canonical(token)), cls.hash(token)}

    @classmethod
    def create_for(cls, resident, *, created_by=None, days=365):
        """Create a link and return (link, token); the token is shown once, never stored.
        It reads in groups: "K7QX-9TDH-M3PV-WZ8C-R2NA"."""
        letters = "".join(secrets.choice(cls.ALPHABET) for _ in range(4 * cls.GROUPS))
        token = "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))
        link = cls.objects.create(
            resident=resident,
            token_hash=cls.hash(cls.canonical(token)),
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
    def of_keyholders(self, admin):
        """The keys `admin` may see and revoke: those of the accounts they may key."""
        from learners.models.staff import User

        if admin.town_ids is None:
            return self
        return self.filter(user__in=User.objects.keyed_by(admin).values("pk"))

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

    hash = staticmethod(hashed)

    @classmethod
    def issue(cls, *, user, name, scope, created_by, expires_at=None):
        """Create a key and return (token, key); the key is shown once, never stored."""
        key = cls.PREFIX + new_token(32)
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
