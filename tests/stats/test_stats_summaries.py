"""The statistics summaries stay exact whatever happens to sessions: compared, after each
kind of write, with a full rebuild and with the figures computed from the raw rows."""

import datetime
import random

import pytest
from django.db import connection

from learners.models import (
    BlockedReason,
    CompetenceAssessment,
    Participation,
    Referral,
    Resident,
    Session,
    SocialStatus,
)
from learners.services import participations_changed
from pathway.models import ActorKind, Competence, Pole
from stats import models as stats_models
from stats.demo.factories import (
    ActorFactory,
    CertificateFactory,
    ModuleFactory,
    NeighbourhoodFactory,
    OperatorFactory,
    ReferralFactory,
    ResidentFactory,
    UserFactory,
)
from stats.figures import Filters, Period, collect
from stats.services import stats_refresh
from tests.stats.raw_figures import raw_figures

pytestmark = pytest.mark.django_db

D = datetime.date
SUMMARIES = [
    "StatsResident",
    "StatsReach",
    "StatsPeriodReach",
    "StatsActivity",
    "StatsPaperwork",
    "StatsModuleCompletion",
    "StatsTally",
]


def snapshot():
    """Every summary row, without ids, in a comparable order."""
    tables = {}
    for name in SUMMARIES:
        model = getattr(stats_models, name)
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        tables[name] = sorted(
            (tuple(repr(v) for v in row) for row in model.objects.values_list(*fields)),
        )
    return tables


class Town:
    """A small network where sessions are logged, edited, deleted, merged and imported the
    way the product does it: write, then participations_changed()."""

    def __init__(self, seed=7):
        self.rng = random.Random(seed)
        rng = self.rng
        self.actors = [
            ActorFactory(name="France services", kind=ActorKind.FRANCE_SERVICES),
            ActorFactory(name="Médiathèque", kind=ActorKind.MEDIA_LIBRARY),
            ActorFactory(name="Clic et Lien", kind=ActorKind.ASSOCIATION),
            ActorFactory(name="Fab lab", kind=ActorKind.ASSOCIATION),
        ]
        self.neighbourhoods = [
            NeighbourhoodFactory(name="La Maille", priority=True),
            NeighbourhoodFactory(name="Le Mercure", priority=True),
            NeighbourhoodFactory(name="Centre-ville"),
        ]
        self.operators = [OperatorFactory(name="CAF"), OperatorFactory(name="ANTS")]
        self.module = ModuleFactory(name="Se protéger", targets={"1.1": 2, "4.2": 3})
        self.mediator = UserFactory(mediator=True, actors=self.actors)
        self.residents = [
            ResidentFactory(
                neighbourhood=rng.choice([*self.neighbourhoods, None]),
                birth_year=rng.choice([1950, 1962, 1985, 2001, 2009, None]),
                social_status=rng.choice(SocialStatus.values),
                created_by_actor=rng.choice(self.actors),
            )
            for _ in range(24)
        ]
        self.competences = list(Competence.objects.filter(code__in=["1.1", "4.2"]))

    def day(self):
        return D(2025, 11, 1) + datetime.timedelta(days=self.rng.randint(0, 150))

    def new_session(self, *, date=None, actor=None, pole=None, people=None):
        rng = self.rng
        pole = pole or rng.choice(list(Pole))
        people = people or rng.sample(self.residents, rng.choice([1, 1, 2, 4]))
        collective = len(people) > 1
        session = Session.objects.create(
            date=date or self.day(),
            duration_minutes=rng.choice([30, 45, 60, 90]),
            format="collective" if collective else "individual",
            workshop_title="Atelier" if collective else "",
            unregistered_count=rng.choice([0, 2]) if collective else 0,
            actor=actor or rng.choice(self.actors),
            created_by=self.mediator,
            pole=pole,
            module=self.module if pole == Pole.ACHIEVEMENT else None,
            participant_count=len(people),
        )
        for resident in people:
            self.take_part(session, resident)
        if pole == Pole.ACHIEVEMENT and rng.random() < 0.5:
            for competence in self.competences:
                CompetenceAssessment.objects.create(
                    resident=people[0],
                    competence=competence,
                    level=rng.choice([1, 2, 3, 4]),
                    assessed_on=session.date,
                    assessed_by=self.mediator,
                    session=session,
                )
        return session

    def take_part(self, session, resident):
        rng = self.rng
        paperwork = {}
        if session.pole == Pole.NECESSITY and rng.random() < 0.7:
            result = rng.choice(["completed", "to_continue", "blocked"])
            paperwork = {
                "operator": rng.choice([*self.operators, None]),
                "paperwork_result": result,
                "blocked_reason": rng.choice([*BlockedReason.values, ""])
                if result == "blocked"
                else "",
            }
        Participation.objects.create(
            session=session,
            resident=resident,
            date=session.date,
            pole=session.pole,
            actor=session.actor,
            created_by=session.created_by,
            autonomy=rng.choice([1, 2, 3]) if session.pole == Pole.NECESSITY else None,
            **paperwork,
        )

    def people_of(self, session):
        return list(session.participations.values_list("resident_id", flat=True))

    # The writes, each followed by the hook as the product does.
    def log(self, **kwargs):
        session = self.new_session(**kwargs)
        participations_changed(self.people_of(session))
        return session

    def edit(self, session, **changes):
        for name, value in changes.items():
            setattr(session, name, value)
        session.save()
        copied = {k: v for k, v in changes.items() if k in ("date", "actor")}
        if copied:
            session.participations.update(**copied)
        participations_changed(self.people_of(session))

    def delete(self, session):
        people = self.people_of(session)
        session.delete()
        participations_changed(people)

    def merge(self, survivor, duplicate):
        """The duplicate's history moves to the survivor."""
        for participation in Participation.objects.filter(resident=duplicate):
            if Participation.objects.filter(
                session=participation.session, resident=survivor
            ).exists():
                participation.delete()
            else:
                participation.resident = survivor
                participation.save()
        CompetenceAssessment.objects.filter(resident=duplicate).update(resident=survivor)
        Referral.objects.filter(resident=duplicate).update(resident=survivor)
        duplicate.merged_into = survivor
        duplicate.save()
        participations_changed([survivor.pk, duplicate.pk])

    def import_sessions(self, count):
        """A spreadsheet import: rows written in bulk, then one call for everybody."""
        sessions = Session.objects.bulk_create(
            [
                Session(
                    date=self.day(),
                    duration_minutes=60,
                    actor=self.rng.choice(self.actors),
                    created_by=self.mediator,
                    pole=Pole.NECESSITY,
                    participant_count=1,
                )
                for _ in range(count)
            ]
        )
        people = [self.rng.choice(self.residents) for _ in sessions]
        Participation.objects.bulk_create(
            Participation(
                session=s,
                resident=r,
                date=s.date,
                pole=s.pole,
                actor=s.actor,
                created_by=s.created_by,
                autonomy=self.rng.choice([1, 2, 3]),
            )
            for s, r in zip(sessions, people, strict=True)
        )
        participations_changed({r.pk for r in people})


