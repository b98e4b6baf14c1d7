"""The extranet of an installation of several towns: a town's staff find in the directory,
the calendar, the news and the documents their own town's (and what is for every town); a
territory coordinator, their territory's towns', with a town filter; another town's date
or file does not exist for them (404)."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from network import calendar as service
from network.coordination import CoordinationExport
from network.models import DigestSubscription, Document, Folder, Meeting, MeetingKind, Post
from network.news import digest_send, document_upload, post_publish
from stats.annual import decisions_of
from stats.demo.factories import UserFactory
from tests.conftest import sign_in
from tests.network.test_extranet import listed

pytestmark = pytest.mark.django_db

ISTRES_NETWORK = "Réseau Parcours numérique de Istres"  # TownFactory's default
MIRAMAS_NETWORK = "Réseau Parcours numérique de Miramas"


def client_of(user):
    return sign_in(Client(), user)


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "x" * 16)


# The directory ------------------------------------------------------------------------------


def test_the_directory_of_a_town_is_its_own(towns):
    for user in (towns.mediator_m, towns.mediator_i, towns.mediator_a):
        listed(user)
    people = lambda user, query="": [  # noqa: E731
        e.user for e in client_of(user).get(f"/reseau/annuaire/{query}").context["people"]
    ]
    actors = lambda user, query="": [  # noqa: E731
        a.name for a in client_of(user).get(f"/reseau/annuaire/{query}").context["actors"]
    ]
    assert people(towns.mediator_i) == [towns.mediator_i]
    assert people(towns.admin_i) == [towns.mediator_i]
    assert actors(towns.admin_i) == ["France services d'Istres"]
    assert people(towns.mediator_m) == [towns.mediator_m]
    # Searching by another town's actor finds nobody.
    assert people(towns.mediator_i, "?q=miramas") == []
    # The territory coordinator: Miramas and Istres (not Arles), one of them on demand.
    assert set(people(towns.coordinator)) == {towns.mediator_m, towns.mediator_i}
    assert people(towns.coordinator, "?ville=istres") == [towns.mediator_i]
    assert actors(towns.coordinator, "?ville=istres") == ["France services d'Istres"]
    page = client_of(towns.coordinator).get("/reseau/annuaire/").content.decode()
    assert '<select name="ville" id="town-filter">' in page and "Arles" not in page
    # One town's staff have no filter.
    assert (
        'id="town-filter"' not in client_of(towns.admin_i).get("/reseau/annuaire/").content.decode()
    )


def test_with_one_town_the_directory_has_no_town_filter(cast):
    listed(cast.mediator_a)
    response = cast.client("official").get("/reseau/annuaire/")
    assert [e.user for e in response.context["people"]] == [cast.mediator_a]
    assert 'id="town-filter"' not in response.content.decode()


# The calendar --------------------------------------------------------------------------------


def new_meeting(client, title, **fields):
    start = timezone.localtime() + datetime.timedelta(days=5)
    data = {
        "kind": MeetingKind.COORDINATION,
        "title": title,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        **fields,
    }
    response = client.post("/reseau/agenda/nouveau/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Meeting.objects.get(title=title)


def test_a_towns_calendar_is_its_own(towns, root):
    miramas = new_meeting(client_of(towns.admin_m), "Copil de Miramas")
    istres = new_meeting(client_of(towns.admin_i), "Copil d'Istres")
    assert miramas.town == towns.miramas and istres.town == towns.istres
    # The superuser chooses the town, or every town.
    everyone = new_meeting(client_of(root), "Webinaire de la métropole", town="")
    assert everyone.town is None

    def titles(user, query=""):
        context = client_of(user).get(f"/reseau/agenda/{query}").context
        return {m.title for m in context["coming"]}

    assert titles(towns.mediator_i) == {"Copil d'Istres", "Webinaire de la métropole"}
    assert titles(towns.mediator_m) == {"Copil de Miramas", "Webinaire de la métropole"}
    assert titles(towns.mediator_a) == {"Webinaire de la métropole"}
    assert titles(towns.coordinator) == {
        "Copil de Miramas",
        "Copil d'Istres",
        "Webinaire de la métropole",
    }
    assert titles(towns.coordinator, "?ville=istres") == {
        "Copil d'Istres",
        "Webinaire de la métropole",
    }
    # Another town's date does not exist, nor can one register to it.
    mediator = client_of(towns.mediator_i)
    assert mediator.get(f"/reseau/agenda/{miramas.pk}/").status_code == 404
    assert mediator.post(f"/reseau/agenda/{miramas.pk}/", {"action": "register"}).status_code == 404
    assert not miramas.registrations.exists()
    assert mediator.get(f"/reseau/agenda/{istres.pk}/").status_code == 200
    # A town's admin cannot put a date in another town: theirs is taken.
    client_of(towns.admin_i).post(
        "/reseau/agenda/nouveau/",
        {
            "kind": MeetingKind.COORDINATION,
            "title": "Intrus",
            "starts_at": "2027-01-10T10:00",
            "ends_at": "2027-01-10T12:00",
            "town": towns.miramas.pk,
        },
    )
    assert Meeting.objects.get(title="Intrus").town == towns.istres


def test_a_towns_dates_are_signed_by_its_network_and_exported_by_its_admin(towns):
    istres = new_meeting(client_of(towns.admin_i), "Copil d'Istres")
    miramas = new_meeting(client_of(towns.admin_m), "Copil de Miramas")
    towns.mediator_i.email = "med@istres.example"
    towns.mediator_i.save()
    mail.outbox.clear()
    service.register(istres, user=towns.mediator_i)
    assert ISTRES_NETWORK in mail.outbox[-1].body and "Miramas" not in mail.outbox[-1].body
    # The coordination export and the annual report's decisions of Istres' admin.
    past = timezone.now() - datetime.timedelta(days=3)
    for meeting in (istres, miramas):
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=past, ends_at=past + datetime.timedelta(hours=1), decisions="Décidé."
        )
    today = timezone.localdate()
    export = CoordinationExport(towns.admin_i, today - datetime.timedelta(days=30), today)
    assert [m.title for m in export.meetings()] == ["Copil d'Istres"]
    assises, others = decisions_of(past.year, towns.admin_i)
    assert [d.title for d in assises + others] == ["Copil d'Istres"]


def test_the_public_page_of_an_event_names_its_town(towns):
    start = timezone.now() + datetime.timedelta(days=20)
    event = Meeting.objects.create(
        town=towns.istres,
        kind=MeetingKind.ASSISES,
        title="Assises d'Istres",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        public_registration=True,
    )
    page = Client().get(f"/evenements/{event.pk}/").content.decode().replace("&#x27;", "'")
    assert '<span class="brand-town">Istres</span>' in page
    assert ISTRES_NETWORK in page and "Miramas" not in page


# News and documents --------------------------------------------------------------------------


def upload(user, name, **fields):
    return document_upload(
        by=user, file=SimpleUploadedFile(name, b"%PDF-1.4 " + name.encode()), **fields
    )


def test_a_towns_documents_are_its_own(towns, root):
    folder = Folder.objects.create(name="Comités de pilotage")
    miramas = upload(towns.admin_m, "copil-miramas.pdf", folder=folder, title="Copil Miramas")
    istres = upload(towns.admin_i, "copil-istres.pdf", folder=folder, title="Copil Istres")
    shared = upload(root, "charte.pdf", folder=folder, title="Charte de la métropole")
    assert miramas.document.town == towns.miramas and istres.document.town == towns.istres
    assert shared.document.town is None
    page = client_of(towns.mediator_i).get("/reseau/documents/").content.decode()
    assert "copil-istres.pdf" in page and "charte.pdf" in page
    assert "copil-miramas.pdf" not in page
    # Another town's file does not exist.
    mediator = client_of(towns.mediator_i)
    assert mediator.get(f"/reseau/documents/versions/{miramas.pk}/").status_code == 404
    assert mediator.get(f"/reseau/documents/versions/{istres.pk}/").status_code == 200
    assert mediator.get(f"/reseau/documents/versions/{shared.pk}/").status_code == 200
    # Nor may a new version be put in it.
    with pytest.raises(Exception, match="pas un document de votre ville"):
        upload(towns.admin_i, "copil-v2.pdf", document=miramas.document)
    response = client_of(towns.admin_i).post(
        "/reseau/documents/",
        {"document": miramas.document.pk, "file": SimpleUploadedFile("v2.pdf", b"%PDF-1.4 v2")},
    )
    assert response.status_code == 200 and miramas.document.versions.count() == 1
    # The territory coordinator reads both towns', one of them on demand.
    page = client_of(towns.coordinator).get("/reseau/documents/?ville=istres").content.decode()
    assert "copil-istres.pdf" in page and "copil-miramas.pdf" not in page
    assert (
        "copil-miramas.pdf"
        in client_of(towns.coordinator).get("/reseau/documents/").content.decode()
    )


def test_a_towns_news_are_its_own(towns):
    post_publish(by=towns.admin_m, title="Nouvelles de Miramas", body="…")
    post_publish(by=towns.admin_i, title="Nouvelles d'Istres", body="…")
    assert Post.objects.get(title="Nouvelles d'Istres").town == towns.istres
    page = client_of(towns.mediator_i).get("/reseau/actualites/").content.decode()
    assert "Nouvelles d&#x27;Istres" in page and "Nouvelles de Miramas" not in page
    # A news item cannot attach another town's document: its readers could not open it.
    folder = Folder.objects.create(name="Divers")
    other = upload(towns.admin_m, "m.pdf", folder=folder, title="Doc de Miramas").document
    response = client_of(towns.admin_i).post(
        "/reseau/actualites/",
        {"action": "publish", "title": "Avec pièce", "body": "…", "documents": [other.pk]},
    )
    assert not Post.objects.filter(title="Avec pièce").exists()
    assert response.status_code in (200, 302)


def test_the_digest_sends_each_subscriber_their_towns_news(towns):
    now = timezone.now()
    for user, address in ((towns.mediator_i, "i@example.fr"), (towns.mediator_m, "m@example.fr")):
        user.email = address
        user.save()
        DigestSubscription.objects.create(user=user)
    post_publish(by=towns.admin_m, title="Nouvelles de Miramas", body="…")
    post_publish(by=towns.admin_i, title="Nouvelles d'Istres", body="…")
    mail.outbox.clear()
    assert digest_send(now=now + datetime.timedelta(minutes=1)) == 2
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "Nouvelles d'Istres" in bodies["i@example.fr"]
    assert "Nouvelles de Miramas" not in bodies["i@example.fr"]
    assert ISTRES_NETWORK in bodies["i@example.fr"]
    assert "Nouvelles de Miramas" in bodies["m@example.fr"]
    assert MIRAMAS_NETWORK in bodies["m@example.fr"]


def test_a_publisher_of_two_towns_chooses_the_town(towns):
    both = UserFactory(
        username="coord_deux", coordinator=True, actors=[towns.actor_m, towns.actor_i]
    )
    client = client_of(both)
    page = client.get("/reseau/actualites/").content.decode()
    assert 'name="town"' in page
    client.post("/reseau/actualites/", {"action": "publish", "title": "Sans ville", "body": "…"})
    assert not Post.objects.filter(title="Sans ville").exists()
    client.post(
        "/reseau/actualites/",
        {"action": "publish", "title": "Pour Istres", "body": "…", "town": towns.istres.pk},
    )
    assert Post.objects.get(title="Pour Istres").town == towns.istres
    # A town not theirs is not offered, and not taken.
    client.post(
        "/reseau/actualites/",
        {"action": "publish", "title": "Pour Arles", "body": "…", "town": towns.arles.pk},
    )
    assert not Post.objects.filter(title="Pour Arles").exists()


def test_with_one_town_nothing_asks_for_a_town(cast):
    page = cast.client("network_admin").get("/reseau/actualites/").content.decode()
    assert 'name="town"' not in page
    assert (
        'name="town"' not in cast.client("network_admin").get("/reseau/documents/").content.decode()
    )
    assert (
        'name="town"'
        not in cast.client("network_admin").get("/reseau/agenda/nouveau/").content.decode()
    )
    post = post_publish(by=cast.network_admin, title="Une nouvelle", body="…")
    assert post.town == cast.actor_a.town
    assert Document.objects.count() == 0


def test_an_ambassadors_card_leads_to_their_towns_guide(towns, cast):
    import io

    from pypdf import PdfReader

    from pathway.models import ActorKind
    from stats.demo.factories import ActorFactory

    school = ActorFactory(name="École de la Ferme", kind=ActorKind.SCHOOL, town=towns.istres)
    parent = UserFactory(username="parent_istres", ambassador=True, actors=[school])
    response = client_of(parent).get("/ambassadeurs/carte.pdf")
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert ISTRES_NETWORK in text and "Miramas" not in text
    assert "/guide/ateliers/?ville=istres" in text
    # The first town's ambassador: their town's guide too.
    text = (
        PdfReader(io.BytesIO(client_of(cast.ambassador).get("/ambassadeurs/carte.pdf").content))
        .pages[0]
        .extract_text()
    )
    assert MIRAMAS_NETWORK in text and "/guide/ateliers/?ville=miramas" in text


@pytest.mark.parametrize("more", [0, 3])
def test_an_ambassador_suggests_their_towns_workshops(towns, cast, more, django_assert_num_queries):
    from pathway.models import ActorKind
    from stats.demo.factories import ActorFactory, PlaceFactory, PlannedWorkshopFactory

    PlannedWorkshopFactory(place=PlaceFactory(actor=towns.actor_i), title="Atelier à Istres")
    for n in range(more):
        PlannedWorkshopFactory(place=cast.place_a, title=f"Atelier à Miramas {n}")
    school = ActorFactory(name="École de la Ferme", kind=ActorKind.SCHOOL, town=towns.istres)
    parent = UserFactory(username="parent_istres", ambassador=True, actors=[school])
    client = client_of(parent)
    client.get("/ambassadeurs/ateliers/")
    # session, user, the ambassador's actors (their towns), workshops with their places
    with django_assert_num_queries(4):
        page = client.get("/ambassadeurs/ateliers/").content.decode()
    assert "Atelier à Istres" in page and "Atelier à Miramas" not in page
    page = client_of(cast.ambassador).get("/ambassadeurs/ateliers/").content.decode()
    assert "Atelier à Istres" not in page and cast.workshop_a.title in page
