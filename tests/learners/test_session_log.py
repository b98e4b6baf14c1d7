"""Logging a session, as a mediator does it: posting the real form of /sessions/new/."""

import datetime
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from learners.models import (
    CURRENT_CONSENT_VERSION,
    CompetenceAssessment,
    Participation,
    Resident,
    Session,
)
from stats.demo.factories import (
    ModuleFactory,
    NeighbourhoodFactory,
    OperatorFactory,
    ParticipationFactory,
    ResidentFactory,
    SessionFactory,
    TopicFactory,
    session_form_data,
)

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def place_a(cast):
    return cast.place_a


@pytest.fixture
def caf(db):
    return TopicFactory(
        pole="necessity", name="Allocations CAF", operator=OperatorFactory(name="CAF")
    )


@pytest.fixture
def module(db):
    return ModuleFactory(name="Se protéger en ligne", targets={"4.1": 2, "4.2": 2})


def post(client, data, **kwargs):
    return client.post("/sessions/new/", data, **kwargs)


def errors_of(response):
    return response.content.decode()


def test_the_page_preselects_the_mediators_actor_place_and_today(cast, place_a):
    response = cast.client("mediator_a").get("/sessions/new/")
    form = response.context["form"]
    assert form["actor"].value() == cast.actor_a.pk
    assert form["place"].value() == place_a.pk
    assert form["date"].value() == timezone.localdate()
    content = response.content.decode()
    assert 'for="resident-search"' in content  # the search box has a label
    assert "Reprendre mon dernier accompagnement" in content


def test_a_paperwork_session_for_a_known_resident(cast, place_a, caf):
    client = cast.client("mediator_a")
    data = session_form_data(
        actor=cast.actor_a,
        place=place_a,
        topics=[caf],
        duration="30",
        participants=[
            {
                "resident": cast.resident,
                "autonomy": 2,
                "paperwork_result": "blocked",
                "blocked_reason": "franceconnect",
            }
        ],
    )

    response = post(client, data, follow=True)

    assert response.redirect_chain[-1][0] == "/sessions/"
    assert "Accompagnement du" in response.content.decode()
    session = Session.objects.get()
    assert (session.date, session.duration_minutes, session.pole) == (YESTERDAY, 30, "necessity")
    assert (session.actor, session.place, session.created_by) == (
        cast.actor_a,
        place_a,
        cast.mediator_a,
    )
    assert list(session.topics.all()) == [caf]
    assert list(session.mediators.all()) == [cast.mediator_a]
    assert session.participant_count == 1
    participation = Participation.objects.get()
    # Copies of the session, and the operator taken from the paperwork topic.
    assert (participation.date, participation.pole, participation.actor) == (
        YESTERDAY,
        "necessity",
        cast.actor_a,
    )
    assert participation.operator.name == "CAF"
    assert (participation.paperwork_result, participation.blocked_reason) == (
        "blocked",
        "franceconnect",
    )
    assert participation.autonomy == 2 and participation.is_first_visit
    cast.resident.refresh_from_db()
    assert cast.resident.necessity_on == YESTERDAY
    assert cast.resident.session_count == 1


def test_a_training_workshop_with_levels_and_a_new_resident(cast, place_a, module):
    # Names of their own: a random "Lefèvre" made the new resident's look-up find two.
    others = [
        ResidentFactory(created_by_actor=cast.actor_a, last_name=name)
        for name in ("Ortolan", "Valrose")
    ]
    client = cast.client("mediator_a")
    data = session_form_data(
        actor=cast.actor_a,
        place=place_a,
        pole="achievement",
        module=module,
        format="collective",
        workshop_title="Atelier sécurité",
        workshop_level="beginner",
        unregistered_count=2,
        duration="other",
        duration_other=150,
        equipment=["computer", "smartphone"],
        participants=[
            {"resident": cast.resident, "levels": {"4.1": 3, "4.2": 2}},
            {"resident": others[0], "levels": {"4.1": 1}},
            {"resident": others[1]},
            {
                "last_name": "Lefèvre",
                "first_name": "Zoé",
                "birth_year": 1958,
                "neighbourhood": NeighbourhoodFactory(name="La Carraire"),
                "consent": "on",
            },
        ],
    )

    response = post(client, data)

    assert response.status_code == 302, errors_of(response)
    session = Session.objects.get()
    assert (session.format, session.module, session.duration_minutes) == (
        "collective",
        module,
        150,
    )
    assert (session.workshop_title, session.workshop_level, session.unregistered_count) == (
        "Atelier sécurité",
        "beginner",
        2,
    )
    assert session.equipment == ["computer", "smartphone"]
    assert session.participant_count == 4
    levels = set(
        CompetenceAssessment.objects.values_list(
            "resident__last_name", "competence__code", "level", "assessed_on", "session"
        )
    )
    assert levels == {
        ("Garnier", "4.1", 3, YESTERDAY, session.pk),
        ("Garnier", "4.2", 2, YESTERDAY, session.pk),
        (others[0].last_name, "4.1", 1, YESTERDAY, session.pk),
    }
    zoe = Resident.objects.get(last_name="Lefèvre")
    assert zoe.created_by_actor == cast.actor_a and zoe.created_by == cast.mediator_a
    assert zoe.sharing_consent and zoe.consent_version == CURRENT_CONSENT_VERSION
    assert zoe.consent_at is not None
    assert zoe.achievement_on == YESTERDAY and zoe.search_last == "lefevre"
    assert zoe.neighbourhood.name == "La Carraire"


