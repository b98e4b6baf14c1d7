"""Opening hours: French public holidays, validation, the weekly timetable and back, and
what a resident reads ("Ouvert maintenant, ferme à 17 h")."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from opening_hours import OpeningHours

from pathway import hours

PARIS = datetime.timezone(datetime.timedelta(hours=2))  # summer time in July
WEEKDAYS = "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off"


def at(day, hour, minute=0):
    return datetime.datetime(2026, 7, day, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, datetime.date(2024, 3, 31)),
        (2025, datetime.date(2025, 4, 20)),
        (2026, datetime.date(2026, 4, 5)),
        (2038, datetime.date(2038, 4, 25)),
    ],
)
def test_easter_is_computed_right(year, easter):
    assert hours.easter_sunday(year) == easter


def test_french_public_holidays_are_the_eleven_national_ones():
    days = hours.french_public_holidays(2026)
    assert len(days) == 11
    assert days[datetime.date(2026, 7, 14)] == "Fête nationale"
    assert days[datetime.date(2026, 4, 6)] == "Lundi de Pâques"
    assert days[datetime.date(2026, 5, 14)] == "Ascension"
    assert days[datetime.date(2026, 5, 25)] == "Lundi de Pentecôte"


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_our_holidays_agree_with_the_parsers_calendar_every_day_of_the_year(year):
    closed_on_holidays = OpeningHours("24/7; PH off", country="FR", auto_country=False)
    ours = set(hours.french_public_holidays(year))
    day = datetime.date(year, 1, 1)
    while day.year == year:
        noon = datetime.datetime.combine(day, datetime.time(12))
        assert closed_on_holidays.is_closed(noon) == (day in ours), day
        day += datetime.timedelta(days=1)


@pytest.mark.parametrize("value", ["Mo-Fr 9h-12h", "lundi 9:00-12:00", "Mo-Fr 09:00-12:00;;"])
def test_malformed_hours_get_a_french_error(value):
    with pytest.raises(ValidationError) as error:
        hours.validate_opening_hours(value)
    assert "pas au bon format" in error.value.messages[0]


@pytest.mark.parametrize(
    "value",
    ["Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", "24/7", "Tu,Th 14:00-17:00; PH off", ""],
)
def test_valid_hours_pass(value):
    hours.validate_opening_hours(value)


def test_a_timetable_writes_the_osm_syntax_with_its_exceptions():
    timetable = hours.Timetable(closed_on_public_holidays=True)
    for day in range(5):
        timetable.days[day] = [
            (datetime.time(9), datetime.time(12)),
            (datetime.time(14), datetime.time(17)),
        ]
    timetable.days[5] = [(datetime.time(9), datetime.time(12))]
    timetable.days[2] = [(datetime.time(9), datetime.time(12))]
    timetable.closures = [(datetime.date(2026, 12, 24), datetime.date(2026, 12, 31))]

    expression = timetable.to_osm()

    assert expression == (
        "Mo,Tu,Th,Fr 09:00-12:00,14:00-17:00; We,Sa 09:00-12:00; "
        "2026 Dec 24-2026 Dec 31 off; PH off"
    )
    back, exact = hours.Timetable.from_osm(expression)
    assert exact
    assert back == timetable


def test_the_standards_example_hours_read_back_exactly():
    timetable, exact = hours.Timetable.from_osm("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00")
    assert exact
    assert not timetable.closed_on_public_holidays
    assert timetable.days[5] == [(datetime.time(8, 30), datetime.time(12))]
    assert timetable.days[6] == []


def test_hours_a_timetable_cannot_say_are_flagged_not_silently_changed():
    _timetable, exact = hours.Timetable.from_osm("Mo 10:00-12:00; Jul-Aug off")
    assert not exact


def test_the_week_in_plain_french():
    assert hours.describe_week(WEEKDAYS) == [
        ("Lundi", "9 h – 12 h et 14 h – 17 h"),
        ("Mardi", "9 h – 12 h et 14 h – 17 h"),
        ("Mercredi", "9 h – 12 h et 14 h – 17 h"),
        ("Jeudi", "9 h – 12 h et 14 h – 17 h"),
        ("Vendredi", "9 h – 12 h et 14 h – 17 h"),
        ("Samedi", "9 h – 12 h"),
        ("Dimanche", "fermé"),
    ]
    assert hours.describe_week_grouped("Mo-Fr 08:30-12:00; Sa 10:00-12:00") == [
        "Du lundi au vendredi : 8 h 30 – 12 h",
        "Samedi : 10 h – 12 h",
    ]
    # In English, no space before the colon.
    with translation.override("en"):
        assert hours.describe_week_grouped("Mo-Fr 08:30-12:00; Sa 10:00-12:00") == [
            "Monday to Friday: 8:30 a.m. – noon",
            "Saturday: 10 a.m. – noon",
        ]


@pytest.mark.parametrize(
    ("moment", "is_open", "text"),
    [
        (at(15, 10, 30), True, "Ouvert maintenant, ferme à 12 h."),
        (at(15, 12, 30), False, "Fermé maintenant, ouvre aujourd'hui à 14 h."),
        (at(17, 18), False, "Fermé maintenant, ouvre demain à 9 h."),
        (at(18, 11), True, "Ouvert maintenant, ferme à 12 h."),
        (at(18, 13), False, "Fermé maintenant, ouvre lundi à 9 h."),
        (at(14, 10), False, "Fermé aujourd'hui (jour férié : Fête nationale), ouvre demain à 9 h."),
    ],
)
def test_status_at_fixed_times(moment, is_open, text):
    status = hours.status(WEEKDAYS, moment)
    assert (status.is_open, status.text) == (is_open, text)
    assert hours.is_open(WEEKDAYS, moment) is is_open


def test_status_without_hours_says_to_call():
    status = hours.status("", at(15, 10))
    assert not status.is_open and "appelez" in status.text


def test_exceptions_in_plain_french():
    expression = "Mo-Fr 09:00-17:00; 2026 Aug 01-2026 Aug 15 off; PH off"
    sentences = hours.describe_exceptions(expression, today=datetime.date(2026, 7, 1))
    assert sentences[0] == "Fermé les jours fériés."
    assert "Fermé du 1er août au 15 août 2026." in sentences
    assert any("mardi 14 juillet (Fête nationale)" in s for s in sentences)
    # Closures that are over are not mentioned.
    later = hours.describe_exceptions(expression, today=datetime.date(2026, 9, 1))
    assert not any("août" in s for s in later)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (at(15, 10, 30), "Open now, closes at noon."),
        (at(15, 12, 30), "Closed now, opens today at 2 p.m."),
        (at(18, 13), "Closed now, opens Monday at 9 a.m."),
    ],
)
def test_status_in_english_ends_with_one_full_stop(moment, text):
    """A time in English ends with its own full stop: no "2 p.m.."."""
    with translation.override("en"):
        assert hours.status(WEEKDAYS, moment).text == text
