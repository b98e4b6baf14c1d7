"""The neighbouring towns of `seed_demo --towns N`: Miramas first, then its neighbours in
the Métropole d'Aix-Marseille-Provence. Each has its Town row, its own network (actors,
places, neighbourhoods), its staff (a network admin, an official, a coordinator,
mediators), residents and a year of sessions; the Métropole's territory, made from the
official data (pathway.services.territory_set_up), groups them, with a territory
coordinator; and a few residents who agreed to be followed across towns are helped in
the next town, logged through the same write path as every session of the demo."""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import slugify
from django_otp.plugins.otp_totp.models import TOTPDevice

from learners.models import Resident
from learners.models.residents import CONSENT_FIELDS
from learners.writing import SessionErrors, SessionResolver, sessions_write
from pathway import communes
from pathway.models import ActorKind, Pole, TerritoryKind
from pathway.models import Town as TownRecord
from pathway.services import territory_set_up
from stats.demo import town as demo
from stats.demo.factories import (
    ActorFactory,
    NeighbourhoodFactory,
    PlaceFactory,
    TownFactory,
    UserFactory,
)

METROPOLE = "200054807"  # SIREN of the Métropole d'Aix-Marseille-Provence


@dataclass(frozen=True)
class TownSpec:
    insee: str
    login: str  # in the demo usernames: coordination.istres, elu.istres…
    prefix: str  # of its certificate codes
    postcode: str  # the main one, where a commune has several
    latitude: str  # the centre of its map
    longitude: str
    population: int  # municipal population (INSEE, in Etalab's package): its network's size
    neighbourhoods: tuple = (
        ("Centre-ville", False),
        ("Quartiers nord", False),
        ("Quartiers sud", False),
    )


# Miramas, then its neighbours, nearest first (INSEE codes checked against pathway.communes
# by tests/stats/test_seed_towns.py; all ten are in the Métropole).
TOWNS = [
    TownSpec("13063", "miramas", "MRM", "13140", "43.58330", "5.00190", 26203),
    TownSpec(
        "13047",
        "istres",
        "IST",
        "13800",
        "43.51300",
        "4.98700",
        44292,
        (
            ("Centre-ville", False),
            ("Le Prépaou", True),
            ("Les Quatre Vents", True),
            ("Rassuen", False),
            ("Entressen", False),
            ("Trigance", False),
        ),
    ),
    TownSpec("13092", "saint-chamas", "SCH", "13250", "43.55050", "5.03470", 8676),
    TownSpec("13044", "grans", "GRS", "13450", "43.60830", "5.06220", 5489),
    TownSpec("13029", "cornillon", "CCX", "13250", "43.56360", "5.07170", 1667),
    TownSpec("13039", "fos", "FOS", "13270", "43.43750", "4.94470", 15862),
    TownSpec(
        "13103",
        "salon",
        "SDP",
        "13300",
        "43.64000",
        "5.09720",
        44194,
        (
            ("Centre ancien", False),
            ("Les Canourgues", True),
            ("La Monaque", True),
            ("Bel Air", False),
            ("Les Bressons", False),
        ),
    ),
    TownSpec("13078", "port-saint-louis", "PSL", "13230", "43.38690", "4.80220", 8573),
    TownSpec("13051", "lancon", "LCP", "13680", "43.59170", "5.12750", 9915),
    TownSpec(
        "13056",
        "martigues",
        "MTG",
        "13500",
        "43.40500",
        "5.04750",
        48298,
        (
            ("Jonquières", False),
            ("L'Île", False),
            ("Ferrières", False),
            ("Canto-Perdrix", True),
            ("Notre-Dame-des-Marins", True),
            ("Carro", False),
        ),
    ),
]

# A neighbour's network: name ({de}: "de Grans", "d'Istres"), kind, poles served. A town
# of fewer than 10,000 people has the first five, fewer than 30,000 the first eight.
TOWN_ACTORS = [
    ("France services {de}", ActorKind.FRANCE_SERVICES, "N"),
    ("Médiathèque {de}", ActorKind.MEDIA_LIBRARY, "AL"),
    ("CCAS {de}", ActorKind.CCAS, "N"),
    ("Centre social {de}", ActorKind.SOCIAL_CENTRE, "NAL"),
    ("Club informatique {de}", ActorKind.ASSOCIATION, "AL"),
    ("Mission locale — antenne {de}", ActorKind.MISSION_LOCALE, "NA"),
    ("Espace emploi {de}", ActorKind.TOWN_SERVICE, "NA"),
    ("Repair café {de}", ActorKind.ASSOCIATION, "L"),
    ("Maison de la jeunesse {de}", ActorKind.TOWN_SERVICE, "AL"),
    ("Secours populaire — comité {de}", ActorKind.ASSOCIATION, "N"),
    ("Micro-Folie {de}", ActorKind.MICRO_FOLIE, "L"),
]
FOLLOWED_PER_TOWN = 3  # residents of each town helped once in the next one


