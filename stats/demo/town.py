"""The demo town: the network of Miramas, its staff, residents and a year of sessions,
built by seed() for `manage.py seed_demo` and for the bench's scratch databases.

The network (actors, places, staff…) is made with factory_boy; residents and their sessions
are generated chunk by chunk and written with bulk inserts, so that a metropolis-sized
database is built in minutes with flat memory.
"""

import datetime
import random
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker

from learners.models import (
    BlockedReason,
    CompetenceAssessment,
    Equipment,
    Location,
    PaperworkResult,
    Participation,
    Referral,
    ReferralStatus,
    Resident,
    ResidentLink,
    Session,
    SessionFormat,
    SocialStatus,
    User,
    WorkshopLevel,
)
from learners.services import participation_refresh_first_visits, resident_refresh_journey
from learners.writing import (
    SESSION_FIELDS,
    ParticipantInput,
    SessionErrors,
    SessionInput,
    SessionResolver,
    sessions_write,
)
from pathway.models import Actor, ActorKind, Competence, Module, Pole, Topic
from stats.demo.factories import (
    ActorFactory,
    ModuleFactory,
    NeighbourhoodFactory,
    OperatorFactory,
    PlaceFactory,
    TopicFactory,
    UserFactory,
)
from stats.services import stats_refresh

NEIGHBOURHOODS = [
    # name, priority neighbourhood (QPV)
    ("Centre-ville", False),
    ("Miramas-le-Vieux", False),
    ("La Maille I", True),
    ("La Maille II", True),
    ("La Carraire", True),
    ("Le Mercure", True),
    ("Les Molières", False),
    ("La Rousière", False),
    ("La Péronne", False),
    ("Le Monda", False),
    ("Les Éoliennes", False),
    ("Quartier de la Gare", False),
]

# name, kind, poles served
ACTORS = [
    ("France services de Miramas", ActorKind.FRANCE_SERVICES, "N"),
    ("Médiathèque intercommunale de Miramas", ActorKind.MEDIA_LIBRARY, "AL"),
    ("CCAS de Miramas", ActorKind.CCAS, "N"),
    ("Résidence autonomie Les Oliviers", ActorKind.CCAS, "NL"),
    ("Micro-Folie de Miramas", ActorKind.MICRO_FOLIE, "L"),
    ("Centre social La Carraire", ActorKind.SOCIAL_CENTRE, "NAL"),
    ("Centre social du Mercure", ActorKind.SOCIAL_CENTRE, "NAL"),
    ("Centre social des Molières", ActorKind.SOCIAL_CENTRE, "NA"),
    ("Maison de quartier de la Maille", ActorKind.SOCIAL_CENTRE, "NAL"),
    ("Mission locale Ouest Provence — antenne de Miramas", ActorKind.MISSION_LOCALE, "NA"),
    ("Espace emploi municipal", ActorKind.TOWN_SERVICE, "NA"),
    ("Maison de la jeunesse", ActorKind.TOWN_SERVICE, "AL"),
    ("Point information jeunesse", ActorKind.TOWN_SERVICE, "N"),
    ("Mairie annexe de la Maille", ActorKind.TOWN_SERVICE, "N"),
    ("Collège Albert Camus", ActorKind.SCHOOL, "A"),
    ("Collège Miramaris", ActorKind.SCHOOL, "A"),
    ("Lycée professionnel Les Alpilles", ActorKind.SCHOOL, "A"),
    ("École de la deuxième chance", ActorKind.SCHOOL, "A"),
    ("Clic & Lien", ActorKind.ASSOCIATION, "NA"),
    ("Les Ateliers du Partage", ActorKind.ASSOCIATION, "AL"),
    ("Seniors connectés 13", ActorKind.ASSOCIATION, "AL"),
    ("Femmes solidaires de Miramas", ActorKind.ASSOCIATION, "NA"),
    ("Club informatique des Molières", ActorKind.ASSOCIATION, "AL"),
    ("Repair café de Miramas", ActorKind.ASSOCIATION, "L"),
    ("Secours populaire — comité de Miramas", ActorKind.ASSOCIATION, "N"),
    ("Accueil des villes françaises de Miramas", ActorKind.ASSOCIATION, "L"),
    ("Compagnons du numérique", ActorKind.ASSOCIATION, "NA"),
    ("Alpha Provence — français et numérique", ActorKind.ASSOCIATION, "NA"),
    ("Ludothèque La Toupie", ActorKind.ASSOCIATION, "L"),
    ("Fab lab Le Hangar", ActorKind.ASSOCIATION, "AL"),
    ("Association des familles de la Carraire", ActorKind.ASSOCIATION, "N"),
    ("Maison des associations", ActorKind.TOWN_SERVICE, "L"),
]
POLE_LETTER = {"N": Pole.NECESSITY, "A": Pole.ACHIEVEMENT, "L": Pole.LEISURE}

OPERATOR_TOPICS = [
    # operator, topic, weight
    ("CAF", "Allocations et prime d'activité (CAF)", 26),
    ("Impôts (DGFiP)", "Déclaration et espace impots.gouv", 14),
    ("ANTS", "Carte grise, permis et carte d'identité (ANTS)", 14),
    ("Assurance maladie (Ameli)", "Compte Ameli et carte Vitale", 14),
    ("France Travail", "Inscription et actualisation France Travail", 12),
    ("Assurance retraite", "Demande de retraite en ligne", 8),
    ("MSA", "Démarches MSA", 3),
    ("Bailleur social", "Logement social et demande de logement", 5),
    ("Fournisseur d'énergie", "Chèque énergie et fournisseurs", 4),
]
OTHER_NECESSITY_TOPICS = ["Créer une adresse mail", "FranceConnect et identifiants"]
LEISURE_TOPICS = [
    "Photo numérique",
    "Réalité virtuelle et musée numérique",
    "Jeux vidéo en famille",
    "Généalogie en ligne",
    "Musique et montage vidéo",
    "Impression 3D",
    "Réseaux sociaux en famille",
    "Lecture numérique et liseuses",
    "Réparer son ordinateur",
]

