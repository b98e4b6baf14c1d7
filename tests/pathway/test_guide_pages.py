"""The public guide: the list of places with its filters (including "open now" at fixed
times), a place's page, the map, the coming workshops and the large-text option."""

import datetime
import json

import pytest
from django.test import Client

from pathway import views
from pathway.models import (
    Fee,
    Pole,
    Public,
    Service,
    SpecificCare,
)
from stats.demo.factories import (
    ActorFactory,
    NeighbourhoodFactory,
    PlaceFactory,
    PlannedWorkshopFactory,
)

pytestmark = pytest.mark.django_db

PARIS = datetime.timezone(datetime.timedelta(hours=2))
WEDNESDAY_10H = datetime.datetime(2026, 7, 15, 10, 0, tzinfo=PARIS)
WEDNESDAY_13H = datetime.datetime(2026, 7, 15, 13, 0, tzinfo=PARIS)
SATURDAY_10H = datetime.datetime(2026, 7, 18, 10, 0, tzinfo=PARIS)
BASTILLE_DAY_10H = datetime.datetime(2026, 7, 14, 10, 0, tzinfo=PARIS)


@pytest.fixture
def clock(monkeypatch):
    """Fix the guide's clock: clock(moment)."""

    def set_time(moment):
        monkeypatch.setattr(views, "current_time", lambda: moment)

    set_time(WEDNESDAY_10H)
    return set_time


@pytest.fixture
def town(db):
    centre = NeighbourhoodFactory(name="Centre-ville")
    maille = NeighbourhoodFactory(name="La Maille I", priority=True)
    return {
        "france_services": PlaceFactory(
            actor=ActorFactory(name="France services de Miramas"),
            neighbourhood=centre,
            poles=[Pole.NECESSITY],
            services=[Service.PAPERWORK],
            specific_care=[SpecificCare.ILLITERACY],
            opening_hours="Mo-Fr 09:00-12:00,14:00-17:00; PH off",
        ),
        "mediatheque": PlaceFactory(
            actor=ActorFactory(name="Médiathèque intercommunale"),
            neighbourhood=centre,
            poles=[Pole.ACHIEVEMENT, Pole.LEISURE],
            services=[Service.DAILY_TOOLS, Service.LEISURE, Service.ACCESS],
            specific_care=[SpecificCare.MOTOR_DISABILITY],
            opening_hours="We,Sa 10:00-18:00",
        ),
        "seniors": PlaceFactory(
            actor=ActorFactory(name="Seniors connectés 13"),
            neighbourhood=maille,
            poles=[Pole.ACHIEVEMENT],
            services=[Service.DAILY_TOOLS],
            publics=[Public.SENIORS],
            fees=[Fee.PAID],
            opening_hours="Mo 14:00-17:00",
        ),
        "mission_locale": PlaceFactory(
            actor=ActorFactory(name="Mission locale"),
            neighbourhood=maille,
            poles=[Pole.NECESSITY, Pole.ACHIEVEMENT],
            services=[Service.EMPLOYMENT, Service.PAPERWORK],
            publics=[Public.YOUNG, Public.JOB_SEEKERS],
            opening_hours="Mo-Fr 13:30-17:00",
        ),
    }


