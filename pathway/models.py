"""What the network offers: poles, actors and their places, neighbourhoods, topics,
the competence framework and training modules, the workshops planned for the public, and
the summaries behind the pathway statistics."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pathway.hours import validate_opening_hours


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


# The national open-data standard of places of digital mediation (lieux de médiation
# numérique, v1.0.2) -------------------------------------------------------------------------
# Its multi-valued fields take fixed French values; our choices keep English codes and use
# the standard's wording as labels (pathway.opendata writes the exact values).


class Service(models.TextChoices):
    """The nine services of the national standard."""

    PAPERWORK = "paperwork", _("Aide aux démarches administratives")
    DAILY_TOOLS = "daily_tools", _("Maîtrise des outils numériques du quotidien")
    EMPLOYMENT = "employment", _("Insertion professionnelle via le numérique")
    SAFE_USE = "safe_use", _("Utilisation sécurisée du numérique")
    PARENTING = "parenting", _("Parentalité et éducation avec le numérique")
    LEISURE = "leisure", _("Loisirs et créations numériques")
    UNDERSTANDING = "understanding", _("Compréhension du monde numérique")
    ACCESS = "access", _("Accès internet et matériel informatique")
    EQUIPMENT = "equipment", _("Acquisition de matériel informatique à prix solidaire")

    @property
    def plain(self):
        """The same service in the words of a resident who struggles with reading."""
        return SERVICE_PLAIN_WORDS[self.value]


SERVICE_PLAIN_WORDS = {
    "paperwork": _("Faire ses papiers en ligne : CAF, impôts, Ameli, carte grise…"),
    "daily_tools": _("Apprendre à se servir d'un ordinateur, d'une tablette, d'un téléphone"),
    "employment": _("Chercher un emploi avec internet : CV, candidatures"),
    "safe_use": _("Se protéger des arnaques et protéger ses données"),
    "parenting": _("Accompagner ses enfants avec les écrans et l'école en ligne"),
    "leisure": _("Loisirs : photo, vidéo, musique, jeux, création"),
    "understanding": _("Comprendre le numérique et ses enjeux"),
    "access": _("Utiliser un ordinateur, une imprimante ou internet sur place"),
    "equipment": _("Acheter un ordinateur ou un téléphone à petit prix"),
}


class Public(models.TextChoices):
    """Publics a place specifically welcomes (the standard's five, plus job seekers, which
    the town's guide needs and the standard does not have: not exported)."""

    YOUNG = "young", _("Jeunes")
    STUDENTS = "students", _("Étudiants")
    FAMILIES = "families", _("Familles et/ou enfants")
    SENIORS = "seniors", _("Seniors")
    WOMEN = "women", _("Femmes")
    JOB_SEEKERS = "job_seekers", _("Personnes en recherche d'emploi")


class SpecificCare(models.TextChoices):
    DEAFNESS = "deafness", _("Surdité")
    MOTOR_DISABILITY = "motor_disability", _("Handicaps moteurs")
    MENTAL_DISABILITY = "mental_disability", _("Handicaps mentaux")
    ILLITERACY = "illiteracy", _("Illettrisme")
    ENGLISH = "english", _("Langues étrangères (anglais)")
    OTHER_LANGUAGES = "other_languages", _("Langues étrangères (autres)")
    VISUAL_IMPAIRMENT = "visual_impairment", _("Déficience visuelle")


DISABILITY_CARE = [
    SpecificCare.DEAFNESS,
    SpecificCare.MOTOR_DISABILITY,
    SpecificCare.MENTAL_DISABILITY,
    SpecificCare.VISUAL_IMPAIRMENT,
]


class Fee(models.TextChoices):
    FREE = "free", _("Gratuit")
    FREE_UNDER_CONDITIONS = "free_under_conditions", _("Gratuit sous condition")
    PAID = "paid", _("Payant")


class AccessMode(models.TextChoices):
    WALK_IN = "walk_in", _("Se présenter")
    PHONE = "phone", _("Téléphoner")
    EMAIL = "email", _("Contacter par mail")
    BOOK_ONLINE = "book_online", _("Prendre un RDV en ligne")
    NO_PUBLIC = "no_public", _("Ce lieu n'accueille pas de public")
    PRESCRIPTION = "prescription", _("Envoyer un mail avec une fiche de prescription")


class SupportMode(models.TextChoices):
    SELF_SERVICE = "self_service", _("En autonomie")
    INDIVIDUAL = "individual", _("Accompagnement individuel")
    COLLECTIVE = "collective", _("Dans un atelier collectif")
    REMOTE = "remote", _("À distance")


class NationalProgramme(models.TextChoices):
    AIDANTS_CONNECT = "aidants_connect", _("Aidants Connect")
    DIGITAL_LIBRARIES = "digital_libraries", _("Bibliothèques numérique de référence")
    PIX = "pix", _("Certification PIX")
    CONSEILLERS_NUMERIQUES = "conseillers_numeriques", _("Conseillers numériques")
    EMMAUS_CONNECT = "emmaus_connect", _("Emmaüs Connect")
    FRANCE_SERVICES = "france_services", _("France Services")
    GRANDE_ECOLE = "grande_ecole", _("Grande école du numérique")
    RED_CROSS = "red_cross", _("La Croix Rouge")
    CAF_POINT = "caf_point", _("Point d'accès numérique CAF")
    PROMENEURS = "promeneurs", _("Promeneurs du net")
    EMMAUS_RELAY = "emmaus_relay", _("Relais numérique (Emmaüs Connect)")


class Typology(models.TextChoices):
    """Kinds of structure of the data.inclusion vocabulary the standard refers to (the
    ones a town's network has)."""

    ASSO = "ASSO", _("Association")
    BIB = "BIB", _("Bibliothèque, médiathèque")
    CCAS = "CCAS", _("Centre communal d'action sociale")
    CS = "CS", _("Centre social")
    E2C = "E2C", _("École de la deuxième chance")
    EPN = "EPN", _("Espace public numérique")
    FABLAB = "FABLAB", _("Fab lab")
    MJC = "MJC", _("Maison des jeunes et de la culture")
    ML = "ML", _("Mission locale")
    MQ = "MQ", _("Maison de quartier")
    MUNI = "MUNI", _("Mairie, service municipal")
    PIJ_BIJ = "PIJ_BIJ", _("Point information jeunesse")
    RFS = "RFS", _("France services")
    TIERS_LIEUX = "TIERS_LIEUX", _("Tiers-lieu")
    OTHER = "Autre", _("Autre")


TYPOLOGY_OF_KIND = {
    ActorKind.FRANCE_SERVICES: Typology.RFS,
    ActorKind.CCAS: Typology.CCAS,
    ActorKind.MEDIA_LIBRARY: Typology.BIB,
    ActorKind.SOCIAL_CENTRE: Typology.CS,
    ActorKind.MICRO_FOLIE: Typology.TIERS_LIEUX,
    ActorKind.ASSOCIATION: Typology.ASSO,
    ActorKind.MISSION_LOCALE: Typology.ML,
    ActorKind.SCHOOL: Typology.OTHER,
    ActorKind.TOWN_SERVICE: Typology.MUNI,
    ActorKind.OTHER: Typology.OTHER,
}


class ChoiceListField(models.CharField):
    """Several choices in one column, stored as codes separated by "|" (the separator of
    the national standard), read as a list. `options` are the allowed (code, label) pairs.

    Filter with `ChoiceListField.has(field, code)`, which works on SQLite and PostgreSQL."""

    def __init__(self, *args, options=(), **kwargs):
        self.options = list(options)
        kwargs.setdefault("max_length", 400)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("default", None)
        return name, path, args, kwargs

    @staticmethod
    def has(field, code):
        return Q(**{f"{field}__regex": rf"(^|\|){re.escape(code)}(\||$)"})

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [code for code in value.split("|") if code]
        return list(value)

    def get_prep_value(self, value):
        if isinstance(value, list | tuple):
            return "|".join(value)
        return value

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        allowed = {code for code, _label in self.options}
        unknown = [code for code in value or [] if code not in allowed]
        if unknown:
            raise ValidationError(
                _("Valeur inconnue : %(values)s."), params={"values": ", ".join(unknown)}
            )
        if not value and not self.blank:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            choices=self.options,
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
            **{k: v for k, v in kwargs.items() if k in {"label", "help_text", "required"}},
        )

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        labels = dict(self.options)

        def get_labels(instance):
            return [labels[code] for code in getattr(instance, name) if code in labels]

        setattr(cls, f"get_{name}_labels", get_labels)