MODULES = [
    # name, hours, {competence: target level}
    ("Premiers pas sur ordinateur", 10, {"5.1": 1, "3.1": 1, "1.1": 1}),
    ("Bien utiliser son smartphone", 8, {"2.1": 2, "5.2": 1, "4.1": 1}),
    ("Chercher un emploi en ligne", 12, {"1.1": 3, "2.4": 2, "3.1": 2}),
    ("Se protéger en ligne", 6, {"4.1": 2, "4.2": 2}),
    ("Traitement de texte et CV", 12, {"3.1": 3, "3.3": 2, "1.2": 2}),
    ("Communiquer par mail et en visio", 8, {"2.1": 3, "2.2": 2, "2.3": 2}),
    ("Le tableur au quotidien", 10, {"1.3": 2, "1.2": 2}),
    ("Créer ses contenus multimédia", 10, {"3.2": 2, "2.2": 2}),
]

# Profiles of journeys: (weight, stages). A stage is a pole; some residents stall.
PROFILES = [
    (40, [Pole.NECESSITY]),
    (22, [Pole.NECESSITY, Pole.ACHIEVEMENT]),
    (12, [Pole.NECESSITY, Pole.ACHIEVEMENT, Pole.LEISURE]),
    (10, [Pole.ACHIEVEMENT]),
    (6, [Pole.ACHIEVEMENT, Pole.LEISURE]),
    (10, [Pole.LEISURE]),
]
BLOCKED_REASONS = [
    (BlockedReason.FRANCECONNECT, 40),
    (BlockedReason.MISSING_DOCUMENT, 25),
    (BlockedReason.NO_EMAIL_OR_PHONE, 15),
    (BlockedReason.WEBSITE_ISSUE, 10),
    (BlockedReason.NEEDS_OPERATOR, 10),
]
SOCIAL_STATUSES = [
    (SocialStatus.RETIRED, 30),
    (SocialStatus.JOB_SEEKER, 25),
    (SocialStatus.EMPLOYED, 15),
    (SocialStatus.IN_SCHOOL, 10),
    (SocialStatus.NOT_STATED, 20),
]
MAX_GROUP = 10
CHUNK = 2000


def weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class Town:
    actors: list
    poles_of: dict  # actor id -> set of poles
    places: dict  # actor id -> Place
    mediators: dict  # actor id -> [User]
    neighbourhoods: list
    necessity_topics: list  # (Topic, weight)
    leisure_topics: list
    modules: list  # (Module, [(competence_id, target)])
    actors_by_pole: dict = field(default_factory=dict)
    modules_of: dict = field(default_factory=dict)  # actor id -> the modules it teaches
    leisure_topics_of: dict = field(default_factory=dict)
    references: set = field(default_factory=set)  # residents' references given so far
    resolvers: dict = field(default_factory=dict)  # mediator id -> their SessionResolver
    record: object = None  # its pathway.models.Town (None: the installation's first town)
    insee_code: str = "13063"  # Miramas


@dataclass
class Event:
    resident: int  # index in the chunk
    date: datetime.date
    pole: str
    actor: Actor
    collective: bool
    module: object = None
    topic: object = None
    autonomy: int | None = None
    assess: list | None = None  # [(competence_id, level)] on the last session of a module


