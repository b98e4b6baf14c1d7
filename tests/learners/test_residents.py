"""Finding and creating residents, the consent boundary between actors, merging duplicates
and the access journal."""

import pytest

from certificates.models import Certificate
from learners.models import (
    CURRENT_CONSENT_VERSION,
    AccessLog,
    CompetenceAssessment,
    Participation,
    Referral,
    Resident,
    ResidentLink,
    normalise,
)
from learners.services import Outcome, resident_merge, session_create
from pathway.models import Competence
from stats.demo.factories import (
    CertificateFactory,
    CompetenceAssessmentFactory,
    ModuleFactory,
    NeighbourhoodFactory,
    ReferralFactory,
    ResidentFactory,
    session_form_data,
)

pytestmark = pytest.mark.django_db


def test_names_are_normalised_for_search():
    assert normalise("  Lefèvre-ŒUVRARD d'Été ") == "lefevre oeuvrard d ete"
    assert normalise("Çağlar Øberg") == "caglar oberg"
    assert normalise(None) == ""


def found(client, text):
    response = client.get("/residents/search/", {"q": text})
    assert response.status_code == 200
    return [r.display_name for r in response.context["residents"]]


class TestSearch:
    @pytest.fixture
    def people(self, cast):
        maille = NeighbourhoodFactory(name="La Maille I")
        gare = NeighbourhoodFactory(name="Quartier de la Gare")
        make = ResidentFactory
        return {
            "lefevre": make(
                first_name="Amélie",
                last_name="Lefèvre",
                birth_year=1971,
                neighbourhood=maille,
                created_by_actor=cast.actor_a,
            ),
            "lefebvre": make(
                first_name="Jean",
                last_name="Lefebvre",
                birth_year=1985,
                neighbourhood=gare,
                created_by_actor=cast.actor_a,
            ),
            "ameline": make(
                first_name="Paul",
                last_name="Amelin",
                birth_year=1971,
                neighbourhood=gare,
                created_by_actor=cast.actor_a,
            ),
            "other_actor": make(
                first_name="Léa", last_name="Lefort", created_by_actor=cast.actor_b
            ),
            "shared": make(
                first_name="Luc",
                last_name="Lefranc",
                created_by_actor=cast.actor_b,
                consented=True,
            ),
        }

    def test_by_the_start_of_a_name_without_accents_or_capitals(self, cast, people):
        client = cast.client("mediator_a")
        assert found(client, "lefe") == ["Jean Lefebvre", "Amélie Lefèvre"]
        assert found(client, "LEFÈ") == ["Jean Lefebvre", "Amélie Lefèvre"]
        assert found(client, "amé") == ["Paul Amelin", "Amélie Lefèvre"]

    def test_narrowed_by_a_second_name_a_birth_year_or_a_neighbourhood(self, cast, people):
        client = cast.client("mediator_a")
        assert found(client, "amelie lefevre") == ["Amélie Lefèvre"]
        assert found(client, "lef 1985") == ["Jean Lefebvre"]
        assert found(client, "1971 ame") == ["Paul Amelin", "Amélie Lefèvre"]
        assert found(client, "lef maille") == ["Amélie Lefèvre"]
        assert found(client, "ame gare") == ["Paul Amelin"]

    def test_only_residents_the_mediator_may_see(self, cast, people):
        # Léa Lefort was created at actor B without consent; Luc Lefranc consented.
        assert "Léa Lefort" not in found(cast.client("mediator_a"), "lef")
        assert "Luc Lefranc" in found(cast.client("mediator_a"), "lef")
        assert found(cast.client("mediator_b"), "lef") == ["Léa Lefort", "Luc Lefranc"]
        assert "Léa Lefort" in found(cast.client("network_admin"), "lef")

    def test_a_single_letter_finds_nobody(self, cast, people):
        response = cast.client("mediator_a").get("/residents/search/", {"q": "l"})
        assert not response.context["residents"]
        assert "au moins deux lettres" in response.content.decode()

    def test_merged_records_are_not_found(self, cast, people):
        people["lefebvre"].merged_into = people["lefevre"]
        people["lefebvre"].save()
        assert found(cast.client("mediator_a"), "lefe") == ["Amélie Lefèvre"]

    def test_results_are_buttons_a_keyboard_reaches(self, cast, people):
        content = cast.client("mediator_a").get("/residents/search/?q=lefe").content.decode()
        assert f'<button type="button" class="result" data-resident="{people["lefevre"].pk}"' in (
            content
        )
        assert "2 personnes trouvées" in content
        assert "créer la fiche de « lefe »" in content

    @pytest.mark.parametrize("count", [1, 25])
    def test_the_search_costs_the_same_queries_whatever_it_finds(
        self, cast, count, django_assert_num_queries
    ):
        for n in range(count):
            ResidentFactory(
                last_name=f"Martin{n}",
                neighbourhood=NeighbourhoodFactory(name=f"Quartier {n}"),
                created_by_actor=cast.actor_a,
            )
        client = cast.client("mediator_a")
        # session, user, neighbourhoods, the user's actors, residents with neighbourhood and
        # actor, the journal row naming them
        with django_assert_num_queries(6):
            response = client.get("/residents/search/", {"q": "mart"})
        assert len(response.context["residents"]) == min(count, 10)
        assert response.context["more"] is (count > 10)

    def test_last_names_first_then_first_names_each_in_name_order(self, cast):
        # Six by their last name, six by their first name: the ten shown are the six
        # found by their last name, in name order, then the first four found by their
        # first name, in first-name order (and more are announced).
        for n in range(6):
            ResidentFactory(
                first_name="Paul", last_name=f"Marin {n}", created_by_actor=cast.actor_a
            )
            ResidentFactory(
                first_name="Marine", last_name=f"{'ZA'[n % 2]}{n}", created_by_actor=cast.actor_a
            )
        ResidentFactory(first_name="Mara", last_name="Zola", created_by_actor=cast.actor_a)
        response = cast.client("mediator_a").get("/residents/search/", {"q": "mar"})
        names = [r.display_name for r in response.context["residents"]]
        assert names == [
            *[f"Paul Marin {n}" for n in range(6)],
            "Mara Zola",
            "Marine A1",
            "Marine A3",
            "Marine A5",
        ]
        assert response.context["more"] is True

    def test_two_letters_beside_a_name_narrow_it(self, cast):
        for first, last in [("Jean", "Martin"), ("Martine", "Jeandel"), ("Paul", "Martin")]:
            ResidentFactory(first_name=first, last_name=last, created_by_actor=cast.actor_a)
        client = cast.client("mediator_a")
        assert found(client, "martin je") == ["Jean Martin", "Martine Jeandel"]
        assert found(client, "je martin") == ["Jean Martin", "Martine Jeandel"]

    def test_the_residents_page_lists_and_finds(self, cast, people, django_assert_num_queries):
        client = cast.client("mediator_a")
        # session, user, neighbourhoods, the user's actors, residents, the journal row, the
        # count of new referrals (navigation)
        with django_assert_num_queries(7):
            response = client.get("/residents/", {"q": "lef"})
        content = response.content.decode()
        assert f"/residents/{people['lefevre'].reference}/" in content
        assert "Léa Lefort" not in content


