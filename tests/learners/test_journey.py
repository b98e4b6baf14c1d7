import datetime

import pytest

from learners.services import resident_refresh_journey
from tests.factories import ParticipationFactory, ResidentFactory, SessionFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def take_part(resident, day, pole):
    return ParticipationFactory(
        session=SessionFactory(date=day, pole=pole, actor=resident.created_by_actor),
        resident=resident,
    )


def test_the_journey_is_derived_from_participations():
    resident = ResidentFactory()
    take_part(resident, D(2026, 3, 2), "leisure")
    take_part(resident, D(2026, 1, 15), "necessity")
    take_part(resident, D(2026, 2, 1), "achievement")
    take_part(resident, D(2026, 1, 20), "necessity")

    resident_refresh_journey([resident.pk])
    resident.refresh_from_db()

    assert resident.first_session_on == D(2026, 1, 15)
    assert resident.last_session_on == D(2026, 3, 2)
    assert resident.first_pole == "necessity"
    assert (resident.necessity_on, resident.achievement_on, resident.leisure_on) == (
        D(2026, 1, 15),
        D(2026, 2, 1),
        D(2026, 3, 2),
    )
    assert resident.session_count == 4


def test_a_deleted_session_leaves_no_trace_in_the_journey():
    resident = ResidentFactory()
    first = take_part(resident, D(2026, 1, 15), "achievement")
    take_part(resident, D(2026, 2, 1), "necessity")
    resident_refresh_journey([resident.pk])

    first.session.delete()
    resident_refresh_journey([resident.pk])
    resident.refresh_from_db()

    assert resident.first_pole == "necessity"
    assert resident.achievement_on is None
    assert resident.session_count == 1


def test_a_resident_without_sessions_has_an_empty_journey():
    resident = ResidentFactory()
    resident_refresh_journey([resident.pk])
    resident.refresh_from_db()
    assert resident.first_pole == "" and resident.first_session_on is None
    assert resident.session_count == 0


def test_on_the_same_day_the_earlier_pole_is_the_entry_pole():
    resident = ResidentFactory()
    take_part(resident, D(2026, 1, 15), "leisure")
    take_part(resident, D(2026, 1, 15), "necessity")
    resident_refresh_journey([resident.pk])
    resident.refresh_from_db()
    assert resident.first_pole == "necessity"
