"""Numbers a browser reads (SVG geometry) are never written the French way: "156,0" is not
a coordinate, so a chart's labels collapse and its dots vanish. Every chart of the journey
page and of the statistics page is parsed here as XML, in French, and each coordinate read
as a number."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest

from learners.services import participations_changed
from stats.demo.factories import ParticipationFactory, SessionFactory
from tests.stats.test_stats_dashboard import populate

pytestmark = pytest.mark.django_db

SVG = re.compile(r"<svg\b.*?</svg>", re.S)
NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
# Attributes that hold one number (or a length), and those that hold a list of them.
ONE_NUMBER = {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry", "width", "height"}
NUMBER_LIST = {"viewBox", "points"}


def svg_problems(html):
    """Every chart of `html` with an attribute a browser could not read as a number."""
    charts = SVG.findall(html)
    problems = []
    for chart in charts:
        root = ET.fromstring(chart)  # well-formed, or this raises
        for element in root.iter():
            tag = element.tag.split("}")[-1]
            for name, value in element.attrib.items():
                unreadable = (
                    name in ONE_NUMBER and not re.fullmatch(rf"{NUMBER}(?:px|%)?", value)
                ) or (
                    name in NUMBER_LIST
                    and not re.fullmatch(rf"\s*{NUMBER}(?:(?:\s+|\s*,\s*){NUMBER})*\s*", value)
                )
                if unreadable:
                    problems.append(f"<{tag} {name}={value!r}>")
                elif name == "points" and len(re.findall(NUMBER, value)) % 2:
                    problems.append(f"odd number of coordinates in {value!r}")
    return charts, problems


def test_the_autonomy_chart_of_a_journey_reads_in_french(cast):
    # Three sessions at dates that fall between grid lines: coordinates with decimals.
    for day, level in [(1, 1), (18, 2), (29, 3)]:
        ParticipationFactory(
            session=SessionFactory(
                date=datetime.date(2026, 3, day), pole="necessity", actor=cast.actor_a
            ),
            resident=cast.resident,
            autonomy=level,
        )
    participations_changed([cast.resident.pk])
    page = cast.client("mediator_a").get(f"/residents/{cast.resident.reference}/")
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="fr">' in html
    charts, problems = svg_problems(html)
    assert len(charts) == 1
    assert not problems, problems
    # The dots are where the levels say: the first on the lowest line, the last on the top.
    dots = re.findall(r'<circle class="chart-dot" cx="([^"]+)" cy="([^"]+)"', html)
    assert len(dots) == 3
    assert float(dots[0][1]) > float(dots[1][1]) > float(dots[2][1])
    assert float(dots[0][0]) < float(dots[1][0]) < float(dots[2][0])


def test_every_chart_of_the_statistics_reads_in_french(cast):
    populate([cast.actor_a, cast.actor_b], 7)
    page = cast.client("official").get("/stats/?year=2026")
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="fr">' in html
    charts, problems = svg_problems(html)
    assert len(charts) >= 5
    assert not problems, problems
    # Some coordinates do have decimals: the test would see a comma.
    assert re.search(r'(?:x|y|width)="\d+\.\d+"', "".join(charts))
