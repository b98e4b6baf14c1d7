"""Editing and deleting sessions, and the shortcuts that reuse the last one: every copy and
journey stays right afterwards."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from learners.models import CompetenceAssessment, Participation, Session
from learners.services import Outcome, session_create, session_delete
from pathway.models import Competence
from stats.demo.factories import (
    ModuleFactory,
    ResidentFactory,
    SessionFactory,
    TopicFactory,
    session_form_data,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = TODAY - datetime.timedelta(days=3)


def log(cast, residents, *, by=None, day=DAY, pole="necessity", **fields):
    session, _created = session_create(
        by=by or cast.mediator_a,
        outcomes=[Outcome(resident=r, autonomy=1) for r in residents],
        actor=cast.actor_a,
        date=day,
        duration_minutes=60,
        pole=pole,
        **fields,
    )
    return session


@pytest.fixture
def bernard(cast):
    return ResidentFactory(first_name="Bernard", last_name="Roux", created_by_actor=cast.actor_a)


def test_the_edit_page_shows_the_session_as_logged(cast, bernard):
    session = log(cast, [cast.resident, bernard])
    response = cast.client("mediator_a").get(f"/sessions/{session.pk}/edit/")
    content = response.content.decode()
    assert "Éloïse Garnier" in content and "Bernard Roux" in content
    assert response.context["form"]["date"].value() == DAY
    rows = response.context["formset"].forms
    assert [f["autonomy"].value() for f in rows] == [1, 1]


def test_editing_moves_every_copy_and_journey(cast, bernard):
    session = log(cast, [cast.resident, bernard])
    newcomer = ResidentFactory(created_by_actor=cast.actor_a)
    moved = DAY - datetime.timedelta(days=5)
    topic = TopicFactory(pole="leisure", name="Photo numérique")
    data = session_form_data(
        actor=cast.actor_a,
        day=moved,
        pole="leisure",
        topics=[topic],
        participants=[{"resident": cast.resident, "autonomy": 3}, {"resident": newcomer}],
    )

    response = cast.client("mediator_a").post(f"/sessions/{session.pk}/edit/", data)

    assert response.status_code == 302, response.content.decode()
    session.refresh_from_db()
    assert (session.date, session.pole, session.participant_count) == (moved, "leisure", 2)
    assert list(session.topics.all()) == [topic]
    assert set(Participation.objects.values_list("resident", "date", "pole", "autonomy")) == {
        (cast.resident.pk, moved, "leisure", 3),
        (newcomer.pk, moved, "leisure", None),
    }
    bernard.refresh_from_db()
    assert (bernard.session_count, bernard.first_pole, bernard.necessity_on) == (0, "", None)
    cast.resident.refresh_from_db()
    assert (cast.resident.leisure_on, cast.resident.necessity_on) == (moved, None)
    assert cast.resident.first_pole == "leisure"


def test_editing_keeps_first_visits_right(cast):
    first = log(cast, [cast.resident], day=DAY - datetime.timedelta(days=10))
    later = log(cast, [cast.resident])
    assert Participation.objects.get(session=first).is_first_visit
    # The earlier session moves after the later one: the later one becomes the first visit.
    data = session_form_data(
        actor=cast.actor_a,
        day=TODAY,
        participants=[{"resident": cast.resident}],
    )
    cast.client("mediator_a").post(f"/sessions/{first.pk}/edit/", data)
    assert Participation.objects.get(session=later).is_first_visit
    assert not Participation.objects.get(session=first).is_first_visit


def test_edits_are_checked_like_new_sessions(cast):
    session = log(cast, [cast.resident])
    data = session_form_data(
        actor=cast.actor_a,
        day=TODAY + datetime.timedelta(days=2),
        participants=[{"resident": cast.resident}],
    )
    response = cast.client("mediator_a").post(f"/sessions/{session.pk}/edit/", data)
    assert "La date ne peut pas être dans le futur" in response.content.decode()
    session.refresh_from_db()
    assert session.date == DAY


def test_a_participant_no_longer_visible_can_stay_in_an_edited_session(cast):
    shared = ResidentFactory(created_by_actor=cast.actor_b, consented=True)
    session = log(cast, [shared])
    shared.withdraw_consent()
    shared.save()
    # The page no longer shows them as a row (tests/learners/test_not_shared.py): the
    # session keeps them as they were.
    data = session_form_data(actor=cast.actor_a, duration="90", participants=[])
    response = cast.client("mediator_a").post(f"/sessions/{session.pk}/edit/", data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.duration_minutes == 90
    assert Participation.objects.get().resident == shared


def test_deleting_a_session_removes_its_traces(cast, bernard):
    module = ModuleFactory(targets={"1.1": 2})
    earlier = log(cast, [bernard], day=DAY - datetime.timedelta(days=4))
    session, _ = session_create(
        by=cast.mediator_a,
        outcomes=[
            Outcome(resident=cast.resident, levels={Competence.objects.get(code="1.1"): 3}),
            Outcome(resident=bernard),
        ],
        actor=cast.actor_a,
        date=DAY,
        duration_minutes=60,
        pole="achievement",
        module=module,
    )
    client = cast.client("mediator_a")
    assert (
        "Supprimer définitivement" in client.get(f"/sessions/{session.pk}/delete/").content.decode()
    )

    response = client.post(f"/sessions/{session.pk}/delete/", follow=True)

    assert "Accompagnement supprimé" in response.content.decode()
    assert not Session.objects.filter(pk=session.pk).exists()
    assert not CompetenceAssessment.objects.exists()
    assert list(Participation.objects.values_list("session", flat=True)) == [earlier.pk]
    cast.resident.refresh_from_db()
    assert cast.resident.session_count == 0 and cast.resident.achievement_on is None
    bernard.refresh_from_db()
    assert bernard.session_count == 1 and bernard.achievement_on is None


def test_only_the_author_changes_a_session_within_30_days(cast):
    session = log(cast, [cast.resident])
    old = log(cast, [cast.resident], day=DAY - datetime.timedelta(days=40))
    Session.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    colleague = cast.client("colleague_a")
    for path in (f"/sessions/{session.pk}/edit/", f"/sessions/{session.pk}/delete/"):
        assert colleague.get(path).status_code == 404
        assert colleague.post(path, {}).status_code == 404
    author = cast.client("mediator_a")
    assert author.post(f"/sessions/{old.pk}/delete/").status_code == 404
    assert Session.objects.count() == 2
    listing = author.get("/sessions/")
    changeable = {s.pk: s.changeable for s in listing.context["page"].object_list}
    assert changeable == {session.pk: True, old.pk: False}
    # The network admin may always correct a mistake.
    assert cast.client("network_admin").post(f"/sessions/{old.pk}/delete/").status_code == 302


def test_the_service_refuses_a_late_edit(cast):
    session = log(cast, [cast.resident])
    later = session.created_at.date() + datetime.timedelta(days=31)
    with pytest.raises(ValidationError, match="ne peut plus être supprimé"):
        session_delete(session=session, by=cast.mediator_a, today=later)
    assert Session.objects.filter(pk=session.pk).exists()


def test_the_service_logs_a_submission_once(cast):
    key = uuid.uuid4()
    fields = {"actor": cast.actor_a, "date": DAY, "duration_minutes": 30, "pole": "necessity"}
    first, created = session_create(
        by=cast.mediator_a,
        outcomes=[Outcome(resident=cast.resident)],
        submission_key=key,
        **fields,
    )
    again, created_again = session_create(
        by=cast.mediator_a,
        outcomes=[Outcome(resident=cast.resident)],
        submission_key=key,
        **fields,
    )
    assert created and not created_again and again == first
    assert Session.objects.count() == 1 and Participation.objects.count() == 1


def test_repeat_the_last_session(cast, bernard):
    topic = TopicFactory(pole="necessity", name="Compte Ameli")
    last = log(cast, [cast.resident, bernard], format="individual", equipment=["tablet"])
    last.topics.add(topic)
    SessionFactory(actor=cast.actor_a, created_by=cast.colleague_a)  # not hers

    response = cast.client("mediator_a").get("/sessions/new/?repeat=last")

    form = response.context["form"]
    assert form["date"].value() == TODAY
    assert form["pole"].value() == "necessity"
    assert form["topics"].value() == [topic.pk]
    assert form["equipment"].value() == ["tablet"]
    content = response.content.decode()
    assert "Éloïse Garnier" in content and "Bernard Roux" in content
    # A new submission key: repeating never reuses the last form's.
    assert form["submission_key"].value() != last.submission_key


def test_same_group_as_the_last_workshop(cast, bernard):
    hidden = ResidentFactory(created_by_actor=cast.actor_b, consented=True)
    workshop = log(
        cast,
        [cast.resident, bernard, hidden],
        format="collective",
        pole="leisure",
        workshop_title="Photo du jeudi",
        day=DAY - datetime.timedelta(days=7),
    )
    log(cast, [cast.resident])  # a later individual session
    hidden.withdraw_consent()
    hidden.save()

    response = cast.client("mediator_a").get("/sessions/new/?repeat=group")

    form = response.context["form"]
    assert form["workshop_title"].value() == "Photo du jeudi"
    assert form["format"].value() == "collective"
    residents = [f["resident"].value() for f in response.context["formset"].forms]
    # Only the people she may still see come back.
    assert residents == [cast.resident.pk, bernard.pk]
    assert workshop.participant_count == 3


def test_repeating_without_a_previous_session_says_so(cast):
    response = cast.client("mediator_a").get("/sessions/new/?repeat=group", follow=True)
    assert "Aucun atelier précédent" in response.content.decode()
