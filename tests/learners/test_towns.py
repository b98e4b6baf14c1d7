"""Several towns in one installation (issue 20): each town's staff see their town's records
only; a resident is followed in a neighbouring town (same territory) only with consent."""

import pytest
from django.core.exceptions import ValidationError

from pathway.models import Actor, Neighbourhood, Town
from stats.demo.factories import (
    ActorFactory,
    CompetenceAssessmentFactory,
    ModuleFactory,
    PlaceFactory,
    ReferralFactory,
    ResidentFactory,
    SessionFactory,
    UserFactory,
)
from tests.conftest import sign_in


def client_of(client, user):
    return sign_in(client, user)


def test_the_default_town_comes_from_the_environment(db, settings):
    settings.TOWN_INSEE_CODE, settings.TOWN_NAME = "13063", "Miramas"
    settings.CERTIFICATE_CODE_PREFIX = "mrm"
    actor = Actor.objects.create(name="CCAS", slug="ccas", kind="ccas")
    town = actor.town
    assert (town.insee_code, town.name, town.certificate_prefix) == ("13063", "Miramas", "MRM")
    assert Neighbourhood.objects.create(name="Centre", slug="centre").town == town
    assert Town.objects.count() == 1


def test_names_are_unique_within_a_town_not_across_towns(towns):
    ActorFactory(name="CCAS", slug="ccas-miramas")
    ActorFactory(name="CCAS", slug="ccas-istres", town=towns.istres)
    Neighbourhood.objects.create(name="Centre-ville", slug="centre-ville-miramas")
    Neighbourhood.objects.create(name="Centre-ville", slug="centre-ville-istres", town=towns.istres)
    assert Actor.objects.filter(name="CCAS").count() == 2


def test_a_town_is_a_real_commune(db):
    town = Town(insee_code="99999", name="Nulle part", slug="x", network_name="x")
    town.certificate_prefix = "ab"
    with pytest.raises(ValidationError) as error:
        town.full_clean()
    assert "n'est le code INSEE d'aucune commune" in str(error.value)
    assert "2 à 6 lettres majuscules" in str(error.value)


def test_each_town_network_admin_sees_their_own_town_only(towns, client):
    own = ResidentFactory(created_by_actor=towns.actor_m, last_name="Miralès")
    other = ResidentFactory(created_by_actor=towns.actor_i, last_name="Istréen", consented=True)
    SessionFactory(actor=towns.actor_i, created_by=towns.mediator_i)
    client_of(client, towns.admin_m)
    assert client.get(f"/residents/{own.reference}/").status_code == 200
    # Consent to the Istres network is not consent to Miramas'.
    assert client.get(f"/residents/{other.reference}/").status_code == 404
    page = client.get("/residents/search/", {"q": "Istr"}).content.decode()
    assert "Istréen" not in page
    page = client.get("/sessions/").content.decode()
    assert "France services d&#x27;Istres" not in page and "France services d'Istres" not in page


def test_a_mediator_sees_consenting_residents_of_their_town_only(towns):
    from learners.models import Resident

    here = ResidentFactory(created_by_actor=ActorFactory(name="CCAS de Miramas"), consented=True)
    there = ResidentFactory(created_by_actor=towns.actor_i, consented=True)
    seen = set(Resident.objects.visible_to(towns.mediator_m))
    assert here in seen and there not in seen


def test_a_resident_agreeing_to_be_followed_across_towns_is_seen_in_the_territory(towns, client):
    from learners.models import Resident

    mover = ResidentFactory(
        created_by_actor=towns.actor_m, consented=True, shared_across_towns=True, last_name="Vidal"
    )
    # Istres shares the intercommunality: its mediator and admin find the person.
    assert mover in Resident.objects.visible_to(towns.mediator_i)
    assert mover in Resident.objects.visible_to(towns.admin_i)
    # Arles does not: nobody there does.
    assert mover not in Resident.objects.visible_to(towns.mediator_a)
    # Following is not owning: only Miramas changes the record.
    assert not mover.can_be_changed_by(towns.admin_i)
    assert not mover.can_be_changed_by(towns.mediator_i)
    assert mover.can_be_changed_by(towns.admin_m)
    client_of(client, towns.mediator_i)
    assert client.get(f"/residents/{mover.reference}/").status_code == 200
    assert client.get(f"/residents/{mover.reference}/edit/").status_code in (403, 404)


