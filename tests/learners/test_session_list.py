import datetime

import pytest

from learners.models import Session
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


def test_the_session_just_saved_comes_first_among_those_of_its_day(cast):
    """Logged in the evening for the morning, it still lands above the afternoon's session
    saved earlier: the list is by date, then by when it was saved, newest first."""
    day = datetime.date(2026, 11, 20)
    saved_at = datetime.datetime(2026, 11, 20, 15, tzinfo=datetime.UTC)
    afternoon = SessionFactory(
        actor=cast.actor_a,
        created_by=cast.mediator_a,
        date=day,
        start_time=datetime.time(14),
        created_at=saved_at,
    )
    morning = SessionFactory(
        actor=cast.actor_a,
        created_by=cast.mediator_a,
        date=day,
        start_time=datetime.time(9),
        created_at=saved_at + datetime.timedelta(hours=4),
    )
    older = SessionFactory(
        actor=cast.actor_a,
        created_by=cast.mediator_a,
        date=day - datetime.timedelta(days=1),
        created_at=saved_at + datetime.timedelta(hours=5),
    )
    response = cast.client("mediator_a").get("/sessions/")
    assert list(response.context["page"].object_list) == [morning, afternoon, older]


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


def many_sessions(cast, count):
    """`count` sessions of mediator_a, newest first by their day, written in one query."""
    today = datetime.date(2026, 11, 20)
    Session.objects.bulk_create(
        SessionFactory.build(
            actor=cast.actor_a,
            created_by=cast.mediator_a,
            date=today - datetime.timedelta(days=n),
        )
        for n in range(count)
    )


def test_a_long_history_is_paged_without_counting_all_of_it(cast):
    many_sessions(cast, 25 * 11 + 1)
    client = cast.client("mediator_a")

    first = " ".join(client.get("/sessions/").content.decode().split())
    assert "Page 1 sur plus de 11" in first
    assert "?page=2" in first

    last = " ".join(client.get("/sessions/?page=12").content.decode().split())
    assert "Page 12 sur 12" in last
    assert "Page suivante" not in last
    assert "20/11/2026" not in last  # the oldest sessions, not the first page again


def test_a_short_history_shows_its_number_of_pages(cast):
    many_sessions(cast, 30)
    page = " ".join(cast.client("mediator_a").get("/sessions/").content.decode().split())
    assert "Page 1 sur 2" in page
    assert "plus de" not in page


def test_the_paginator_counts_a_few_pages_ahead_of_the_one_asked():
    from learners.pagination import LookAheadPaginator

    rows = list(range(10))
    paginator = LookAheadPaginator(rows, 1, ahead=2)
    page = paginator.get_page("3")
    assert (page.number, paginator.num_pages, paginator.more) == (3, 5, True)
    assert list(page) == [2]
    paginator = LookAheadPaginator(rows, 1, ahead=2)
    page = paginator.get_page("9")
    assert (paginator.num_pages, paginator.more, page.has_next()) == (10, False, True)
    assert list(LookAheadPaginator(rows, 1).get_page("beyond")) == [0]


def test_a_page_number_past_any_list_shows_the_last_page(cast):
    """Found by the fuzz test on PostgreSQL: page=10**17 made the count's LIMIT overflow
    bigint (a server error); any number past the list shows its last page."""
    many_sessions(cast, 30)
    client = cast.client("mediator_a")
    for number in ("99999999999999999999", str(10**17), "100001"):
        response = client.get("/sessions/", {"page": number})
        assert response.status_code == 200, number
        assert "Page 2 sur 2" in " ".join(response.content.decode().split()), number
