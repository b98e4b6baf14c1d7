"""Parent ambassadors: invited by the network admin or a school's coordinator, signed in by
a one-time link, referring families to an actor's inbox, seeing only what they typed and the
status; "venu par un ambassadeur" on the family's first session."""

import datetime
import io
import re

import pytest
from django.core import mail, signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from learners.models import Referral, Resident
from learners.services import Outcome, session_create
from network import ambassadors as service
from network.models import AmbassadorReferral, Need
from pathway.models import ActorKind
from pathway.permissions import Role
from stats.demo.factories import ActorFactory, UserFactory
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def link_in(message):
    return re.search(r"http://\S+/ambassadeurs/lien/\S+/", message.body).group(0)


def path_of(url):
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def refer(client, cast, **fields):
    data = {
        "first_name": "Samira",
        "phone": "06 12 34 56 78",
        "email": "",
        "need": Need.SCHOOL_TOOLS,
        "details": "Ne trouve pas les notes sur Pronote.",
        "to_actor": cast.actor_b.pk,
        "school": cast.school.pk,
        "consent": "on",
        **fields,
    }
    return client.post("/ambassadeurs/orienter/", data)


def test_invited_by_the_network_admin_signs_in_with_the_link_once(cast, client):
    admin = sign_in(client, cast.network_admin)
    response = admin.post(
        "/reseau/ambassadeurs/",
        {
            "first_name": "Nadia",
            "last_name": "Benali",
            "email": "Nadia.Benali@example.fr",
            "schools": [cast.school.pk],
        },
    )
    assert response.status_code == 302
    nadia = Resident._meta.apps.get_model("learners", "User").objects.get(
        email="nadia.benali@example.fr"
    )
    assert nadia.role == Role.AMBASSADOR and not nadia.has_usable_password()
    assert [m.to for m in mail.outbox] == [["nadia.benali@example.fr"]]
    url = path_of(link_in(mail.outbox[0]))

    phone = type(client)()
    # Opening the link (a mail scanner would) does not use it: the button does.
    assert "Ouvrir mon espace" in phone.get(url).content.decode()
    assert "Ouvrir mon espace" in phone.get(url).content.decode()
    assert phone.post(url).url == "/ambassadeurs/"
    assert phone.get("/ambassadeurs/").status_code == 200
    # Used once: refused afterwards, in another browser too.
    other = type(client)()
    page = other.get(url).content.decode()
    assert "Ce lien ne marche plus" in page
    other.post(url)
    assert other.get("/ambassadeurs/").status_code == 302


def test_a_link_expires_and_dies_with_the_account(cast, client, settings, monkeypatch):
    token = service.sign_in_token(cast.ambassador)
    assert service.ambassador_for_token(token) == cast.ambassador
    # Eight days later, a link of seven days is refused.
    real_time = signing.time.time
    with monkeypatch.context() as later:
        later.setattr(signing.time, "time", lambda: real_time() + 8 * 24 * 3600)
        assert service.ambassador_for_token(token) is None
    settings.AMBASSADOR_LINK_DAYS = 9
    with monkeypatch.context() as later:
        later.setattr(signing.time, "time", lambda: real_time() + 8 * 24 * 3600)
        assert service.ambassador_for_token(token) == cast.ambassador
    # Switched off: the link stops working.
    service.ambassador_switch(person=cast.ambassador, active=False, by=cast.network_admin)
    assert service.ambassador_for_token(token) is None
    assert service.ambassador_for_token("n'importe quoi") is None


def test_the_sign_in_page_says_the_same_for_any_address(cast, client):
    known = client.post("/ambassadeurs/connexion/", {"email": cast.ambassador.email})
    unknown = client.post("/ambassadeurs/connexion/", {"email": "personne@example.fr"})
    staff = client.post("/ambassadeurs/connexion/", {"email": cast.mediator_a.email})
    pages = [re.sub(r'value="[^"]{40,}"', "", r.content.decode()) for r in (known, unknown, staff)]
    assert pages[0] == pages[1] == pages[2]
    assert "un lien pour vous connecter vient d" in pages[0]
    assert [m.to for m in mail.outbox] == [[cast.ambassador.email]]


