"""Test data, shared by the tests and the demo town (seed_demo). Traits rather than
subclasses: UserFactory(mediator=True), ResidentFactory(consented=True)…"""

import datetime
import functools
import random
import uuid

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory

from certificates.models import Certificate, CertificateCompetence, Signatory
from learners.models import (
    CompetenceAssessment,
    Location,
    Participation,
    Referral,
    Resident,
    Role,
    Session,
    SessionFormat,
    SocialStatus,
    User,
)
from pathway.models import (
    AccessMode,
    Actor,
    ActorKind,
    Competence,
    Fee,
    Module,
    ModuleCompetence,
    Neighbourhood,
    Operator,
    Place,
    PlannedWorkshop,
    Pole,
    Service,
    SupportMode,
    Territory,
    TerritoryKind,
    Topic,
    Town,
    Typology,
)

DEMO_PASSWORD = "parcours-demo-2026"

STREETS = [
    "avenue de Verdun",
    "boulevard de la République",
    "rue Jean Jaurès",
    "avenue Charles de Gaulle",
    "allée des Oliviers",
    "rue de la Paix",
    "avenue Marcel Pagnol",
    "rue Frédéric Mistral",
    "chemin de la Rousière",
    "place Jean Moulin",
    "rue des Écoles",
    "avenue Falabrègues",
    "boulevard Alphonse Daudet",
    "rue Victor Hugo",
    "avenue du Stade",
    "impasse des Cigales",
]


@functools.cache
def demo_password_hash():
    # Hashing is deliberately slow; every demo and test user shares one hash.
    return make_password(DEMO_PASSWORD)


def french_address():
    return f"{random.randint(1, 120)} {random.choice(STREETS)}"


