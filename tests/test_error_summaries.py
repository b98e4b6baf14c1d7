"""Every form's error summary lists each refused field as a link that leads to the field
(the session page's own summary, with its participants, is tested in
tests/learners/test_session_form_page.py)."""

import pytest

from tests.pages import attr, summary_links
from tests.pathway.test_place_form import form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changes", "link"),
    [
        ({"postcode": "1314"}, "Code postal"),
        ({"services": []}, "Services proposés"),
        ({"day0_slot1_start": "12:00", "day0_slot1_end": "09:00"}, None),
    ],
)
def test_the_place_form_links_each_error_to_its_field(cast, changes, link):
    response = cast.client("coordinator_a").post(
        f"/lieux/{cast.place_a.pk}/modifier/", form_data(cast.place_a, **changes)
    )
    _page, links = summary_links(response, focusable=False)
    assert len(links) == len(response.context["form"].errors)
    if link:
        assert links[0][0].startswith(f"{link} : ")
    for _words, target in links:
        assert target.name in {"input", "select", "textarea"}


def test_the_statistics_filters_link_each_error_to_its_field(cast):
    response = cast.client("official").get("/stats/?age=centenaire")
    _page, links = summary_links(response, focusable=False)
    [(words, target)] = links
    assert "Sélectionnez un choix valide" in words
    assert attr(target, "name") == "age"
