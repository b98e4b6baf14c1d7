import datetime

import pytest

from learners.services import resident_refresh_journey
from stats.demo.factories import (
    ParticipationFactory,
    ReferralFactory,
    ResidentFactory,
    SessionFactory,
)

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


def test_residents_are_refreshed_in_batches_and_others_are_left_alone():
    first, second, other = ResidentFactory(), ResidentFactory(), ResidentFactory()
    for resident in (first, second, other):
        take_part(resident, D(2026, 1, 15), "leisure")
    take_part(second, D(2026, 2, 1), "necessity")

    resident_refresh_journey([first.pk, second.pk], batch_size=1)

    first.refresh_from_db()
    second.refresh_from_db()
    other.refresh_from_db()
    assert (first.session_count, first.leisure_on) == (1, D(2026, 1, 15))
    assert (second.session_count, second.necessity_on, second.last_session_on) == (
        2,
        D(2026, 2, 1),
        D(2026, 2, 1),
    )
    assert other.session_count == 0 and other.first_pole == ""


# The journey page -----------------------------------------------------------------------


def journey_of_eloise(cast, *, sessions=3):
    """Éloïse's journey: paperwork at A, a training module at A, leisure at B."""
    from learners.services import Outcome, session_create
    from pathway.models import Competence
    from stats.demo.factories import CertificateFactory, ModuleFactory, OperatorFactory

    cast.resident.give_consent()
    cast.resident.save()
    caf = OperatorFactory(name="CAF")
    module = ModuleFactory(name="Se protéger en ligne", targets={"4.1": 2, "4.2": 2})
    start = D(2026, 1, 5)
    for n in range(sessions):
        session_create(
            by=cast.mediator_a,
            outcomes=[
                Outcome(
                    resident=cast.resident,
                    autonomy=min(3, 1 + n // 2),
                    operator=caf,
                    paperwork_result="completed",
                )
            ],
            actor=cast.actor_a,
            date=start + datetime.timedelta(days=7 * n),
            duration_minutes=30,
            pole="necessity",
        )
    competences = {c.code: c for c in Competence.objects.filter(code__in=["4.1", "4.2"])}
    for n, levels in enumerate([{"4.1": 1}, {"4.1": 2, "4.2": 2}]):
        session_create(
            by=cast.mediator_a,
            outcomes=[
                Outcome(
                    resident=cast.resident,
                    levels={competences[c]: lv for c, lv in levels.items()},
                )
            ],
            actor=cast.actor_a,
            date=D(2026, 3, 2) + datetime.timedelta(days=7 * n),
            duration_minutes=120,
            pole="achievement",
            module=module,
            format="collective",
        )
    session_create(
        by=cast.mediator_b,
        outcomes=[Outcome(resident=cast.resident, autonomy=3)],
        actor=cast.actor_b,
        date=D(2026, 5, 4),
        duration_minutes=90,
        pole="leisure",
    )
    other = ModuleFactory(name="Le tableur au quotidien", targets={"1.3": 2})
    session_create(
        by=cast.mediator_a,
        outcomes=[Outcome(resident=cast.resident)],
        actor=cast.actor_a,
        date=D(2026, 5, 11),
        duration_minutes=60,
        pole="achievement",
        module=other,
    )
    ReferralFactory(
        resident=cast.resident,
        from_actor=cast.actor_a,
        to_actor=cast.actor_b,
        created_by=cast.mediator_a,
        reason="Aimerait découvrir la photo numérique.",
    )
    return CertificateFactory(resident=cast.resident, module=module, levels={"4.1": 2})


def test_the_journey_page_tells_the_whole_story(cast):
    certificate = journey_of_eloise(cast)

    response = cast.client("mediator_b").get(f"/residents/{cast.resident.reference}/")

    assert response.status_code == 200
    content = response.content.decode()
    # Each pole with the date it was first reached.
    assert "atteinte le 05/01/2026" in content
    assert "atteinte le 02/03/2026" in content
    assert "atteinte le 04/05/2026" in content
    # The timeline across actors.
    assert "France services de Miramas" in content and "Médiathèque de Miramas" in content
    assert "CAF : Démarche terminée" in content
    # Competences with their level and band.
    journey = response.context["journey"]
    assert [(c.competence.code, c.level) for c in journey.competences] == [("4.1", 2), ("4.2", 2)]
    assert "(débutant)" in content
    # Modules completed (with its certificate) and in progress.
    assert [m.module.name for m in journey.modules_completed] == ["Se protéger en ligne"]
    assert [m.module.name for m in journey.modules_in_progress] == ["Le tableur au quotidien"]
    assert f"attestation {certificate.code}" in content
    assert "Aimerait découvrir la photo numérique." in content
    assert certificate.code in content


def test_the_autonomy_chart_is_an_accessible_svg_with_its_data(cast):
    journey_of_eloise(cast)
    response = cast.client("mediator_a").get(f"/residents/{cast.resident.reference}/")
    content = response.content.decode()
    assert '<svg class="chart"' in content and 'role="img"' in content
    assert '<title id="chart-title">' in content
    assert "4 mesures d&#x27;autonomie du 05/01/2026 au 04/05/2026" in content
    assert "Au début : fait pour la personne" in content
    chart = response.context["chart"]
    assert len(chart["dots"]) == 4
    # Higher autonomy is drawn higher (smaller y); time runs left to right.
    ys = [dot["y"] for dot in chart["dots"]]
    xs = [dot["x"] for dot in chart["dots"]]
    assert ys[0] > ys[-1] and xs == sorted(xs)
    # The same figures as a table.
    assert "<td>04/05/2026</td><td>3 — Fait seul par la personne</td>" in content


def test_a_journey_without_sessions_says_so(cast):
    content = cast.client("mediator_a").get(f"/residents/{cast.resident.reference}/")
    assert "Pas encore de mesure d'autonomie" in content.content.decode()


def test_the_journey_page_is_printable(cast):
    content = cast.client("mediator_a").get(f"/residents/{cast.resident.reference}/").content
    # The buttons and links of the screen are left out of the printed page (app.css).
    assert b'class="shortcuts no-print"' in content and b"data-print" in content


@pytest.mark.parametrize("sessions", [1, 12])
def test_the_journey_page_costs_the_same_queries_whatever_its_length(
    cast, sessions, django_assert_num_queries
):
    journey_of_eloise(cast, sessions=sessions)
    client = cast.client("mediator_a")
    # session, user, resident, journal row, participations with session/module/place/actor/
    # operator, their topics, assessments, certificates, referrals, the user's actors (for
    # the referral links), module targets, the latest Pix result (certificates' pix_levels),
    # the count of new referrals (navigation)
    with django_assert_num_queries(13):
        response = client.get(f"/residents/{cast.resident.reference}/")
    assert len(response.context["journey"].participations) == sessions + 4