class TerritoryFactory(DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Territoire {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = TerritoryKind.EPCI


class TownFactory(DjangoModelFactory):
    """A town by its INSEE code (Istres by default, Miramas' neighbour)."""

    class Meta:
        model = Town
        django_get_or_create = ["insee_code"]
        skip_postgeneration_save = True

    insee_code = "13047"
    name = "Istres"
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    postcode = "13800"
    network_name = factory.LazyAttribute(lambda o: f"Réseau Parcours numérique de {o.name}")
    certificate_prefix = factory.LazyAttribute(lambda o: slugify(o.name)[:3].upper())

    @factory.post_generation
    def territories(self, create, extracted, **kwargs):
        if create and extracted:
            self.territories.set(extracted)


class NeighbourhoodFactory(DjangoModelFactory):
    class Meta:
        model = Neighbourhood
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Quartier {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    is_priority = False

    class Params:
        priority = factory.Trait(
            is_priority=True, qpv_code=factory.Sequence(lambda n: f"QN013{n:03d}")
        )


class ActorFactory(DjangoModelFactory):
    class Meta:
        model = Actor
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Structure {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name)[:160])
    kind = ActorKind.ASSOCIATION
    siret = factory.Sequence(lambda n: f"{21130063000000 + n:014d}")
    address = factory.LazyFunction(french_address)
    postcode = "13140"
    city = "Miramas"
    phone = factory.Sequence(lambda n: f"04 90 58 {n // 100 % 100:02d} {n % 100:02d}")
    email = factory.LazyAttribute(lambda o: f"contact@{o.slug[:40]}.example.fr")


class PlaceFactory(DjangoModelFactory):
    class Meta:
        model = Place

    actor = factory.SubFactory(ActorFactory)
    name = factory.LazyAttribute(lambda o: o.actor.name)
    address = factory.LazyAttribute(lambda o: o.actor.address or french_address())
    postcode = "13140"
    city = "Miramas"
    latitude = factory.LazyFunction(lambda: round(43.5833 + random.uniform(-0.015, 0.015), 6))
    longitude = factory.LazyFunction(lambda: round(5.0019 + random.uniform(-0.02, 0.02), 6))
    opening_hours = "Mo-Fr 09:00-12:00,14:00-17:00; PH off"
    insee_code = "13063"
    poles = factory.LazyFunction(lambda: [Pole.NECESSITY])
    services = factory.LazyFunction(lambda: [Service.PAPERWORK])
    fees = factory.LazyFunction(lambda: [Fee.FREE])
    access_modes = factory.LazyFunction(lambda: [AccessMode.WALK_IN, AccessMode.PHONE])
    support_modes = factory.LazyFunction(lambda: [SupportMode.INDIVIDUAL])
    typology = factory.LazyFunction(lambda: [Typology.ASSO])
    phone = factory.Sequence(lambda n: f"+33490{n % 1000000:06d}")


class PlannedWorkshopFactory(DjangoModelFactory):
    class Meta:
        model = PlannedWorkshop

    place = factory.SubFactory(PlaceFactory)
    actor = factory.SelfAttribute("place.actor")
    pole = Pole.ACHIEVEMENT
    title = "Premiers pas sur ordinateur"
    starts_at = factory.LazyFunction(
        lambda: (
            timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=7)
        )
    )
    duration_minutes = 90
    seats = 8


class OperatorFactory(DjangoModelFactory):
    class Meta:
        model = Operator
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Organisme {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["pole", "slug"]

    pole = Pole.NECESSITY
    name = factory.Sequence(lambda n: f"Thématique {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.fr")
    role = Role.MEDIATOR
    password = factory.LazyFunction(demo_password_hash)

    class Params:
        mediator = factory.Trait(role=Role.MEDIATOR)
        coordinator = factory.Trait(role=Role.COORDINATOR)
        official = factory.Trait(role=Role.OFFICIAL)
        network_admin = factory.Trait(role=Role.NETWORK_ADMIN)
        ambassador = factory.Trait(role=Role.AMBASSADOR)
        territory_coordinator = factory.Trait(role=Role.TERRITORY_COORDINATOR)

    @factory.post_generation
    def actors(self, create, extracted, **kwargs):
        if create and extracted:
            self.actors.set(extracted)


class ResidentFactory(DjangoModelFactory):
    class Meta:
        model = Resident

    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    birth_year = factory.LazyFunction(lambda: random.randint(1940, 2007))
    social_status = SocialStatus.NOT_STATED
    created_by_actor = factory.SubFactory(ActorFactory)

    class Params:
        consented = factory.Trait(
            sharing_consent=True,
            consent_at=factory.LazyFunction(timezone.now),
            consent_version="2026-01",
        )


class ModuleFactory(DjangoModelFactory):
    class Meta:
        model = Module
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Module {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    hours = 10

    @factory.post_generation
    def targets(self, create, extracted, **kwargs):
        """ModuleFactory(targets={"1.1": 2, "4.2": 3}): competence code → target level."""
        if create and extracted:
            for code, level in extracted.items():
                ModuleCompetence.objects.create(
                    module=self, competence=Competence.objects.get(code=code), target_level=level
                )


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session
        skip_postgeneration_save = True

    date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    duration_minutes = 60
    format = SessionFormat.INDIVIDUAL
    actor = factory.SubFactory(ActorFactory)
    created_by = factory.SubFactory(UserFactory)
    pole = Pole.NECESSITY

    class Params:
        collective = factory.Trait(format=SessionFormat.COLLECTIVE, workshop_title="Atelier")

    @factory.post_generation
    def mediators(self, create, extracted, **kwargs):
        if create:
            self.created_by.actors.add(self.actor)
            self.mediators.set(extracted or [self.created_by])


class ParticipationFactory(DjangoModelFactory):
    class Meta:
        model = Participation

    session = factory.SubFactory(SessionFactory)
    resident = factory.SubFactory(
        ResidentFactory, created_by_actor=factory.SelfAttribute("..session.actor")
    )
    date = factory.SelfAttribute("session.date")
    pole = factory.SelfAttribute("session.pole")
    actor = factory.SelfAttribute("session.actor")
    created_by = factory.SelfAttribute("session.created_by")
    autonomy = 2


class CompetenceAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = CompetenceAssessment

    resident = factory.SubFactory(ResidentFactory)
    competence = factory.LazyFunction(lambda: Competence.objects.get(code="1.1"))
    level = 2
    assessed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    assessed_by = factory.SubFactory(UserFactory)


class ReferralFactory(DjangoModelFactory):
    class Meta:
        model = Referral

    resident = factory.SubFactory(ResidentFactory)
    from_actor = factory.SelfAttribute("resident.created_by_actor")
    to_actor = factory.SubFactory(ActorFactory)
    reason = "Besoin d'un accompagnement pour une démarche en ligne."
    created_by = factory.SubFactory(UserFactory)


class SignatoryFactory(DjangoModelFactory):
    class Meta:
        model = Signatory

    actor = factory.SubFactory(ActorFactory)
    name = factory.Faker("name", locale="fr_FR")
    role = "Directrice"


class CertificateFactory(DjangoModelFactory):
    """A certificate record only (no PDF); certificates.services issues real ones."""

    class Meta:
        model = Certificate
        skip_postgeneration_save = True

    resident = factory.SubFactory(ResidentFactory)
    module = factory.SubFactory(ModuleFactory)
    actor = factory.SelfAttribute("resident.created_by_actor")
    signatory_name = "Claire Martin"
    signatory_role = "Directrice"
    hours = 10
    period_start = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    period_end = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))

    @factory.post_generation
    def levels(self, create, extracted, **kwargs):
        """CertificateFactory(levels={"1.1": 3})."""
        if create and extracted:
            for code, level in extracted.items():
                CertificateCompetence.objects.create(
                    certificate=self, competence=Competence.objects.get(code=code), level=level
                )


def session_form_data(
    *, actor, pole="necessity", participants=(), day=None, submission_key=None, **fields
):
    """What the session page posts: `participants` are dicts of a row's fields, where
    "resident" may be a Resident and "levels" a {competence code: level} dict."""
    from pathway.models import Competence

    data = {
        "date": (day or timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "duration": "60",
        "format": SessionFormat.INDIVIDUAL,
        "actor": actor.pk,
        "location": Location.ON_SITE,
        "place": "",
        "pole": pole,
        "module": "",
        "submission_key": str(submission_key or uuid.uuid4()),
        "p-TOTAL_FORMS": len(participants),
        "p-INITIAL_FORMS": 0,
        "p-MIN_NUM_FORMS": 0,
        "p-MAX_NUM_FORMS": 1000,
    }
    for name, value in fields.items():
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    codes = {code for participant in participants for code in participant.get("levels", {})}
    competence_ids = dict(Competence.objects.filter(code__in=codes).values_list("code", "id"))
    for index, participant in enumerate(participants):
        for name, value in participant.items():
            if name == "levels":
                for code, level in value.items():
                    data[f"p-{index}-level_{competence_ids[code]}"] = level
            else:
                data[f"p-{index}-{name}"] = getattr(value, "pk", value)
    return data


def completed_module(resident, *, targets=None, actor=None, mediator=None, levels=None, days=()):
    """A training module `resident` completed at `actor` (their own by default): collective
    sessions of the module attended on `days` (dates), and each competence assessed at its
    target level (or at `levels[code]`). Returns the module."""
    targets = targets or {"1.1": 2, "3.1": 1}
    actor = actor or resident.created_by_actor
    mediator = mediator or UserFactory(mediator=True, actors=[actor])
    module = ModuleFactory(targets=targets)
    days = days or [timezone.localdate() - datetime.timedelta(days=d) for d in (21, 14, 7)]
    session = None
    for day in days:
        session = SessionFactory(
            collective=True,
            date=day,
            actor=actor,
            created_by=mediator,
            pole=Pole.ACHIEVEMENT,
            module=module,
            duration_minutes=120,
        )
        ParticipationFactory(session=session, resident=resident)
    for code, target in targets.items():
        CompetenceAssessmentFactory(
            resident=resident,
            competence=Competence.objects.get(code=code),
            level=(levels or {}).get(code, target),
            assessed_on=days[-1],
            assessed_by=mediator,
            session=session,
        )
    if not Signatory.objects.filter(actor=actor, is_default=True).exists():
        SignatoryFactory(actor=actor, name="Claire Martin", role="Directrice")
    return module
