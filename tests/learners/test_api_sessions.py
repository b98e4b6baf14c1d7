"""Sessions through the API: the same service as the session page, scoped to the user,
idempotent creation, French errors with a field map, constant query counts."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from learners.models import CompetenceAssessment, Participation, Resident, Session
from stats.demo.factories import (
    ModuleFactory,
    OperatorFactory,
    ParticipationFactory,
    ResidentFactory,
    SessionFactory,
    TopicFactory,
)
from tests.conftest import API_THROTTLE_QUERIES

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
URL = "/api/v1/sessions/"


@pytest.fixture
def module(db):
    return ModuleFactory(name="Se protéger en ligne", targets={"4.1": 2, "4.2": 2})


def body(cast, **fields):
    return {
        "date": YESTERDAY.isoformat(),
        "duration_minutes": 45,
        "actor": cast.actor_a.pk,
        "pole": "necessity",
        "participants": [{"resident": cast.resident.reference, "autonomy": 2}],
        **fields,
    }


def post(client, data, **headers):
    return client.post(URL, data, content_type="application/json", headers=headers)


def test_a_paperwork_session_is_logged_with_its_outcome(cast):
    caf = OperatorFactory(name="CAF")
    topic = TopicFactory(pole="necessity", name="Allocations CAF", operator=caf)
    data = body(
        cast,
        place=cast.place_a.pk,
        topics=[topic.pk],
        start_time="14:30",
        participants=[
            {
                "resident": cast.resident.reference.lower(),
                "autonomy": 1,
                "operator": caf.pk,
                "paperwork_result": "blocked",
                "blocked_reason": "franceconnect",
            }
        ],
    )
    response = post(cast.client("mediator_a"), data)

    assert response.status_code == 201, response.json()
    session = Session.objects.get(pk=response.json()["id"])
    assert (session.actor, session.place, session.created_by) == (
        cast.actor_a,
        cast.place_a,
        cast.mediator_a,
    )
    assert list(session.topics.all()) == [topic]
    participation = Participation.objects.get(session=session)
    assert (participation.resident, participation.operator, participation.blocked_reason) == (
        cast.resident,
        caf,
        "franceconnect",
    )
    assert response.json()["participants"] == [
        {
            "resident": cast.resident.reference,
            "autonomy": 1,
            "operator": caf.pk,
            "paperwork_result": "blocked",
            "blocked_reason": "franceconnect",
            "is_first_visit": True,
            "levels": [],
        }
    ]
    # participations_changed() ran: the journey knows the session.
    cast.resident.refresh_from_db()
    assert cast.resident.necessity_on == YESTERDAY and cast.resident.session_count == 1


def test_a_training_workshop_with_levels_and_a_new_resident(cast, module):
    data = body(
        cast,
        pole="achievement",
        module=module.pk,
        format="collective",
        workshop_title="Atelier du mardi",
        workshop_level="beginner",
        unregistered_count=2,
        participants=[
            {"resident": cast.resident.reference, "levels": [{"competence": "4.1", "level": 3}]},
            {
                "new_resident": {"first_name": "Yanis", "last_name": "Brahimi", "consent": True},
                "autonomy": 2,
            },
        ],
    )
    response = post(cast.client("mediator_a"), data)

    assert response.status_code == 201, response.json()
    yanis = Resident.objects.get(last_name="Brahimi")
    assert yanis.created_by_actor == cast.actor_a and yanis.sharing_consent
    assessment = CompetenceAssessment.objects.get(resident=cast.resident)
    assert (assessment.competence.code, assessment.level) == ("4.1", 3)
    participants = response.json()["participants"]
    assert [p["resident"] for p in participants] == [cast.resident.reference, yanis.reference]
    assert participants[0]["levels"] == [{"competence": "4.1", "level": 3}]


def test_errors_are_french_with_a_field_map_and_nothing_is_written(cast, module):
    other = ResidentFactory(created_by_actor=cast.actor_b)  # not shared with actor A
    data = body(
        cast,
        duration_minutes=0,
        actor=cast.actor_b.pk,
        participants=[
            {"resident": other.reference},
            {"resident": cast.resident.reference, "paperwork_result": "blocked"},
        ],
    )
    response = post(cast.client("mediator_a"), data)

    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "invalid"
    assert error["message"].startswith("Les données envoyées contiennent des erreurs")
    assert error["errors"] == {
        "duration_minutes": ["Assurez-vous que cette valeur est supérieure ou égale à\xa01."],
        "participants.1.blocked_reason": ["Indiquez ce qui bloque la démarche."],
    }
    # Once the fields are right, what they name is checked: an actor of someone else, a
    # resident one may not see.
    data.update(duration_minutes=30)
    data["participants"][1]["blocked_reason"] = "other"
    error = post(cast.client("mediator_a"), data).json()
    assert error["errors"] == {
        "actor": ["Choisissez une de vos structures (identifiant inconnu)."],
        "participants.0.resident": [
            f"Aucune fiche accessible n'a la référence « {other.reference} »."
        ],
    }
    # Rules of the service: a future date, a competence outside the module.
    data = body(
        cast,
        date=(timezone.localdate() + datetime.timedelta(days=2)).isoformat(),
        pole="achievement",
        module=module.pk,
        participants=[
            {"resident": cast.resident.reference, "levels": [{"competence": "1.1", "level": 2}]}
        ],
    )
    error = post(cast.client("mediator_a"), data).json()
    assert error["errors"] == {
        "participants.0.levels": ["La compétence 1.1 ne fait pas partie du module choisi."]
    }
    data["participants"][0]["levels"] = []
    error = post(cast.client("mediator_a"), data).json()
    assert error["errors"] == {"non_field_errors": ["La date ne peut pas être dans le futur."]}
    assert not Session.objects.exists()


def test_a_retried_creation_with_the_same_key_creates_nothing_twice(cast):
    client = cast.client("mediator_a")
    data = body(
        cast,
        participants=[
            {
                "new_resident": {"first_name": "Inès", "last_name": "Moreau", "birth_year": 1990},
            }
        ],
    )
    first = post(client, data, **{"Idempotency-Key": "logiciel-fs-42"})
    again = post(client, data, **{"Idempotency-Key": "logiciel-fs-42"})

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.json() == first.json()
    assert Session.objects.count() == 1
    assert Resident.objects.filter(last_name="Moreau").count() == 1
    # The key belongs to its user: a colleague's request with the same key is another one.
    colleague = post(
        cast.client("colleague_a"), body(cast), **{"Idempotency-Key": "logiciel-fs-42"}
    )
    assert colleague.status_code == 201 and colleague.json()["id"] != first.json()["id"]
    # Another key: another session.
    assert post(client, body(cast), **{"Idempotency-Key": "logiciel-fs-43"}).status_code == 201
    assert Session.objects.count() == 3


def test_a_key_that_failed_validation_can_be_used_again(cast):
    client = cast.client("mediator_a")
    bad = post(client, body(cast, duration_minutes=0), **{"Idempotency-Key": "k1"})
    good = post(client, body(cast), **{"Idempotency-Key": "k1"})
    assert (bad.status_code, good.status_code) == (400, 201)


def test_an_unreadable_idempotency_key_is_refused(cast):
    response = post(cast.client("mediator_a"), body(cast), **{"Idempotency-Key": "a b"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert not Session.objects.exists()


def own_session(cast, **kwargs):
    session = SessionFactory(actor=cast.actor_a, created_by=cast.mediator_a, **kwargs)
    ParticipationFactory(session=session, resident=cast.resident, autonomy=1)
    return session


def test_put_replaces_the_session_and_its_participants(cast):
    session = own_session(cast)
    newcomer = ResidentFactory(created_by_actor=cast.actor_a)
    data = body(
        cast,
        duration_minutes=90,
        participants=[{"resident": newcomer.reference, "autonomy": 3}],
    )
    response = cast.client("mediator_a").put(
        f"{URL}{session.pk}/", data, content_type="application/json"
    )

    assert response.status_code == 200, response.json()
    session.refresh_from_db()
    assert session.duration_minutes == 90
    assert [p.resident for p in session.participations.all()] == [newcomer]
    cast.resident.refresh_from_db()
    assert cast.resident.session_count == 0  # the journey forgot the session


def test_patch_changes_only_what_is_sent(cast):
    session = own_session(cast, notes="à revoir")
    response = cast.client("mediator_a").patch(
        f"{URL}{session.pk}/", {"duration_minutes": 15}, content_type="application/json"
    )

    assert response.status_code == 200, response.json()
    session.refresh_from_db()
    assert (session.duration_minutes, session.notes) == (15, "à revoir")
    assert [(p.resident, p.autonomy) for p in session.participations.all()] == [(cast.resident, 1)]


def test_delete_removes_the_session_through_the_service(cast):
    session = own_session(cast)
    cast.resident.refresh_from_db()
    response = cast.client("mediator_a").delete(f"{URL}{session.pk}/")
    assert response.status_code == 204
    assert not Session.objects.filter(pk=session.pk).exists()
    cast.resident.refresh_from_db()
    assert cast.resident.session_count == 0


@pytest.mark.parametrize(
    ("role", "status"),
    [("colleague_a", 403), ("coordinator_a", 403), ("mediator_b", 404), ("official", 404)],
)
def test_only_its_author_changes_a_session(cast, role, status):
    session = own_session(cast)
    client = cast.client(role)
    put = client.put(f"{URL}{session.pk}/", body(cast), content_type="application/json")
    delete = client.delete(f"{URL}{session.pk}/")
    assert (put.status_code, delete.status_code) == (status, status)
    assert put.json()["message"]  # a French sentence either way
    assert Session.objects.filter(pk=session.pk).exists()


def test_the_list_is_scoped_filtered_and_ordered(cast, module):
    mine = own_session(cast, date=YESTERDAY)
    older = SessionFactory(
        actor=cast.actor_a,
        created_by=cast.colleague_a,
        date=YESTERDAY - datetime.timedelta(days=10),
        pole="achievement",
        module=module,
    )
    same_day = SessionFactory(actor=cast.actor_a, created_by=cast.colleague_a, date=YESTERDAY)
    SessionFactory(actor=cast.actor_b, created_by=cast.mediator_b)  # another actor's
    client = cast.client("mediator_a")

    def ids(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.json()
        return [s["id"] for s in response.json()["results"]]

    # Newest first; on the same day, the last logged first.
    assert ids() == [same_day.pk, mine.pk, older.pk]
    assert ids(date_after=(YESTERDAY - datetime.timedelta(days=1)).isoformat()) == [
        same_day.pk,
        mine.pk,
    ]
    assert ids(date_before=(YESTERDAY - datetime.timedelta(days=5)).isoformat()) == [older.pk]
    assert ids(pole="achievement") == [older.pk]
    assert ids(module=module.pk) == [older.pk]
    assert ids(resident=cast.resident.reference.lower()) == [mine.pk]
    assert ids(actor=cast.actor_b.pk) == []
    assert ids(page_size=1, page=2) == [mine.pk]
    bad = client.get(URL, {"date_after": "hier"})
    assert bad.json()["errors"] == {"date": ["Saisissez une date valide."]}


@pytest.mark.parametrize("sessions", [1, 12])
def test_the_list_costs_the_same_queries_whatever_its_length(
    cast, module, sessions, django_assert_num_queries
):
    for _ in range(sessions):
        session = own_session(cast, pole="achievement", module=module)
        session.topics.add(TopicFactory(pole="achievement"))
        CompetenceAssessment.objects.create(
            resident=cast.resident,
            competence=module.targets.first().competence,
            level=2,
            assessed_on=session.date,
            assessed_by=cast.mediator_a,
            session=session,
        )
    client = cast.client("mediator_a")
    # session, user, the user's actors, count, sessions, their topics, mediators,
    # participations with their residents, assessments with their competences, the journal
    # row naming the participants
    with django_assert_num_queries(10 + API_THROTTLE_QUERIES):
        response = client.get(URL)
    assert len(response.json()["results"]) == sessions
    assert response.json()["results"][0]["participants"][0]["levels"] == [
        {"competence": "4.1", "level": 2}
    ]


@pytest.mark.parametrize("people", [1, 6])
def test_creating_costs_the_same_queries_whatever_the_participants(
    cast, module, people, django_assert_num_queries
):
    residents = [ResidentFactory(created_by_actor=cast.actor_a) for _ in range(people)]
    data = body(
        cast,
        pole="achievement",
        module=module.pk,
        participants=[
            {"resident": r.reference, "levels": [{"competence": "4.2", "level": 2}]}
            for r in residents
        ],
    )
    client = cast.client("mediator_a")
    # session, user, key already used?, the user's actors, actors, modules, their
    # competences, residents named; savepoint, session, mediator, participations,
    # assessments, first visits, journeys, the statistics (19, 20 with
    # PostgreSQL's lock, as in test_session_log: savepoint, the actors' kinds, the
    # residents' previous rows, delete them, participations, modules' targets, assessments,
    # insert, per-period counts read and written, the counts by month, the month's sessions
    # held and paperwork, release), whether a parent
    # ambassador referred the newcomers (network), release; the answer:
    # session, topics, mediators, participations, assessments (no topic nor operator named:
    # those lists are not read)
    with django_assert_num_queries(41 + API_THROTTLE_QUERIES + (connection.vendor == "postgresql")):
        response = post(client, data, **{"Idempotency-Key": f"k-{people}"})
    assert response.status_code == 201, response.json()
    assert Participation.objects.count() == people


def test_a_place_named_without_a_structure_gives_its_structure(cast):
    """A mediator of two structures who names only the place (the API, a Coop file) logs
    at that place's structure; without a place, at their first structure; a place of a
    structure they do not work for is still refused."""
    from stats.demo.factories import PlaceFactory

    cast.mediator_a.actors.add(cast.actor_b)
    library = PlaceFactory(actor=cast.actor_b, name="Salle multimédia")
    client = cast.client("mediator_a")
    data = body(cast, place=library.pk)
    del data["actor"]
    response = post(client, data)
    assert response.status_code == 201, response.json()
    assert Session.objects.get(pk=response.json()["id"]).actor == cast.actor_b

    data = body(cast)
    del data["actor"]
    response = post(client, data)
    assert response.status_code == 201, response.json()
    first = min([cast.actor_a, cast.actor_b], key=lambda actor: actor.name)
    assert Session.objects.get(pk=response.json()["id"]).actor == first

    elsewhere = PlaceFactory(name="Ailleurs")
    data = body(cast, place=elsewhere.pk)
    del data["actor"]
    response = post(client, data)
    assert response.status_code == 400
    assert response.json()["errors"]["place"] == [
        "Ce lieu n'est pas un lieu actif de la structure choisie."
    ]