def names(response):
    return {place.name for place in response.context["page"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "",
            {
                "France services de Miramas",
                "Médiathèque intercommunale",
                "Seniors connectés 13",
                "Mission locale",
            },
        ),
        ("?service=paperwork", {"France services de Miramas", "Mission locale"}),
        ("?service=employment", {"Mission locale"}),
        ("?pole=leisure", {"Médiathèque intercommunale"}),
        (
            "?pole=achievement",
            {"Médiathèque intercommunale", "Seniors connectés 13", "Mission locale"},
        ),
        ("?neighbourhood=la-maille-i", {"Seniors connectés 13", "Mission locale"}),
        ("?public=seniors", {"Seniors connectés 13"}),
        ("?public=young", {"Mission locale"}),
        ("?public=job_seekers", {"Mission locale"}),
        ("?public=disability", {"Médiathèque intercommunale"}),
        ("?public=reading", {"France services de Miramas"}),
        ("?cost=paid", {"Seniors connectés 13"}),
        (
            "?cost=free",
            {"France services de Miramas", "Médiathèque intercommunale", "Mission locale"},
        ),
        ("?q=médiathèque", {"Médiathèque intercommunale"}),
        ("?q=maille", {"Seniors connectés 13", "Mission locale"}),
        ("?service=paperwork&neighbourhood=centre-ville", {"France services de Miramas"}),
    ],
)
def test_filters(clock, town, query, expected):
    response = Client().get(f"/guide/{query}")
    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (WEDNESDAY_10H, {"France services de Miramas", "Médiathèque intercommunale"}),
        (WEDNESDAY_13H, {"Médiathèque intercommunale"}),
        (SATURDAY_10H, {"Médiathèque intercommunale"}),
        # 14 July: France services is closed on public holidays, the media library is not.
        (BASTILLE_DAY_10H, set()),
        (
            datetime.datetime(2026, 7, 13, 15, 0, tzinfo=PARIS),
            {"France services de Miramas", "Seniors connectés 13", "Mission locale"},
        ),
    ],
)
def test_open_now_at_fixed_times(clock, town, moment, expected):
    clock(moment)
    response = Client().get("/guide/?open_now=on")
    assert names(response) == expected


def test_each_place_says_if_it_is_open_now(clock, town):
    response = Client().get("/guide/?q=france")
    assert "Ouvert maintenant, ferme à 12 h." in response.content.decode()


def test_unpublished_places_and_actors_stay_out_of_the_guide(clock, town):
    hidden_actor = town["seniors"].actor
    hidden_actor.is_published = False
    hidden_actor.save()
    town["mission_locale"].is_published = False
    town["mission_locale"].save()
    client = Client()
    assert names(client.get("/guide/")) == {
        "France services de Miramas",
        "Médiathèque intercommunale",
    }
    assert client.get(f"/guide/lieux/{town['seniors'].pk}/").status_code == 404
    assert client.get(f"/guide/lieux/{town['mission_locale'].pk}/").status_code == 404


def test_the_list_query_count_does_not_grow_with_places(clock, town, django_assert_num_queries):
    for n in range(30):
        PlaceFactory(name=f"Lieu {n}")
    client = Client()
    # towns (the town chosen, the selector), neighbourhoods (filter choices), count, the
    # page of places with actor, town and neighbourhood
    with django_assert_num_queries(4):
        response = client.get("/guide/?service=paperwork")
    assert response.status_code == 200
    assert len(response.context["page"]) == 20


def test_a_place_page_tells_a_resident_what_they_need(clock, town):
    place = town["france_services"]
    place.phone = "+33490581234"
    place.directions = "Bus ligne 1, arrêt Mairie."
    place.accessibility = "Entrée de plain-pied."
    place.opening_hours = "Mo-Fr 09:00-12:00,14:00-17:00; 2026 Aug 01-2026 Aug 15 off; PH off"
    place.save()
    PlannedWorkshopFactory(
        place=place,
        title="Créer son compte Ameli",
        starts_at=WEDNESDAY_10H + datetime.timedelta(days=1, hours=4),
        seats=8,
        seats_taken=3,
    )
    PlannedWorkshopFactory(
        place=place,
        title="Atelier complet",
        starts_at=WEDNESDAY_10H + datetime.timedelta(days=2),
        seats=8,
        seats_taken=8,
    )
    PlannedWorkshopFactory(
        place=place, title="Atelier passé", starts_at=WEDNESDAY_10H - datetime.timedelta(days=2)
    )

    response = Client().get(f"/guide/lieux/{place.pk}/")

    page = response.content.decode()
    assert "Ouvert maintenant, ferme à 12 h." in page
    assert "9 h – 12 h et 14 h – 17 h" in page
    assert "Fermé les jours fériés." in page
    assert "Fermé du 1er août au 15 août 2026." in page
    assert 'href="tel:+33490581234">04 90 58 12 34<' in page
    # Services in the words of the guide's filter; the standard's label is for open data.
    assert "Faire ses papiers en ligne" in page and "Aide aux démarches administratives" not in page
    assert "Entrée de plain-pied." in page and "Illettrisme" in page
    assert "Bus ligne 1, arrêt Mairie." in page and "openstreetmap.org/directions" in page
    assert "Créer son compte Ameli" in page and "jeudi 16 juillet à 14 h" in page
    assert "5 places libres" in page
    assert "Atelier complet" not in page and "Atelier passé" not in page


