"""Every staff read of residents' personal data is journaled: lists and details, pages and
API, exports and the admin. One row per request (AccessLog.record), naming every resident
it showed and the search or filters used, rather than one row per resident: as-you-type
search and pages of 200 would otherwise write hundreds of rows a minute."""

import html

import pytest

from certificates.services import certificate_issue
from learners import services
from learners.models import AccessLog, CompetenceAssessment
from stats.demo.factories import ReferralFactory, ResidentFactory, completed_module
from tests.conftest import API_THROTTLE_QUERIES

pytestmark = pytest.mark.django_db


class World:
    """Actor A's two residents: Éloïse Garnier (a signed certificate) and Karim Benali (a
    completed module, not yet certified, and a referral to actor B); one session with
    both."""

    def __init__(self, cast):
        self.cast = cast
        self.garnier = cast.resident
        self.benali = ResidentFactory(
            created_by_actor=cast.actor_a, first_name="Karim", last_name="Benali"
        )
        module = completed_module(self.garnier, mediator=cast.mediator_a)
        completed_module(self.benali, mediator=cast.mediator_a)
        self.certificate = certificate_issue(resident=self.garnier, module=module)
        self.session, _created = services.session_create(
            by=cast.mediator_a,
            outcomes=[
                services.Outcome(resident=self.garnier, autonomy=2),
                services.Outcome(resident=self.benali, autonomy=1),
            ],
            date=self.certificate.period_end,
            duration_minutes=60,
            format="collective",
            workshop_title="Atelier",
            actor=cast.actor_a,
            pole="necessity",
        )
        self.referral = ReferralFactory(
            resident=self.benali, to_actor=cast.actor_b, created_by=cast.mediator_a
        )
        self.assessment = CompetenceAssessment.objects.filter(resident=self.benali).first()
        self.both = {self.garnier.reference, self.benali.reference}


@pytest.fixture
def world(cast):
    return World(cast)


def named(row):
    """The references a journal row names."""
    return set(row.residents.split()) | ({row.resident.reference} if row.resident_id else set())


# url (a function of the world), the residents it shows, and the action journaled
READS = {
    "resident list": (lambda w: "/residents/", "both", "view_list"),
    "resident search page": (lambda w: "/residents/?q=gar", "garnier", "view_list"),
    "as-you-type search": (lambda w: "/residents/search/?q=gar", "garnier", "view_list"),
    "session edit page": (lambda w: f"/sessions/{w.session.pk}/edit/", "both", "view_list"),
    "referrals sent": (lambda w: "/referrals/?box=sent", "benali", "view_list"),
    "referral": (lambda w: f"/referrals/{w.referral.pk}/", "benali", "view_record"),
    "referral form": (
        lambda w: f"/residents/{w.garnier.reference}/refer/",
        "garnier",
        "view_record",
    ),
    "erase form": (lambda w: f"/residents/{w.garnier.reference}/erase/", "garnier", "view_record"),
    "certificates": (lambda w: "/certificates/", "garnier", "view_list"),
    # Éloïse's levels also complete Karim's module: both may get its certificate.
    "certificates to issue": (lambda w: "/certificates/eligible/", "both", "view_list"),
    "certificate": (
        lambda w: f"/certificates/{w.certificate.code}/",
        "garnier",
        "view_record",
    ),
    "certificate pdf": (
        lambda w: f"/certificates/{w.certificate.code}/pdf/",
        "garnier",
        "view_record",
    ),
    "api residents": (lambda w: "/api/v1/residents/?page_size=200", "both", "view_list"),
    "api sessions": (lambda w: "/api/v1/sessions/", "both", "view_list"),
    "api session": (lambda w: f"/api/v1/sessions/{w.session.pk}/", "both", "view_list"),
    "api assessments": (lambda w: "/api/v1/assessments/", "both", "view_list"),
    "api assessment": (
        lambda w: f"/api/v1/assessments/{w.assessment.pk}/",
        "benali",
        "view_record",
    ),
    "api referrals": (lambda w: "/api/v1/referrals/", "benali", "view_list"),
    "api referral": (lambda w: f"/api/v1/referrals/{w.referral.pk}/", "benali", "view_record"),
    "api certificates": (lambda w: "/api/v1/certificates/", "garnier", "view_list"),
    "api certificate": (
        lambda w: f"/api/v1/certificates/{w.certificate.code}/",
        "garnier",
        "view_record",
    ),
    "api certificate pdf": (
        lambda w: f"/api/v1/certificates/{w.certificate.code}/pdf/",
        "garnier",
        "view_record",
    ),
    "api credential": (
        lambda w: f"/api/v1/certificates/{w.certificate.code}/credential/",
        "garnier",
        "view_record",
    ),
    "export of residents": (lambda w: "/exports/residents.csv", "both", "export"),
    "export of sessions": (lambda w: "/exports/sessions.xlsx", "both", "export"),
    "export of assessments": (lambda w: "/exports/assessments.json", "both", "export"),
}