def test_following_across_towns_needs_consent_to_sharing_too(towns):
    from django.db import IntegrityError, transaction

    from learners.models import Resident
    from learners.services import resident_set_consent

    with pytest.raises(IntegrityError), transaction.atomic():
        ResidentFactory(created_by_actor=towns.actor_m, shared_across_towns=True)
    mover = ResidentFactory(
        created_by_actor=towns.actor_m, consented=True, shared_across_towns=True
    )
    # Withdrawing sharing withdraws following: Istres no longer sees the person.
    resident_set_consent(resident=mover, consent=False)
    assert not mover.shared_across_towns
    assert mover not in Resident.objects.visible_to(towns.mediator_i)
    assert mover not in Resident.objects.visible_to(towns.admin_i)


def test_the_territory_coordinator_sees_no_resident(towns, client):
    from learners.models import Resident

    mover = ResidentFactory(
        created_by_actor=towns.actor_m, consented=True, shared_across_towns=True
    )
    assert towns.coordinator.town_ids == {towns.miramas.pk, towns.istres.pk}
    assert not Resident.objects.visible_to(towns.coordinator).exists()
    client_of(client, towns.coordinator)
    assert client.get(f"/residents/{mover.reference}/").status_code == 404
    assert client.get("/residents/").status_code == 404


def test_town_staff_must_name_their_town_once_there_are_several(towns):
    official = UserFactory.build(username="elu", official=True)
    with pytest.raises(ValidationError) as error:
        official.full_clean()
    assert "Choisissez la ville" in str(error.value)
    coordinator = UserFactory.build(username="coord", territory_coordinator=True)
    with pytest.raises(ValidationError) as error:
        coordinator.full_clean()
    assert "Choisissez le territoire" in str(error.value)


def test_a_single_town_installation_puts_its_admins_in_its_town(db):
    admin = UserFactory(username="seul", network_admin=True)
    assert admin.town == Town.objects.default()
    assert admin.town_ids == {admin.town_id}


def test_an_import_naming_an_actor_of_two_towns_asks_for_its_siret(towns):
    from pathway.resources import ActorWidget

    ActorFactory(name="CCAS", slug="ccas-m")
    ActorFactory(name="CCAS", slug="ccas-i", town=towns.istres)
    with pytest.raises(ValueError, match="plusieurs structures s'appellent « CCAS »"):
        ActorWidget().clean("CCAS")


def test_the_django_admin_of_a_town_lists_its_own_records(towns, client):
    ResidentFactory(created_by_actor=towns.actor_m, last_name="Miralès")
    theirs = ResidentFactory(created_by_actor=towns.actor_i, last_name="Istréen")
    client_of(client, towns.admin_m)
    page = client.get("/admin/learners/resident/").content.decode()
    assert "Miralès" in page and "Istréen" not in page
    assert client.get(f"/admin/learners/resident/{theirs.pk}/change/").status_code == 302
    page = client.get("/admin/pathway/actor/").content.decode()
    assert "France services de Miramas" in page and "Istres" not in page
    users = client.get("/admin/learners/user/").content.decode()
    assert "med_miramas" in users and "med_istres" not in users and "admin_istres" not in users
    towns_page = client.get("/admin/pathway/town/").content.decode()
    assert "Miramas" in towns_page and "13047" not in towns_page


def test_the_journal_of_a_town_holds_its_own_reads(towns, client):
    from learners.models import AccessLog

    theirs = ResidentFactory(created_by_actor=towns.actor_i)
    client_of(client, towns.mediator_i)
    client.get(f"/residents/{theirs.reference}/")
    assert AccessLog.objects.filter(resident=theirs).exists()
    assert not AccessLog.objects.visible_to(towns.admin_m).filter(resident=theirs).exists()
    assert AccessLog.objects.visible_to(towns.admin_i).filter(resident=theirs).exists()


def test_a_record_offers_the_neighbourhoods_of_its_town(towns, client):
    from learners.models import Resident
    from pathway.models import Neighbourhood

    Neighbourhood.objects.create(name="La Maille", slug="la-maille")
    theirs = Neighbourhood.objects.create(name="Le Prépaou", slug="le-prepaou", town=towns.istres)
    resident = ResidentFactory(created_by_actor=towns.actor_m)
    client_of(client, towns.mediator_m)
    page = client.get(f"/residents/{resident.reference}/edit/").content.decode()
    assert "La Maille" in page and "Le Prépaou" not in page
    # A new record too, at the user's actor: its town's neighbourhoods, and no other.
    page = client.get("/residents/new/").content.decode()
    assert "La Maille" in page and "Le Prépaou" not in page
    data = {"last_name": "Roux", "neighbourhood": theirs.pk, "social_status": "not_stated"}
    response = client.post("/residents/new/", {**data, "gender": "", "same_as": "new"})
    assert response.status_code == 200 and "neighbourhood" in response.context["form"].errors
    assert not Resident.objects.filter(last_name="Roux").exists()


