"""Following a resident in the neighbouring towns (issue 20): the consent recorded on every
entry path (the resident's page, the session page, the API, the import), withdrawn from the
resident's own space, and what the staff of a neighbouring town see and may do. Miramas and
Istres share a territory; Arles is outside it (tests/learners/test_towns.py's `towns`)."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from learners.models import (
    ACROSS_TOWNS_CONSENT_VERSION,
    CURRENT_CONSENT_VERSION,
    AccessLog,
    Participation,
    Resident,
    ResidentLink,
)
from stats.demo.factories import (
    ParticipationFactory,
    ResidentFactory,
    SessionFactory,
    session_form_data,
)
from tests.conftest import sign_in
from tests.learners.test_imports import as_csv, export_csv, rows_of, run

pytestmark = pytest.mark.django_db

OFFER = "accepte d&#x27;être suivie dans les villes voisines"
TOWNS_TEXT = "les médiateurs des villes voisines, reliées à ce réseau"
REFUSAL = "Le suivi dans les villes voisines va avec le partage dans le réseau"


def signed_in(user):
    return sign_in(Client(), user)


def followed(towns, **fields):
    """A resident of Miramas who agreed to be followed in the neighbouring towns."""
    return ResidentFactory(
        created_by_actor=towns.actor_m,
        consented=True,
        shared_across_towns=True,
        consent_version=ACROSS_TOWNS_CONSENT_VERSION,
        **fields,
    )


def consent_rows(resident):
    return AccessLog.objects.filter(resident=resident, action="consent").count()


# Recording the consent -----------------------------------------------------------------


def test_the_resident_page_records_following_with_its_text_version(towns):
    client = signed_in(towns.mediator_m)
    page = client.get("/residents/new/").content.decode()
    assert OFFER in page and TOWNS_TEXT in page
    assert 'href="/consentement/2026-02/en/"' in page  # the whole text, in English
    response = client.post(
        "/residents/new/",
        {
            "last_name": "Vidal",
            "first_name": "Inès",
            "social_status": "not_stated",
            "consent": "on",
            "across_towns": "on",
        },
    )
    assert response.status_code == 302
    ines = Resident.objects.get(last_name="Vidal")
    assert (ines.sharing_consent, ines.shared_across_towns) == (True, True)
    assert ines.consent_version == ACROSS_TOWNS_CONSENT_VERSION
    assert "J'accepte aussi que les médiateurs des villes voisines" in str(ines.consent_text)
    assert signed_in(towns.mediator_i).get(f"/residents/{ines.reference}/").status_code == 200


def test_the_text_agreed_to_reads_in_english_too():
    page = Client().get("/consentement/2026-02/en/").content.decode()
    assert "I agree that mediators from other organisations" in page
    assert "I also agree that mediators in the neighbouring towns" in page


def test_following_without_sharing_is_refused_with_a_clear_message(towns):
    client = signed_in(towns.mediator_m)
    data = {"last_name": "Vidal", "social_status": "not_stated", "across_towns": "on"}
    response = client.post("/residents/new/", data)
    assert response.status_code == 200
    assert REFUSAL in response.content.decode()
    assert not Resident.objects.filter(last_name="Vidal").exists()


def test_changing_it_on_the_record_page_is_journaled(towns):
    mover = followed(towns, last_name="Vidal")
    client = signed_in(towns.mediator_m)
    url = f"/residents/{mover.reference}/edit/"
    assert client.get(url).context["form"]["across_towns"].value() is True
    data = {
        "last_name": "Vidal",
        "first_name": mover.first_name,
        "social_status": "not_stated",
        "consent": "on",
    }
    assert client.post(url, data).status_code == 302
    mover.refresh_from_db()
    assert mover.sharing_consent and not mover.shared_across_towns
    assert consent_rows(mover) == 1
    assert signed_in(towns.mediator_i).get(f"/residents/{mover.reference}/").status_code == 404
    # Withdrawing sharing with the box of following still ticked: refused, nothing changed.
    mover.record_consent(sharing=True, across_towns=True)
    mover.save()
    response = client.post(url, {**data, "consent": "", "across_towns": "on"})
    assert REFUSAL in response.content.decode()
    mover.refresh_from_db()
    assert mover.sharing_consent and mover.shared_across_towns


def test_a_new_person_of_the_session_page_is_followed_when_they_agree(towns):
    client = signed_in(towns.mediator_m)
    page = client.get("/sessions/new/").content.decode()
    assert OFFER in page and TOWNS_TEXT in page
    data = session_form_data(
        actor=towns.actor_m,
        participants=[
            {"last_name": "Vidal", "first_name": "Inès", "consent": "on", "across_towns": "on"},
            {"last_name": "Roux", "first_name": "Paul", "consent": "on"},
        ],
    )
    assert client.post("/sessions/new/", data).status_code == 302
    ines, paul = Resident.objects.get(last_name="Vidal"), Resident.objects.get(last_name="Roux")
    assert ines.shared_across_towns and ines.consent_version == ACROSS_TOWNS_CONSENT_VERSION
    assert not paul.shared_across_towns and paul.consent_version == CURRENT_CONSENT_VERSION
    assert ines.created_by_actor == towns.actor_m


def test_the_session_page_refuses_following_without_sharing(towns):
    data = session_form_data(
        actor=towns.actor_m,
        participants=[{"last_name": "Vidal", "first_name": "Inès", "across_towns": "on"}],
    )
    response = signed_in(towns.mediator_m).post("/sessions/new/", data)
    assert response.status_code == 200 and REFUSAL in response.content.decode()
    assert not Resident.objects.filter(last_name="Vidal").exists()


def test_the_api_records_and_withdraws_it(towns):
    client = signed_in(towns.mediator_m)

    def send(method, url, data):
        return getattr(client, method)(url, json.dumps(data), content_type="application/json")

    response = send(
        "post",
        "/api/v1/residents/",
        {"first_name": "Inès", "last_name": "Vidal", "consent": True, "across_towns": True},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["shared_across_towns"] is True
    assert response.json()["consent_version"] == ACROSS_TOWNS_CONSENT_VERSION
    url = f"/api/v1/residents/{response.json()['reference']}/"
    # A PUT that does not name following leaves it as it is.
    response = send("put", url, {"first_name": "Inès", "last_name": "Vidal", "consent": True})
    assert response.json()["shared_across_towns"] is True
    response = send("patch", url, {"across_towns": True, "consent": False})
    assert response.status_code == 400
    assert response.json()["errors"]["across_towns"][0].startswith(REFUSAL)
    # Withdrawing sharing withdraws following, journaled.
    response = send("patch", url, {"consent": False})
    assert (response.json()["sharing_consent"], response.json()["shared_across_towns"]) == (
        False,
        False,
    )
    assert consent_rows(Resident.objects.get(last_name="Vidal")) == 1


def test_a_new_participant_of_the_api_is_followed_when_they_agree(towns):
    client = signed_in(towns.mediator_m)
    session = {
        "date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "duration_minutes": 30,
        "pole": "necessity",
        "participants": [
            {
                "new_resident": {
                    "first_name": "Inès",
                    "last_name": "Vidal",
                    "consent": True,
                    "across_towns": True,
                }
            }
        ],
    }
    response = client.post("/api/v1/sessions/", session, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert Resident.objects.get(last_name="Vidal").shared_across_towns
    session["participants"][0]["new_resident"].update(last_name="Roux", consent=False)
    response = client.post("/api/v1/sessions/", session, content_type="application/json")
    assert response.status_code == 400
    assert REFUSAL in json.dumps(response.json(), ensure_ascii=False)


def test_the_import_records_it_and_journals_each_change(towns):
    mover = ResidentFactory(created_by_actor=towns.actor_m, consented=True, last_name="Vidal")
    rows = rows_of(export_csv("residents", towns.mediator_m))
    assert "suivi dans les villes voisines" in rows[0]
    row = next(r for r in rows if r["référence"] == mover.reference)
    new = {**row, "référence": "", "nom": "Roux", "prénom": "Paul", "année de naissance": ""}
    refused = {**new, "nom": "Blanc", "partage accepté": "non"}
    for r in (row, new, refused):
        r["suivi dans les villes voisines"] = "oui"
    report = run("residents", as_csv([row, new, refused]), towns.mediator_m)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (4, "suivi dans les villes voisines")
    ]
    assert REFUSAL in report["errors"][0]["message"]
    report = run("residents", as_csv([row, new]), towns.mediator_m)
    assert not report["errors"]
    mover.refresh_from_db()
    assert mover.shared_across_towns and mover.consent_version == ACROSS_TOWNS_CONSENT_VERSION
    assert Resident.objects.get(last_name="Roux").shared_across_towns
    assert consent_rows(mover) == 1  # a change of an existing record's consent


def refer(client, resident, to_actor, **data):
    return client.post(
        f"/residents/{resident.reference}/refer/",
        {
            "from_actor": resident.created_by_actor_id,
            "to_actor": to_actor.pk,
            "reason": "Vient d'emménager à Istres.",
            **data,
        },
    )


NEIGHBOUR_REFUSAL = "doit aussi accepter d&#x27;être suivie dans les villes voisines"


def test_a_referral_to_a_neighbouring_town_records_following_when_the_person_agrees(towns):
    from learners.models import Referral

    vidal = ResidentFactory(created_by_actor=towns.actor_m, consented=True, last_name="Vidal")
    client = signed_in(towns.mediator_m)
    page = client.get(f"/residents/{vidal.reference}/refer/").content.decode()
    assert OFFER in page and TOWNS_TEXT in page
    assert "Médiathèque d&#x27;Arles" not in page  # outside the territory: never sees her
    # Without their consent to being followed there, Istres would never see the referral.
    response = refer(client, vidal, towns.actor_i)
    assert response.status_code == 200 and NEIGHBOUR_REFUSAL in response.content.decode()
    assert not Referral.objects.exists()
    assert refer(client, vidal, towns.actor_i, across_towns="on").status_code == 302
    vidal.refresh_from_db()
    assert vidal.shared_across_towns and vidal.consent_version == ACROSS_TOWNS_CONSENT_VERSION
    assert consent_rows(vidal) == 1
    inbox = signed_in(towns.mediator_i).get("/referrals/")
    assert [r.resident for r in inbox.context["page"].object_list] == [vidal]
    # A person followed already is not asked again.
    page = client.get(f"/residents/{vidal.reference}/refer/").content.decode()
    assert OFFER not in page


def test_a_referral_asks_following_with_sharing_and_never_leaves_the_territory(towns):
    from learners.models import Referral
    from learners.services import referral_send

    roux = ResidentFactory(created_by_actor=towns.actor_m, last_name="Roux")
    client = signed_in(towns.mediator_m)
    response = refer(client, roux, towns.actor_i, across_towns="on")
    assert "elle doit accepter le partage" in response.content.decode()
    assert refer(client, roux, towns.actor_i, consent="on", across_towns="on").status_code == 302
    roux.refresh_from_db()
    assert (roux.sharing_consent, roux.shared_across_towns) == (True, True)
    # Arles shares no territory with Miramas: refused whatever the person agrees to.
    response = refer(client, roux, towns.actor_a, consent="on", across_towns="on")
    assert response.status_code == 200
    with pytest.raises(ValidationError, match="ne partage pas de territoire"):
        referral_send(
            resident=roux,
            from_actor=towns.actor_m,
            to_actor=towns.actor_a,
            reason="Déménage à Arles.",
            by=towns.mediator_m,
        )
    assert Referral.objects.count() == 1
    # The API asks the same, through the same rule.
    blanc = ResidentFactory(created_by_actor=towns.actor_m, consented=True, last_name="Blanc")
    referral = {"resident": blanc.reference, "to_actor": towns.actor_i.pk, "reason": "Déménage."}
    response = client.post("/api/v1/referrals/", referral, content_type="application/json")
    assert response.status_code == 400
    assert "doit aussi accepter d'être suivie" in json.dumps(response.json(), ensure_ascii=False)
    referral["across_towns"] = True
    response = client.post("/api/v1/referrals/", referral, content_type="application/json")
    assert response.status_code == 201, response.json()
    blanc.refresh_from_db()
    assert blanc.shared_across_towns and consent_rows(blanc) == 1


# The resident's own space ----------------------------------------------------------------


def test_the_resident_sees_it_and_stops_it_in_their_space(towns):
    mover = followed(towns, first_name="Inès")
    _link, token = ResidentLink.create_for(mover)
    client = Client()
    client.get(f"/me/link/{token}/")
    page = client.get("/me/data/").content.decode()
    assert "Votre parcours est suivi dans les villes voisines : Istres." in page
    assert client.get("/me/data/export.json").json()["resident"]["shared_across_towns"] is True
    response = client.post("/me/data/", {"towns": "stop"}, follow=True)
    assert "les villes voisines ne voient plus votre parcours" in response.content.decode()
    assert "n'est pas suivi dans les villes voisines (Istres)" in response.content.decode()
    mover.refresh_from_db()
    assert mover.sharing_consent and not mover.shared_across_towns
    assert consent_rows(mover) == 1
    assert signed_in(towns.mediator_i).get(f"/residents/{mover.reference}/").status_code == 404
    assert signed_in(towns.mediator_m).get(f"/residents/{mover.reference}/").status_code == 200


def test_stopping_sharing_in_their_space_stops_following_too(towns):
    mover = followed(towns)
    _link, token = ResidentLink.create_for(mover)
    client = Client()
    client.get(f"/me/link/{token}/")
    response = client.post("/me/data/", {"consent": ""}, follow=True)
    assert "Les villes voisines ne le voient plus non plus." in response.content.decode()
    mover.refresh_from_db()
    assert (mover.sharing_consent, mover.shared_across_towns) == (False, False)


# The staff of the neighbouring town ------------------------------------------------------


def test_the_neighbouring_mediator_logs_a_session_and_the_journey_shows_both_towns(towns):
    mover = followed(towns, first_name="Inès", last_name="Vidal")
    ParticipationFactory(
        session=SessionFactory(actor=towns.actor_m, created_by=towns.mediator_m), resident=mover
    )
    client = signed_in(towns.mediator_i)
    found = client.get("/residents/search/", {"q": "vidal"}).content.decode()
    assert "Inès Vidal" in found and "Fiche de la ville de Miramas" in found
    data = session_form_data(actor=towns.actor_i, participants=[{"resident": mover}])
    assert client.post("/sessions/new/", data).status_code == 302
    mover.refresh_from_db()
    assert mover.created_by_actor == towns.actor_m  # following is not owning
    assert set(Participation.objects.filter(resident=mover).values_list("actor", flat=True)) == {
        towns.actor_m.pk,
        towns.actor_i.pk,
    }
    for user in (towns.mediator_m, towns.mediator_i):
        page = signed_in(user).get(f"/residents/{mover.reference}/").content.decode()
        assert "France services de Miramas" in page and "France services d&#x27;Istres" in page
    page = client.get(f"/residents/{mover.reference}/").content.decode()
    assert "Fiche de la ville de Miramas" in page
    assert f"/residents/{mover.reference}/edit/" not in page
    assert f"/residents/{mover.reference}/erase/" not in page
    own = signed_in(towns.mediator_m).get(f"/residents/{mover.reference}/").content.decode()
    assert "Fiche de la ville" not in own and f"/residents/{mover.reference}/edit/" in own


def test_the_neighbouring_admin_may_neither_change_nor_merge_the_record(towns):
    mover = followed(towns, first_name="Inès", last_name="Vidal")
    twin = ResidentFactory(created_by_actor=towns.actor_i, first_name="Inès", last_name="Vidal")
    client = signed_in(towns.admin_i)
    page = client.get(f"/residents/{mover.reference}/").content.decode()
    assert "/residents/merge/" not in page and "Fiche de la ville de Miramas" in page
    response = client.post(
        "/residents/merge/",
        {"survivor": twin.reference, "duplicate": mover.reference, "confirm": "on"},
    )
    assert "Aucune fiche active n&#x27;a cette référence." in response.content.decode()
    mover.refresh_from_db()
    assert mover.merged_into is None
    assert client.get(f"/residents/{mover.reference}/edit/").status_code == 403
    assert client.get(f"/residents/{mover.reference}/erase/").status_code == 403


def test_a_town_outside_the_territory_never_sees_the_person(towns):
    mover = followed(towns, first_name="Inès", last_name="Vidal")
    client = signed_in(towns.mediator_a)
    assert "Vidal" not in client.get("/residents/search/", {"q": "vidal"}).content.decode()
    assert client.get(f"/residents/{mover.reference}/").status_code == 404
    assert client.get(f"/api/v1/residents/{mover.reference}/").status_code == 404
    data = session_form_data(actor=towns.actor_a, participants=[{"resident": mover}])
    response = client.post("/sessions/new/", data)
    assert response.status_code == 200
    assert not Participation.objects.filter(resident=mover).exists()
    # Nor does Arles' page offer following: its town has no neighbour.
    assert OFFER not in client.get("/residents/new/").content.decode()


# A single-town installation looks as it always did ----------------------------------------


def test_a_single_town_installation_offers_nothing_new(cast):
    client = cast.client("mediator_a")
    for url in ["/residents/new/", "/sessions/new/", f"/residents/{cast.resident.reference}/edit/"]:
        page = client.get(url).content.decode()
        assert "villes voisines" not in page, url
    assert "villes voisines" not in cast.client("resident").get("/me/data/").content.decode()
    exported = export_csv("residents", cast.mediator_a).decode("utf-8-sig")
    assert "suivi dans les villes voisines" not in exported
