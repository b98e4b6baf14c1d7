"""The invariants the database itself guarantees, and who sees which record."""

import pytest
from django.db import IntegrityError, transaction

from learners.models import AccessLog, CompetenceAssessment, Participation, Resident, Session
from pathway.models import Competence
from stats.demo.factories import (
    CompetenceAssessmentFactory,
    ParticipationFactory,
    ResidentFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("minutes", [0, 12 * 60 + 1])
def test_a_session_lasts_more_than_nothing_and_at_most_12_hours(minutes):
    with pytest.raises(IntegrityError):
        SessionFactory(duration_minutes=minutes)


def test_a_twelve_hour_session_is_accepted():
    assert SessionFactory(duration_minutes=12 * 60).pk


@pytest.mark.parametrize("level", [0, 9])
def test_an_assessed_level_is_between_1_and_8(level):
    with pytest.raises(IntegrityError):
        CompetenceAssessmentFactory(level=level)


def test_a_resident_takes_part_in_a_session_once():
    participation = ParticipationFactory()
    with pytest.raises(IntegrityError):
        ParticipationFactory(session=participation.session, resident=participation.resident)


@pytest.mark.parametrize("autonomy", [0, 4])
def test_autonomy_is_1_2_or_3(autonomy):
    with pytest.raises(IntegrityError):
        ParticipationFactory(autonomy=autonomy)


def test_a_paperwork_result_belongs_to_the_necessity_pole():
    session = SessionFactory(pole="leisure")
    with pytest.raises(IntegrityError):
        ParticipationFactory(session=session, paperwork_result="completed")


def test_a_blocked_reason_needs_a_blocked_result():
    with pytest.raises(IntegrityError):
        ParticipationFactory(paperwork_result="completed", blocked_reason="franceconnect")


def test_consent_to_sharing_is_dated():
    with pytest.raises(IntegrityError):
        ResidentFactory(sharing_consent=True, consent_at=None)


def test_a_module_belongs_to_achievement_sessions():
    from stats.demo.factories import ModuleFactory

    with pytest.raises(IntegrityError):
        SessionFactory(pole="necessity", module=ModuleFactory())


def test_residents_get_a_random_reference_without_ambiguous_letters():
    references = {ResidentFactory().reference for _ in range(20)}
    assert len(references) == 20
    assert all(len(ref) == 8 and not set(ref) & set("01IOL") for ref in references)


class TestWhoSeesWhichResident:
    def test_a_mediator_sees_the_residents_of_their_actor(self, cast):
        assert cast.resident in Resident.objects.visible_to(cast.mediator_a)
        assert cast.resident in Resident.objects.visible_to(cast.colleague_a)
        assert cast.resident in Resident.objects.visible_to(cast.coordinator_a)

    def test_another_actor_sees_them_only_with_their_consent(self, cast):
        assert cast.resident not in Resident.objects.visible_to(cast.mediator_b)
        cast.resident.give_consent()
        cast.resident.save()
        assert cast.resident in Resident.objects.visible_to(cast.mediator_b)
        cast.resident.withdraw_consent()
        cast.resident.save()
        assert cast.resident not in Resident.objects.visible_to(cast.mediator_b)

    def test_officials_never_see_residents(self, cast):
        cast.resident.give_consent()
        cast.resident.save()
        assert not Resident.objects.visible_to(cast.official).exists()

    def test_the_network_admin_sees_everyone_but_merged_records(self, cast):
        other = ResidentFactory(created_by_actor=cast.actor_b)
        merged = ResidentFactory(created_by_actor=cast.actor_b, merged_into=other)
        visible = set(Resident.objects.visible_to(cast.network_admin))
        assert {cast.resident, other} <= visible
        assert merged not in visible

    def test_sessions_and_their_outcomes_follow_the_same_rule(self, cast):
        participation = ParticipationFactory(
            session=SessionFactory(actor=cast.actor_a), resident=cast.resident
        )
        assessment = CompetenceAssessmentFactory(resident=cast.resident)
        assert participation.session in Session.objects.visible_to(cast.mediator_a)
        assert participation.session not in Session.objects.visible_to(cast.mediator_b)
        assert not Session.objects.visible_to(cast.official).exists()
        assert participation not in Participation.objects.visible_to(cast.mediator_b)
        assert assessment not in CompetenceAssessment.objects.visible_to(cast.mediator_b)
        assert assessment in CompetenceAssessment.objects.visible_to(cast.mediator_a)


class TestAccessJournal:
    def test_rows_cannot_be_changed_or_deleted_through_the_orm(self, cast):
        row = AccessLog.objects.create(
            user=cast.mediator_a, resident=cast.resident, action="view_journey"
        )
        row.action = "export"
        with pytest.raises(PermissionError):
            row.save()
        with pytest.raises(PermissionError):
            row.delete()
        with pytest.raises(PermissionError):
            AccessLog.objects.filter(pk=row.pk).update(action="export")
        with pytest.raises(PermissionError):
            AccessLog.objects.all().delete()
        row = AccessLog.objects.get(pk=row.pk)
        assert row.action == "view_journey"

    def test_only_the_network_admin_browses_it(self, cast):
        AccessLog.objects.create(user=cast.mediator_a, resident=cast.resident, action="view_record")
        assert AccessLog.objects.visible_to(cast.network_admin).count() == 1
        assert not AccessLog.objects.visible_to(cast.mediator_a).exists()

    def test_the_admin_offers_no_way_to_change_it(self, cast):
        row = AccessLog.objects.create(
            user=cast.mediator_a, resident=cast.resident, action="view_record"
        )
        client = cast.client("network_admin")
        assert client.get("/admin/learners/accesslog/").status_code == 200
        change = client.post(f"/admin/learners/accesslog/{row.pk}/change/", {"action": "export"})
        delete = client.post(f"/admin/learners/accesslog/{row.pk}/delete/", {"post": "yes"})
        assert change.status_code in (302, 403)
        assert delete.status_code == 403
        assert AccessLog.objects.get(pk=row.pk).action == "view_record"


def test_constraints_hold_inside_a_rolled_back_transaction():
    # A failed multi-row write leaves nothing behind.
    competence = Competence.objects.get(code="1.1")
    resident = ResidentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CompetenceAssessmentFactory(resident=resident, competence=competence, level=3)
        CompetenceAssessmentFactory(resident=resident, competence=competence, level=12)
    assert not CompetenceAssessment.objects.filter(resident=resident).exists()
