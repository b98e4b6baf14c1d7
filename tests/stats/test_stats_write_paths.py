"""Every way of writing what the statistics count keeps their summaries right: the pages,
the API, imports, the admin and the commands, for sessions, assessments, residents'
details, merges and erasures. After each write, the dashboard's figures are compared with
the same figures computed from the raw rows (tests/pathway/raw_figures.py), and a full
rebuild of the summaries must change nothing."""

import datetime
import io
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.utils import timezone

from learners import services
from learners.models import CompetenceAssessment, Participation, Resident, Session
from pathway.models import Competence, Pole
from stats.demo.factories import ModuleFactory, NeighbourhoodFactory, ResidentFactory
from stats.figures import Filters, Period, collect
from stats.services import stats_refresh
from tests.stats.raw_figures import raw_figures
from tests.stats.test_stats_summaries import snapshot

# The paths that missed the summaries before the security review carry its marker; the
# others were right already and are checked here all the same.
pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
D = datetime.date


def filter_sets(town):
    """The two years around today (ranges, a year counted in advance, this month), and the
    public filters the writes below move people in and out of."""
    both = Period(D(TODAY.year - 1, 1, 1), D(TODAY.year, 12, 1), "deux ans")
    year = Period(D(TODAY.year, 1, 1), D(TODAY.year, 12, 1), str(TODAY.year))
    month = Period(TODAY.replace(day=1), TODAY.replace(day=1), "ce mois")
    return [
        Filters(period=both),
        Filters(period=year),
        Filters(period=month),
        Filters(period=both, neighbourhood_ids=frozenset([town.maille.pk])),
        Filters(period=both, social_status="retired"),
        Filters(period=both, age="60_74"),
        Filters(period=both, pole=Pole.ACHIEVEMENT),
        Filters(period=both, actor_ids=frozenset([town.cast.actor_a.pk])),
    ]


def assert_summaries_right(town):
    for filters in filter_sets(town):
        assert collect(filters) == raw_figures(filters), filters
    kept = snapshot()
    stats_refresh()
    assert snapshot() == kept


class Town:
    """Actor A's residents with paperwork and training sessions logged through the
    services (so the summaries start right), one competence short of a module."""

    def __init__(self, cast):
        self.cast = cast
        self.maille = NeighbourhoodFactory(name="La Maille", priority=True)
        self.centre = NeighbourhoodFactory(name="Centre-ville")
        self.module = ModuleFactory(name="Se protéger", targets={"1.1": 2, "4.2": 3})
        self.c11 = Competence.objects.get(code="1.1")
        self.c42 = Competence.objects.get(code="4.2")
        Resident.objects.filter(pk=cast.resident.pk).update(
            neighbourhood=self.centre, birth_year=1980, social_status="job_seeker"
        )
        cast.resident.refresh_from_db()
        self.ines = ResidentFactory(
            created_by_actor=cast.actor_a,
            first_name="Inès",
            last_name="Moreau",
            neighbourhood=self.maille,
            birth_year=1958,
            social_status="retired",
            consented=True,
        )
        self.duplicate = ResidentFactory(
            created_by_actor=cast.actor_a,
            first_name="Ines",
            last_name="Moreau",
            neighbourhood=None,
            birth_year=1958,
        )
        self.paperwork = self.log(
            [cast.resident, self.duplicate], pole=Pole.NECESSITY, day=YESTERDAY
        )
        self.training = self.log(
            [self.ines],
            pole=Pole.ACHIEVEMENT,
            day=YESTERDAY,
            module=self.module,
            levels={self.c11: 2},
        )

    def log(self, people, *, pole, day, module=None, levels=None):
        session, _created = services.session_create(
            by=self.cast.mediator_a,
            outcomes=[
                services.Outcome(
                    resident=person,
                    autonomy=2 if pole == Pole.NECESSITY else None,
                    levels=dict(levels or {}),
                )
                for person in people
            ],
            date=day,
            duration_minutes=60,
            format="collective" if len(people) > 1 else "individual",
            workshop_title="Atelier" if len(people) > 1 else "",
            actor=self.cast.actor_a,
            pole=pole,
            module=module,
        )
        return session


@pytest.fixture
def town(cast):
    return Town(cast)


def completed(town):
    """Modules completed this year, as the dashboard counts them."""
    year = Period(D(TODAY.year, 1, 1), D(TODAY.year, 12, 1), "année")
    return collect(Filters(period=year)).completions


# The API --------------------------------------------------------------------------------