def test_a_town_admin_cannot_put_an_account_or_an_actor_in_another_town(towns, client):
    client_of(client, towns.admin_m)
    page = client.get("/admin/learners/user/add/").content.decode()
    assert ">Miramas<" in page and ">Istres<" not in page
    assert "France services d&#x27;Istres" not in page
    response = client.post(
        "/admin/learners/user/add/",
        {
            "username": "intrus",
            "role": "network_admin",
            "town": towns.istres.pk,
            "password1": "un mot de passe assez long",
            "password2": "un mot de passe assez long",
            "is_active": "on",
        },
    )
    assert response.status_code == 200  # the form again, with its error
    assert not towns.admin_m.__class__.objects.filter(username="intrus").exists()
    page = client.get("/admin/pathway/actor/add/").content.decode()
    assert ">Istres<" not in page
    # Towns and territories are made by whoever runs the installation.
    assert client.get("/admin/pathway/town/add/").status_code == 403
    assert client.get("/admin/pathway/territory/add/").status_code == 403


def test_api_keys_are_issued_and_seen_within_the_town(towns, client):
    from learners.models import ApiToken

    theirs, _key = ApiToken.issue(
        user=towns.mediator_i, name="Istres", scope="read", created_by=towns.admin_i
    )
    client_of(client, towns.admin_m)
    page = client.get("/api-keys/").content.decode()
    assert "med_miramas" in page or towns.mediator_m.get_full_name() in page
    assert "Istres" not in page
    response = client.post(
        "/api-keys/", {"user": towns.admin_i.pk, "name": "x", "scope": "read_write", "days": ""}
    )
    assert not ApiToken.objects.filter(user=towns.admin_i).exists()
    assert response.status_code == 200
    assert client.post(f"/api-keys/{theirs.pk}/revoke/").status_code == 404
    assert client.get("/admin/learners/apitoken/").content.decode().count("Istres") == 0


def test_a_town_admin_cannot_act_for_another_town(towns):
    from certificates.services import certificate_revoke
    from learners.models import Referral

    mover = ResidentFactory(
        created_by_actor=towns.actor_m, consented=True, shared_across_towns=True
    )
    session = SessionFactory(actor=towns.actor_m, created_by=towns.mediator_m)
    assert session.can_be_changed_by(towns.admin_m)
    assert not session.can_be_changed_by(towns.admin_i)
    referral = Referral(resident=mover, from_actor=towns.actor_i, to_actor=towns.actor_m)
    assert referral.is_addressed_to(towns.admin_m) and not referral.is_addressed_to(towns.admin_i)
    assert referral.is_sent_by(towns.admin_i) and not referral.is_sent_by(towns.admin_m)

    class Issued:
        actor_id = towns.actor_m.pk
        pk = 0

    with pytest.raises(ValidationError, match="ville qui l'a délivrée"):
        certificate_revoke(certificate=Issued(), reason="erreur", revoked_by=towns.admin_i)


def test_installation_pages_are_the_superusers(towns, client):
    client_of(client, towns.admin_m)
    for path in ("/admin/axes/accessattempt/", "/admin/otp_totp/totpdevice/"):
        assert client.get(path).status_code in (403, 404), path