class TestCreating:
    def test_a_new_record_with_the_consent_recorded(self, cast):
        data = {
            "last_name": "Benali",
            "first_name": "Samira",
            "birth_year": 1990,
            "social_status": "job_seeker",
            "consent": "on",
        }
        response = cast.client("mediator_a").post("/residents/new/", data)
        resident = Resident.objects.get(last_name="Benali")
        assert response.status_code == 302
        assert response["Location"] == f"/residents/{resident.reference}/"
        assert (resident.created_by_actor, resident.created_by) == (cast.actor_a, cast.mediator_a)
        assert resident.sharing_consent and resident.consent_version == CURRENT_CONSENT_VERSION
        assert resident.consent_at is not None

    def test_without_consent_nothing_is_shared(self, cast):
        data = {"last_name": "Benali", "first_name": "Samira", "social_status": "not_stated"}
        cast.client("mediator_a").post("/residents/new/", data)
        resident = Resident.objects.get(last_name="Benali")
        assert not resident.sharing_consent and resident.consent_at is None
        assert cast.client("mediator_b").get(f"/residents/{resident.reference}/").status_code == 404

    def test_the_form_reads_the_consent_text_in_plain_french(self, cast):
        content = cast.client("mediator_a").get("/residents/new/").content.decode()
        assert "Je peux changer d&#x27;avis à tout moment" in content

    def test_likely_duplicates_are_proposed_before_creating(self, cast):
        data = {
            "last_name": "garnier",
            "first_name": "eloise",
            "birth_year": "",
            "social_status": "not_stated",
        }
        client = cast.client("mediator_a")
        response = client.post("/residents/new/", data)
        assert response.status_code == 200
        assert "peut-être déjà une fiche" in response.content.decode()
        assert f"/residents/{cast.resident.reference}/" in response.content.decode()
        assert Resident.objects.count() == 1
        response = client.post("/residents/new/", {**data, "same_as": "new"})
        assert response.status_code == 302 and Resident.objects.count() == 2

    def test_a_resident_of_another_actor_is_not_revealed_as_a_duplicate(self, cast):
        data = {"last_name": "Garnier", "first_name": "Éloïse", "social_status": "not_stated"}
        response = cast.client("mediator_b").post("/residents/new/", data)
        assert response.status_code == 302

    @pytest.mark.parametrize(
        ("birth_year", "message"),
        [("1850", "entre 1900 et aujourd"), ("3000", "entre 1900 et aujourd"), ("abc", "nombre")],
    )
    def test_a_wrong_birth_year_is_explained(self, cast, birth_year, message):
        data = {"last_name": "X", "birth_year": birth_year, "social_status": "not_stated"}
        response = cast.client("mediator_a").post("/residents/new/", data)
        assert message in response.content.decode()
        assert Resident.objects.count() == 1


