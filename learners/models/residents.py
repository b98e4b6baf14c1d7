"""Residents: their record, how staff find them (normalised names, search, likely
duplicates), who may see them, and their consent to sharing in the network."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pathway.models import Actor, Pole, Town
from pathway.permissions import neighbour_actors, town_actors
from pathway.text import normalise

# Unambiguous alphabet for codes people read aloud or type: no 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def random_code(length):
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


class SocialStatus(models.TextChoices):
    IN_SCHOOL = "in_school", _("Scolarisé ou étudiant")
    JOB_SEEKER = "job_seeker", _("En recherche d'emploi")
    EMPLOYED = "employed", _("En emploi")
    RETIRED = "retired", _("Retraité")
    NOT_STATED = "not_stated", _("Non renseigné")


class Gender(models.TextChoices):
    MALE = "male", _("Masculin")
    FEMALE = "female", _("Féminin")
    NOT_STATED = "not_stated", _("Non communiqué")


class AgeBand(models.TextChoices):
    """The age bands of the national activity report (La Coop de la médiation numérique)."""

    UNDER_12 = "under_12", _("Moins de 12 ans")
    FROM_12 = "12_17", _("12 - 17 ans")
    FROM_18 = "18_24", _("18 - 24 ans")
    FROM_25 = "25_39", _("25 - 39 ans")
    FROM_40 = "40_59", _("40 - 59 ans")
    FROM_60 = "60_69", _("60 - 69 ans")
    FROM_70 = "70_plus", _("70 ans et plus")
    NOT_STATED = "not_stated", _("Non communiqué")


AGE_BAND_STARTS = (
    (70, "70_plus"),
    (60, "60_69"),
    (40, "40_59"),
    (25, "25_39"),
    (18, "18_24"),
    (12, "12_17"),
    (0, "under_12"),
)


def age_band(birth_year, on=None):
    """The age band of someone born in `birth_year`, in the year of `on` (today)."""
    if not birth_year:
        return AgeBand.NOT_STATED
    age = (on or timezone.localdate()).year - birth_year
    return AgeBand(next(band for start, band in AGE_BAND_STARTS if age >= start))


# The consent text shown to the resident, by version. A new wording gets a new version;
# old versions stay here so that every recorded consent can be read as it was given.
SHARING_TEXT = _(
    "J'accepte que les médiateurs des autres structures du réseau Parcours numérique "
    "voient mon nom et mon parcours (les accompagnements, les ateliers, mes compétences). "
    "Cela leur permet de m'aider sans tout me redemander. Je peux changer d'avis à tout "
    "moment : il suffit de le dire à un médiateur."
)
# Read after the text above where the person's town shares a territory with other towns.
ACROSS_TOWNS_TEXT = _(
    "J'accepte aussi que les médiateurs des villes voisines, reliées à ce réseau, voient "
    "mon parcours si je déménage ou si je me fais aider là-bas. Je peux aussi retirer cet "
    "accord à tout moment."
)
CONSENT_TEXTS = {
    "2026-01": SHARING_TEXT,
    # What a person agrees to when they also agree to be followed in the neighbouring
    # towns: the sharing text as it was, then the sentence that follows it on the forms.
    "2026-02": format_lazy("{} {}", SHARING_TEXT, ACROSS_TOWNS_TEXT),
}
CURRENT_CONSENT_VERSION = "2026-01"
ACROSS_TOWNS_CONSENT_VERSION = "2026-02"
FOLLOWING_NEEDS_SHARING = _(
    "Le suivi dans les villes voisines va avec le partage dans le réseau : cochez aussi le "
    "partage, ou décochez le suivi."
)


# What a page, an answer of the API or a file shows instead of a resident the reader may
# not see: a participant of one of their own sessions who withdrew consent to sharing (or
# never gave it to this actor).
NOT_SHARED = _("Personne non partagée")


def resident_visibility(user, path=""):
    """The residents a staff member may see, as a condition on `path` to a resident
    ("resident__" from a participation), or None when they may see none.

    A resident belongs to the actor that created the record, and so to its town; the
    town's other actors see them only if they consented to network sharing, and the actors
    of the neighbouring towns (sharing a territory) only if they also agreed to be followed
    across towns. The network admin sees every record of their town. Officials and
    territory coordinators never see residents. Merged records are hidden: their history
    lives on the survivor. Related records filter through this join rather than
    `resident__in=<subquery>`, which SQLite runs over every resident.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    live = Q(**{f"{path}merged_into__isnull": True})
    in_towns = town_actors(user)
    if user.is_network_admin:
        if in_towns is None:
            return live
        seen = Q(**{f"{path}created_by_actor__in": in_towns})
    elif not user.works_with_residents:
        return None
    else:
        consenting = Q(**{f"{path}sharing_consent": True})
        if in_towns is not None:
            consenting &= Q(**{f"{path}created_by_actor__in": in_towns})
        seen = Q(**{f"{path}created_by_actor__in": user.actor_ids}) | consenting
    return live & (seen | across_towns(user, path))


