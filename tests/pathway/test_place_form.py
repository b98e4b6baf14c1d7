"""A coordinator describes a place for the guide: the weekly timetable (no OSM syntax to
type) round trip, and bad input refused with clear French errors, nothing saved."""

import pytest

from pathway.models import Place, normalize_french_phone
from stats.demo.factories import NeighbourhoodFactory

pytestmark = pytest.mark.django_db


def form_data(place, **changes):
    """What the edit page posts for this place, empty timetable, then `changes`."""
    data = {
        "name": place.name,
        "address": place.address,
        "postcode": place.postcode,
        "city": place.city,
        "insee_code": place.insee_code,
        "latitude": str(place.latitude),
        "longitude": str(place.longitude),
        "phone": place.phone,
        "poles": place.poles,
        "services": place.services,
        "fees": place.fees,
        "access_modes": place.access_modes,
        "typology": place.typology,
        "is_published": "on",
    }
    data.update(changes)
    return data


def test_the_weekly_timetable_round_trip(cast):
    client = cast.client("coordinator_a")
    place = cast.place_a
    url = f"/lieux/{place.pk}/modifier/"
    data = form_data(
        place,
        day0_slot1_start="09:00",
        day0_slot1_end="12:00",
        day0_slot2_start="14:00",
        day0_slot2_end="17:00",
        day1_slot1_start="09:00",
        day1_slot1_end="12:00",
        day1_slot2_start="14:00",
        day1_slot2_end="17:00",
        day2_slot1_start="09:00",
        day2_slot1_end="12:00",
        day5_slot2_start="14:00",
        day5_slot2_end="18:30",
        closed_on_public_holidays="on",
        closure1_first="2026-12-24",
        closure1_last="2026-12-31",
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    place.refresh_from_db()
    assert place.opening_hours == (
        "Mo,Tu 09:00-12:00,14:00-17:00; We 09:00-12:00; Sa 14:00-18:30; "
        "2026 Dec 24-2026 Dec 31 off; PH off"
    )
    # Back in the form, every value is where the coordinator put it.
    form = client.get(url).context["form"]
    assert form.hours_exact
    shown = {name: form[name].value() for name in data if name.startswith(("day", "closure"))}
    assert {k: str(v)[:5] if "day" in k else str(v) for k, v in shown.items()} == {
        k: v for k, v in data.items() if k.startswith(("day", "closure"))
    }
    assert form["closed_on_public_holidays"].value() is True
    # And the public page reads it in French.
    page = client.get(f"/guide/lieux/{place.pk}/").content.decode()
    assert "9 h – 12 h et 14 h – 17 h" in page and "14 h – 18 h 30" in page


def test_hours_the_form_cannot_show_are_announced_before_being_replaced(cast):
    cast.place_a.opening_hours = "Mo 10:00-12:00; Jul-Aug off"
    cast.place_a.save()
    response = cast.client("coordinator_a").get(f"/lieux/{cast.place_a.pk}/modifier/")
    assert "disent plus que ce tableau" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"postcode": "1314"}, "postcode", "5 chiffres"),
        ({"postcode": "13A40"}, "postcode", "5 chiffres"),
        ({"latitude": "40.4168", "longitude": "-3.7038"}, "latitude", "pas en France"),
        ({"longitude": ""}, "longitude", "latitude et la longitude"),
        ({"phone": "12345"}, "phone", "pas un numéro français"),
        ({"phone": "+44 20 7946 0958"}, "phone", "pas un numéro français"),
        ({"services": []}, "services", "au moins un service"),
        ({"insee_code": "ABCDE"}, "insee_code", "code INSEE"),
        (
            {"day0_slot1_start": "12:00", "day0_slot1_end": "09:00"},
            "day0_slot1_start",
            "l'heure de fermeture doit venir après",
        ),
        ({"day0_slot1_start": "09:00"}, "day0_slot1_start", "indiquez l'heure d'ouverture"),
        (
            {
                "day0_slot1_start": "09:00",
                "day0_slot1_end": "15:00",
                "day0_slot2_start": "14:00",
                "day0_slot2_end": "17:00",
            },
            "day0_slot2_start",
            "avant la fin du matin",
        ),
        (
            {"closure1_first": "2026-12-31", "closure1_last": "2026-12-24"},
            "closure1_first",
            "finir après son début",
        ),
    ],
)
def test_bad_input_gets_a_clear_french_error_and_nothing_is_saved(cast, changes, field, message):
    place = cast.place_a
    before = Place.objects.values().get(pk=place.pk)

    response = cast.client("coordinator_a").post(
        f"/lieux/{place.pk}/modifier/", form_data(place, **changes)
    )

    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert "Le formulaire contient des erreurs" in response.content.decode()
    assert Place.objects.values().get(pk=place.pk) == before


@pytest.mark.parametrize(
    "phone",
    [
        "04 90 58 12 34",
        "04.90.58.12.34",
        "0490581234",
        "+33 4 90 58 12 34",
        "+33 (0)4 90 58 12 34",
        "0033 4 90 58 12 34",
    ],
)
def test_french_phone_numbers_in_any_format_are_normalised(cast, phone):
    assert normalize_french_phone(phone) == "+33490581234"
    response = cast.client("coordinator_a").post(
        f"/lieux/{cast.place_a.pk}/modifier/", form_data(cast.place_a, phone=phone)
    )
    assert response.status_code == 302
    cast.place_a.refresh_from_db()
    assert cast.place_a.phone == "+33490581234"


def test_a_postcode_typed_with_a_space_is_accepted(cast):
    response = cast.client("coordinator_a").post(
        f"/lieux/{cast.place_a.pk}/modifier/", form_data(cast.place_a, postcode="13 140")
    )
    assert response.status_code == 302
    cast.place_a.refresh_from_db()
    assert cast.place_a.postcode == "13140"


def test_coordinators_edit_only_their_actors_places(cast):
    other = cast.actor_b.places.create(
        name="Médiathèque", address="1 rue de la Paix", postcode="13140", city="Miramas"
    )
    client = cast.client("coordinator_a")
    assert client.get(f"/lieux/{other.pk}/modifier/").status_code == 404
    assert client.post(f"/lieux/{other.pk}/modifier/", form_data(other)).status_code == 404
    listed = client.get("/lieux/").content.decode()
    assert cast.place_a.name in listed and "Médiathèque" not in listed


def test_the_admin_edits_a_place_through_the_same_timetable(cast):
    client = cast.client("network_admin")
    place = cast.place_a
    data = form_data(
        place,
        actor=str(place.actor_id),
        is_active="on",
        neighbourhood=str(NeighbourhoodFactory(name="Le Mercure").pk),
        day3_slot1_start="08:30",
        day3_slot1_end="12:00",
    )
    response = client.post(f"/admin/pathway/place/{place.pk}/change/", data)
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.opening_hours == "Th 08:30-12:00"
    assert place.neighbourhood.name == "Le Mercure"
