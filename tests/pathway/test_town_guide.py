"""The public guide of an installation with several towns: a visitor chooses a town
(?ville=) or a territory (?territoire=) and sees its places, neighbourhoods, workshops,
map and brochure only; an unknown one is a French 404 page; with one town nothing changes."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from pathway import views
from pathway.models import Town
from stats.demo.factories import (
    ActorFactory,
    PlaceFactory,
    PlannedWorkshopFactory,
    TownFactory,
)

pytestmark = pytest.mark.django_db

PARIS = datetime.timezone(datetime.timedelta(hours=2))
NOW = datetime.datetime(2026, 7, 15, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(views, "current_time", lambda: NOW)


@pytest.fixture
def arles(two_towns):
    """A third town, outside the intercommunality, with its own place."""
    town = TownFactory(insee_code="13004", name="Arles", postcode="13200")
    PlaceFactory(
        actor=ActorFactory(name="Médiathèque d'Arles", town=town),
        city="Arles",
        postcode="13200",
        insee_code="13004",
    )
    return town


def page(url):
    response = Client().get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def listed(html):
    """The places' names on a list page."""
    return set(re.findall(r'<h2><a href="/guide/lieux/\d+/">([^<]+)</a></h2>', html))


def options(html, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_a_visitor_chooses_a_town_and_sees_its_places_only(two_towns):
    both = page("/guide/")
    assert listed(both) == {"France services de Miramas", "France services d&#x27;Istres"}
    # Several towns: a selector, which works without JavaScript (a GET form and a button).
    assert options(both, "ville") == [
        ("", "Toutes les villes"),
        ("istres", "Istres"),
        ("miramas", "Miramas"),
    ]
    assert "Voir cette ville" in both

    istres = page("/guide/?ville=istres")
    assert listed(istres) == {"France services d&#x27;Istres"}
    # The town's network names the page, its header and its footer.
    assert (
        "<title>Où se faire aider avec le numérique — Réseau Parcours numérique d&#x27;Istres"
        in (istres)
    )
    assert '<span class="brand-town">Istres</span>' in istres
    assert '<option value="istres" selected>Istres</option>' in istres

    # Typed by hand with a capital: the same town.
    assert listed(page("/guide/?ville=Istres")) == listed(istres)
    miramas = page("/guide/?ville=miramas")
    assert listed(miramas) == {"France services de Miramas"}
    # "All towns" in the selector sends an empty value: every town again.
    assert listed(page("/guide/?ville=")) == listed(both)


def test_the_neighbourhood_filter_offers_the_chosen_towns_only(two_towns):
    # Both towns have a "Centre-ville": together, each says its town.
    assert options(page("/guide/"), "neighbourhood")[1:] == [
        ("centre-ville-istres", "Centre-ville (Istres)"),
        ("centre-ville-miramas", "Centre-ville (Miramas)"),
    ]
    assert options(page("/guide/?ville=istres"), "neighbourhood")[1:] == [
        ("centre-ville-istres", "Centre-ville")
    ]
    # Another town's neighbourhood is not a choice here: the form says so, lists nothing.
    response = Client().get("/guide/", {"ville": "istres", "neighbourhood": "centre-ville-miramas"})
    assert listed(response.content.decode()) == set()
    assert response.context["form"].errors["neighbourhood"]


def test_searching_within_a_town_stays_in_that_town(two_towns):
    istres = page("/guide/?ville=istres")
    # The filters' form carries the town; every link of the guide keeps it.
    assert '<input type="hidden" name="ville" value="istres">' in istres
    for url in ["/guide/carte/", "/guide/ateliers/", "/guide/orientation/", "/guide.pdf"]:
        assert f'href="{url}?ville=istres"' in istres
    assert 'href="/open-data/places.csv?commune=13047"' in istres
    found = page("/guide/?ville=istres&q=France+services")
    assert listed(found) == {"France services d&#x27;Istres"}


def test_a_territory_shows_its_towns_and_leaves_the_others_out(two_towns, arles):
    html = page("/guide/?territoire=metropole-aix-marseille-provence")
    assert listed(html) == {"France services de Miramas", "France services d&#x27;Istres"}
    assert "Médiathèque d&#x27;Arles" not in html
    # The selector offers the territory's towns.
    assert [value for value, _label in options(html, "ville")] == ["", "istres", "miramas"]
    assert listed(page("/guide/")) >= {"Médiathèque d&#x27;Arles"}
    # A town of the territory narrows it further.
    narrowed = page("/guide/?territoire=metropole-aix-marseille-provence&ville=istres")
    assert listed(narrowed) == {"France services d&#x27;Istres"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("ville=paris", "Le guide ne connaît pas de ville « paris »."),
        ("territoire=nulle-part", "Le guide ne connaît pas le territoire « nulle-part »."),
        (
            "territoire=metropole-aix-marseille-provence&ville=arles",
            "Arles ne fait pas partie du territoire Métropole Aix-Marseille-Provence.",
        ),
    ],
)
def test_an_unknown_town_or_territory_is_a_french_404_page(two_towns, arles, query, message):
    for url in ["/guide/", "/guide/carte/", "/guide/ateliers/", "/guide.pdf", "/widget/", "/"]:
        response = Client().get(f"{url}?{query}")
        assert response.status_code == 404, url
        html = response.content.decode()
        assert message in html.replace("&#x27;", "'")
        assert "Choisissez une ville du guide" in html