def network_size(spec):
    """How many actors the town's network has: Miramas' 32, a neighbour's by population."""
    if spec.insee == TOWNS[0].insee:
        return len(demo.ACTORS)
    return 5 if spec.population < 10_000 else 8 if spec.population < 30_000 else len(TOWN_ACTORS)


def of_town(name):
    """ "de Grans", "d'Istres": the French elision before a vowel."""
    return f"d'{name}" if name[0] in "AEIOUYÉÈÊÎÏÔ" else f"de {name}"


def shares(total, weights, *, floor=10):
    """`total` shared in proportion to `weights`, each share at least `floor` (the caller
    checks that total >= floor × len(weights)), the rounding remainders to the largest
    fractions: the shares add up to `total` exactly. One weight: [total]."""
    if len(weights) == 1:
        return [total]
    rest = total - floor * len(weights)
    exact = [rest * w / sum(weights) for w in weights]
    found = [int(x) for x in exact]
    by_fraction = sorted(range(len(weights)), key=lambda i: exact[i] - found[i], reverse=True)
    for i in by_fraction[: rest - sum(found)]:
        found[i] += 1
    return [floor + n for n in found]


def build_neighbours(miramas, specs, *, residents, sessions, seed, today, progress):
    """The towns after Miramas (`specs[1:]`; `residents` and `sessions`: every town's
    share, in the same order), the Métropole's territory, its coordinator and the residents
    followed across towns. Returns the rows written."""
    first = miramas.record = TownRecord.objects.default()
    if first.insee_code == specs[0].insee:
        first.map_latitude = Decimal(specs[0].latitude)
        first.map_longitude = Decimal(specs[0].longitude)
        first.save(update_fields=["map_latitude", "map_longitude"])
    key = TOTPDevice.objects.get(user__username="coordination").key
    towns, rows = [miramas], 0
    for n, spec in enumerate(specs[1:], start=1):
        rng = random.Random(seed + 100 + n)
        town = build_town(spec, miramas, rng, totp_key=key)
        guide_rng = random.Random(seed + 200 + n)
        demo.describe_places(town, guide_rng, today=today)
        demo.plan_workshops(town, guide_rng, today=today, count=4)
        rows += demo.build_people(
            town,
            rng,
            residents=residents[n],
            sessions=sessions[n],
            today=today,
            progress=progress,
            demo_resident=False,
        )
        demo.appoint_signatories(town, random.Random(seed + 300 + n))
        towns.append(town)
        if progress:
            progress(
                f"  {town.record.name} : {residents[n]} habitants, {sessions[n]} accompagnements"
            )
    metropole = territory_set_up(kind=TerritoryKind.EPCI, code=METROPOLE).territory
    UserFactory(
        username="coordination.metropole",
        first_name="Agnès",
        last_name="Castellan",
        territory_coordinator=True,
        territory=metropole,
    )
    rows += follow_across_towns(towns, random.Random(seed + 400), today=today)
    return rows


