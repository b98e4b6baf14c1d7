"""A mediator's own statistics on a phone (390 × 844): the figures in view without sideways
scrolling, a share link made, copied and opened by the employer, then revoked."""

import datetime
import os

import pytest
from django.utils import timezone

from stats.demo.factories import ParticipationFactory, SessionFactory, TopicFactory
from tests.browser.conftest import check_accessibility, scrolls_sideways, staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_my_statistics_and_their_share_link_on_a_phone(phone, live_server, cast, tmp_path):
    today = timezone.localdate()
    topic = TopicFactory(name="Allocations CAF")
    for days, level in ((3, 1), (20, 2), (40, 3)):
        session = SessionFactory(
            actor=cast.actor_a,
            created_by=cast.mediator_a,
            date=today - datetime.timedelta(days=days),
        )
        session.topics.add(topic)
        ParticipationFactory(session=session, resident=cast.resident, autonomy=level)
    staff_page(phone, live_server, cast.mediator_a)
    phone.goto("/sessions/")
    phone.get_by_role("button", name="Menu").click()  # folded on a phone
    phone.get_by_role("link", name="Mes statistiques").click()
    phone.wait_for_url("**/mes-statistiques/")

    assert phone.get_by_role("heading", name="Mes statistiques", level=1).is_visible()
    cards = phone.locator(".stat-card")
    assert "Accompagnements" in cards.first.inner_text()
    assert "Garnier" not in phone.content()
    assert phone.get_by_role("button", name="Imprimer").is_visible()
    assert not scrolls_sideways(phone)
    phone.screenshot(path=str(tmp_path / "my-stats-phone.png"))
    if os.environ.get("SCREENSHOTS_DIR"):
        phone.screenshot(
            path=os.path.join(os.environ["SCREENSHOTS_DIR"], "phone-my-stats-full.png"),
            full_page=True,
        )
    check_accessibility(phone, "phone-my-stats")

    phone.get_by_label("Pour qui est ce lien ?").fill("Ma responsable")
    phone.get_by_role("button", name="Créer un lien de partage").click()
    url = phone.get_by_label("Lien vers vos statistiques").input_value()
    assert "/statistiques-partagees/" in url
    check_accessibility(phone, "phone-my-stats-link")

    employer = phone.context.browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 390, "height": 844}
    ).new_page()
    employer.goto(url)
    assert employer.get_by_role("heading", level=1).inner_text().startswith("Statistiques de")
    assert "Garnier" not in employer.content() and "Éloïse" not in employer.content()
    assert employer.locator("main form[method=post]").count() == 0
    assert not scrolls_sideways(employer)
    check_accessibility(employer, "phone-my-stats-shared")

    phone.goto("/mes-statistiques/")
    row = phone.locator("tr", has_text="Ma responsable")
    assert "1" in row.locator("td.numeric").inner_text()  # the employer's visit
    row.get_by_role("button", name="Désactiver").click()
    assert phone.get_by_text("Le lien est désactivé").is_visible()
    assert employer.goto(url).status == 404
    employer.context.close()
