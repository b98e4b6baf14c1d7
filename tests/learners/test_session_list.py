import datetime

import pytest

from stats.demo.factories import ParticipationFactory, SessionFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_a_mediator_lands_on_their_recent_sessions(cast):
    topic = TopicFactory(name="Allocations CAF")
    mine = SessionFactory(actor=cast.actor_a, created_by=cast.mediator_a, workshop_title="")
    mine.topics.add(topic)
    SessionFactory(actor=cast.actor_a, created_by=cast.colleague_a)
    client = cast.client("mediator_a")

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0] == "/sessions/"
    content = response.content.decode()
    assert "Mes accompagnements récents" in content
    assert "Allocations CAF" in content
    assert len(response.context["page"].object_list) == 1


def test_the_coordinator_sees_all_sessions_of_their_actor_only(cast):
    SessionFactory(actor=cast.actor_a, created_by=cast.mediator_a)
    SessionFactory(actor=cast.actor_a, created_by=cast.colleague_a)
    SessionFactory(actor=cast.actor_b, created_by=cast.mediator_b)
    response = cast.client("coordinator_a").get("/sessions/")
    assert len(response.context["page"].object_list) == 2


def test_the_list_shows_newest_first_with_participants(cast):
    today = datetime.date(2026, 11, 20)
    old = SessionFactory(
        actor=cast.actor_a, created_by=cast.mediator_a, date=today - datetime.timedelta(days=9)
    )
    new = SessionFactory(
        actor=cast.actor_a,
        created_by=cast.mediator_a,
        date=today,
        collective=True,
        unregistered_count=2,
        participant_count=3,
    )
    response = cast.client("mediator_a").get("/sessions/")
    assert list(response.context["page"].object_list) == [new, old]
    assert "20/11/2026" in response.content.decode()


@pytest.mark.parametrize("sessions", [1, 30])
def test_the_session_list_costs_the_same_queries_whatever_its_length(
    cast, sessions, django_assert_num_queries
):
    topic = TopicFactory()
    for _ in range(sessions):
        participation = ParticipationFactory(
            session=SessionFactory(actor=cast.actor_a, created_by=cast.mediator_a)
        )
        participation.session.topics.add(topic)
    client = cast.client("mediator_a")
    # session, user, user's actors, count, sessions with actor/place/module, topics, the
    # count of new referrals (navigation)
    with django_assert_num_queries(7):
        client.get("/sessions/")