def filter_sets(town):
    """Periods of every kind, scopes of every kind, and the public filters."""
    a, b, c, d = (actor.pk for actor in town.actors)
    year = Period(D(2026, 1, 1), D(2026, 12, 1), "2026")
    last_year = Period(D(2025, 1, 1), D(2025, 12, 1), "2025")
    quarter = Period(D(2026, 1, 1), D(2026, 3, 1), "T1")
    month = Period(D(2026, 2, 1), D(2026, 2, 1), "février")
    inside = Period(D(2026, 2, 1), D(2026, 3, 1), "février-mars")
    across = Period(D(2025, 12, 1), D(2026, 2, 1), "décembre-février")
    qpv = frozenset(n.pk for n in town.neighbourhoods if n.is_priority)
    return [
        Filters(period=year),
        Filters(period=last_year),
        Filters(period=quarter),
        Filters(period=month),
        Filters(period=inside),
        Filters(period=across),
        Filters(period=year, actor_ids=frozenset([a])),
        Filters(period=across, actor_ids=frozenset([b])),
        Filters(period=year, actor_ids=frozenset([c, d]), actor_kind=ActorKind.ASSOCIATION),
        Filters(period=quarter, actor_ids=frozenset([a, b])),  # a coordinator's two actors
        Filters(period=across, actor_ids=frozenset([a, c])),
        Filters(period=year, pole=Pole.NECESSITY),
        Filters(period=across, pole=Pole.LEISURE, actor_ids=frozenset([a])),
        Filters(period=year, neighbourhood_ids=qpv),
        Filters(period=across, age="60_74"),
        Filters(period=quarter, age="unknown", actor_ids=frozenset([a, b])),
        Filters(period=across, age="under_18", actor_ids=frozenset([c, d])),
        Filters(period=year, social_status=SocialStatus.RETIRED, pole=Pole.ACHIEVEMENT),
    ]


def assert_exact(town):
    for filters in filter_sets(town):
        assert collect(filters) == raw_figures(filters), filters
    kept = snapshot()
    stats_refresh()
    assert snapshot() == kept