def test_the_map_page_has_markers_and_the_full_list_for_when_tiles_fail(clock, town, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    town["seniors"].latitude = town["seniors"].longitude = None
    town["seniors"].save()

    response = Client().get("/guide/carte/?pole=achievement")

    page = response.content.decode()
    markers = json.loads(
        page.split('id="map-markers" type="application/json">')[1].split("</script>")[0]
    )
    assert {m["name"] for m in markers} == {"Médiathèque intercommunale", "Mission locale"}
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in page
    assert "vendor/leaflet/leaflet.js" in page
    # The list under the map names every place, with or without coordinates.
    for name in ["Médiathèque intercommunale", "Mission locale", "Seniors connectés 13"]:
        assert name in page


def test_coming_workshops_by_pole_and_date(clock, town):
    soon = WEDNESDAY_10H + datetime.timedelta(days=1)
    PlannedWorkshopFactory(
        place=town["mediatheque"],
        pole=Pole.LEISURE,
        title="Photo numérique",
        starts_at=soon + datetime.timedelta(days=3),
    )
    PlannedWorkshopFactory(
        place=town["mediatheque"], pole=Pole.LEISURE, title="Jeux vidéo en famille", starts_at=soon
    )
    PlannedWorkshopFactory(
        place=town["seniors"],
        pole=Pole.ACHIEVEMENT,
        title="Premiers pas",
        starts_at=soon,
        seats=6,
        seats_taken=6,
    )
    PlannedWorkshopFactory(
        place=town["seniors"],
        pole=Pole.ACHIEVEMENT,
        title="Caché",
        starts_at=soon,
        is_published=False,
    )

    response = Client().get("/guide/ateliers/")

    by_pole = {pole: [w.title for w in items] for pole, items in response.context["by_pole"]}
    assert by_pole[Pole.LEISURE] == ["Jeux vidéo en famille", "Photo numérique"]
    assert by_pole[Pole.ACHIEVEMENT] == ["Premiers pas"]
    assert "Complet" in response.content.decode()
    leisure_only = Client().get("/guide/ateliers/?pole=leisure")
    assert [p for p, _items in leisure_only.context["by_pole"]] == [Pole.LEISURE]


def test_large_text_is_remembered_without_javascript(clock, town):
    client = Client()
    response = client.post(
        "/guide/taille-du-texte/", {"size": "large", "next": "/guide/?pole=leisure"}
    )
    assert response.status_code == 302 and response["Location"] == "/guide/?pole=leisure"
    assert 'class="guide large-text"' in client.get("/guide/").content.decode()
    client.post("/guide/taille-du-texte/", {"size": "normal", "next": "https://evil.example/"})
    assert 'class="guide"' in client.get("/guide/").content.decode()


def test_a_bad_filter_value_shows_an_error_not_a_crash(clock, town):
    response = Client().get("/guide/?service=cooking")
    assert response.status_code == 200
    assert names(response) == set()
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_open_now_with_nothing_open_says_when_the_next_places_open(client, town, clock):
    clock(datetime.datetime(2026, 7, 15, 20, 0, tzinfo=PARIS))  # Wednesday evening
    response = client.get("/guide/?open_now=on")
    assert names(response) == set()
    page = response.content.decode()
    assert "Aucun lieu n'est ouvert en ce moment" in page
    assert [place.name for place in response.context["opening_soon"]] == [
        "France services de Miramas",  # tomorrow 9:00
        "Mission locale",  # tomorrow 13:30
        "Médiathèque intercommunale",  # Saturday 10:00
    ]
    assert "Fermé maintenant, ouvre demain à 9 h." in page
    assert "Fermé maintenant, ouvre samedi à 10 h." in page
    # The other filters still apply: the soonest of the places they keep.
    response = client.get("/guide/?open_now=on&pole=achievement")
    assert [place.name for place in response.context["opening_soon"]] == [
        "Mission locale",
        "Médiathèque intercommunale",
        "Seniors connectés 13",  # Monday 14:00
    ]
    # Nothing is proposed when the list is empty for another reason than the hour.
    response = client.get("/guide/?q=introuvable&open_now=on")
    assert response.context["opening_soon"] == []
    assert "Aucun lieu ne correspond" in response.content.decode()