@pytest.mark.security_review
def test_an_assessment_recorded_through_the_api(town):
    response = town.cast.client("mediator_a").post(
        "/api/v1/assessments/",
        {"resident": town.ines.reference, "competence": "4.2", "level": 3},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert completed(town) == {town.module.pk: 1}
    assert_summaries_right(town)


def test_a_residents_details_changed_through_the_api(town):
    response = town.cast.client("mediator_a").patch(
        f"/api/v1/residents/{town.cast.resident.reference}/",
        {"neighbourhood": town.maille.pk, "birth_year": 1960, "social_status": "retired"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert_summaries_right(town)


def test_sessions_logged_changed_and_deleted_through_the_api(town):
    client = town.cast.client("mediator_a")
    created = client.post(
        "/api/v1/sessions/",
        {
            "date": YESTERDAY.isoformat(),
            "duration_minutes": 45,
            "actor": town.cast.actor_a.pk,
            "pole": "leisure",
            "participants": [{"resident": town.ines.reference}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert_summaries_right(town)
    changed = client.patch(
        f"/api/v1/sessions/{town.paperwork.pk}/",
        {"date": (TODAY - datetime.timedelta(days=40)).isoformat()},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert_summaries_right(town)
    assert client.delete(f"/api/v1/sessions/{town.training.pk}/").status_code == 204
    assert_summaries_right(town)


# The pages ------------------------------------------------------------------------------


def test_sessions_logged_changed_and_deleted_on_the_pages(town):
    from stats.demo.factories import session_form_data

    client = town.cast.client("mediator_a")
    data = session_form_data(
        actor=town.cast.actor_a,
        pole="leisure",
        participants=[{"resident": town.ines}],
    )
    assert client.post("/sessions/new/", data).status_code == 302
    assert_summaries_right(town)
    data = session_form_data(
        actor=town.cast.actor_a,
        pole="necessity",
        day=TODAY - datetime.timedelta(days=40),
        participants=[{"resident": town.cast.resident, "autonomy": 3}],
    )
    response = client.post(f"/sessions/{town.paperwork.pk}/edit/", data)
    assert response.status_code == 302
    assert_summaries_right(town)
    assert client.post(f"/sessions/{town.training.pk}/delete/").status_code == 302
    assert_summaries_right(town)


def test_a_residents_details_changed_on_their_page(town):
    resident = town.cast.resident
    response = town.cast.client("mediator_a").post(
        f"/residents/{resident.reference}/edit/",
        {
            "first_name": resident.first_name,
            "last_name": resident.last_name,
            "birth_year": "1955",
            "neighbourhood": str(town.maille.pk),
            "social_status": "retired",
        },
    )
    assert response.status_code == 302
    assert_summaries_right(town)


def test_records_merged_then_erased_on_the_pages(town):
    client = town.cast.client("network_admin")
    response = client.post(
        "/residents/merge/",
        {"survivor": town.ines.reference, "duplicate": town.duplicate.reference, "confirm": "True"},
    )
    assert response.status_code == 302
    assert Resident.objects.get(pk=town.duplicate.pk).merged_into_id == town.ines.pk
    assert_summaries_right(town)
    response = client.post(
        f"/residents/{town.ines.reference}/erase/", {"certificates": "keep", "confirm": "on"}
    )
    assert response.status_code == 302
    assert_summaries_right(town)


def test_an_erasure_from_the_residents_own_space(town):
    client = town.cast.client("resident")
    assert (
        client.post("/me/data/erase/", {"certificates": "keep", "confirm": "on"}).status_code == 200
    )
    assert Resident.objects.get(pk=town.cast.resident.pk).erased_at is not None
    assert_summaries_right(town)


# Imports and commands -------------------------------------------------------------------


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.security_review
def test_assessments_imported_by_the_command(town, tmp_path):
    path = write(
        tmp_path,
        "evaluations.csv",
        "habitant (référence),compétence,niveau,évalué le\n"
        f"{town.ines.reference},4.2,3,{YESTERDAY:%d/%m/%Y}\n",
    )
    call_command("import_data", "assessments", path, "--user", "mediator_a", stdout=io.StringIO())
    assert CompetenceAssessment.objects.filter(resident=town.ines, competence=town.c42).exists()
    assert completed(town) == {town.module.pk: 1}
    assert_summaries_right(town)


@pytest.mark.security_review
def test_residents_details_imported_by_the_command(town, tmp_path):
    resident = town.cast.resident
    path = write(
        tmp_path,
        "habitants.csv",
        "référence,prénom,nom,année de naissance,quartier,situation\n"
        f"{resident.reference},{resident.first_name},{resident.last_name},1957,La Maille,"
        "Retraité\n",
    )
    call_command("import_data", "residents", path, "--user", "mediator_a", stdout=io.StringIO())
    resident.refresh_from_db()
    assert (resident.neighbourhood, resident.birth_year) == (town.maille, 1957)
    assert_summaries_right(town)


def test_sessions_imported_by_the_command(town, tmp_path):
    path = write(
        tmp_path,
        "seances.csv",
        "date,durée (minutes),structure,pôle,participants (références)\n"
        f"{YESTERDAY:%d/%m/%Y},60,{town.cast.actor_a.name},Numérique loisir et médiation,"
        f"{town.ines.reference}\n",
    )
    call_command("import_data", "sessions", path, "--user", "mediator_a", stdout=io.StringIO())
    assert Session.objects.filter(pole="leisure").exists()
    assert_summaries_right(town)


def test_inactive_residents_anonymised_by_the_command(town):
    Resident.objects.filter(pk=town.duplicate.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=5000)
    )
    Participation.objects.filter(resident=town.duplicate).update(date=D(2015, 1, 5))
    Session.objects.filter(pk=town.paperwork.pk).update(date=D(2015, 1, 5))
    services.participations_changed([town.duplicate.pk, town.cast.resident.pk])
    call_command("anonymize_inactive", stdout=io.StringIO())
    assert Resident.objects.get(pk=town.duplicate.pk).erased_at is not None
    assert_summaries_right(town)


# The Django admin -----------------------------------------------------------------------


class FormReader(HTMLParser):
    """The values a browser would post from the page's main form."""

    def __init__(self):
        super().__init__()
        self.data, self.select, self.multiple, self.textarea = {}, None, False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            else:
                self.data[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self.select, self.multiple = name, "multiple" in attrs
            if not self.multiple:
                self.data.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in attrs:
            if self.multiple:
                self.data.setdefault(self.select, []).append(attrs.get("value", ""))
            else:
                self.data[self.select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        if tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data


def admin_form(client, url):
    response = client.get(url)
    assert response.status_code == 200
    reader = FormReader()
    reader.feed(response.content.decode())
    return reader.data


@pytest.mark.security_review
def test_a_residents_details_changed_in_the_admin(town):
    client = town.cast.client("network_admin")
    url = f"/admin/learners/resident/{town.cast.resident.pk}/change/"
    data = admin_form(client, url)
    data.update(neighbourhood=str(town.maille.pk), birth_year="1950", social_status="retired")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].errors
    assert Resident.objects.get(pk=town.cast.resident.pk).birth_year == 1950
    assert_summaries_right(town)


@pytest.mark.security_review
def test_an_assessment_added_then_deleted_in_the_admin(town):
    client = town.cast.client("network_admin")
    url = "/admin/learners/competenceassessment/add/"
    data = admin_form(client, url)
    data.update(
        resident=str(town.ines.pk),
        competence=str(town.c42.pk),
        level="3",
        assessed_on=YESTERDAY.strftime("%d/%m/%Y"),
        assessed_by=str(town.cast.mediator_a.pk),
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].errors
    assert completed(town) == {town.module.pk: 1}
    assert_summaries_right(town)

    assessment = CompetenceAssessment.objects.get(competence=town.c42)
    response = client.post(
        f"/admin/learners/competenceassessment/{assessment.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert completed(town) == {}
    assert_summaries_right(town)


@pytest.mark.security_review
def test_an_assessment_added_on_the_residents_admin_page(town):
    client = town.cast.client("network_admin")
    url = f"/admin/learners/resident/{town.ines.pk}/change/"
    data = admin_form(client, url)
    prefix = "assessments"
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(index + 1),
            f"{prefix}-{index}-competence": str(town.c42.pk),
            f"{prefix}-{index}-level": "3",
            f"{prefix}-{index}-assessed_on": YESTERDAY.strftime("%d/%m/%Y"),
            f"{prefix}-{index}-assessed_by": str(town.cast.mediator_a.pk),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].errors
    assert completed(town) == {town.module.pk: 1}
    assert_summaries_right(town)


@pytest.mark.security_review
def test_sessions_are_changed_on_their_page_not_in_the_admin(town):
    """The admin's form would bypass the service (the participations' copies of the date,
    the session's rules, the statistics): it shows the session and links to its page."""
    client = town.cast.client("network_admin")
    url = f"/admin/learners/session/{town.paperwork.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert f'href="/sessions/{town.paperwork.pk}/edit/"' in page.content.decode()
    data = admin_form(client, url)
    data.update(date=(TODAY - datetime.timedelta(days=45)).strftime("%d/%m/%Y"))
    assert client.post(url, data).status_code == 403
    assert client.get("/admin/learners/session/add/").status_code == 403
    session = Session.objects.get(pk=town.paperwork.pk)
    assert session.date == YESTERDAY
    assert set(session.participations.values_list("date", flat=True)) == {YESTERDAY}
    assert_summaries_right(town)


@pytest.mark.security_review
def test_sessions_deleted_in_the_admin(town):
    client = town.cast.client("network_admin")
    response = client.post(f"/admin/learners/session/{town.training.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert_summaries_right(town)
    response = client.post(
        "/admin/learners/session/",
        {"action": "delete_selected", "_selected_action": [town.paperwork.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Session.objects.exists()
    assert_summaries_right(town)
