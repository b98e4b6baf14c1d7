"""A mediator sees new referrals at once: the count beside "Orientations" in the menu and a
line on their first page, on a desktop and on a phone."""

import pytest

from tests.browser.conftest import check_accessibility, scrolls_sideways, staff_page
from tests.learners.test_referral_notifications import referrals_to_b

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["page", "phone"])
def test_new_referrals_show_in_the_menu_and_on_the_first_page(request, live_server, cast, size):
    page = request.getfixturevalue(size)
    referrals_to_b(cast, 3)
    staff_page(page, live_server, cast.mediator_b)
    page.goto("/")
    line = page.locator("#new-referrals")
    assert line.inner_text() == "3 nouvelles orientations reçues, sans réponse encore"
    if size == "phone":
        page.get_by_role("button", name="Menu").click()
    link = page.locator("#main-menu").get_by_role("link", name="Orientations 3 nouvelles")
    assert link.is_visible()
    check_accessibility(page, f"{size}-new-referrals")
    assert not scrolls_sideways(page)
    line.get_by_role("link").click()
    page.wait_for_url("**/referrals/")
    assert page.locator("main tbody tr").count() == 3
