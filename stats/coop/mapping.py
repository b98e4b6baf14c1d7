"""How our values map to the Coop's codes: defaults right for the network's topics, which a
coordinator may change (CoopMapping rows). A value without a code is reported, never
dropped silently (Mapping.unmapped, and the export's report)."""

import dataclasses

from django.utils.translation import gettext_lazy as _

from learners.models import Autonomy, Equipment, Location, RedirectionKind, WorkshopLevel
from pathway.models import Operator, Place, Pole, Topic
from pathway.text import normalise
from stats.coop import vocabulary as v
from stats.models import CoopMapping, CoopMappingKind

Kind = CoopMappingKind

# Topic or operator names (folded words) → the Coop's thematique: the first rule whose
# words all appear in the name wins. Written for the network's topics (the demo's).
THEMATIQUE_RULES = [
    ("caf", "SocialSante"),
    ("ameli", "SocialSante"),
    ("assurance maladie", "SocialSante"),
    ("retraite", "SocialSante"),
    ("msa", "SocialSante"),
    ("impot", "ArgentImpots"),
    ("dgfip", "ArgentImpots"),
    ("ants", "PapiersElectionsCitoyennete"),
    ("carte grise", "PapiersElectionsCitoyennete"),
    ("carte d'identite", "PapiersElectionsCitoyennete"),
    ("france travail", "TravailFormation"),
    ("logement", "Logement"),
    ("bailleur", "Logement"),
    ("energie", "Logement"),
    ("adresse mail", "Email"),
    ("mail", "Email"),
    ("franceconnect", "AideAuxDemarchesAdministratives"),
    ("reseaux sociaux", "ReseauxSociaux"),
    ("photo", "CreerAvecLeNumerique"),
    ("montage", "CreerAvecLeNumerique"),
    ("impression 3d", "CreerAvecLeNumerique"),
    ("reparer", "MaintenanceDeMateriel"),
    ("genealogie", "NavigationSurInternet"),
    ("jeux video", "CultureNumerique"),
    ("musee", "CultureNumerique"),
    ("lecture", "CultureNumerique"),
    ("bureautique", "Bureautique"),
    ("smartphone", "PrendreEnMainDuMateriel"),
    ("tablette", "PrendreEnMainDuMateriel"),
    ("ordinateur", "PrendreEnMainDuMateriel"),
    ("emploi", "InsertionProfessionnelle"),
    ("cv", "InsertionProfessionnelle"),
    ("securite", "SecuriteNumerique"),
    ("sante", "Sante"),
    ("banque", "BanqueEtAchatsEnLigne"),
    ("parentalite", "Parentalite"),
    ("intelligence artificielle", "IntelligenceArtificielle"),
]

FIXED_DEFAULTS = {
    Kind.POLE: {
        Pole.NECESSITY: "AideAuxDemarchesAdministratives",
        Pole.ACHIEVEMENT: "PrendreEnMainDuMateriel",
        Pole.LEISURE: "CultureNumerique",
    },
    Kind.AUTONOMY: {
        str(Autonomy.DONE_FOR.value): "EntierementAccompagne",
        str(Autonomy.DONE_WITH.value): "PartiellementAutonome",
        str(Autonomy.DONE_ALONE.value): "Autonome",
    },
    Kind.WORKSHOP_LEVEL: {
        WorkshopLevel.BEGINNER: "Debutant",
        WorkshopLevel.INTERMEDIATE: "Intermediaire",
        WorkshopLevel.ADVANCED: "Avance",
    },
    Kind.LOCATION: {
        Location.ON_SITE: "LieuActivite",
        Location.HOME: "Domicile",
        Location.REMOTE: "ADistance",
        Location.OTHER: "Autre",
    },
    Kind.EQUIPMENT: {
        Equipment.COMPUTER: "Ordinateur",
        Equipment.SMARTPHONE: "Telephone",
        Equipment.TABLET: "Tablette",
        Equipment.OWN_DEVICE: "Autre",
        Equipment.PRINTER: "Autre",
        Equipment.NONE: "Aucun",
    },
    Kind.REDIRECTION: {
        RedirectionKind.ADMINISTRATION: "Administration",
        RedirectionKind.MEDIATION: "MediationNumerique",
        RedirectionKind.OPERATOR: "OperateurOuOrganismeEnCharge",
        RedirectionKind.SOCIAL: "AideSociale",
        RedirectionKind.EMPLOYMENT: "InsertionProfessionnelle",
        RedirectionKind.PAPERWORK_HELP: "AideAuxDemarchesAdministratives",
        RedirectionKind.OTHER: "Autre",
    },
}