class TestConsentBoundary:
    def test_another_actor_sees_the_journey_only_after_consent(self, cast):
        path = f"/residents/{cast.resident.reference}/"
        client_b = cast.client("mediator_b")
        assert client_b.get(path).status_code == 404
        # Actor A records the consent on the record page.
        data = {
            "first_name": "Éloïse",
            "last_name": "Garnier",
            "social_status": "not_stated",
            "consent": "on",
        }
        assert cast.client("mediator_a").post(f"{path}edit/", data).status_code == 302
        cast.resident.refresh_from_db()
        assert cast.resident.consent_version == CURRENT_CONSENT_VERSION
        assert client_b.get(path).status_code == 200
        # Withdrawn: actor B loses sight of the resident again; the date stays on record.
        data.pop("consent")
        cast.client("mediator_a").post(f"{path}edit/", data)
        cast.resident.refresh_from_db()
        assert not cast.resident.sharing_consent and cast.resident.consent_at is not None
        assert client_b.get(path).status_code == 404

    def test_sessions_at_another_actor_appear_in_the_shared_journey(self, cast):
        cast.resident.give_consent()
        cast.resident.save()
        session_create(
            by=cast.mediator_b,
            outcomes=[Outcome(resident=cast.resident, autonomy=3)],
            actor=cast.actor_b,
            date=cast.resident.created_at.date(),
            duration_minutes=45,
            pole="leisure",
        )
        content = cast.client("mediator_a").get(f"/residents/{cast.resident.reference}/")
        assert "Médiathèque de Miramas" in content.content.decode()


