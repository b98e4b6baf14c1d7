"""Places where actors receive residents, described as the national open-data standard of
places of digital mediation asks: its vocabularies, a field holding several of their
values, and the checks of postcodes, coordinates and phone numbers."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pathway.hours import describe_week_grouped, validate_opening_hours
from pathway.models.network import Actor, ActorKind, Neighbourhood, Pole
from pathway.permissions import Role, in_their_towns

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
        # Migrations name the field by its public path, as before pathway.models became a
        # package (migration 0003 does), not by the module it is defined in.
        return name, "pathway.models.ChoiceListField", args, kwargs

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
        their town's for the network admin."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_network_admin:
            return in_their_towns(self, user)
        if user.role != Role.COORDINATOR:
            return self.none()
        return self.filter(actor__in=user.actor_ids)

    def with_guide_data(self):
        """Everything the public list, map and printed guide show about a place."""
        return self.select_related("actor__town", "neighbourhood")

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
    checked_on = models.DateField(
        _("informations vérifiées le"),
        null=True,
        blank=True,
        help_text=_("Mis à jour quand la fiche est enregistrée ou un signalement traité."),
    )

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
    def opening_hours_plain(self):
        """The usual week on one line, in plain French ("Du lundi au vendredi : 9 h – 12 h ;
        samedi : 10 h – 12 h"): what a list shows instead of the open-data expression."""
        if not self.opening_hours:
            return ""
        return " ; ".join(describe_week_grouped(self.opening_hours))

    @property
    def services_plain(self):
        """The place's services in the words residents read (the guide's filter words);
        the open data keeps the standard's labels."""
        return [Service(code).plain for code in self.services if code in Service.values]

    @property
    def has_coordinates(self):
        return self.latitude is not None and self.longitude is not None