# The Coop's enumeration each kind maps to (None: free text, the place's name).
TARGETS = {
    Kind.TOPIC: v.THEMATIQUE,
    Kind.POLE: v.THEMATIQUE,
    Kind.OPERATOR: v.THEMATIQUE,
    Kind.AUTONOMY: v.AUTONOMIE,
    Kind.WORKSHOP_LEVEL: v.NIVEAU_ATELIER,
    Kind.LOCATION: v.TYPE_LIEU,
    Kind.EQUIPMENT: v.MATERIEL,
    Kind.REDIRECTION: v.STRUCTURE_REDIRECTION,
    Kind.PLACE: None,
}


def thematique_of(name):
    """The default thematique of a topic or operator name, or "" when no rule fits."""
    folded = f" {normalise(name)} ".replace("(", " ").replace(")", " ")
    for words, code in THEMATIQUE_RULES:
        if f" {words}" in folded or folded.strip().startswith(words):
            return code
    return ""


@dataclasses.dataclass
class Entry:
    kind: str
    value: str
    label: str
    code: str
    default: str
    changed: bool

    @property
    def code_label(self):
        target = TARGETS[self.kind]
        return self.code if target is None else target.get(self.code, "")


class Mapping:
    """Every value of ours and its Coop code, read once (a few queries)."""

    def __init__(self):
        self.topics = list(Topic.objects.order_by("pole", "name", "pk"))
        self.topic_names = {t.pk: t.name for t in self.topics}
        self.operators = list(Operator.objects.order_by("name", "pk"))
        self.places = list(Place.objects.order_by("name", "pk").only("pk", "name", "actor_id"))
        self.stored = {(m.kind, m.value): m.code for m in CoopMapping.objects.all()}
        self._codes = {}
        for entry in self.entries():
            self._codes[(entry.kind, entry.value)] = entry.code

    def entries(self):
        """[Entry] of every kind, in the page's order."""
        found = []

        def add(kind, value, label, default):
            value = str(value)
            stored = self.stored.get((kind, value))
            code = default if stored is None else stored
            found.append(Entry(kind, value, str(label), code, default, stored is not None))

        for topic in self.topics:
            add(
                Kind.TOPIC,
                topic.pk,
                f"{Pole(topic.pole).short_label} — {topic.name}",
                thematique_of(topic.name),
            )
        for pole in Pole:
            add(Kind.POLE, pole.value, pole.label, FIXED_DEFAULTS[Kind.POLE][pole])
        for operator in self.operators:
            add(Kind.OPERATOR, operator.pk, operator.name, thematique_of(operator.name))
        choices = {
            Kind.AUTONOMY: Autonomy.choices,
            Kind.WORKSHOP_LEVEL: WorkshopLevel.choices,
            Kind.LOCATION: Location.choices,
            Kind.EQUIPMENT: Equipment.choices,
            Kind.REDIRECTION: RedirectionKind.choices,
        }
        for kind, values in choices.items():
            for value, label in values:
                add(kind, value, label, FIXED_DEFAULTS[kind].get(str(value), ""))
        for place in self.places:
            add(Kind.PLACE, place.pk, place.name, place.name)
        return found

    def code(self, kind, value):
        """The Coop's code of one of our values ("" when unmapped)."""
        return self._codes.get((kind, str(value)), "")

    def unmapped(self):
        return [e for e in self.entries() if not e.code]

    def reverse(self, kind):
        """{Coop code: our value} of one kind, the first of ours for each code."""
        found = {}
        for (k, value), code in self._codes.items():
            if k == kind and code:
                found.setdefault(code, value)
        return found


def save_codes(changes, *, by):
    """Store {(kind, value): code} chosen on the page (a default chosen again is stored
    too: it no longer moves if the defaults change). Raises ValueError for a code the Coop
    does not have."""
    for (kind, value), code in changes.items():
        target = TARGETS[kind]
        if target is not None and code and code not in target:
            raise ValueError(_("Code de la Coop inconnu : %(code)s") % {"code": code})
        CoopMapping.objects.update_or_create(
            kind=kind, value=str(value), defaults={"code": code, "changed_by": by}
        )