def test_summaries_stay_exact_through_logging_editing_deleting_merging_and_importing():
    town = Town()
    sessions = [town.log() for _ in range(40)]
    # Something in every month, pole and scope the filters look at.
    for actor in town.actors:
        for pole in Pole:
            sessions.append(town.log(actor=actor, pole=pole, date=D(2026, 2, 10)))
    assert_exact(town)

    town.edit(sessions[0], duration_minutes=120)
    town.edit(sessions[1], date=D(2025, 12, 24))
    town.edit(sessions[2], actor=town.actors[3], date=D(2026, 3, 31))
    town.delete(sessions[3])
    town.delete(sessions[4])
    extra = sessions[5]
    newcomer = ResidentFactory(neighbourhood=town.neighbourhoods[0], birth_year=1958)
    town.take_part(extra, newcomer)
    participations_changed([newcomer.pk])
    assert_exact(town)

    town.merge(town.residents[0], town.residents[1])
    town.import_sessions(15)
    moved = town.residents[2]
    moved.neighbourhood = town.neighbourhoods[2]
    moved.birth_year = 1940
    moved.save()
    participations_changed([moved.pk])
    assert_exact(town)


def test_referrals_and_certificates_are_counted_from_their_own_records():
    town = Town(seed=11)
    for _ in range(20):
        town.log()
    a, b = town.actors[:2]
    sent = datetime.datetime(2026, 2, 3, 10, tzinfo=datetime.UTC)
    for i, status in enumerate(["sent", "received", "seen", "closed", "closed"]):
        ReferralFactory(
            resident=town.residents[i],
            from_actor=a,
            to_actor=b if i else None,
            to_pole=Pole.ACHIEVEMENT,
            status=status,
            sent_at=sent,
            seen_at=sent if status in ("seen", "closed") else None,
        )
    CertificateFactory(resident=town.residents[0], module=town.module, actor=a)
    revoked = CertificateFactory(resident=town.residents[1], module=town.module, actor=b)
    revoked.revoked_at = sent
    revoked.save()
    for filters in filter_sets(town):
        assert collect(filters) == raw_figures(filters), filters
    figures = collect(filter_sets(town)[0])
    assert figures.referrals == {
        (a.pk, None, Pole.ACHIEVEMENT): [1, 0, 0],
        (a.pk, b.pk, ""): [4, 3, 2],
    }
    assert figures.certificates == {town.module.pk: 1}


def test_seed_demo_fills_the_summaries_once_at_the_end(settings):
    from stats.demo.town import seed

    seed(residents=60, sessions=240, today=D(2026, 6, 30))
    assert Resident.objects.count() == 60
    counted = sum(
        n
        for n, _new in collect(
            Filters(period=Period(D(2026, 1, 1), D(2026, 12, 1), "2026"))
        ).reach.values()
    )
    assert counted > 0
    for period in (
        Period(D(2026, 1, 1), D(2026, 12, 1), "2026"),
        Period(D(2025, 7, 1), D(2026, 6, 1), "an"),
    ):
        filters = Filters(period=period)
        assert collect(filters) == raw_figures(filters)
    kept = snapshot()
    stats_refresh()
    assert snapshot() == kept


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's advisory lock")
def test_a_second_refresh_waits_for_the_first_on_postgresql():
    from django.db import connections

    from stats.services import ADVISORY_LOCK_KEY

    town = Town(seed=3)
    session = town.new_session()
    participations_changed(town.people_of(session))  # inside the test's open transaction
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            assert cursor.fetchone()[0] is False  # a second mediator's refresh would wait
    finally:
        other.close()


def test_editing_a_residents_details_moves_them_in_the_statistics(cast):
    """The resident form calls participations_changed() when a counted detail changes."""
    maille = NeighbourhoodFactory(name="La Maille", priority=True)
    resident = cast.resident
    session = Session.objects.create(
        date=D(2026, 3, 2),
        duration_minutes=60,
        actor=cast.actor_a,
        created_by=cast.mediator_a,
        pole=Pole.NECESSITY,
        participant_count=1,
    )
    Participation.objects.create(
        session=session,
        resident=resident,
        date=session.date,
        pole=session.pole,
        actor=cast.actor_a,
        created_by=cast.mediator_a,
    )
    participations_changed([resident.pk])
    year = Filters(period=Period(D(2026, 1, 1), D(2026, 12, 1), "2026"))
    assert [key[0] for key in collect(year).reach] == [None]  # no neighbourhood yet
    data = {
        "first_name": resident.first_name,
        "last_name": resident.last_name,
        "birth_year": "1958",
        "neighbourhood": str(maille.pk),
        "social_status": "retired",
    }
    response = cast.client("mediator_a").post(f"/residents/{resident.reference}/edit/", data)
    assert response.status_code == 302
    assert collect(year).reach == {(maille.pk, "60_74", "retired"): [1, 1]}
    assert collect(year) == raw_figures(year)