class TestMerge:
    @pytest.fixture
    def pair(self, cast):
        """The same person, entered at actor A and again at actor B."""
        duplicate = ResidentFactory(
            first_name="Eloise",
            last_name="Garnier",
            created_by_actor=cast.actor_b,
            phone="06 12 34 56 78",
            consented=True,
        )
        module = ModuleFactory(targets={"1.1": 2})
        common, _ = session_create(
            by=cast.network_admin,
            outcomes=[
                Outcome(resident=cast.resident, autonomy=1),
                Outcome(
                    resident=duplicate,
                    autonomy=2,
                    levels={Competence.objects.get(code="1.1"): 3},
                ),
            ],
            actor=cast.actor_a,
            date=cast.resident.created_at.date(),
            duration_minutes=60,
            pole="achievement",
            module=module,
        )
        own, _ = session_create(
            by=cast.mediator_b,
            outcomes=[Outcome(resident=duplicate, autonomy=2)],
            actor=cast.actor_b,
            date=cast.resident.created_at.date(),
            duration_minutes=30,
            pole="leisure",
        )
        CompetenceAssessmentFactory(resident=duplicate, assessed_by=cast.mediator_b)
        ReferralFactory(resident=duplicate, from_actor=cast.actor_b, created_by=cast.mediator_b)
        CertificateFactory(resident=duplicate, module=ModuleFactory(name="Autre module"))
        ResidentLink.create_for(duplicate)
        return cast.resident, duplicate, common, own

    def test_nothing_is_lost(self, cast, pair):
        survivor, duplicate, common, own = pair
        before = {
            "assessments": CompetenceAssessment.objects.count(),
            "referrals": Referral.objects.count(),
            "certificates": Certificate.objects.count(),
            "links": ResidentLink.objects.count(),
        }

        resident_merge(survivor=survivor, duplicate=duplicate, by=cast.network_admin)

        survivor.refresh_from_db()
        duplicate.refresh_from_db()
        assert duplicate.merged_into == survivor
        # Both were in the common session: one participation stays, the count follows.
        assert set(Participation.objects.values_list("session", "resident")) == {
            (common.pk, survivor.pk),
            (own.pk, survivor.pk),
        }
        common.refresh_from_db()
        assert common.participant_count == 1
        assert (
            CompetenceAssessment.objects.filter(resident=survivor).count() == before["assessments"]
        )
        assert Referral.objects.filter(resident=survivor).count() == before["referrals"]
        assert Certificate.objects.filter(resident=survivor).count() == before["certificates"]
        assert ResidentLink.objects.filter(resident=survivor).count() == before["links"]
        assert not any(
            model.objects.filter(resident=duplicate).exists()
            for model in (Participation, CompetenceAssessment, Referral, Certificate)
        )
        # Details the survivor lacked come from the duplicate; the journey is recomputed.
        assert survivor.phone == "06 12 34 56 78"
        assert survivor.sharing_consent  # the duplicate's consent was the only one given
        assert survivor.session_count == 2 and survivor.leisure_on is not None
        assert duplicate.session_count == 0
        assert AccessLog.objects.filter(action="merge").count() == 2

    def test_through_the_admin_page(self, cast, pair):
        survivor, duplicate, _common, _own = pair
        client = cast.client("network_admin")
        data = {"survivor": survivor.reference, "duplicate": duplicate.reference.lower()}
        preview = client.post("/residents/merge/", data)
        assert "Confirmer la fusion" in preview.content.decode()
        assert Resident.objects.get(pk=duplicate.pk).merged_into is None
        response = client.post("/residents/merge/", {**data, "confirm": "true"}, follow=True)
        assert "Fiches fusionnées" in response.content.decode()
        assert Resident.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk
        # The merged record's page is gone; its personal link opens the survivor's space.
        assert client.get(f"/residents/{duplicate.reference}/").status_code == 404

    def test_the_admin_page_refuses_unknown_or_identical_records(self, cast):
        client = cast.client("network_admin")
        response = client.post(
            "/residents/merge/", {"survivor": cast.resident.reference, "duplicate": "HZZZZZZZ"}
        )
        assert "Aucune fiche active" in response.content.decode()
        ref = cast.resident.reference
        response = client.post("/residents/merge/", {"survivor": ref, "duplicate": ref})
        assert "deux fiches différentes" in response.content.decode()

    def test_two_valid_certificates_for_the_same_module_stop_the_merge(self, cast):
        module = ModuleFactory()
        duplicate = ResidentFactory(created_by_actor=cast.actor_a)
        CertificateFactory(resident=cast.resident, module=module)
        CertificateFactory(resident=duplicate, module=module)
        client = cast.client("network_admin")
        data = {
            "survivor": cast.resident.reference,
            "duplicate": duplicate.reference,
            "confirm": "true",
        }
        response = client.post("/residents/merge/", data)
        assert "révoquez-en une avant de fusionner" in response.content.decode()
        duplicate.refresh_from_db()
        assert duplicate.merged_into is None
        assert Certificate.objects.filter(resident=duplicate).count() == 1

    def test_mediators_cannot_merge(self, cast):
        other = ResidentFactory(created_by_actor=cast.actor_a)
        data = {"survivor": cast.resident.reference, "duplicate": other.reference, "confirm": "1"}
        assert cast.client("coordinator_a").post("/residents/merge/", data).status_code == 404
        other.refresh_from_db()
        assert other.merged_into is None