def test_with_one_town_nothing_new_appears(db):
    PlaceFactory(actor=ActorFactory(name="France services de Miramas"))
    assert Town.objects.count() == 1
    html = page("/guide/")
    assert 'name="ville"' not in html
    assert 'class="area-name"' not in html
    assert "ces lieux de Miramas vous aident" in html
    assert "<title>Où se faire aider avec le numérique — Parcours numérique Miramas</title>" in html
    assert 'href="/guide/carte/"' in html and 'href="/open-data/places.csv"' in html
    home = page("/")
    assert "Le numérique, pas à pas, à Miramas" in home
    assert "Choisissez votre ville" not in home


def test_the_map_opens_on_the_chosen_towns_centre(two_towns):
    two_towns.istres.map_latitude, two_towns.istres.map_longitude = 43.5138, 4.9894
    two_towns.istres.save()
    istres = page("/guide/carte/?ville=istres")
    assert 'data-centre-lat="43.51380" data-centre-lon="4.98940"' in istres
    # Its markers are the town's places only.
    assert "France services de Miramas" not in istres
    # Miramas has no centre set: the map fits its places, as before.
    assert "data-centre-lat" not in page("/guide/carte/?ville=miramas")
    assert "data-centre-lat" not in page("/guide/carte/")


def test_the_workshops_are_the_chosen_towns(two_towns):
    PlannedWorkshopFactory(
        title="Atelier tablette à Miramas",
        place=two_towns.place_m,
        starts_at=NOW + datetime.timedelta(days=2),
    )
    PlannedWorkshopFactory(
        title="Atelier smartphone à Istres",
        place=two_towns.place_i,
        starts_at=NOW + datetime.timedelta(days=3),
    )
    istres = page("/guide/ateliers/?ville=istres")
    assert "Atelier smartphone à Istres" in istres
    assert "Atelier tablette à Miramas" not in istres
    # The poles' links keep the town.
    assert 'href="?ville=istres&amp;pole=necessity"' in istres
    both = page("/guide/ateliers/")
    assert "Atelier smartphone à Istres" in both and "Atelier tablette à Miramas" in both


def test_the_printed_guide_of_a_town(two_towns):
    response = Client().get("/guide.pdf?ville=istres")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert reader.metadata.title == "Guide du numérique — Istres"
    assert "Réseau Parcours numérique d'Istres — édition du" in text
    assert "France services d'Istres" in text
    assert "France services de Miramas" not in text
    # The QR code and address lead to the town's map.
    assert "/guide/carte/?ville=istres" in text


def test_the_orientation_guide_stays_in_the_chosen_town(two_towns):
    step2 = page("/guide/orientation/?ville=istres&besoin=papiers")
    assert 'value="centre-ville-istres"' in step2
    assert 'value="centre-ville-miramas"' not in step2
    assert '<input type="hidden" name="ville" value="istres">' in step2
    results = page("/guide/orientation/?ville=istres&besoin=papiers&quartier=partout&quand=tout")
    assert "France services d&#x27;Istres" in results
    assert "France services de Miramas" not in results


def test_the_widget_and_the_home_page_of_a_town(two_towns):
    widget = page("/widget/?ville=istres")
    assert "Se faire aider avec le numérique à Istres" in widget
    assert "France services de Miramas" not in widget
    assert "/guide/?ville=istres" in widget
    home = page("/")
    assert "Choisissez votre ville" in home
    assert 'href="/guide/?ville=istres"' in home
    istres = page("/?ville=istres")
    assert "Le numérique, pas à pas, à Istres" in istres
    assert 'href="/guide/?ville=istres"' in istres


def test_a_place_page_belongs_to_its_town(two_towns):
    html = page(two_towns.place_i.get_absolute_url())
    assert '<span class="brand-town">Istres</span>' in html
    assert 'href="/guide/?ville=istres"' in html


