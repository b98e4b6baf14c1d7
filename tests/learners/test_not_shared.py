"""A resident who withdraws their consent to sharing disappears from the other actors'
view at once, even from their own earlier sessions with them: the session page, the API
and the exports show "personne non partagée" where the name or reference was, and the
person stays in the session as they were (nobody changes what they cannot see), so the
figures of the session do not move."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from learners import services
from learners.models import CompetenceAssessment, Participation, Session
from learners.resources import SESSION_COLUMNS
from stats.demo.factories import (
    CertificateFactory,
    ModuleFactory,
    ReferralFactory,
    ResidentFactory,
    session_form_data,
)

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
MASK = "Personne non partagée"


@pytest.fixture
def withdrawn(cast):
    """Actor A's resident, who came to a workshop of actor B's mediator, was assessed and
    referred there, then withdrew their consent to sharing."""
    resident = ResidentFactory(
        created_by_actor=cast.actor_a, first_name="Yasmina", last_name="Touati", consented=True
    )
    friend = ResidentFactory(created_by_actor=cast.actor_b, first_name="Marc", last_name="Rey")
    module = ModuleFactory(name="Premiers pas", targets={"1.1": 2})
    competence = module.targets.get().competence
    session, _created = services.session_create(
        by=cast.mediator_b,
        outcomes=[
            services.Outcome(resident=resident, levels={competence: 2}),
            services.Outcome(resident=friend, levels={competence: 1}),
        ],
        date=YESTERDAY,
        duration_minutes=90,
        format="collective",
        workshop_title="Atelier tablette",
        actor=cast.actor_b,
        pole="achievement",
        module=module,
    )
    ReferralFactory(
        resident=resident,
        from_actor=cast.actor_b,
        to_actor=cast.actor_a,
        created_by=cast.mediator_b,
    )
    CertificateFactory(resident=resident, module=module, actor=cast.actor_b)
    services.resident_set_consent(resident=resident, consent=False)
    resident.session = session
    resident.friend = friend
    resident.competence = competence
    return resident


def names_of(resident):
    return [resident.first_name, resident.last_name, resident.reference]


@pytest.mark.security_review
def test_the_edit_page_of_ones_own_earlier_session_masks_the_person(cast, withdrawn):
    page = cast.client("mediator_b").get(f"/sessions/{withdrawn.session.pk}/edit/")
    assert page.status_code == 200
    text = page.content.decode()
    for word in names_of(withdrawn):
        assert word not in text
    assert MASK in text
    assert "Marc Rey" in text  # the participant they may still see


@pytest.mark.security_review
def test_saving_the_session_keeps_the_person_as_they_were(cast, withdrawn):
    session = withdrawn.session
    data = session_form_data(
        actor=cast.actor_b,
        pole="achievement",
        module=session.module_id,
        format="collective",
        workshop_title="Atelier tablette",
        duration="120",
        participants=[{"resident": withdrawn.friend, "levels": {"1.1": 2}}],
    )
    response = cast.client("mediator_b").post(f"/sessions/{session.pk}/edit/", data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.duration_minutes == 120
    assert session.participant_count == 2
    assert set(session.participations.values_list("resident_id", flat=True)) == {
        withdrawn.pk,
        withdrawn.friend.pk,
    }
    kept = CompetenceAssessment.objects.get(session=session, resident=withdrawn)
    assert kept.level == 2
    # Naming the person anyway (their id from an old page) is refused, without their name.
    data["p-TOTAL_FORMS"] = 2
    data["p-1-resident"] = withdrawn.pk
    response = cast.client("mediator_b").post(f"/sessions/{session.pk}/edit/", data)
    assert response.status_code == 200
    assert "Yasmina" not in response.content.decode()


@pytest.mark.security_review
def test_the_api_shows_the_session_without_the_person(cast, withdrawn):
    client = cast.client("mediator_b")
    url = f"/api/v1/sessions/{withdrawn.session.pk}/"
    for answer in (client.get(url).json(), client.get("/api/v1/sessions/").json()["results"][0]):
        assert withdrawn.reference not in str(answer)
        assert [p["resident"] for p in answer["participants"]] == [
            None,
            withdrawn.friend.reference,
        ]
    found = client.get("/api/v1/sessions/", {"resident": withdrawn.reference}).json()
    assert found["count"] == 0

    # Changing the session keeps the person, with what was recorded for them.
    response = client.patch(url, {"duration_minutes": 30}, content_type="application/json")
    assert response.status_code == 200, response.json()
    response = client.put(
        url,
        {
            "date": YESTERDAY.isoformat(),
            "duration_minutes": 45,
            "format": "collective",
            "workshop_title": "Atelier tablette",
            "actor": cast.actor_b.pk,
            "pole": "achievement",
            "module": withdrawn.session.module_id,
            "participants": [{"resident": withdrawn.friend.reference}],
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert Participation.objects.filter(session=withdrawn.session, resident=withdrawn).exists()
    assert (
        CompetenceAssessment.objects.get(session=withdrawn.session, resident=withdrawn).level == 2
    )
    # Naming them by reference is refused like any record one may not see.
    response = client.put(
        url,
        {
            "date": YESTERDAY.isoformat(),
            "duration_minutes": 45,
            "actor": cast.actor_b.pk,
            "pole": "leisure",
            "participants": [{"resident": withdrawn.reference}],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Yasmina" not in response.content.decode()


@pytest.mark.security_review
@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_the_sessions_export_masks_the_person(cast, withdrawn, file_format):
    response = cast.client("mediator_b").get(f"/exports/sessions.{file_format}")
    assert response.status_code == 200
    content = response.content
    if file_format == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(content))
        content = "\n".join(
            str(cell) for row in book.active.iter_rows(values_only=True) for cell in row
        ).encode()
    text = content.decode("utf-8-sig")
    assert withdrawn.reference not in text
    assert "personne non partagée" in text.lower()


@pytest.mark.security_review
def test_the_export_imported_back_keeps_the_person(cast, withdrawn):
    from learners import imports

    exported = imports.export(imports.KINDS["sessions"], user=cast.mediator_b, file_format="csv")
    row = next(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    assert row[SESSION_COLUMNS["participants"]] == (
        f"personne non partagée|{withdrawn.friend.reference}"
    )
    dataset = imports.read_dataset(exported, "seances.csv")
    report = imports.run_import(
        imports.KINDS["sessions"], dataset, user=cast.mediator_b, dry_run=False
    )
    assert (report["skip"], report["errors"]) == (1, [])

    # Someone changes the session, and the file puts it back: the person is still there.
    Session.objects.filter(pk=withdrawn.session.pk).update(duration_minutes=15)
    report = imports.run_import(
        imports.KINDS["sessions"], dataset, user=cast.mediator_b, dry_run=False
    )
    assert (report["update"], report["errors"]) == (1, [])
    session = Session.objects.get(pk=withdrawn.session.pk)
    assert session.duration_minutes == 90 and session.participant_count == 2
    assert CompetenceAssessment.objects.get(session=session, resident=withdrawn).level == 2


def test_nothing_else_actor_b_reads_names_the_person(cast, withdrawn):
    """Every page, answer and file of actor B's mediator that could name the person."""
    client = cast.client("mediator_b")
    urls = [
        "/sessions/",
        "/referrals/?box=sent&open=0",
        "/referrals/?open=0",
        "/certificates/",
        "/certificates/eligible/",
        f"/residents/search/?q={withdrawn.last_name[:3]}",
        f"/residents/?q={withdrawn.last_name[:3]}",
        "/api/v1/referrals/",
        "/api/v1/assessments/",
        "/api/v1/certificates/",
        "/api/v1/residents/",
        "/exports/assessments.csv",
        "/exports/residents.csv",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode("utf-8-sig")
        for word in names_of(withdrawn):
            assert word not in text, (url, word)
