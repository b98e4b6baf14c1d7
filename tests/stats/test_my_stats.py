"""A mediator's own statistics (/mes-statistiques/) and the share link for their employer."""

import datetime
import re

import pytest

from learners.models import Participation, Session
from stats.demo.factories import (
    CertificateFactory,
    ParticipationFactory,
    ResidentFactory,
    SessionFactory,
    TopicFactory,
    UserFactory,
)
from stats.models import StatsReadLog, StatsShareLink

pytestmark = pytest.mark.django_db

YEAR_2025 = "period=custom&start=2025-01&end=2025-12"
JANUARY_2025 = "period=custom&start=2025-01&end=2025-01"


def day(month, d=10):
    return datetime.date(2025, month, d)


def headline(response):
    return {str(row.label): row.cells[0].text for row in response.context["report"].headline.rows}


@pytest.fixture
def work(cast):
    """mediator_a: two individual sessions in January (one person twice, autonomy 1 then 3),
    a workshop in June with two people and three without a record; colleague_a and
    mediator_b have sessions of their own."""
    topic = TopicFactory(name="Allocations CAF")
    first = SessionFactory(actor=cast.actor_a, created_by=cast.mediator_a, date=day(1, 5))
    first.topics.add(topic)
    second = SessionFactory(
        actor=cast.actor_a, created_by=cast.mediator_a, date=day(1, 20), duration_minutes=30
    )
    ParticipationFactory(session=first, resident=cast.resident, autonomy=1)
    ParticipationFactory(session=second, resident=cast.resident, autonomy=3)
    workshop = SessionFactory(
        actor=cast.actor_a,
        created_by=cast.mediator_a,
        date=day(6),
        collective=True,
        pole="leisure",
        duration_minutes=90,
        unregistered_count=3,
    )
    for name in ("Zoé", "Yanis"):
        ParticipationFactory(
            session=workshop,
            resident=ResidentFactory(first_name=name, last_name="Bérard"),
            autonomy=None,
        )
    SessionFactory(actor=cast.actor_a, created_by=cast.colleague_a, date=day(2))
    SessionFactory(actor=cast.actor_b, created_by=cast.mediator_b, date=day(2))
    CertificateFactory(
        resident=cast.resident,
        actor=cast.actor_a,
        issued_by=cast.mediator_a,
        issued_at=datetime.datetime(2025, 6, 12, 10, tzinfo=datetime.UTC),
    )
    return cast


def test_the_figures_are_those_of_a_direct_count(work):
    response = work.client("mediator_a").get(f"/mes-statistiques/?{YEAR_2025}")

    assert response.status_code == 200
    mine = Session.objects.filter(created_by=work.mediator_a, date__year=2025)
    figures = headline(response)
    assert figures["Accompagnements"] == str(mine.count()) == "3"
    assert figures["dont ateliers collectifs"] == "1"
    minutes = sum(s.duration_minutes for s in mine)
    assert figures["Heures d'accompagnement"] == "3" == f"{minutes / 60:g}"
    people = Participation.objects.filter(session__in=mine).values("resident").distinct()
    assert figures["Habitants accompagnés (personnes différentes)"] == str(people.count()) == "3"
    assert figures["Participants sans fiche"] == "3"
    assert figures["Attestations délivrées"] == "1"
    tables = {table.slug: table for table in response.context["report"].tables}
    january = tables["par-mois"].rows[0]
    assert [cell.text for cell in january.cells] == ["2", "1,5", "1", "0", "0"]
    assert [row.label for row in tables["par-thematique"].rows] == ["Allocations CAF"]
    autonomy = {row.label: row.cells[0].text for row in tables["autonomie"].rows}
    assert autonomy["Plus autonomes"] == "1"
    assert autonomy["Personnes suivies"] == "1"
    content = response.content.decode()
    assert "Garnier" not in content and "Bérard" not in content


def test_the_period_filter_keeps_only_its_months(work):
    response = work.client("mediator_a").get(f"/mes-statistiques/?{JANUARY_2025}")
    figures = headline(response)
    assert figures["Accompagnements"] == "2"
    assert figures["Attestations délivrées"] == "0"
    assert "Du 1er janvier au 31 janvier 2025" in response.content.decode()


def test_a_wrong_period_says_what_to_do(work):
    response = work.client("mediator_a").get("/mes-statistiques/?period=custom&start=2025-13")
    assert response.status_code == 200
    assert response.context["report"] is None
    assert "Écrivez le mois sous la forme année-mois" in response.content.decode()