postcode_validator = RegexValidator(
    r"^[0-9]{5}$", _("Le code postal doit compter 5 chiffres, par exemple 13140.")
)
insee_validator = RegexValidator(
    r"^([013-9][0-9]|2[AB1-9])[0-9]{3}$",
    _("Le code INSEE de la commune compte 5 caractères, par exemple 13063 pour Miramas."),
)

# Boxes around metropolitan France (with Corsica) and the overseas departments.
FRANCE_AREAS = [
    ("metropole", 41.2, 51.2, -5.3, 9.7),
    ("guadeloupe", 15.8, 16.6, -61.9, -60.9),
    ("martinique", 14.3, 14.9, -61.3, -60.7),
    ("guyane", 2.0, 5.9, -54.7, -51.5),
    ("reunion", -21.5, -20.8, 55.1, 55.9),
    ("mayotte", -13.1, -12.5, 44.9, 45.4),
]


def in_france(latitude, longitude):
    latitude, longitude = float(latitude), float(longitude)
    return any(
        south <= latitude <= north and west <= longitude <= east
        for _name, south, north, west, east in FRANCE_AREAS
    )


def normalize_french_phone(value):
    """'04 90 58 12 34', '04.90.58.12.34', '+33 (0)4 90 58 12 34', '0033490581234' →
    '+33490581234'. Raises ValidationError (in French) for anything else."""
    digits = re.sub(r"[\s.\-/]", "", value or "")
    digits = digits.replace("(0)", "")
    if digits.startswith("0033"):
        digits = "+33" + digits[4:]
    if re.fullmatch(r"0[1-9][0-9]{8}", digits):
        digits = "+33" + digits[1:]
    if re.fullmatch(r"\+33[1-9][0-9]{8}", digits):
        return digits
    raise ValidationError(
        _(
            "Le numéro de téléphone « %(value)s » n'est pas un numéro français : écrivez "
            "10 chiffres, par exemple 04 90 58 12 34."
        ),
        code="phone",
        params={"value": value},
    )


class PlaceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if user.is_authenticated else self.none()

    def published(self):
        return self.filter(is_published=True, actor__is_published=True, actor__is_active=True)

    def in_guide(self):
        """Places the public guide shows: published, open, of a published active actor."""
        return self.published().filter(is_active=True)

    def managed_by(self, user):
        """Places a staff member may edit: their actors' places for a coordinator, all of
        them for the network admin."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_network_admin:
            return self
        if user.role != "coordinator":
            return self.none()
        return self.filter(actor__in=user.actor_ids)

    def with_guide_data(self):
        """Everything the public list, map and printed guide show about a place."""
        return self.select_related("actor", "neighbourhood")

    def with_service(self, code):
        return self.filter(ChoiceListField.has("services", code))


class Place(models.Model):
    """A place where an actor receives residents (its premises, a permanence elsewhere).

    Its fields follow the national open-data standard of places of digital mediation, so
    that the town's guide and the national map are fed from the same data."""

    actor = models.ForeignKey(
        Actor, on_delete=models.PROTECT, related_name="places", verbose_name=_("structure")
    )
    name = models.CharField(_("nom du lieu"), max_length=150)
    address = models.CharField(
        _("adresse"), max_length=200, help_text=_("Numéro et rue, par exemple 12 rue de la Paix.")
    )
    address_complement = models.CharField(
        _("complément d'adresse"),
        max_length=200,
        blank=True,
        help_text=_("Bâtiment, étage, entrée…"),
    )
    postcode = models.CharField(_("code postal"), max_length=5, validators=[postcode_validator])
    city = models.CharField(_("commune"), max_length=100)
    insee_code = models.CharField(
        _("code INSEE de la commune"), max_length=5, blank=True, validators=[insee_validator]
    )
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
    phone = models.CharField(
        _("téléphone"), max_length=20, blank=True, help_text=_("Par exemple 04 90 58 12 34.")
    )
    email = models.EmailField(_("courriel"), blank=True)
    website = models.URLField(_("site web"), blank=True)
    opening_hours = models.CharField(
        _("horaires (format OpenStreetMap)"),
        max_length=255,
        blank=True,
        validators=[validate_opening_hours],
    )
    accessibility = models.TextField(
        _("accessibilité"),
        blank=True,
        help_text=_("Par exemple : entrée de plain-pied, ascenseur, boucle magnétique."),
    )
    accessibility_url = models.URLField(
        _("fiche Acceslibre"),
        blank=True,
        help_text=_("Adresse de la fiche du lieu sur acceslibre.beta.gouv.fr."),
    )
    appointment_url = models.URLField(_("prise de rendez-vous en ligne"), blank=True)
    directions = models.TextField(
        _("comment venir"), blank=True, help_text=_("Bus, tram, parking, repères.")
    )
    summary = models.CharField(
        _("présentation courte"),
        max_length=280,
        blank=True,
        help_text=_("Une ou deux phrases simples (280 caractères au plus)."),
    )
    description = models.TextField(_("présentation détaillée"), blank=True)
    poles = ChoiceListField(_("étapes du parcours proposées"), options=Pole.choices, max_length=60)
    services = ChoiceListField(_("services proposés"), options=Service.choices)
    publics = ChoiceListField(
        _("publics accueillis en priorité"),
        options=Public.choices,
        max_length=120,
        help_text=_("Ne rien cocher si le lieu accueille tout le monde."),
    )
    specific_care = ChoiceListField(
        _("accompagnements adaptés"), options=SpecificCare.choices, max_length=200
    )
    fees = ChoiceListField(_("coût pour l'habitant"), options=Fee.choices, max_length=60)
    access_modes = ChoiceListField(
        _("comment être reçu"), options=AccessMode.choices, max_length=120
    )
    support_modes = ChoiceListField(
        _("formes d'accompagnement"), options=SupportMode.choices, max_length=120
    )
    national_programmes = ChoiceListField(
        _("dispositifs nationaux"), options=NationalProgramme.choices, max_length=250
    )
    typology = ChoiceListField(
        _("type de structure (nomenclature nationale)"),
        options=Typology.choices,
        max_length=60,
    )
    is_mobile = models.BooleanField(
        _("lieu itinérant"), default=False, help_text=_("Bus numérique, permanence mobile…")
    )
    is_published = models.BooleanField(_("publié"), default=True)
    is_active = models.BooleanField(_("actif"), default=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")
        ordering = ["actor__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["actor", "name"], name="place_unique_name_per_actor"),
            models.CheckConstraint(
                condition=Q(postcode__regex=r"^[0-9]{5}$"), name="place_postcode_5_digits"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="place_coordinates_both_and_plausible",
            ),
        ]

    def __str__(self):
        return self.name if self.name == self.actor.name else f"{self.actor.name} — {self.name}"

    def get_absolute_url(self):
        return reverse("place_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.phone:
            try:
                self.phone = normalize_french_phone(self.phone)
            except ValidationError as error:
                errors["phone"] = error
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = _(
                "Indiquez la latitude et la longitude, ou aucune des deux."
            )
        elif self.latitude is not None and not in_france(self.latitude, self.longitude):
            errors["latitude"] = _(
                "Ces coordonnées (%(lat)s, %(lon)s) ne sont pas en France. Vérifiez-les, ou "
                "copiez-les depuis adresse.data.gouv.fr."
            ) % {"lat": self.latitude, "lon": self.longitude}
        if not self.services:
            errors["services"] = _("Cochez au moins un service proposé dans ce lieu.")
        if errors:
            raise ValidationError(errors)

    @property
    def phone_display(self):
        """+33490581234 -> "04 90 58 12 34", as people dial it."""
        if self.phone.startswith("+33") and len(self.phone) == 12:
            digits = "0" + self.phone[3:]
            return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
        return self.phone

    @property
    def is_free(self):
        return Fee.FREE in self.fees

    @property
    def has_coordinates(self):
        return self.latitude is not None and self.longitude is not None


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


class PlannedWorkshopQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Workshops a staff member manages: their actors' (all for the network admin)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_network_admin:
            return self
        if not user.works_with_residents:
            return self.none()
        return self.filter(actor__in=user.actor_ids)

    def upcoming(self, *, now=None):
        return self.filter(starts_at__gte=now or timezone.now())

    def public(self, *, now=None):
        """What the public guide lists: published, still to come, at a place in the guide."""
        return (
            self.upcoming(now=now)
            .filter(is_published=True, place__in=Place.objects.in_guide())
            .select_related("place", "actor", "place__neighbourhood")
            .order_by("starts_at", "id")
        )


class PlannedWorkshop(models.Model):
    """A collective workshop announced ahead of time, with seats, for the public guide.

    Not a learners.Session: a session records what happened (never in the future); this
    is a promise of what will happen."""

    MAX_MINUTES = 12 * 60

    actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="planned_workshops",
        verbose_name=_("structure"),
    )
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="planned_workshops", verbose_name=_("lieu")
    )
    pole = models.CharField(_("étape du parcours"), max_length=20, choices=Pole.choices)
    title = models.CharField(_("titre de l'atelier"), max_length=150)
    description = models.TextField(
        _("en quelques mots"), blank=True, help_text=_("Ce qu'on y fait, ce qu'il faut apporter.")
    )
    starts_at = models.DateTimeField(_("date et heure"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=90)
    seats = models.PositiveSmallIntegerField(
        _("nombre de places"),
        validators=[MinValueValidator(1, _("Indiquez au moins une place."))],
    )
    seats_taken = models.PositiveSmallIntegerField(_("places déjà prises"), default=0)
    is_published = models.BooleanField(_("publié dans le guide"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("annoncé par"),
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    objects = PlannedWorkshopQuerySet.as_manager()

    class Meta:
        verbose_name = _("atelier à venir")
        verbose_name_plural = _("ateliers à venir")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["starts_at", "pole"], name="workshop_start_pole_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0, duration_minutes__lte=12 * 60),
                name="workshop_duration_0_12h",
            ),
            models.CheckConstraint(condition=Q(seats__gt=0), name="workshop_has_seats"),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=models.F("seats")),
                name="workshop_seats_taken_within_seats",
            ),
        ]

    def __str__(self):
        return f"{self.title} — {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"

    @property
    def when_text(self):
        """ "mardi 14 juillet à 10 h" (plain French)."""
        from pathway.hours import plain_date, plain_time

        start = timezone.localtime(self.starts_at)
        return _("%(day)s à %(time)s") % {
            "day": plain_date(start.date(), weekday=True),
            "time": plain_time(start.time()),
        }

    @property
    def seats_free(self):
        return max(0, self.seats - self.seats_taken)

    @property
    def ends_at(self):
        return self.starts_at + timezone.timedelta(minutes=self.duration_minutes)

    def clean(self):
        errors = {}
        if self.place_id and self.actor_id and self.place.actor_id != self.actor_id:
            errors["place"] = _("Choisissez un lieu de la structure qui organise l'atelier.")
        if (
            self.seats is not None
            and self.seats_taken is not None
            and self.seats_taken > self.seats
        ):
            errors["seats_taken"] = _(
                "Il ne peut pas y avoir plus de places prises (%(taken)s) que de places "
                "(%(seats)s)."
            ) % {"taken": self.seats_taken, "seats": self.seats}
        if self.duration_minutes is not None and not 0 < self.duration_minutes <= self.MAX_MINUTES:
            errors["duration_minutes"] = _(
                "La durée doit être comprise entre 1 minute et 12 heures."
            )
        if errors:
            raise ValidationError(errors)


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