def test_a_residents_import_reads_a_neighbourhood_in_the_record_town(towns):
    from learners.models import Resident
    from tests.learners.test_imports import as_csv, run

    # Istres' namesake first: a look-up in every town would find it before Miramas'.
    theirs = Neighbourhood.objects.create(
        name="Centre-ville", slug="centre-ville-istres", town=towns.istres
    )
    ours = Neighbourhood.objects.create(name="Centre-ville", slug="centre-ville-miramas")
    Neighbourhood.objects.create(name="Le Prépaou", slug="le-prepaou", town=towns.istres)

    def row(last_name, neighbourhood, actor=""):
        return {
            "référence": "",
            "nom": last_name,
            "prénom": "Paul",
            "année de naissance": "1980",
            "quartier": neighbourhood,
            "structure d'accueil": actor,
        }

    # A name only Istres has is unknown in Miramas: the row says so, nothing is written.
    rows = [row("Roux", "Centre-ville"), row("Blanc", "le prépaou")]
    report = run("residents", as_csv(rows), towns.mediator_m)
    assert [(e["row"], e["column"], e["message"]) for e in report["errors"]] == [
        (3, "quartier", "quartier inconnu « le prépaou »")
    ]
    assert not Resident.objects.exists()
    report = run("residents", as_csv([row("Roux", "centre-ville")]), towns.mediator_m)
    assert not report["errors"]
    assert Resident.objects.get(last_name="Roux").neighbourhood == ours
    # A mediator of both towns: the neighbourhood of the record's town, by its actor.
    both = UserFactory(username="med_deux_villes", actors=[towns.actor_m, towns.actor_i])
    rows = [
        row("Vidal", "Centre-ville", towns.actor_i.name),
        row("Roche", "Le Prépaou", towns.actor_m.name),
    ]
    report = run("residents", as_csv(rows), both)
    assert [(e["row"], e["column"], e["message"]) for e in report["errors"]] == [
        (3, "quartier", "quartier inconnu « Le Prépaou » dans la ville de la structure d'accueil")
    ]
    rows[1]["structure d'accueil"] = towns.actor_i.name
    assert not run("residents", as_csv(rows), both)["errors"]
    assert Resident.objects.get(last_name="Vidal").neighbourhood == theirs