def test_the_operator_chosen_wins_over_the_topics(cast, caf):
    ants = OperatorFactory(name="ANTS")
    data = session_form_data(
        actor=cast.actor_a,
        topics=[caf],
        participants=[
            {"resident": cast.resident, "operator": ants, "paperwork_result": "completed"}
        ],
    )
    page = cast.client("mediator_a").get("/sessions/new/").content.decode()
    assert f'<option value="{ants.pk}">ANTS</option>' in page
    assert post(cast.client("mediator_a"), data).status_code == 302
    assert Participation.objects.get().operator == ants


def test_an_unknown_operator_is_refused(cast):
    data = session_form_data(
        actor=cast.actor_a, participants=[{"resident": cast.resident, "operator": 999999}]
    )
    response = post(cast.client("mediator_a"), data)
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Session.objects.exists()


def test_the_page_shows_the_consent_text_for_a_new_resident(cast):
    content = cast.client("mediator_a").get("/sessions/new/").content.decode()
    assert "voient mon nom et mon parcours" in content


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"date": "2999-01-01"}, "La date ne peut pas être dans le futur"),
        ({"duration": "other", "duration_other": 0}, "entre 1 minute et 12 heures"),
        ({"duration": "other", "duration_other": 721}, "entre 1 minute et 12 heures"),
        ({"duration": "other", "duration_other": ""}, "Indiquez la durée en minutes"),
        ({"duration": "0"}, "Sélectionnez un choix valide"),
        ({"pole": ""}, "Ce champ est obligatoire"),
    ],
)
def test_bad_session_fields_get_a_french_message_and_write_nothing(cast, change, message):
    data = session_form_data(actor=cast.actor_a, participants=[{"resident": cast.resident}])
    data.update(change)
    response = post(cast.client("mediator_a"), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "Rien n'a été enregistré" in content
    assert not Session.objects.exists() and not Participation.objects.exists()


def test_a_resident_the_mediator_may_not_see_is_refused(cast):
    # Created at actor B, no consent: a tampered form names them at actor A.
    hidden = ResidentFactory(created_by_actor=cast.actor_b)
    data = session_form_data(
        actor=cast.actor_a,
        participants=[{"resident": cast.resident}, {"resident": hidden}],
    )
    response = post(cast.client("mediator_a"), data)
    assert response.status_code == 200
    assert "ne vous est pas accessible" in response.content.decode()
    assert hidden.display_name not in response.content.decode()
    assert not Session.objects.exists() and not Participation.objects.exists()
    assert Resident.objects.count() == 2


def test_a_consenting_resident_of_another_actor_can_take_part(cast):
    shared = ResidentFactory(created_by_actor=cast.actor_b, consented=True)
    data = session_form_data(actor=cast.actor_a, participants=[{"resident": shared}])
    assert post(cast.client("mediator_a"), data).status_code == 302
    assert Participation.objects.get().resident == shared


def test_another_actor_cannot_be_chosen(cast):
    data = session_form_data(actor=cast.actor_b, participants=[{"resident": cast.resident}])
    response = post(cast.client("mediator_a"), data)
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Session.objects.exists()


def test_a_competence_outside_the_module_is_refused(cast, module):
    data = session_form_data(
        actor=cast.actor_a,
        pole="achievement",
        module=module,
        participants=[{"resident": cast.resident, "levels": {"4.1": 2, "3.4": 5}}],
    )
    response = post(cast.client("mediator_a"), data)
    assert response.status_code == 200
    assert "ne fait pas partie du module choisi" in response.content.decode()
    assert not Session.objects.exists() and not CompetenceAssessment.objects.exists()


def test_the_same_resident_twice_is_refused(cast):
    data = session_form_data(
        actor=cast.actor_a,
        participants=[{"resident": cast.resident}, {"resident": cast.resident}],
    )
    response = post(cast.client("mediator_a"), data)
    assert "Éloïse Garnier figure deux fois" in response.content.decode()
    assert not Session.objects.exists()


def test_a_blocked_paperwork_needs_its_reason(cast):
    data = session_form_data(
        actor=cast.actor_a,
        participants=[{"resident": cast.resident, "paperwork_result": "blocked"}],
    )
    response = post(cast.client("mediator_a"), data)
    assert "Indiquez ce qui bloque la démarche" in response.content.decode()
    assert not Session.objects.exists()


def test_a_topic_of_another_pole_is_refused(cast, caf):
    data = session_form_data(
        actor=cast.actor_a,
        pole="leisure",
        topics=[caf],
        participants=[{"resident": cast.resident}],
    )
    response = post(cast.client("mediator_a"), data)
    assert "ne vont pas avec le pôle choisi : Allocations CAF" in response.content.decode()
    assert not Session.objects.exists()


def test_a_session_needs_someone(cast):
    response = post(cast.client("mediator_a"), session_form_data(actor=cast.actor_a))
    assert "Ajoutez au moins une personne" in response.content.decode()
    assert not Session.objects.exists()


def test_outcomes_that_do_not_fit_the_session_are_dropped(cast, caf):
    # The mediator switched from paperwork to leisure after filling a result: hidden fields
    # still posted are ignored, not stored against the constraint.
    data = session_form_data(
        actor=cast.actor_a,
        pole="leisure",
        format="individual",
        workshop_level="advanced",
        participants=[{"resident": cast.resident, "paperwork_result": "completed"}],
    )
    assert post(cast.client("mediator_a"), data).status_code == 302
    participation = Participation.objects.get()
    assert participation.paperwork_result == "" and participation.operator is None
    assert Session.objects.get().workshop_level == ""


def test_the_same_form_posted_twice_logs_one_session(cast):
    client = cast.client("mediator_a")
    data = session_form_data(
        actor=cast.actor_a,
        participants=[{"last_name": "Nouveau", "first_name": "Jean", "birth_year": 1980}],
    )
    first = post(client, data)
    again = post(client, data, follow=True)
    assert first.status_code == 302
    assert "déjà enregistré" in again.content.decode()
    assert Session.objects.count() == 1
    assert Resident.objects.filter(last_name="Nouveau").count() == 1
    assert Participation.objects.count() == 1


def test_a_new_resident_who_may_already_exist_is_proposed_first(cast):
    client = cast.client("mediator_a")
    row = {"last_name": "GARNIER", "first_name": "Eloise", "birth_year": ""}
    data = session_form_data(actor=cast.actor_a, participants=[row])

    response = post(client, data)

    content = response.content.decode()
    assert "Cette personne a peut-être déjà une fiche" in content
    assert "Oui : Éloïse Garnier" in content
    assert not Session.objects.exists() and Resident.objects.count() == 1

    # The mediator picks the existing record.
    data["p-0-same_as"] = str(cast.resident.pk)
    assert post(client, data).status_code == 302
    assert Participation.objects.get().resident == cast.resident
    assert Resident.objects.count() == 1


def test_a_homonym_can_still_be_created_on_purpose(cast):
    data = session_form_data(
        actor=cast.actor_a,
        participants=[{"last_name": "Garnier", "first_name": "Éloïse", "same_as": "new"}],
    )
    assert post(cast.client("mediator_a"), data).status_code == 302
    assert Resident.objects.filter(search_last="garnier").count() == 2


def test_residents_of_other_actors_are_not_proposed_as_duplicates(cast):
    data = session_form_data(
        actor=cast.actor_b,
        participants=[{"last_name": "Garnier", "first_name": "Éloïse"}],
    )
    response = post(cast.client("mediator_b"), data)
    assert response.status_code == 302
    assert Resident.objects.filter(created_by_actor=cast.actor_b, last_name="Garnier").exists()


def test_removed_rows_are_not_logged(cast):
    other = ResidentFactory(created_by_actor=cast.actor_a)
    data = session_form_data(
        actor=cast.actor_a,
        participants=[{"resident": cast.resident}, {"resident": other, "DELETE": "on"}],
    )
    assert post(cast.client("mediator_a"), data).status_code == 302
    assert list(Participation.objects.values_list("resident", flat=True)) == [cast.resident.pk]


def test_first_visit_is_per_actor(cast):
    ParticipationFactory(
        session=SessionFactory(actor=cast.actor_a, date=YESTERDAY - datetime.timedelta(days=9)),
        resident=cast.resident,
    )
    data = session_form_data(actor=cast.actor_a, participants=[{"resident": cast.resident}])
    assert post(cast.client("mediator_a"), data).status_code == 302
    assert not Participation.objects.get(session__date=YESTERDAY).is_first_visit


def workshop_of(cast, module, people):
    """`people` new residents of actor A, and the form of a workshop of `module` where each
    is assessed on competence 4.1."""
    residents = [ResidentFactory(created_by_actor=cast.actor_a) for _ in range(people)]
    data = session_form_data(
        actor=cast.actor_a,
        pole="achievement",
        module=module,
        format="collective",
        participants=[{"resident": r, "autonomy": 2, "levels": {"4.1": 2}} for r in residents],
    )
    return residents, data


@pytest.mark.parametrize("extra_sessions", [0, 40])
@pytest.mark.parametrize("people", [2, 8])
def test_logging_costs_the_same_queries_whatever_the_size(
    cast, module, people, extra_sessions, django_assert_num_queries
):
    for _ in range(extra_sessions):
        ParticipationFactory(
            session=SessionFactory(actor=cast.actor_a, created_by=cast.colleague_a)
        )
    residents, data = workshop_of(cast, module, people)
    client = cast.client("mediator_a")
    # session, user, the user's actors, modules, their competences, actors, same form
    # already posted?, the residents named (no place nor topic named: those lists are not
    # read); savepoint, session, its mediator, participations, assessments, first visits,
    # residents' journeys;
    # statistics (stats.services.stats_refresh): savepoint, (on PostgreSQL, the lock that
    # makes concurrent refreshes take turns), the actors' kinds, the residents' previous
    # reach rows, delete their three kinds of rows (two returning what they counted),
    # their participations, the modules' targets, their assessments, insert their rows and
    # reach rows, the per-period counts (read, insert), the counts by month (one insert or
    # add), the month's sessions held and paperwork (delete both, count sessions, insert,
    # count paperwork), release; whether a parent ambassador referred the newcomers
    # (network); release
    with django_assert_num_queries(36 + (connection.vendor == "postgresql")):
        response = post(client, data)
    assert response.status_code == 302
    assert Participation.objects.filter(session__module=module).count() == people


@pytest.mark.parametrize("people", [2, 8])
def test_logging_with_the_worker_costs_the_same_queries_whatever_the_participants(
    cast, module, people, settings, django_assert_num_queries
):
    """As in production (STATS_REFRESH_IN_WORKER): the post queues the statistics' refresh,
    in its own transaction, for the worker to run (the post the bench times)."""
    from django_tasks_db.models import DBTaskResult

    settings.STATS_REFRESH_IN_WORKER = True
    residents, data = workshop_of(cast, module, people)
    client = cast.client("mediator_a")
    # session, user, the user's actors, modules, their competences, actors, same form
    # already posted?, the residents named; savepoint, session, its mediator,
    # participations, assessments, first visits, residents' journeys, whether a parent
    # ambassador referred the newcomers (network), the statistics' refresh queued; release
    with django_assert_num_queries(18):
        response = post(client, data)
    assert response.status_code == 302
    assert Participation.objects.filter(session__module=module).count() == people
    [task] = DBTaskResult.objects.filter(task_path__endswith=".stats_refresh_task")
    assert task.args_kwargs["args"] == [sorted(r.pk for r in residents)]


def test_the_submission_key_is_a_fresh_uuid_on_each_display(cast):
    client = cast.client("mediator_a")
    first = client.get("/sessions/new/").context["form"]["submission_key"].value()
    second = client.get("/sessions/new/").context["form"]["submission_key"].value()
    assert first != second and uuid.UUID(str(first))