def test_a_mediator_reads_their_own_only(work):
    client = work.client("mediator_a")
    colleague = f"/mes-statistiques/?qui=m{work.colleague_a.pk}&{YEAR_2025}"
    assert client.get(colleague).status_code == 404
    assert client.get(f"/mes-statistiques/?qui=a{work.actor_a.pk}").status_code == 404
    assert not StatsReadLog.objects.exists()


def test_a_coordinator_reads_each_mediator_of_their_actor_and_the_actor(work):
    client = work.client("coordinator_a")
    response = client.get(f"/mes-statistiques/?qui=m{work.mediator_a.pk}&{YEAR_2025}")
    assert response.status_code == 200
    assert headline(response)["Accompagnements"] == "3"
    actor = client.get(f"/mes-statistiques/?qui=a{work.actor_a.pk}&{YEAR_2025}")
    assert headline(actor)["Accompagnements"] == "4"
    assert client.get(f"/mes-statistiques/?qui=m{work.mediator_b.pk}").status_code == 404
    assert client.get(f"/mes-statistiques/?qui=a{work.actor_b.pk}").status_code == 404
    assert client.get("/mes-statistiques/?qui=xyz").status_code == 404
    # Both reads of someone else's figures are journaled, with who read them.
    logged = StatsReadLog.objects.order_by("id")
    assert [(e.user, e.mediator, e.actor) for e in logged] == [
        (work.coordinator_a, work.mediator_a, None),
        (work.coordinator_a, None, work.actor_a),
    ]


def test_a_coordinator_does_not_see_what_a_mediator_did_for_another_actor(work):
    SessionFactory(actor=work.actor_b, created_by=work.mediator_a, date=day(3))
    client = work.client("coordinator_a")
    response = client.get(f"/mes-statistiques/?qui=m{work.mediator_a.pk}&{YEAR_2025}")
    assert headline(response)["Accompagnements"] == "3"
    own = work.client("mediator_a").get(f"/mes-statistiques/?{YEAR_2025}")
    assert headline(own)["Accompagnements"] == "4"


@pytest.mark.parametrize("role", ["official", "ambassador"])
def test_other_roles_get_404(work, role):
    assert work.client(role).get("/mes-statistiques/").status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "resident"])