def test_the_printed_guide_of_a_town_from_the_command_line(two_towns, tmp_path):
    target = tmp_path / "guide-istres.pdf"
    call_command("build_guide", "--output", str(target), "--ville", "istres", stdout=io.StringIO())
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(target).pages).split())
    assert "France services d'Istres" in text and "France services de Miramas" not in text
    with pytest.raises(CommandError, match="« paris ».*Villes : istres, miramas"):
        call_command("build_guide", "--output", str(target), "--ville", "paris")


# A workshop's page and sign-up keep the town ------------------------------------------------


@pytest.fixture
def istres_workshop(two_towns):
    # To come both at the guide's frozen time and at the sign-up's real one.
    return PlannedWorkshopFactory(
        title="Atelier smartphone à Istres",
        place=two_towns.place_i,
        starts_at=max(NOW, timezone.now()) + datetime.timedelta(days=3),
    )


def sign_up_form(**changes):
    return {
        "first_name": "Nadia",
        "last_name": "Benali",
        "phone": "06 12 34 56 78",
        "email": "",
        "data_use": "on",
        **changes,
    }


def test_the_guides_workshop_links_keep_the_chosen_town(istres_workshop):
    detail = f"/guide/ateliers/{istres_workshop.pk}/"
    assert f'href="{detail}?ville=istres"' in page("/guide/ateliers/?ville=istres")
    assert f'href="{detail}?ville=istres"' in page(istres_workshop.place.get_absolute_url())
    results = page("/guide/orientation/?ville=istres&besoin=apprendre&quartier=partout&quand=tout")
    assert f'href="{detail}?ville=istres"' in results
    assert f"{detail}?ville=istres" in page("/widget/?ville=istres")


def test_a_workshops_page_and_its_sign_up_stay_in_the_town(istres_workshop):
    detail = f"/guide/ateliers/{istres_workshop.pk}/"
    html = page(f"{detail}?ville=istres")
    assert '<span class="brand-town">Istres</span>' in html
    assert 'href="/guide/ateliers/?ville=istres"' in html  # back to the town's workshops
    assert f'action="{detail}inscription/?ville=istres"' in html
    client = Client()
    # A form to correct comes back with the town.
    refused = client.post(f"{detail}inscription/?ville=istres", sign_up_form(phone=""))
    assert refused.status_code == 400
    assert f'action="{detail}inscription/?ville=istres"' in refused.content.decode()
    response = client.post(f"{detail}inscription/?ville=istres", sign_up_form())
    assert response.status_code == 302
    confirmation = client.get(response["Location"]).content.decode()
    assert "une place vous attend" in confirmation
    assert '<span class="brand-town">Istres</span>' in confirmation
    assert 'href="/guide/ateliers/?ville=istres"' in confirmation
    # Reached without a town, the page is its own town's.
    html = page(detail)
    assert '<span class="brand-town">Istres</span>' in html
    assert 'href="/guide/ateliers/?ville=istres"' in html
    # A territory chosen by the visitor is kept in the links; the header names the town.
    html = page(f"{detail}?territoire=metropole-aix-marseille-provence")
    assert '<span class="brand-town">Istres</span>' in html
    assert 'href="/guide/ateliers/?territoire=metropole-aix-marseille-provence"' in html


def test_with_one_town_a_workshops_links_are_unchanged(db):
    workshop = PlannedWorkshopFactory(starts_at=NOW + datetime.timedelta(days=3))
    detail = f"/guide/ateliers/{workshop.pk}/"
    assert f'href="{detail}"' in page("/guide/ateliers/")
    html = page(detail)
    assert f'action="{detail}inscription/"' in html
    assert '<span class="brand-town">Miramas</span>' in html


def test_the_brochure_of_every_town_names_the_installation(two_towns, settings):
    settings.INSTALLATION_NAME = "Métropole Aix-Marseille-Provence"
    reader = PdfReader(io.BytesIO(Client().get("/guide.pdf").content))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert reader.metadata.title == "Guide du numérique"
    assert "Métropole Aix-Marseille-Provence — édition du" in text


def test_the_brochure_of_a_single_town_installation_elides_its_name(db, settings):
    from pathway.areas import Area
    from pathway.guide import guide_names

    istres = TownFactory(network_name="Réseau Parcours numérique d'Istres")
    assert guide_names(Area(towns=(istres,))) == (
        "Guide du numérique d'Istres",
        "Réseau Parcours numérique d'Istres",
    )
    assert guide_names(Area())[0] == "Guide du numérique de Miramas"