def build_town(spec, miramas, rng, *, totp_key):
    """A neighbour's Town row, network and staff; the topics and modules are Miramas' (they
    are the installation's). Returns its stats.demo.town.Town."""
    commune = communes.get(spec.insee)
    de = of_town(commune.name)
    record = TownFactory(
        insee_code=spec.insee,
        name=commune.name,
        postcode=spec.postcode,
        network_name=f"Réseau Parcours numérique {de}",
        certificate_prefix=spec.prefix,
        map_latitude=Decimal(spec.latitude),
        map_longitude=Decimal(spec.longitude),
    )
    neighbourhoods = [
        NeighbourhoodFactory(
            name=name,
            slug=f"{record.slug}-{slugify(name)}",
            town=record,
            is_priority=qpv,
            qpv_code=f"QN0{spec.insee}{i}" if qpv else "",
        )
        for i, (name, qpv) in enumerate(spec.neighbourhoods)
    ]
    located = {"postcode": spec.postcode, "city": commune.name}
    actors, poles_of, places = [], {}, {}
    for name, kind, letters in TOWN_ACTORS[: network_size(spec)]:
        name = name.format(de=de)
        actor = ActorFactory(name=name, slug=slugify(name)[:160], kind=kind, town=record, **located)
        actors.append(actor)
        poles_of[actor.id] = {demo.POLE_LETTER[letter] for letter in letters}
        places[actor.id] = PlaceFactory(
            actor=actor,
            neighbourhood=rng.choice(neighbourhoods),
            latitude=round(float(spec.latitude) + rng.uniform(-0.01, 0.01), 6),
            longitude=round(float(spec.longitude) + rng.uniform(-0.012, 0.012), 6),
            insee_code=spec.insee,
            **located,
        )
    town = demo.Town(
        actors=actors,
        poles_of=poles_of,
        places=places,
        mediators=build_town_staff(rng, spec, record, actors, totp_key=totp_key),
        neighbourhoods=neighbourhoods,
        necessity_topics=miramas.necessity_topics,
        leisure_topics=miramas.leisure_topics,
        modules=miramas.modules,
        references=miramas.references,
        record=record,
        insee_code=spec.insee,
    )
    demo.plan_teaching(town, rng)
    return town


def build_town_staff(rng, spec, record, actors, *, totp_key):
    """The town's network admin (second factor with the same demo key as Miramas'), its
    official, the France services' coordinator and mediators; {actor id: [mediators]}."""
    admin = UserFactory(username=f"coordination.{spec.login}", network_admin=True, town=record)
    TOTPDevice.objects.create(user=admin, name="Démo", confirmed=True, key=totp_key)
    UserFactory(username=f"elu.{spec.login}", official=True, town=record)
    france_services = actors[0]
    UserFactory(username=f"responsable.{spec.login}", coordinator=True, actors=[france_services])
    mediators = defaultdict(list)
    mediators[france_services.id].append(
        UserFactory(username=f"mediatrice.{spec.login}", mediator=True, actors=[france_services])
    )
    n = 0
    for actor in actors:
        wanted = rng.choice([1, 2, 2]) + len(mediators[actor.id])
        while len(mediators[actor.id]) < wanted:
            n += 1
            user = UserFactory(
                username=f"mediateur.{spec.login}{n:02d}", mediator=True, actors=[actor]
            )
            mediators[actor.id].append(user)
    return mediators


def follow_across_towns(towns, rng, *, today):
    """A few residents of each town who consented to sharing agree to be followed across
    towns, and are helped once at the France services of the next town: its mediator finds
    them by their reference, through the one resolver, which lets them be seen only for
    that agreement. Returns the rows written."""
    rows = 0
    for here, there in zip(towns, towns[1:], strict=False):
        candidates = list(
            Resident.objects.filter(
                created_by_actor__town=here.record, sharing_consent=True, merged_into=None
            )
            .exclude(first_name="Nadia", last_name="Benhamou")  # the demo resident's own story
            .order_by("pk")[:100]
        )
        followed = rng.sample(candidates, min(FOLLOWED_PER_TOWN, len(candidates)))
        for person in followed:
            # Through the one rule: dated, with the version of the text they agreed to.
            person.record_consent(sharing=True, across_towns=True)
            person.save(update_fields=CONSENT_FIELDS)
        actor = there.actors[0]
        by_author = defaultdict(list)
        for person in followed:
            day = today - datetime.timedelta(days=rng.randint(2, 45))
            event = demo.Event(
                0,
                max(day, person.created_at.date()),
                Pole.NECESSITY,
                actor,
                False,
                topic=demo.weighted(rng, there.necessity_topics),
                autonomy=rng.randint(1, 3),
            )
            session = demo.make_session(there, rng, [event])
            data = demo.session_input(session, [event], [person.reference], rng)
            by_author[session.created_by].append(data)
        for author, inputs in by_author.items():
            drafts = SessionResolver(author, today=today).resolve_many([(d, None) for d in inputs])
            for draft in drafts:
                if isinstance(draft, SessionErrors):
                    raise draft  # the demo breaks a rule: a bug of the demo
            rows += 3 * len(sessions_write(drafts, by=author))
    return rows