def test_a_town_admin_saving_a_two_town_colleague_keeps_their_other_towns_actors(towns, client):
    both = UserFactory(username="med_deux_villes", actors=[towns.actor_m, towns.actor_i])
    miramas_ccas = ActorFactory(name="CCAS de Miramas")
    client_of(client, towns.admin_m)
    url = f"/admin/learners/user/{both.pk}/change/"
    page = client.get(url)
    assert "France services d&#x27;Istres" not in page.content.decode()  # not offered
    data = {
        "username": both.username,
        "first_name": "Nadia",
        "last_name": both.last_name,
        "email": both.email,
        "role": "mediator",
        "actors": [towns.actor_m.pk, miramas_ccas.pk],
        "is_active": "on",
        "date_joined_0": "01/01/2026",
        "date_joined_1": "09:00:00",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    both.refresh_from_db()
    assert both.first_name == "Nadia"
    assert set(both.actors.all()) == {towns.actor_m, miramas_ccas, towns.actor_i}
    # Taking them off Miramas' actors leaves them Istres'.
    assert client.post(url, {**data, "actors": []}).status_code == 302
    assert list(both.actors.all()) == [towns.actor_i]


def test_the_modules_export_holds_the_common_modules_and_the_towns_own(towns):
    from tests.learners.test_imports import export_csv, rows_of

    ModuleFactory(name="Premiers pas sur ordinateur", actor=None)
    ModuleFactory(name="Bureautique à Miramas", actor=towns.actor_m)
    ModuleFactory(name="Bureautique à Istres", actor=towns.actor_i)
    for user in (towns.admin_m, towns.mediator_m):
        names = {row["nom"] for row in rows_of(export_csv("modules", user))}
        assert names == {"Premiers pas sur ordinateur", "Bureautique à Miramas"}, user
    names = {row["nom"] for row in rows_of(export_csv("modules", towns.admin_i))}
    assert names == {"Premiers pas sur ordinateur", "Bureautique à Istres"}


def test_the_api_takes_a_neighbourhood_of_the_records_town_only(towns, client):
    from learners.models import Resident

    ours = Neighbourhood.objects.create(name="Centre-ville", slug="centre-ville-miramas")
    theirs = Neighbourhood.objects.create(
        name="Centre-ville", slug="centre-ville-istres", town=towns.istres
    )
    refused = {
        "neighbourhood": [
            "Quartier inconnu dans la ville de la structure d'accueil de la personne : "
            "choisissez un des quartiers de cette ville."
        ]
    }

    def send(method, url, data):
        return getattr(client, method)(url, data, content_type="application/json")

    client_of(client, towns.mediator_m)
    response = send("post", "/api/v1/residents/", {"last_name": "Roux", "neighbourhood": theirs.pk})
    assert response.status_code == 400 and response.json()["errors"] == refused
    assert not Resident.objects.exists()
    response = send("post", "/api/v1/residents/", {"last_name": "Roux", "neighbourhood": ours.pk})
    assert response.status_code == 201, response.json()
    roux = Resident.objects.get(last_name="Roux")
    assert roux.neighbourhood == ours
    # A change follows the same rule: the record stays in its town's neighbourhood.
    url = f"/api/v1/residents/{roux.reference}/"
    response = send("patch", url, {"neighbourhood": theirs.pk})
    assert response.status_code == 400 and response.json()["errors"] == refused
    roux.refresh_from_db()
    assert roux.neighbourhood == ours
    # A mediator of both towns: a record at Istres' actor is in one of Istres' neighbourhoods.
    client_of(client, UserFactory(username="deux_villes", actors=[towns.actor_m, towns.actor_i]))
    data = {"last_name": "Vidal", "actor": towns.actor_i.pk, "neighbourhood": ours.pk}
    response = send("post", "/api/v1/residents/", data)
    assert response.status_code == 400 and response.json()["errors"] == refused
    response = send("post", "/api/v1/residents/", {**data, "neighbourhood": theirs.pk})
    assert response.status_code == 201, response.json()
    assert Resident.objects.get(last_name="Vidal").neighbourhood == theirs


def test_the_django_admin_keeps_a_single_choice_a_record_holds_in_another_town(towns, client):
    from learners.models import Referral
    from tests.stats.test_stats_write_paths import admin_form

    # A referral to a neighbouring town's actor (the person agreed to be followed there).
    referral = ReferralFactory(
        resident=ResidentFactory(created_by_actor=towns.actor_m),
        to_actor=towns.actor_i,
        created_by=towns.mediator_m,
    )
    other = ActorFactory(name="CCAS d'Istres", town=towns.istres)
    client_of(client, towns.admin_m)
    url = f"/admin/learners/referral/{referral.pk}/change/"
    data = admin_form(client, url)
    assert "CCAS d&#x27;Istres" not in client.get(url).content.decode()  # not offered
    response = client.post(url, {**data, "reason": "Aide pour le dossier CAF."})
    assert response.status_code == 302, response.context["adminform"].form.errors
    referral.refresh_from_db()
    assert (referral.reason, referral.to_actor) == ("Aide pour le dossier CAF.", towns.actor_i)
    # The actor it names is kept, not another of that town's chosen.
    assert client.post(url, {**data, "to_actor": other.pk}).status_code == 200
    assert Referral.objects.get().to_actor == towns.actor_i


def test_the_lines_inside_a_django_admin_page_choose_in_the_admins_town(towns, client):
    from learners.models import CompetenceAssessment
    from tests.stats.test_stats_write_paths import admin_form

    ours = Neighbourhood.objects.create(name="La Maille", slug="la-maille")
    theirs = Neighbourhood.objects.create(name="Le Prépaou", slug="le-prepaou", town=towns.istres)
    place = PlaceFactory(actor=towns.actor_m, neighbourhood=ours)
    client_of(client, towns.admin_m)
    url = f"/admin/pathway/actor/{towns.actor_m.pk}/change/"
    data = admin_form(client, url)
    assert data["places-0-neighbourhood"] == str(ours.pk)
    assert "Le Prépaou" not in client.get(url).content.decode()
    assert client.post(url, {**data, "places-0-neighbourhood": theirs.pk}).status_code == 200
    place.refresh_from_db()
    assert place.neighbourhood == ours

    # A resident followed in Istres too: the assessment made there stays as it is, and
    # no new one is put in another of Istres' sessions.
    resident = ResidentFactory(created_by_actor=towns.actor_m)
    made_there = CompetenceAssessmentFactory(
        resident=resident, assessed_by=towns.mediator_i, session=SessionFactory(actor=towns.actor_i)
    )
    url = f"/admin/learners/resident/{resident.pk}/change/"
    data = admin_form(client, url)
    response = client.post(url, {**data, "birth_year": "1961"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert CompetenceAssessment.objects.get() == made_there
    new_row = {
        "assessments-TOTAL_FORMS": "2",
        "assessments-1-competence": str(made_there.competence_id),
        "assessments-1-level": "3",
        "assessments-1-assessed_on": made_there.assessed_on.strftime("%d/%m/%Y"),
        "assessments-1-assessed_by": str(towns.mediator_m.pk),
        "assessments-1-session": str(SessionFactory(actor=towns.actor_i).pk),
    }
    assert client.post(url, {**data, **new_row}).status_code == 200
    assert CompetenceAssessment.objects.count() == 1
    # The superuser chooses in every town.
    client_of(client, UserFactory(username="racine", is_superuser=True, is_staff=True))
    assert (
        "Le Prépaou"
        in client.get(f"/admin/pathway/actor/{towns.actor_m.pk}/change/").content.decode()
    )