def across_towns(user, path=""):
    """The residents of the neighbouring towns who agreed to be followed across towns."""
    if user.town_ids is None:
        return Q()
    return Q(
        **{
            f"{path}sharing_consent": True,
            f"{path}shared_across_towns": True,
            f"{path}created_by_actor__in": neighbour_actors(user),
        }
    )


EVERY_ACTOR = "every actor"


class TownActors:
    """Every actor of some towns (a network admin's share of the records), without reading
    their ids: a subquery for conditions, a lookup for `actor_id in`."""

    def __init__(self, town_ids):
        self.town_ids = town_ids

    def __bool__(self):
        return bool(self.town_ids)

    def __contains__(self, actor_id):
        return Actor.objects.filter(pk=actor_id, town__in=self.town_ids).exists()

    def subquery(self):
        return Actor.objects.filter(town__in=self.town_ids).values("pk")


def managed_actors(user):
    """The actors whose residents' records a staff member may manage — change their
    identity, contact details or consent, export or erase their data, handle their personal
    links: EVERY_ACTOR, TownActors, or a set of actor ids (empty when none).

    The record belongs to the actor that created it: its mediators and coordinators manage
    it, and the network admin manages every record of their town. Consent to sharing lets
    other actors see the journey and work with the person (log sessions, refer, assess,
    certify), not change the record: the person trusted the actor that welcomed them with
    it.
    """
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_network_admin:
        return EVERY_ACTOR if user.town_ids is None else TownActors(user.town_ids)
    if not user.works_with_residents:
        return set()
    return set(user.actor_ids)


def resident_management(user, path=""):
    """managed_actors() as a condition on `path` to a resident, or None when the user may
    manage no record."""
    actors = managed_actors(user)
    if not actors:
        return None
    live = Q(**{f"{path}merged_into__isnull": True})
    if actors == EVERY_ACTOR:
        return live
    if isinstance(actors, TownActors):
        actors = actors.subquery()
    return live & Q(**{f"{path}created_by_actor__in": actors})