def test_a_coordinator_invites_only_for_their_own_schools(cast, client):
    other_school = ActorFactory(name="Collège Albert Camus", kind=ActorKind.SCHOOL)
    head = UserFactory(username="head", coordinator=True, actors=[cast.school])
    page = sign_in(client, head).get("/reseau/ambassadeurs/").content.decode()
    assert "École Jean Moulin" in page and "Collège Albert Camus" not in page
    response = client.post(
        "/reseau/ambassadeurs/",
        {
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.fr",
            "schools": [other_school.pk],
        },
    )
    assert response.status_code == 200 and not mail.outbox
    # Coordinators of an actor that is not a school have no such page.
    assert (
        sign_in(type(client)(), cast.coordinator_a).get("/reseau/ambassadeurs/").status_code == 404
    )
    # A known address is refused (one account per person).
    with pytest.raises(Exception, match="déjà un compte"):
        service.ambassador_invite(
            by=head,
            first_name="X",
            last_name="Y",
            email=cast.mediator_a.email,
            schools=[cast.school],
        )


def test_a_referral_reaches_the_actors_inbox_and_its_status_comes_back(cast, client):
    phone = sign_in(client, cast.ambassador)
    response = refer(phone, cast)
    assert response.status_code == 302, response.content.decode()
    referral = Referral.objects.get()
    assert referral.to_actor == cast.actor_b and referral.from_actor == cast.school
    assert referral.resident.created_by_actor == cast.actor_b
    assert "Pronote" in referral.reason

    inbox = sign_in(type(client)(), cast.mediator_b)
    assert "Samira" in inbox.get("/referrals/?box=received").content.decode()
    page = phone.get("/ambassadeurs/").content.decode()
    assert "Samira" in page and "Envoyée" in page

    referral.mark_received(by=cast.mediator_b)
    assert "Reçue par la structure" in phone.get("/ambassadeurs/").content.decode()

    # The family's first session: "venu par un ambassadeur", that day.
    day = timezone.localdate() - datetime.timedelta(days=1)
    session_create(
        by=cast.mediator_b,
        outcomes=[Outcome(resident=referral.resident, autonomy=1)],
        actor=cast.actor_b,
        date=day,
        duration_minutes=60,
        pole="necessity",
    )
    assert AmbassadorReferral.objects.get().came_on == day
    assert "La famille est venue" in phone.get("/ambassadeurs/").content.decode()


def test_without_the_familys_agreement_nothing_is_written(cast, client):
    phone = sign_in(client, cast.ambassador)
    response = refer(phone, cast, consent="")
    assert response.status_code == 200
    assert "La famille doit être d&#x27;accord" in response.content.decode()
    response = refer(phone, cast, phone="", email="")
    assert "téléphone ou un courriel" in response.content.decode()
    assert not Resident.objects.filter(first_name="Samira").exists()
    assert not Referral.objects.exists() and not AmbassadorReferral.objects.exists()
    # Not to a school, not from a school that is not theirs.
    other = ActorFactory(name="Collège Albert Camus", kind=ActorKind.SCHOOL)
    assert refer(phone, cast, school=other.pk).status_code == 200
    assert refer(phone, cast, to_actor=other.pk).status_code == 200
    assert not Referral.objects.exists()


def test_an_ambassador_never_reads_a_journey_or_a_name_they_did_not_type(cast, client):
    phone = sign_in(client, cast.ambassador)
    refer(phone, cast)
    referral = Referral.objects.get()
    family = referral.resident
    # The actor completes the record; another ambassador refers someone else.
    family.first_name, family.last_name = "Samira-Line", "Haddad"
    family.save()
    neighbour = UserFactory(username="neighbour", ambassador=True, actors=[cast.school])
    refer(sign_in(type(client)(), neighbour), cast, first_name="Octave")

    pages = [
        phone.get(path).content.decode()
        for path in ("/ambassadeurs/", "/ambassadeurs/orienter/", "/ambassadeurs/ateliers/")
    ]
    for page in pages:
        for name in ("Haddad", "Samira-Line", "Octave", "Garnier", "Éloïse"):
            assert name not in page
    assert "Samira" in pages[0]
    # No journey, no referral, no resident, no API: they do not exist for an ambassador.
    for path in (
        f"/residents/{family.reference}/",
        f"/residents/{cast.resident.reference}/",
        f"/referrals/{referral.pk}/",
        "/referrals/",
        "/residents/search/?q=had",
        "/sessions/",
        "/stats/",
        f"/api/v1/residents/{family.reference}/",
        f"/api/v1/referrals/{referral.pk}/",
        "/api/v1/actors/",
    ):
        assert phone.get(path).status_code == 404, path