def test_who_is_not_staff_is_sent_to_sign_in(work, role):
    response = work.client(role).get("/mes-statistiques/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_navigation_links_to_my_statistics(work):
    content = work.client("mediator_a").get("/sessions/").content.decode()
    assert 'href="/mes-statistiques/"' in content


@pytest.mark.parametrize("sessions", [1, 25])
def test_the_page_costs_the_same_queries_whatever_the_number_of_sessions(
    cast, sessions, django_assert_num_queries
):
    topic = TopicFactory()
    for i in range(sessions):
        session = SessionFactory(
            actor=cast.actor_a, created_by=cast.mediator_a, date=day(1 + i % 12)
        )
        session.topics.add(topic)
        ParticipationFactory(session=session, autonomy=1 + i % 3)
    client = cast.client("mediator_a")
    # django session, user, first year (StatsActivity), sessions by month, residents by
    # month, residents over the period, autonomy rows, topics, their names, certificates,
    # user's actors and new referrals (navigation), share links
    with django_assert_num_queries(13):
        response = client.get(f"/mes-statistiques/?{YEAR_2025}")
    assert headline(response)["Accompagnements"] == str(sessions)


@pytest.mark.parametrize("sessions", [1, 25])
def test_a_coordinator_page_costs_the_same_queries(cast, sessions, django_assert_num_queries):
    for i in range(sessions):
        ParticipationFactory(
            session=SessionFactory(
                actor=cast.actor_a, created_by=cast.mediator_a, date=day(1 + i % 12)
            )
        )
    client = cast.client("coordinator_a")
    url = f"/mes-statistiques/?qui=m{cast.mediator_a.pk}&{YEAR_2025}"
    # django session, user, user's actors, actors, mediators, first year, seven figures,
    # journal, new referrals (navigation)
    with django_assert_num_queries(15):
        client.get(url)


# The share link ---------------------------------------------------------------------------


def make_link(client):
    response = client.post("/mes-statistiques/partager/", {"label": "Ma responsable"})
    assert response.status_code == 200
    return re.search(
        r'value="https?://[^/"]+(/statistiques-partagees/[^"]+/)"', response.content.decode()
    )[1]


def test_the_share_link_shows_the_figures_without_any_resident_name(work):
    path = make_link(work.client("mediator_a"))
    link = StatsShareLink.objects.get()
    assert link.token_hash not in path  # only the hash is stored
    assert path.rstrip("/").rsplit("/", 1)[1] not in link.token_hash

    response = work.client("anonymous").get(f"{path}?{YEAR_2025}")

    assert response.status_code == 200
    content = response.content.decode()
    assert work.mediator_a.get_full_name() in content
    for name in ("Éloïse", "Garnier", "Zoé", "Yanis", "Bérard"):
        assert name not in content
    assert headline(response)["Accompagnements"] == "3"
    # Three people: fewer than the threshold, hidden as on the officials' dashboard.
    assert headline(response)["Habitants accompagnés (personnes différentes)"] == "< 5"
    assert '<form method="post"' not in content  # read only
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_each_visit_of_the_share_link_is_journaled(work):
    path = make_link(work.client("mediator_a"))
    visitor = work.client("anonymous")
    visitor.get(path)
    visitor.get(f"{path}?{JANUARY_2025}")
    link = StatsShareLink.objects.get()
    visits = StatsReadLog.objects.filter(link=link)
    assert visits.count() == 2
    assert {(v.user, v.mediator) for v in visits} == {(None, work.mediator_a)}
    page = work.client("mediator_a").get("/mes-statistiques/")
    assert [(link.label, link.visit_count) for link in page.context["links"]] == [
        ("Ma responsable", 2)
    ]


def test_a_revoked_or_unknown_link_answers_404(work):
    owner = work.client("mediator_a")
    path = make_link(owner)
    link = StatsShareLink.objects.get()
    # Only its owner may revoke it.
    assert (
        work.client("colleague_a")
        .post(f"/mes-statistiques/partager/{link.pk}/desactiver/")
        .status_code
        == 404
    )
    assert work.client("anonymous").get(path).status_code == 200
    owner.post(f"/mes-statistiques/partager/{link.pk}/desactiver/")
    assert work.client("anonymous").get(path).status_code == 404
    assert work.client("anonymous").get("/statistiques-partagees/inconnu/").status_code == 404
    assert StatsReadLog.objects.filter(link=link).count() == 1


def test_the_journal_is_append_only(work):
    make_link(work.client("mediator_a"))
    work.client("anonymous").get(f"/statistiques-partagees/{'x'}/")  # unknown: nothing journaled
    entry = StatsReadLog.objects.create(link=StatsShareLink.objects.get(), mediator=work.mediator_a)
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        StatsReadLog.objects.all().delete()


def test_a_mediator_without_sessions_sees_zeros(cast):
    mediator = UserFactory(mediator=True, actors=[cast.actor_a])
    from django.test import Client

    from tests.conftest import sign_in

    response = sign_in(Client(), mediator).get(f"/mes-statistiques/?{YEAR_2025}")
    assert headline(response)["Accompagnements"] == "0"


def test_participations_keep_their_sessions_author_through_the_write_path(cast):
    """My statistics count people from participations, which carry the session's author:
    logged by mediator_a, then changed by the network admin, they stay mediator_a's."""
    from learners.services import Outcome, session_create, session_update

    session, _created = session_create(
        by=cast.mediator_a,
        outcomes=[Outcome(resident=cast.resident, autonomy=1)],
        actor=cast.actor_a,
        date=day(3),
        duration_minutes=60,
        pole="necessity",
    )
    other = ResidentFactory(created_by_actor=cast.actor_a)
    session_update(
        session=session,
        by=cast.network_admin,
        outcomes=[Outcome(resident=cast.resident, autonomy=2), Outcome(resident=other)],
    )
    authors = set(
        Participation.objects.filter(session=session).values_list("created_by", flat=True)
    )
    assert authors == {cast.mediator_a.pk}
    response = cast.client("mediator_a").get(f"/mes-statistiques/?{YEAR_2025}")
    assert headline(response)["Habitants accompagnés (personnes différentes)"] == "2"


def test_the_network_admin_browses_the_journal_and_nobody_changes_it(work):
    path = make_link(work.client("mediator_a"))
    work.client("anonymous").get(path)
    admin = work.client("network_admin")
    response = admin.get("/admin/stats/statsreadlog/")
    assert response.status_code == 200
    assert work.mediator_a.get_full_name() in response.content.decode()
    assert admin.get("/admin/stats/statsreadlog/add/").status_code == 403
    link = StatsShareLink.objects.get()
    page = admin.get(f"/admin/stats/statssharelink/{link.pk}/change/").content.decode()
    assert link.token_hash not in page