class VisibleThroughResident(models.QuerySet):
    """Records of residents (participations, assessments…): visible with their resident."""

    def visible_to(self, user):
        condition = resident_visibility(user, "resident__")
        return self.none() if condition is None else self.filter(condition)

    def with_shown(self, user):
        """Annotate `shown`: whether `user` may see each record's resident. For records
        reached through something else the user sees (the participations of their
        actor's sessions), whose resident they may no longer see: shown masked, through
        `person_name` / `person_reference`, in the same query."""
        condition = resident_visibility(user, "resident__")
        if condition is None:
            return self.annotate(shown=models.Value(False))
        return self.annotate(
            shown=models.Case(
                models.When(condition, then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )


# The orders of search_first(): each that of one of the SEARCH_INDEXES.
BY_LAST_NAME = ("search_last", "search_first", "id")
BY_FIRST_NAME = ("search_first", "search_last", "id")


class ResidentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Residents a staff member may see (see resident_visibility)."""
        condition = resident_visibility(user)
        return self.none() if condition is None else self.filter(condition)

    def editable_by(self, user):
        """Residents whose record a staff member may manage (see resident_management)."""
        condition = resident_management(user)
        return self.none() if condition is None else self.filter(condition)

    def with_rights(self, user):
        """Annotate `manageable`: whether `user` may manage each record (see
        resident_management), read in the same query as the records themselves."""
        condition = resident_management(user)
        if condition is None:
            return self.annotate(manageable=models.Value(False))
        return self.annotate(
            manageable=models.Case(
                models.When(condition, then=models.Value(True)),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )

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

    def _search_terms(self, text, neighbourhoods):
        """search()'s words: the starts of names and the condition every word puts on a
        record (a name, a neighbourhood, a birth year).

        A start is a word of two letters or more; but beside a word of three letters or
        more that names no neighbourhood (so names the person), two letters only narrow:
        "martin je" reads the Martin (and the Jean Martin), not every name starting with
        "je" to keep those with "martin" somewhere, which grew with the town. A record
        whose only name start is the two letters, the longer word being inside a compound
        name ("Jeanne de Martin"), is then found by typing that name's start ("de ma")."""
        words = normalise(text).split()
        years = [int(w) for w in words if w.isdigit() and len(w) == 4]
        names = [w for w in words if not (w.isdigit() and len(w) == 4)]
        starts = [w for w in names if len(w) >= 2]
        naming_a_person = False
        narrowing = Q()
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
            elif len(word) >= 3:
                naming_a_person = True
            narrowing &= matches
        for year in years:
            narrowing &= Q(birth_year=year)
        if naming_a_person:
            starts = [w for w in starts if len(w) >= 3]
        return starts, narrowing

    def search(self, text, *, neighbourhoods=()):
        """Residents whose first or last name starts with one of the words typed, narrowed by
        every other word: a birth year ("1971"), another name, or the start of a neighbourhood
        name among `neighbourhoods` ("dupont jean maille"). Empty unless a word of two letters
        or more is given. Prefix conditions on the indexed normalised names come first, so the
        database reads only the residents whose name matches, whatever their number."""
        starts, narrowing = self._search_terms(text, neighbourhoods)
        if not starts:
            return self.none()
        found = Q()
        for word in starts:
            found |= self._starting_with("search_last", word) | self._starting_with(
                "search_first", word
            )
        return self.filter(found).filter(narrowing)

    def search_first(self, text, *, limit, neighbourhoods=()):
        """The first `limit` residents search() finds, as a queryset of those records only:
        those whose last name starts with a word typed, in the order of their names
        (search_last, search_first, id), then those found by their first name only, in the
        order of their first names (search_first, search_last, id). People most often type
        the start of a last name, and those come first.

        Each word and name is a branch that walks its search index in that index's own
        order and stops after `limit` matches (SEARCH_INDEXES hold every column the
        conditions test, so nothing else is read): the cost stays the same however many
        residents share a start of name, 100,000 or 500,000 of them. The records themselves
        (and what the caller joins to them) are read for those few ids only."""
        starts, narrowing = self._search_terms(text, neighbourhoods)
        if not starts:
            return self.none()
        by_last = Q()
        for word in starts:
            by_last |= self._starting_with("search_last", word)
        branches = []
        for word in starts:
            found = self.filter(narrowing)
            branches.append(
                found.filter(self._starting_with("search_last", word)).order_by(*BY_LAST_NAME)
            )
            branches.append(
                found.filter(self._starting_with("search_first", word))
                .exclude(by_last)
                .order_by(*BY_FIRST_NAME)
            )
        # A sliced branch is wrapped in `id IN (…)`: SQLite accepts no LIMIT in the parts
        # of a UNION, and an OR of `id IN (…)` would be answered by reading every resident.
        every = self.model._base_manager
        branches = [every.filter(id__in=b.values("id")[:limit]).values("id") for b in branches]
        first = branches[0].union(*branches[1:], all=True)
        found_by_last = models.Case(
            models.When(by_last, then=models.Value(0)),
            default=models.Value(1),
        )
        return (
            self.filter(id__in=first)
            .alias(found_by_first_name=found_by_last)
            .order_by(
                "found_by_first_name",
                models.Case(models.When(by_last, then="search_last"), default="search_first"),
                models.Case(models.When(by_last, then="search_first"), default="search_last"),
                "id",
            )[:limit]
        )

    def likely_duplicates(self, *, first_name, last_name, birth_year=None):
        """Records that are likely the same person: the same names (accents and case
        folded), or names at most two typos apart with the same birth year. A known birth
        year more than a year apart rules a record out. A new name alone proposes nobody."""
        last, first = normalise(last_name), normalise(first_name)
        if not last and not first:
            return self.none()
        alike = Q(search_last=last, search_first=first)
        if birth_year and last and first:
            whole = f"{first} {last}"
            candidates = (
                self.filter(birth_year=birth_year)
                .filter(
                    self._starting_with("search_last", last[:2])
                    | self._starting_with("search_first", first[:2])
                )
                .values_list("pk", "search_first", "search_last")
            )
            close = [
                pk
                for pk, their_first, their_last in candidates[:2000]
                if edit_distance(f"{their_first} {their_last}", whole, limit=2) <= 2
            ]
            if close:
                alike |= Q(pk__in=close)
        queryset = self.filter(alike)
        if birth_year:
            queryset = queryset.filter(
                Q(birth_year__isnull=True)
                | Q(birth_year__gte=birth_year - 1, birth_year__lte=birth_year + 1)
            )
        return queryset


def edit_distance(a, b, *, limit):
    """Levenshtein distance between `a` and `b`, or limit + 1 once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def search_index(name, first):
    """An index led by one normalised name, then the other and the id (search_first()'s
    orders), holding every column the search and resident_visibility() test (the birth
    year, the neighbourhood, who may see the record): search_first() walks it in its own
    order and reads nothing else, stopping after the first matches."""
    other = "search_first" if first == "search_last" else "search_last"
    fields = [
        first,
        other,
        "id",
        "birth_year",
        "neighbourhood",
        "created_by_actor",
        "sharing_consent",
        "shared_across_towns",
        "merged_into",
    ]
    return models.Index(fields=fields, name=name)


class SearchNameField(models.CharField):
    """A normalised name (lower-case ASCII, normalise()) compared byte by byte: on
    PostgreSQL the column's collation is "C", SQLite's own order. Its plain index then
    answers both `LIKE 'start%'` and the order of the names, whatever the database's
    collation (a varchar_pattern_ops index answers the first only, so every match would be
    read and sorted)."""

    def db_parameters(self, connection):
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters


SEARCH_INDEXES = [
    search_index("resident_search_last_idx", "search_last"),
    search_index("resident_search_first_idx", "search_first"),
]


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
    gender = models.CharField(
        _("genre"), max_length=12, choices=Gender.choices, default=Gender.NOT_STATED
    )
    # Commune of residence (people come from neighbouring towns): pathway.communes.
    commune_insee = models.CharField(_("code INSEE de la commune"), max_length=5, blank=True)
    commune_postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    commune_name = models.CharField(_("commune de résidence"), max_length=100, blank=True)
    sharing_consent = models.BooleanField(_("accepte le partage dans le réseau"), default=False)
    shared_across_towns = models.BooleanField(
        _("accepte le suivi dans les villes voisines"),
        default=False,
        help_text=_(
            "Avec le partage dans le réseau : les structures des villes du même territoire "
            "voient aussi son parcours (quand la personne déménage ou se fait aider à côté)."
        ),
    )
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
    # one types (SEARCH_INDEXES); save() and prepare() keep them in step with the names.
    search_last = SearchNameField(max_length=100, blank=True, editable=False)
    search_first = SearchNameField(max_length=100, blank=True, editable=False)

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
            *SEARCH_INDEXES,
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
                condition=Q(shared_across_towns=False) | Q(sharing_consent=True),
                name="resident_followed_across_towns_shares",
                violation_error_message=FOLLOWING_NEEDS_SHARING,
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

    def can_be_changed_by(self, user):
        """Whether `user` may change the record itself (see managed_actors), for a record in
        hand, saved or not (an import row about to create it)."""
        actors = managed_actors(user)
        if self.merged_into_id is not None or not actors:
            return False
        return actors == EVERY_ACTOR or self.created_by_actor_id in actors

    def referral_destinations(self):
        """The actors this person may be referred to: those of their town, and those of the
        neighbouring towns (sharing a territory with it), who see them once they agree to
        be followed across towns. Another town's would never see them."""
        town = self.created_by_actor.town_id
        return Actor.objects.filter(Q(town=town) | Q(town__in=Town.objects.neighbours_of([town])))

    @property
    def consent_text(self):
        return CONSENT_TEXTS.get(self.consent_version, "")

    def give_consent(self, *, version=CURRENT_CONSENT_VERSION, at=None):
        self.sharing_consent = True
        self.consent_version = version
        self.consent_at = at or timezone.now()

    def withdraw_consent(self):
        """Withdraw consent to sharing, and so to being followed across towns."""
        self.sharing_consent = False
        self.shared_across_towns = False

    def record_consent(self, *, sharing, across_towns=None, at=None):
        """Record the person's answer, as every entry path does: consent to sharing in the
        network and to being followed in the neighbouring towns (None: as it is). Returns
        whether it changed (the caller saves CONSENT_FIELDS and journals the change).

        Following across towns goes with sharing: withdrawing sharing withdraws it, and
        asking for it without sharing raises ValidationError. A consent given, or widened
        to the neighbouring towns, is dated now with the version of the text the person
        agreed to (the sharing text, followed by the towns' sentence when they agree to
        both); a withdrawal keeps the date and version of the consent it ends."""
        if across_towns is None:
            across_towns = self.shared_across_towns and sharing
        if across_towns and not sharing:
            raise ValidationError(FOLLOWING_NEEDS_SHARING)
        before = (self.sharing_consent, self.shared_across_towns)
        if (sharing, across_towns) == before:
            return False
        if across_towns and not self.shared_across_towns:
            self.give_consent(version=ACROSS_TOWNS_CONSENT_VERSION, at=at)
        elif sharing and not self.sharing_consent:
            self.give_consent(at=at)
        self.sharing_consent, self.shared_across_towns = sharing, across_towns
        return True


# What record_consent() changes.
CONSENT_FIELDS = ["sharing_consent", "shared_across_towns", "consent_at", "consent_version"]