class TestAccessJournal:
    def test_every_staff_view_of_a_record_is_journaled(self, cast):
        reference = cast.resident.reference
        cast.client("mediator_a").get(f"/residents/{reference}/")
        cast.client("colleague_a").get(f"/residents/{reference}/edit/")
        cast.client("mediator_b").get(f"/residents/{reference}/")  # 404: nothing read
        rows = list(
            AccessLog.objects.order_by("at").values_list("user__username", "action", "path")
        )
        assert rows == [
            ("mediator_a", "view_journey", f"/residents/{reference}/"),
            ("colleague_a", "view_record", f"/residents/{reference}/edit/"),
        ]

    def test_an_edit_is_journaled_as_such(self, cast):
        data = {"last_name": "Garnier", "first_name": "Éloïse", "social_status": "retired"}
        cast.client("mediator_a").post(f"/residents/{cast.resident.reference}/edit/", data)
        assert list(AccessLog.objects.values_list("action", flat=True)) == ["edit_record"]

    def test_the_network_admin_browses_and_filters_it(self, cast, django_assert_num_queries):
        other = ResidentFactory(created_by_actor=cast.actor_a)
        for resident in (cast.resident, other, cast.resident):
            cast.client("mediator_a").get(f"/residents/{resident.reference}/")
        client = cast.client("network_admin")
        # session, user, the admin's authenticator (second factor), count, rows with user
        # and resident, the count of new referrals (navigation)
        with django_assert_num_queries(6):
            response = client.get("/journal/", {"resident": cast.resident.reference.lower()})
        assert len(response.context["page"].object_list) == 2
        assert "Consultation du parcours" in response.content.decode()
        assert cast.client("mediator_a").get("/journal/").status_code == 404

    def test_no_page_offers_to_change_it(self, cast):
        row = AccessLog.objects.create(
            user=cast.mediator_a, resident=cast.resident, action="view_record"
        )
        client = cast.client("network_admin")
        assert client.post("/journal/", {"id": row.pk, "action": "export"}).status_code == 405
        assert AccessLog.objects.get(pk=row.pk).action == "view_record"


def test_a_session_page_posting_a_new_resident_records_consent(cast):
    data = session_form_data(
        actor=cast.actor_a,
        participants=[{"last_name": "Nouveau", "first_name": "Marc", "consent": "on"}],
    )
    cast.client("mediator_a").post("/sessions/new/", data)
    assert Resident.objects.get(last_name="Nouveau").consent_version == CURRENT_CONSENT_VERSION