@pytest.mark.security_review
@pytest.mark.parametrize("read", list(READS))
def test_each_read_writes_one_row_naming_what_it_showed(cast, world, read):
    url, shown, action = READS[read]
    url = url(world)
    expected = world.both if shown == "both" else {getattr(world, shown).reference}
    before = set(AccessLog.objects.values_list("pk", flat=True))

    response = cast.client("mediator_a").get(url)

    assert response.status_code == 200, url
    rows = list(AccessLog.objects.exclude(pk__in=before).select_related("resident"))
    assert len(rows) == 1, [(r.action, r.path) for r in rows]
    row = rows[0]
    assert (row.user, row.action) == (cast.mediator_a, action)
    assert url.split("?")[0].startswith(row.path)  # the page; an export: /exports/<kind>
    assert named(row) == expected
    if "?" in url:
        assert row.query == url.split("?", 1)[1]


@pytest.mark.security_review
def test_the_api_list_of_the_finding_is_journaled(cast):
    """The finding: 600 full records (phone, email) read with page_size=200, journal
    unchanged. Now each page is one row naming its 200 residents."""
    people = ResidentFactory.create_batch(
        600, created_by_actor=cast.actor_a, phone="06 12 34 56 78", email="x@example.fr"
    )
    client = cast.client("mediator_a")
    seen = set()
    for page in (1, 2, 3, 4):
        response = client.get("/api/v1/residents/", {"page_size": 200, "page": page})
        assert response.status_code == 200
        seen |= {r["reference"] for r in response.json()["results"]}
    rows = list(AccessLog.objects.order_by("id"))
    assert [len(row.residents.split()) for row in rows] == [200, 200, 200, 1]
    assert {ref for row in rows for ref in row.residents.split()} == seen
    assert seen == {p.reference for p in people} | {cast.resident.reference}
    assert {row.query for row in rows} == {f"page_size=200&page={n}" for n in (1, 2, 3, 4)}


def test_reads_of_no_one_write_nothing_and_writes_keep_their_own_rows(cast, world):
    client = cast.client("mediator_a")
    before = AccessLog.objects.count()
    assert client.get("/residents/search/?q=zz").status_code == 200
    assert client.get("/api/v1/referrals/?status=closed").json()["count"] == 0
    assert AccessLog.objects.count() == before
    # Actor B's mediator sees nobody of actor A: nothing read, nothing journaled.
    assert cast.client("mediator_b").get("/api/v1/residents/").json()["count"] == 0
    assert AccessLog.objects.count() == before


@pytest.mark.security_review
def test_the_admin_pages_of_residents_are_journaled(cast, world):
    client = cast.client("network_admin")
    before = set(AccessLog.objects.values_list("pk", flat=True))
    assert client.get("/admin/learners/resident/").status_code == 200
    url = f"/admin/learners/resident/{world.benali.pk}/change/"
    assert client.get(url).status_code == 200
    rows = list(AccessLog.objects.exclude(pk__in=before).order_by("id"))
    assert [(row.action, named(row)) for row in rows] == [
        ("view_list", world.both),
        ("view_record", {world.benali.reference}),
    ]


@pytest.mark.security_review
def test_the_journal_finds_a_resident_in_the_lists_that_showed_them(cast, world):
    cast.client("mediator_a").get("/api/v1/residents/")
    cast.client("mediator_a").get(f"/residents/{world.benali.reference}/")
    response = cast.client("network_admin").get("/journal/", {"resident": world.benali.reference})
    rows = response.context["page"].object_list
    assert [row.action for row in rows] == ["view_journey", "view_list"]
    page = html.unescape(response.content.decode())
    assert "Consultation d'une liste" in page
    assert world.garnier.reference in page  # the other resident the list showed


def test_the_journal_row_costs_one_query(cast, world, django_assert_num_queries):
    """Pinned counts elsewhere name the journal's INSERT; here, the API list: session, user,
    the user's actors, count, residents, journal row, and the API throttle's."""
    client = cast.client("mediator_a")
    with django_assert_num_queries(6 + API_THROTTLE_QUERIES):
        response = client.get("/api/v1/residents/")
    assert response.json()["count"] == 2