def test_the_ambassadors_page_reads_in_constant_queries(cast, client):
    phone = sign_in(client, cast.ambassador)
    refer(phone, cast)
    phone.get("/ambassadeurs/")
    with CaptureQueriesContext(connection) as one:
        phone.get("/ambassadeurs/")
    for n in range(5):
        refer(phone, cast, first_name=f"Personne {n}")
    with CaptureQueriesContext(connection) as six:
        assert phone.get("/ambassadeurs/").content.decode().count('<li class="card">') == 6
    assert len(six) == len(one)


def test_the_team_page_reads_in_constant_queries(cast, client):
    admin = sign_in(client, cast.network_admin)
    admin.get("/reseau/ambassadeurs/")
    with CaptureQueriesContext(connection) as one:
        admin.get("/reseau/ambassadeurs/")
    for n in range(4):
        UserFactory(username=f"parent{n}", ambassador=True, actors=[cast.school])
    with CaptureQueriesContext(connection) as five:
        page = admin.get("/reseau/ambassadeurs/").content.decode()
    assert page.count("Renvoyer un lien") == 5
    assert len(five) == len(one)


def test_the_invitation_card_is_an_a6_page_with_the_workshops_address(cast, client):
    response = sign_in(client, cast.ambassador).get("/ambassadeurs/carte.pdf")
    assert response["Content-Type"] == "application/pdf"
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (298, 420)  # A6 in points
    assert "/guide/ateliers/" in page.extract_text()


def test_statistics_count_families_per_school_and_ambassador_small_counts_hidden(
    cast, client, settings
):
    from stats.ambassadors import ambassador_tables, cells_of

    # Names no page shows otherwise (a random one was once "Moulin", as the school's).
    other = UserFactory(
        username="other", last_name="Ambrelune", ambassador=True, actors=[cast.school]
    )
    cast.ambassador.last_name = "Saulenoire"
    cast.ambassador.save(update_fields=["last_name"])
    phone, second = sign_in(client, cast.ambassador), sign_in(type(client)(), other)
    for n in range(8):
        refer(phone, cast, first_name=f"Ophélie {n}")
    for n in range(2):
        refer(second, cast, first_name=f"Voisine {n}")
    came = [r.referral.resident for r in AmbassadorReferral.objects.order_by("pk")[:5]]
    session_create(
        by=cast.mediator_b,
        outcomes=[Outcome(resident=r, autonomy=1) for r in came],
        actor=cast.actor_b,
        date=timezone.localdate(),
        duration_minutes=60,
        pole="necessity",
        format="collective",
        workshop_title="Premiers pas",
    )
    by_school, by_ambassador, _d = ambassador_tables(cast.network_admin)
    # 10 referred, 5 came (and so 5 did not), none went on yet.
    assert cells_of(by_school)["École Jean Moulin"] == ["10", "5", "0"]
    # The second ambassador's 2 are "< 5", and so the first's 8, which would give them away.
    named = cells_of(by_ambassador)
    assert named[str(other)][0] == "< 5" and named[str(cast.ambassador)][0] == "masqué"
    # Officials: numbered, no name; the page says no family name either.
    _s, numbered, _d = ambassador_tables(cast.official)
    assert [r.label for r in numbered.rows] == [
        "Parent ambassadeur n° 1",
        "Parent ambassadeur n° 2",
        "Total",
    ]
    page = sign_in(type(client)(), cast.official).get("/stats/ambassadeurs/").content.decode()
    for name in ("Ophélie", "Voisine", cast.ambassador.last_name, other.last_name):
        assert name not in page
    assert "Parent ambassadeur n° 2" in page