def seed(
    *,
    residents,
    sessions,
    towns=1,
    seed=2026,
    reset=False,
    progress=None,
    today=None,
    certificates=None,
):
    """Build the demo town; returns the number of rows written.

    `towns`: Miramas alone (1), or Miramas and its first `towns - 1` neighbours
    (stats.demo.neighbours), in the territory of their intercommunality. `residents` and
    `sessions` are the installation's totals, shared between the towns in proportion to
    the size of their networks (their numbers of actors).

    `certificates`: how many of the certificates residents earned are issued (signed PDFs
    take tens of milliseconds each); by default one resident in twenty, at most 150: the
    others wait on the mediators' "à délivrer" page, as they would in real life."""
    from stats.demo import neighbours

    rng = random.Random(seed)
    random.seed(seed)
    Faker.seed(seed)
    today = today or timezone.localdate()
    specs = neighbours.TOWNS[:towns]
    weights = [neighbours.network_size(spec) for spec in specs]
    people_of = neighbours.shares(residents, weights)
    sessions_of = neighbours.shares(sessions, weights)
    with transaction.atomic():
        if reset:
            wipe()
        town = build_network(rng)
        # The guide's fields use their own random stream, so that the sessions and residents
        # generated below stay the same as before they existed.
        guide_rng = random.Random(seed + 1)
        describe_places(town, guide_rng, today=today)
        plan_workshops(town, guide_rng, today=today)
        rows = build_people(
            town,
            rng,
            residents=people_of[0],
            sessions=sessions_of[0],
            today=today,
            progress=progress,
        )
        if towns > 1:
            # The neighbours have their own random streams: Miramas stays the same.
            rows += neighbours.build_neighbours(
                town,
                specs,
                residents=people_of,
                sessions=sessions_of,
                seed=seed,
                today=today,
                progress=progress,
            )
        # Signatories and certificates have their own random stream too.
        appoint_signatories(town, random.Random(seed + 2))
        if certificates is None:
            certificates = min(150, residents // 20)
        rows += issue_demo_certificates(limit=certificates, progress=progress)
        rows += demo_endorsements_and_pix(progress=progress)
        # Bulk inserts bypass participations_changed(): fill the statistics summaries once.
        stats_refresh()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return rows


def wipe():
    """Delete everything seed_demo creates (children before parents)."""
    from certificates.models import Certificate, CertificateCompetence, Signatory
    from learners.models import AccessLog
    from pathway.models import (
        ModuleCompetence,
        Neighbourhood,
        Operator,
        Place,
        PlannedWorkshop,
        Territory,
    )
    from pathway.models import Town as TownRecord
    from stats.models import (
        StatsActivity,
        StatsModuleCompletion,
        StatsPaperwork,
        StatsPeriodReach,
        StatsReach,
        StatsResident,
    )

    wipe_endorsements_pix_and_records()
    # Signed PDFs are files: delete them with their rows.
    pdf_field = Certificate._meta.get_field("pdf")
    for name in Certificate.objects.exclude(pdf="").values_list("pdf", flat=True).iterator():
        pdf_field.storage.delete(name)
    # The journal is append-only through the ORM; resetting a demo database is the one place
    # where it is emptied, with plain SQL.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(AccessLog._meta.db_table)}")
    models = [
        StatsResident,
        StatsReach,
        StatsPeriodReach,
        StatsModuleCompletion,
        StatsActivity,
        StatsPaperwork,
        CertificateCompetence,
        Certificate,
        Signatory,
        Referral,
        CompetenceAssessment,
        ResidentLink,
        Participation,
        Session.topics.through,
        Session.mediators.through,
        Session,
    ]
    for model in models:
        model.objects.all()._raw_delete(model.objects.db)
    Resident.objects.update(merged_into=None)
    Resident.objects.all()._raw_delete(Resident.objects.db)
    User.actors.through.objects.all().delete()
    User.objects.filter(is_superuser=False).delete()
    PlannedWorkshop.objects.all().delete()
    for model in [ModuleCompetence, Module, Topic, Operator, Place, Actor, Neighbourhood]:
        model.objects.all().delete()
    # The towns and territory of `seed_demo --towns N`; the installation's own town stays.
    default = TownRecord.objects.default()
    User.objects.exclude(town=None).exclude(town=default).update(town=None)
    User.objects.exclude(territory=None).update(territory=None)
    Territory.objects.all().delete()
    TownRecord.objects.exclude(pk=default.pk).delete()


SIGNATORY_NAMES = [
    ("Claire", "Martin"),
    ("Nathalie", "Roche"),
    ("Farid", "Belkacem"),
    ("Isabelle", "Fabre"),
    ("Mathieu", "Girard"),
    ("Samia", "Haddadi"),
    ("Olivier", "Mercier"),
    ("Céline", "Arnaud"),
    ("Jérôme", "Blanc"),
    ("Sandrine", "Vidal"),
]
SIGNATORY_ROLES = {
    ActorKind.ASSOCIATION: ["Présidente", "Président", "Coordinatrice"],
    ActorKind.SCHOOL: ["Principale", "Proviseur", "Directrice"],
}


def appoint_signatories(town, rng):
    """Who signs each actor's certificates."""
    from certificates.models import Signatory

    Signatory.objects.bulk_create(
        Signatory(
            actor=actor,
            name=" ".join(rng.choice(SIGNATORY_NAMES)),
            role=rng.choice(SIGNATORY_ROLES.get(actor.kind, ["Directrice", "Responsable"])),
            is_default=True,
        )
        for actor in town.actors
    )


def issue_demo_certificates(*, limit, progress):
    """Issue, with the product's own service, the certificates of the first `limit`
    residents who earned one (the demo resident Nadia Benhamou first). Returns rows written."""
    from certificates import signing
    from certificates.models import CertificateCompetence, earned_modules
    from certificates.services import certificate_issue_many

    if limit <= 0:
        return 0
    try:
        signing.current_key_id()
    except signing.IssuerKeysMissing:
        signing.create_key_set()
        if progress:
            progress(f"  clés de signature des attestations créées dans {signing.keys_dir()}")
    pairs = sorted(earned_modules(Resident.objects.all()))[:limit]
    people = Resident.objects.in_bulk({r for r, _m in pairs})
    modules = Module.objects.in_bulk({m for _r, m in pairs})
    issued = certificate_issue_many(pairs=[(people[r], modules[m]) for r, m in pairs])
    if progress:
        progress(f"  {len(issued)} attestations délivrées et signées")
    return len(issued) + CertificateCompetence.objects.filter(certificate__in=issued).count()


def build_network(rng):
    neighbourhoods = [
        NeighbourhoodFactory(
            name=name, slug=slugify(name), is_priority=qpv, qpv_code=f"QN01304{i}" if qpv else ""
        )
        for i, (name, qpv) in enumerate(NEIGHBOURHOODS)
    ]
    actors, poles_of, places = [], {}, {}
    for name, kind, letters in ACTORS:
        actor = ActorFactory(name=name, slug=slugify(name)[:160], kind=kind)
        actors.append(actor)
        poles_of[actor.id] = {POLE_LETTER[letter] for letter in letters}
        places[actor.id] = PlaceFactory(actor=actor, neighbourhood=rng.choice(neighbourhoods))
    # Two places for the big actors, as permanences in priority neighbourhoods.
    for actor in actors[:3]:
        PlaceFactory(
            actor=actor,
            name=f"Permanence {actor.name.split(' de ')[0]} — La Maille",
            neighbourhood=neighbourhoods[2],
            opening_hours="Tu,Th 09:00-12:00; PH off",
        )

    operators = {}
    necessity_topics = []
    for operator_name, topic_name, weight in OPERATOR_TOPICS:
        operator = operators.setdefault(
            operator_name, OperatorFactory(name=operator_name, slug=slugify(operator_name))
        )
        necessity_topics.append(
            (
                TopicFactory(
                    pole=Pole.NECESSITY,
                    name=topic_name,
                    slug=slugify(topic_name),
                    operator=operator,
                ),
                weight,
            )
        )
    for name in OTHER_NECESSITY_TOPICS:
        necessity_topics.append(
            (TopicFactory(pole=Pole.NECESSITY, name=name, slug=slugify(name)), 4)
        )
    leisure_topics = [
        TopicFactory(pole=Pole.LEISURE, name=n, slug=slugify(n)) for n in LEISURE_TOPICS
    ]
    for name in ["Bureautique", "Smartphone et tablette", "Emploi et CV", "Sécurité en ligne"]:
        TopicFactory(pole=Pole.ACHIEVEMENT, name=name, slug=slugify(name))

    competences = {c.code: c.id for c in Competence.objects.all()}
    modules = []
    for name, hours, targets in MODULES:
        module = ModuleFactory(name=name, slug=slugify(name), hours=hours, targets=targets)
        modules.append((module, [(competences[code], level) for code, level in targets.items()]))

    mediators = build_staff(rng, actors)
    town = Town(
        actors=actors,
        poles_of=poles_of,
        places=places,
        mediators=mediators,
        neighbourhoods=neighbourhoods,
        necessity_topics=necessity_topics,
        leisure_topics=leisure_topics,
        modules=modules,
    )
    plan_teaching(town, rng)
    return town


def plan_teaching(town, rng):
    """Who serves each pole; each actor teaches a few modules and runs a few leisure
    workshops, so that workshops gather several residents, as they do in real life."""
    for pole in Pole:
        town.actors_by_pole[pole] = [a for a in town.actors if pole in town.poles_of[a.id]]
    for actor in town.actors:
        town.modules_of[actor.id] = rng.sample(town.modules, rng.randint(1, 2))
        town.leisure_topics_of[actor.id] = rng.sample(town.leisure_topics, rng.randint(1, 2))


# The public guide: what each place offers, for whom, when ---------------------------------

PLACE_HOURS = {
    ActorKind.FRANCE_SERVICES: "Mo-Fr 08:30-12:00,13:30-17:00; PH off",
    ActorKind.CCAS: "Mo-Th 08:30-12:00,13:30-17:00; Fr 08:30-12:00; PH off",
    ActorKind.MEDIA_LIBRARY: (
        "Tu,Th,Fr 14:00-18:00; We,Sa 10:00-12:30,14:00-18:00; {closure}; PH off"
    ),
    ActorKind.SOCIAL_CENTRE: "Mo-Fr 09:00-12:00,14:00-18:00; {closure}; PH off",
    ActorKind.MICRO_FOLIE: "We 14:00-18:00; Sa 10:00-12:00,14:00-18:00; PH off",
    ActorKind.MISSION_LOCALE: "Mo-Fr 09:00-12:30,13:30-17:00; PH off",
    ActorKind.TOWN_SERVICE: "Mo-Fr 08:30-12:00,13:30-17:00; PH off",
    ActorKind.SCHOOL: "Mo-Fr 08:00-12:00,13:30-17:00; PH off",
}
ASSOCIATION_HOURS = [
    "Tu,Th 14:00-17:00; Sa 09:00-12:00; PH off",
    "Mo,We 09:00-12:00; PH off",
    "We 14:00-18:00; Sa 10:00-17:00; PH off",
    "Mo-Th 14:00-17:30; {closure}; PH off",
    "Tu-Fr 09:30-12:00; PH off",
]
SUMMARIES = {
    ActorKind.FRANCE_SERVICES: "Un agent vous aide pour vos démarches : CAF, impôts, ANTS, "
    "Ameli, France Travail, retraite.",
    ActorKind.CCAS: "Le service social de la ville : aide aux démarches en ligne et accès aux "
    "droits, sur rendez-vous ou sans.",
    ActorKind.MEDIA_LIBRARY: "Ordinateurs en accès libre, ateliers pour débuter, liseuses et "
    "jeux vidéo.",
    ActorKind.SOCIAL_CENTRE: "Permanences numériques et ateliers en petit groupe, dans votre "
    "quartier.",
    ActorKind.MICRO_FOLIE: "Un musée numérique, de la réalité virtuelle et des ateliers "
    "créatifs pour tous les âges.",
    ActorKind.MISSION_LOCALE: "Pour les 16-25 ans : CV, candidatures en ligne, espace emploi.",
    ActorKind.TOWN_SERVICE: "Un service de la ville qui vous accueille et vous oriente.",
    ActorKind.ASSOCIATION: "Des bénévoles vous accompagnent, à votre rythme.",
    ActorKind.SCHOOL: "Ateliers numériques pour les élèves et leurs familles.",
}
DIRECTIONS = [
    "Bus Ulysse ligne 1, arrêt Mairie. Parking gratuit à 100 m.",
    "Bus Ulysse ligne 2, arrêt Gare. À 5 minutes à pied de la gare.",
    "Bus Ulysse ligne 3, arrêt Les Molières. Stationnement vélo devant l'entrée.",
    "À pied depuis le centre-ville, 10 minutes. Parking de la place Jean Jaurès.",
]
ACCESSIBILITY = [
    "Entrée de plain-pied, toilettes adaptées.",
    "Ascenseur, boucle magnétique à l'accueil.",
    "Accès par une rampe ; un poste informatique à hauteur de fauteuil.",
    "",
]


def describe_places(town, rng, *, today):
    """Give every demo place realistic fields of the national standard: services, publics,
    fees, hours in the OSM format with exceptions (public holidays, a Christmas closure)."""
    from pathway.models import (
        TYPOLOGY_OF_KIND,
        AccessMode,
        Fee,
        NationalProgramme,
        Place,
        Public,
        Service,
        SpecificCare,
        SupportMode,
        Typology,
    )

    christmas = datetime.date(today.year, 12, 24)
    if christmas < today:
        christmas = christmas.replace(year=today.year + 1)
    closure = f"{christmas.year} Dec 24-{christmas.year} Dec 31 off"
    places = list(Place.objects.filter(actor__in=town.actors).select_related("actor"))
    for place in places:
        actor = place.actor
        poles = sorted(town.poles_of[actor.id], key=lambda p: Pole(p).rank)
        name = actor.name.lower()
        services, publics, care, programmes = [], [], [], []
        if Pole.NECESSITY in poles:
            services.append(Service.PAPERWORK)
        if Pole.ACHIEVEMENT in poles:
            services += [Service.DAILY_TOOLS, Service.SAFE_USE]
            if actor.kind in {ActorKind.MISSION_LOCALE, ActorKind.SCHOOL} or "emploi" in name:
                services.append(Service.EMPLOYMENT)
        if Pole.LEISURE in poles:
            services.append(Service.LEISURE)
        if actor.kind in {ActorKind.MEDIA_LIBRARY, ActorKind.MICRO_FOLIE}:
            services += [Service.ACCESS, Service.UNDERSTANDING]
        if "famille" in name or "ludothèque" in name:
            services.append(Service.PARENTING)
            publics.append(Public.FAMILIES)
        if "repair" in name or "compagnons" in name:
            services.append(Service.EQUIPMENT)
        if actor.kind in {ActorKind.MISSION_LOCALE, ActorKind.SCHOOL} or "jeunesse" in name:
            publics.append(Public.YOUNG)
        if "senior" in name or "résidence autonomie" in name:
            publics.append(Public.SENIORS)
        if "femmes" in name:
            publics.append(Public.WOMEN)
        if actor.kind == ActorKind.MISSION_LOCALE or "emploi" in name:
            publics.append(Public.JOB_SEEKERS)
        if actor.kind == ActorKind.FRANCE_SERVICES or "alpha" in name:
            care += [SpecificCare.ILLITERACY, SpecificCare.OTHER_LANGUAGES]
        if actor.kind in {ActorKind.CCAS, ActorKind.MEDIA_LIBRARY}:
            care += [SpecificCare.MOTOR_DISABILITY, SpecificCare.DEAFNESS]
        if actor.kind == ActorKind.MEDIA_LIBRARY:
            care.append(SpecificCare.VISUAL_IMPAIRMENT)
        if actor.kind == ActorKind.FRANCE_SERVICES:
            programmes += [
                NationalProgramme.FRANCE_SERVICES,
                NationalProgramme.AIDANTS_CONNECT,
                NationalProgramme.CONSEILLERS_NUMERIQUES,
            ]
        elif actor.kind == ActorKind.CCAS:
            programmes.append(NationalProgramme.CAF_POINT)
        elif actor.kind in {ActorKind.MEDIA_LIBRARY, ActorKind.SOCIAL_CENTRE}:
            programmes.append(NationalProgramme.CONSEILLERS_NUMERIQUES)
        elif actor.kind == ActorKind.MISSION_LOCALE:
            programmes.append(NationalProgramme.PROMENEURS)
        if "club" in name or "fab lab" in name:
            fees = [Fee.FREE_UNDER_CONDITIONS, Fee.PAID]
        elif "seniors connectés" in name:
            fees = [Fee.PAID]
        else:
            fees = [Fee.FREE]
        typology = TYPOLOGY_OF_KIND[actor.kind]
        if "fab lab" in name:
            typology = Typology.FABLAB
        elif "maison de quartier" in name:
            typology = Typology.MQ
        elif "information jeunesse" in name:
            typology = Typology.PIJ_BIJ
        elif "deuxième chance" in name:
            typology = Typology.E2C
        template = PLACE_HOURS.get(actor.kind) or rng.choice(ASSOCIATION_HOURS)
        if place.name != actor.name:  # the permanences keep their own short hours
            template = place.opening_hours
        place.opening_hours = template.format(closure=closure)
        place.poles = poles
        place.services = list(dict.fromkeys(services)) or [Service.DAILY_TOOLS]
        place.publics = list(dict.fromkeys(publics))
        place.specific_care = list(dict.fromkeys(care))
        place.fees = fees
        place.national_programmes = programmes
        place.typology = [typology]
        place.access_modes = [AccessMode.WALK_IN, AccessMode.PHONE] + (
            [AccessMode.BOOK_ONLINE] if actor.kind == ActorKind.FRANCE_SERVICES else []
        )
        place.support_modes = (
            [SupportMode.INDIVIDUAL] * (Pole.NECESSITY in poles)
            + [SupportMode.COLLECTIVE] * (poles != [Pole.NECESSITY])
            + [SupportMode.SELF_SERVICE] * (actor.kind == ActorKind.MEDIA_LIBRARY)
            + [SupportMode.REMOTE] * (actor.kind == ActorKind.FRANCE_SERVICES)
        )
        place.summary = SUMMARIES.get(actor.kind, "")
        place.directions = rng.choice(DIRECTIONS)
        place.accessibility = rng.choice(ACCESSIBILITY)
        place.insee_code = town.insee_code
        if actor.kind == ActorKind.FRANCE_SERVICES:
            place.appointment_url = "https://www.rdv-solidarites.fr/"
    Place.objects.bulk_update(
        places,
        [
            "opening_hours",
            "poles",
            "services",
            "publics",
            "specific_care",
            "fees",
            "national_programmes",
            "typology",
            "access_modes",
            "support_modes",
            "summary",
            "directions",
            "accessibility",
            "insee_code",
            "appointment_url",
        ],
    )
    # Schools work with their own pupils: their actors chose not to be in the public guide.
    Actor.objects.filter(kind=ActorKind.SCHOOL).exclude(name__icontains="deuxième chance").update(
        is_published=False
    )


WORKSHOP_TIMES = [(9, 30), (10, 0), (14, 0), (15, 30)]


def plan_workshops(town, rng, *, today, count=14):
    """A few collective workshops announced for the coming three weeks, some nearly full."""
    from pathway.models import Place, PlannedWorkshop

    places = {
        place.actor_id: place
        for place in Place.objects.filter(actor__in=town.actors, actor__is_published=True)
    }
    hosts = [
        (actor, pole)
        for actor in town.actors
        if actor.id in places
        for pole in (Pole.ACHIEVEMENT, Pole.LEISURE)
        if pole in town.poles_of[actor.id]
    ]
    titles = {
        Pole.ACHIEVEMENT: [name for name, _hours, _targets in MODULES],
        Pole.LEISURE: LEISURE_TOPICS,
    }
    workshops = []
    for _n in range(count):
        actor, pole = rng.choice(hosts)
        day = today + datetime.timedelta(days=rng.randint(1, 21))
        if day.weekday() == 6:
            day += datetime.timedelta(days=1)
        seats = rng.choice([6, 8, 10, 12])
        workshops.append(
            PlannedWorkshop(
                actor=actor,
                place=places[actor.id],
                pole=pole,
                title=rng.choice(titles[pole]),
                description="Apportez votre téléphone si vous en avez un. Débutants bienvenus.",
                starts_at=timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time(*rng.choice(WORKSHOP_TIMES)))
                ),
                duration_minutes=rng.choice([90, 120]),
                seats=seats,
                seats_taken=rng.choice([0, seats // 2, seats - 1, seats]),
                created_by=rng.choice(town.mediators[actor.id]),
            )
        )
    PlannedWorkshop.objects.bulk_create(workshops)


def build_staff(rng, actors):
    france_services, media_library = actors[0], actors[1]
    admin = UserFactory(
        username="coordination", first_name="Sophie", last_name="Garnier", network_admin=True
    )
    # The network admin must give a second factor: the demo pairs an authenticator key,
    # printed with the logins.
    TOTPDevice.objects.create(user=admin, name="Démo", confirmed=True)
    UserFactory(
        username="responsable.fs",
        first_name="Karim",
        last_name="Haddad",
        coordinator=True,
        actors=[france_services],
    )
    UserFactory(username="elu", first_name="Jean-Marc", last_name="Olivier", official=True)
    UserFactory(username="dgs", first_name="Hélène", last_name="Ferrand", official=True)
    UserFactory(
        username="politique.ville", first_name="Yacine", last_name="Mansouri", official=True
    )
    mediators = defaultdict(list)
    fixed = [
        ("mediatrice.fs", "Amandine", "Roux", france_services),
        ("mediateur.fs", "Thomas", "Lefèvre", france_services),
        ("mediatrice.mediatheque", "Léa", "Bonnet", media_library),
    ]
    for username, first, last, actor in fixed:
        mediators[actor.id].append(
            UserFactory(
                username=username, first_name=first, last_name=last, mediator=True, actors=[actor]
            )
        )
    n = 0
    for actor in actors:
        wanted = rng.choice([1, 2, 2, 3]) + len(mediators[actor.id])
        while len(mediators[actor.id]) < wanted:
            n += 1
            user = UserFactory(username=f"mediateur{n:02d}", mediator=True, actors=[actor])
            mediators[actor.id].append(user)
    # Some volunteers work for two actors.
    volunteers = [
        u for users in mediators.values() for u in users if u.username.startswith("mediateur0")
    ]
    for user, actor in zip(rng.sample(volunteers, 5), rng.sample(actors[5:], 5), strict=True):
        user.actors.add(actor)
        mediators[actor.id].append(user)
    for actor in actors[2:5]:
        UserFactory(
            username=f"responsable.{slugify(actor.name)[:20]}", coordinator=True, actors=[actor]
        )
    return mediators


def build_people(town, rng, *, residents, sessions, today, progress, demo_resident=True):
    """Residents and a year of their sessions, chunk by chunk; `demo_resident`: the first
    one is Nadia Benhamou, whose journey went through every pole."""
    fake = Faker("fr_FR")
    rows = 0
    done_residents = done_sessions = 0
    start = today - datetime.timedelta(days=365)
    for chunk_start in range(0, residents, CHUNK):
        size = min(CHUNK, residents - chunk_start)
        # Share the session target across chunks exactly.
        target = (sessions * (chunk_start + size)) // residents - done_sessions
        rows += build_chunk(
            town,
            rng,
            fake,
            size=size,
            target_sessions=target,
            start=start,
            today=today,
            first=chunk_start == 0 and demo_resident,
            ratio=sessions / residents,
        )
        done_residents += size
        done_sessions += target
        if progress and (chunk_start // CHUNK) % 10 == 9:
            progress(
                f"  {done_residents:,} habitants, {done_sessions:,} accompagnements…".replace(
                    ",", " "
                )
            )
    return rows


def build_chunk(town, rng, fake, *, size, target_sessions, start, today, first, ratio):
    people = [new_resident(town, rng, fake) for _ in range(size)]
    if first:
        demo = people[0]
        demo.first_name, demo.last_name, demo.birth_year = "Nadia", "Benhamou", 1971
        demo.profile = PROFILES[2][1]
        demo.give_consent()
    scale = max(ratio / 4.0, 0.25)
    events = []
    for index, person in enumerate(people):
        events += plan_journey(
            town,
            rng,
            person,
            index,
            start=start,
            today=today,
            scale=scale,
            early=first and not index,
        )
    if first:
        # The demo resident completed her module, so that her space shows a certificate.
        targets_of = {module.id: dict(targets) for module, targets in town.modules}
        for event in events:
            if event.resident == 0 and event.assess:
                targets = targets_of[event.module.id]
                event.assess = [(cid, max(level, targets[cid])) for cid, level in event.assess]

    sessions = group_sessions(town, rng, events, target_sessions, today)
    # In date order: each mediator's sessions are written as they happened.
    sessions.sort(key=lambda pair: (pair[0].date, pair[0].start_time))
    participations_of = defaultdict(list)
    for session, group in sessions:
        for event in group:
            participations_of[event.resident].append((session.date, session.pole, session.actor_id))

    for person in people:
        # Random references collide once in a while among 100,000 residents: draw again.
        while person.reference in town.references:
            person.reference = Resident.new_reference()
        town.references.add(person.reference)
        person.prepare()  # search names, as save() would
    reserve_ids(Resident, people)
    fast_insert(Resident, people)

    # The sessions go through the one write path, each as its mediator would log it: the
    # same resolver (defaults, rules) and writer as the form, the API and the imports.
    by_author = defaultdict(list)
    for session, group in sessions:
        by_author[session.created_by].append(session_input(session, group, people, rng))
    written = 0
    for author, inputs in by_author.items():
        resolver = town.resolvers.get(author.pk)
        if resolver is None:
            resolver = town.resolvers[author.pk] = SessionResolver(author, today=today)
        drafts = resolver.resolve_many([(data, None) for data in inputs])
        for draft in drafts:
            if isinstance(draft, SessionErrors):
                raise draft  # the demo breaks a rule: a bug of the demo
        sessions_write(drafts, by=author, refresh=False)
        written += sum(
            2 + len(d.topics) + sum(1 + len(o.levels) for o in d.outcomes) for d in drafts
        )
    # What participations_changed() does but the statistics (filled once, at the end).
    ids = [person.pk for person in people]
    participation_refresh_first_visits(ids)
    resident_refresh_journey(ids)
    referrals = build_referrals(town, rng, people, participations_of)
    fast_insert(Referral, referrals)
    return len(people) + written + len(referrals)


def session_input(session, group, people, rng):
    """The demo's session and its group of events as the plain input of the write path."""
    participants = []
    for event in group:
        outcome = ParticipantInput(
            resident=people[event.resident],
            autonomy=event.autonomy,
            levels=dict(event.assess or []),
        )
        if session.pole == Pole.NECESSITY and event.topic and event.topic.operator_id:
            outcome.operator = event.topic.operator_id
            outcome.paperwork_result = weighted(
                rng,
                [
                    (PaperworkResult.COMPLETED, 60),
                    (PaperworkResult.TO_CONTINUE, 25),
                    (PaperworkResult.BLOCKED, 15),
                ],
            )
            if outcome.paperwork_result == PaperworkResult.BLOCKED:
                outcome.blocked_reason = weighted(rng, BLOCKED_REASONS)
        participants.append(outcome)
    return SessionInput(
        **{name: getattr(session, name) for name in SESSION_FIELDS if name not in RELATED},
        actor=session.actor,
        place=session.place,
        # By id: the resolver's own list, with the module's competences read once.
        module=session.module_id,
        topics=[session.topic_id_hint] if session.topic_id_hint else [],
        participants=participants,
    )


RELATED = {"actor", "place", "module"}


# Column types whose Python values the database drivers take as they are.
PLAIN_FIELDS = {
    "AutoField",
    "BigAutoField",
    "BooleanField",
    "CharField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "BigIntegerField",
}


def reserve_ids(model, objects):
    """Give unsaved objects their primary keys up front, so that rows referring to them can be
    written without reading anything back."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(objects)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        else:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            first = cursor.fetchone()[0] + 1
            ids = range(first, first + len(objects))
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk


def fast_insert(model, objects):
    """Write model instances in bulk without the ORM's per-row SQL compilation: COPY on
    PostgreSQL, executemany on SQLite. Every concrete field is written, so fields added to
    the models later are seeded with their defaults; the primary key only if reserved."""
    if not objects:
        return
    with_pk = objects[0].pk is not None
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    convert = [None if f.get_internal_type() in PLAIN_FIELDS else f for f in fields]
    rows = (
        tuple(
            getattr(obj, f.attname)
            if c is None
            else c.get_db_prep_save(c.pre_save(obj, add=True), connection)
            for f, c in zip(fields, convert, strict=True)
        )
        for obj in objects
    )
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", list(rows)
            )


def new_resident(town, rng, fake):
    profile = weighted(rng, [(p, w) for w, p in PROFILES])
    first_pole = profile[0]
    actor = rng.choice(town.actors_by_pole[first_pole])
    crosses = any(pole not in town.poles_of[actor.id] for pole in profile)
    consent = crosses or rng.random() < 0.4
    person = Resident(
        reference=Resident.new_reference(),
        first_name=fake.first_name(),
        last_name=fake.last_name(),
        birth_year=rng.choice(
            [rng.randint(1940, 1960), rng.randint(1961, 1985), rng.randint(1986, 2008)]
        ),
        neighbourhood=rng.choice(town.neighbourhoods) if rng.random() < 0.95 else None,
        social_status=weighted(rng, SOCIAL_STATUSES),
        created_by_actor=actor,
        sharing_consent=consent,
        consent_at=timezone.now() if consent else None,
        consent_version="2026-01" if consent else "",
        phone=mobile_number(rng) if rng.random() < 0.6 else "",
    )
    person.profile = profile
    return person


def mobile_number(rng):
    return "06 " + " ".join(f"{rng.randint(10, 99)}" for _ in range(4))


def plan_journey(town, rng, person, index, *, start, today, scale, early=False):
    """The dated events of one resident's journey, stage by stage; `early`: it starts in
    the first weeks of the year, so that every stage happened (the demo resident)."""
    span = (today - start).days
    offset = rng.randint(0, span - 7)
    day = start + datetime.timedelta(days=14 if early else offset)
    person.created_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    events = []
    home = person.created_by_actor
    autonomy = 1
    for pole in person.profile:
        actor = home if pole in town.poles_of[home.id] else rng.choice(town.actors_by_pole[pole])
        if pole == Pole.NECESSITY:
            count = max(1, round(rng.randint(1, 5) * scale))
            for _ in range(count):
                topic = weighted(rng, town.necessity_topics)
                collective = rng.random() < 0.1
                if collective:
                    topic = town.necessity_topics[0][0]
                    day = on_schedule(day, key=(actor.slug, topic.slug), period=28, origin=start)
                events.append(
                    Event(index, day, pole, actor, collective, topic=topic, autonomy=autonomy)
                )
                # Those who go on become more autonomous; those who stall, less often.
                if rng.random() < (0.45 if len(person.profile) > 1 else 0.2):
                    autonomy = min(3, autonomy + 1)
                day += datetime.timedelta(days=rng.randint(5, 35))
        elif pole == Pole.ACHIEVEMENT:
            module, targets = rng.choice(town.modules_of[actor.id])
            # Modules run in cohorts: join the next group that starts at this actor.
            day = on_schedule(day, key=(actor.slug, module.slug), period=56, origin=start)
            count = max(2, round(rng.randint(3, 8) * scale))
            completes = rng.random() < 0.7
            for n in range(count):
                last = n == count - 1
                assess = None
                if last:
                    assess = [
                        (
                            cid,
                            min(8, target + rng.choice([0, 0, 1]))
                            if completes
                            else max(1, target - 1),
                        )
                        for cid, target in targets
                    ]
                events.append(
                    Event(
                        index, day, pole, actor, True, module=module, autonomy=None, assess=assess
                    )
                )
                day += datetime.timedelta(days=7)
        else:
            count = max(1, round(rng.randint(1, 6) * scale))
            for _ in range(count):
                topic = rng.choice(town.leisure_topics_of[actor.id])
                collective = rng.random() < 0.85
                if collective:
                    day = on_schedule(day, key=(actor.slug, topic.slug), period=14, origin=start)
                events.append(Event(index, day, pole, actor, collective, topic=topic))
                day += datetime.timedelta(days=rng.randint(7, 28))
        day += datetime.timedelta(days=rng.randint(3, 40))
    return [e for e in events if e.date <= today]


def on_schedule(day, *, key, period, origin):
    """The first date on or after `day` of a workshop that runs every `period` days."""
    anchor = origin + datetime.timedelta(days=zlib.crc32("/".join(key).encode()) % period)
    waited = (day - anchor).days
    return anchor + datetime.timedelta(days=-(-waited // period) * period) if waited > 0 else anchor


def group_sessions(town, rng, events, target, today):
    """Turn events into sessions: one per individual event; collective events of the same
    actor, pole and module or topic on the same day share workshops of up to ten people.
    Then add or drop individual sessions so that the chunk has exactly `target` sessions."""
    individual = [e for e in events if not e.collective]
    buckets = defaultdict(list)
    for e in events:
        if e.collective:
            buckets[
                (
                    e.actor.id,
                    e.pole,
                    e.module.id if e.module else None,
                    e.topic.id if e.topic else None,
                    e.date,
                )
            ].append(e)
    groups = []
    for bucket in buckets.values():
        seen = set()
        group = []
        for e in bucket:
            if e.resident in seen or len(group) == MAX_GROUP:
                groups.append(group)
                group, seen = [], set()
            group.append(e)
            seen.add(e.resident)
        groups.append(group)
    groups += [[e] for e in individual]
    rng.shuffle(groups)
    if len(groups) > target:
        # Drop individual sessions first: collective groups carry the training journeys.
        singles = [i for i, g in enumerate(groups) if not g[0].collective]
        drop = set(singles[: len(groups) - target])
        groups = [g for i, g in enumerate(groups) if i not in drop][:target]
    paperwork = [e for e in events if e.pole == Pole.NECESSITY] or events
    while len(groups) < target and paperwork:
        e = rng.choice(paperwork)
        topic = weighted(rng, town.necessity_topics)
        actor = (
            e.actor
            if Pole.NECESSITY in town.poles_of[e.actor.id]
            else rng.choice(town.actors_by_pole[Pole.NECESSITY])
        )
        date = min(today, e.date + datetime.timedelta(days=rng.randint(1, 60)))
        groups.append(
            [
                Event(
                    e.resident,
                    date,
                    Pole.NECESSITY,
                    actor,
                    False,
                    topic=topic,
                    autonomy=rng.randint(1, 3),
                )
            ]
        )
    return [(make_session(town, rng, group), group) for group in groups]


def make_session(town, rng, group):
    first = group[0]
    collective = first.collective
    actor = first.actor
    location = Location.ON_SITE
    if not collective and rng.random() < 0.06:
        location = rng.choice([Location.HOME, Location.REMOTE])
    title = ""
    if collective:
        title = (
            first.module.name if first.module else (first.topic.name if first.topic else "Atelier")
        )
    session = Session(
        date=min(e.date for e in group),
        start_time=datetime.time(*rng.choice([(9, 0), (10, 0), (14, 0), (15, 30)])),
        duration_minutes=rng.choice([90, 120])
        if collective
        else weighted(rng, [(30, 35), (45, 25), (60, 30), (90, 10)]),
        format=SessionFormat.COLLECTIVE if collective else SessionFormat.INDIVIDUAL,
        actor=actor,
        location=location,
        place=town.places[actor.id] if location == Location.ON_SITE else None,
        created_by=rng.choice(town.mediators[actor.id]),
        pole=first.pole,
        module=first.module,
        equipment=[
            weighted(
                rng, [(Equipment.COMPUTER, 55), (Equipment.SMARTPHONE, 30), (Equipment.TABLET, 15)]
            )
        ],
        workshop_title=title,
        workshop_level=rng.choice(WorkshopLevel.values) if collective else "",
        unregistered_count=rng.choice([0, 0, 0, 1, 2]) if collective else 0,
        participant_count=len(group),
    )
    session.topic_id_hint = first.topic.id if first.topic else None
    return session


def build_referrals(town, rng, people, participations_of):
    """When a journey moves to another actor, often a referral was sent first."""
    referrals = []
    for index, visits in participations_of.items():
        person = people[index]
        visits.sort()
        for (d1, _p1, a1), (d2, p2, a2) in zip(visits, visits[1:], strict=False):
            if a1 != a2 and rng.random() < 0.5:
                sent = timezone.make_aware(datetime.datetime.combine(d1, datetime.time(16)))
                status = weighted(
                    rng,
                    [
                        (ReferralStatus.CLOSED, 50),
                        (ReferralStatus.SEEN, 30),
                        (ReferralStatus.RECEIVED, 20),
                    ],
                )
                seen = timezone.make_aware(datetime.datetime.combine(d2, datetime.time(11)))
                referrals.append(
                    Referral(
                        resident_id=person.id,
                        from_actor_id=a1,
                        to_actor_id=a2,
                        to_pole=p2,
                        reason=rng.choice(
                            [
                                "Souhaite apprendre à se servir d'un ordinateur.",
                                "Démarche terminée ; intéressée par un atelier.",
                                "Cherche un emploi : module CV conseillé.",
                                "Aimerait découvrir les ateliers loisirs.",
                            ]
                        ),
                        status=status,
                        created_by_id=rng.choice(town.mediators[a1]).id,
                        sent_at=sent,
                        received_at=sent + datetime.timedelta(days=1),
                        seen_at=seen
                        if status in (ReferralStatus.SEEN, ReferralStatus.CLOSED)
                        else None,
                        closed_at=seen if status == ReferralStatus.CLOSED else None,
                    )
                )
                break
        else:
            if person.profile == [Pole.NECESSITY] and visits and rng.random() < 0.08:
                d, _p, a = visits[-1]
                sent = timezone.make_aware(datetime.datetime.combine(d, datetime.time(16)))
                referrals.append(
                    Referral(
                        resident_id=person.id,
                        from_actor_id=a,
                        to_actor_id=rng.choice(town.actors_by_pole[Pole.ACHIEVEMENT]).id,
                        to_pole=Pole.ACHIEVEMENT,
                        reason="Orientée vers un atelier, pas encore venue.",
                        status=ReferralStatus.SENT,
                        created_by_id=rng.choice(town.mediators[a]).id,
                        sent_at=sent,
                    )
                )
    return referrals


def demo_endorsements_and_pix(*, progress):
    """Partners' endorsements of the most certified module, Pix Orga results of the first
    residents with a certificate (the demo resident among them), and the media libraries
    as places running the Pix certification: written by the product's own services (the
    endorsement service, the Pix import of a file as Pix Orga exports it)."""
    from django.db.models import Count

    from certificates.models import Certificate, Endorser, EndorserKind
    from certificates.pix import pix_import
    from certificates.services import endorsement_issue
    from pathway.models import NationalProgramme, Place
    from stats.bench.certificates import pix_file

    admin = User.objects.filter(username="coordination").first()
    certified = (
        Certificate.objects.values("module").annotate(n=Count("id")).order_by("-n", "module")
    )
    if admin is None or not certified:
        return 0
    module = Module.objects.get(pk=certified[0]["module"])
    partners = [
        Endorser.objects.create(
            name="Mission locale Ouest Provence",
            kind=EndorserKind.MISSION_LOCALE,
            slug="mission-locale-ouest-provence",
        ),
        Endorser.objects.create(
            name="France Travail Miramas", kind=EndorserKind.FRANCE_TRAVAIL, slug="france-travail"
        ),
    ]
    words = [
        "Ce module donne les bases que nous demandons avant un atelier de recherche d'emploi.",
        "Nous recommandons ce module aux demandeurs d'emploi qui débutent sur ordinateur.",
    ]
    for partner, comment in zip(partners, words, strict=True):
        endorsement_issue(endorser=partner, module=module, comment=comment, issued_by=admin)
    for place in Place.objects.filter(actor__kind=ActorKind.MEDIA_LIBRARY):
        place.national_programmes = [*place.national_programmes, NationalProgramme.PIX]
        place.save(update_fields=["national_programmes"])
    holders = Resident.objects.filter(pk__in=Certificate.objects.values("resident")).order_by("pk")[
        :20
    ]
    report = pix_import(source=pix_file(holders), file_name="pix.csv", user=admin, dry_run=False)
    if progress:
        progress(f"  2 recommandations de partenaires, {report.count('new')} résultats Pix")
    return len(partners) * 2 + report.count("new") * 17


def wipe_endorsements_pix_and_records():
    """What demo_endorsements_and_pix() and the residents' learner records add, deleted
    before the certificates and residents they point to (the records' PDFs with them)."""
    from certificates.models import (
        Endorsement,
        Endorser,
        LearnerRecord,
        PixImport,
        PixLevel,
        PixResult,
    )

    for model in (LearnerRecord, PixImport):
        field = model._meta.get_field("pdf" if model is LearnerRecord else "file")
        for name in model.objects.exclude(**{field.name: ""}).values_list(field.name, flat=True):
            field.storage.delete(name)
    LearnerRecord.certificates.through.objects.all().delete()
    for model in (LearnerRecord, PixImport, PixLevel, PixResult, Endorsement, Endorser):
        model.objects.all()._raw_delete(model.objects.db)
