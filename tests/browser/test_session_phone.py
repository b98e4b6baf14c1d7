"""A mediator logs a workshop of 6 on a phone (390 × 844): 5 people found by typing, 1 new.
Each person added goes just under the search box, which keeps the focus: no scrolling back
up between participants. Each person's outcome is one folded line, filled by default
(the CAF topic fills "Organisme = CAF"). The interactions beyond typing names and the
distance scrolled are counted and reported by `make audit`. A refused post lists each error
with a link to its field."""

import re

import pytest

from learners.models import Participation, Resident, Session
from stats.demo.factories import OperatorFactory, ResidentFactory, TopicFactory
from tests.browser.conftest import FIGURES, SCREENSHOTS, check_accessibility, staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOUND = ["Dupont", "Nguyen", "Benali", "Lefèvre", "Garnier"]  # Garnier is the cast's resident
GOAL_INTERACTIONS = 12

# Sums the page's scrolling, down and up, from the moment it is reset.
SCROLL_METER = """() => {
  window.__scroll = { down: 0, up: 0, last: window.scrollY };
  window.addEventListener("scroll", () => {
    const s = window.__scroll, y = window.scrollY;
    if (y > s.last) s.down += y - s.last; else s.up += s.last - y;
    s.last = y;
  }, { passive: true });
}"""


class Phone:
    """Taps and non-name keystrokes, counted; names typed are not."""

    def __init__(self, page):
        self.page, self.interactions = page, 0

    def tap(self, locator):
        locator.tap()
        self.interactions += 1

    def type_name(self, text):
        self.page.keyboard.type(text)

    def scrolled(self):
        return self.page.evaluate("() => ({down: window.__scroll.down, up: window.__scroll.up})")


@pytest.fixture
def workshop(cast):
    caf = OperatorFactory(name="CAF")
    TopicFactory(pole="necessity", name="Allocations CAF", operator=caf)
    TopicFactory(pole="necessity", name="Impôts en ligne")
    for last, first in [
        ("Dupont", "Marcel"),
        ("Nguyen", "Thi"),
        ("Benali", "Karim"),
        ("Lefèvre", "Anne"),
    ]:
        ResidentFactory(
            last_name=last, first_name=first, created_by_actor=cast.actor_a, consented=True
        )
    return cast


def screenshot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=False)


def test_a_workshop_of_six_logged_on_a_phone(phone, live_server, workshop):
    staff_page(phone, live_server, workshop.mediator_a)
    phone.goto("/sessions/new/")
    phone.wait_for_load_state("networkidle")
    phone.evaluate(SCROLL_METER)
    user = Phone(phone)

    user.tap(phone.locator("input[name=format][value=collective]"))
    user.tap(phone.locator("input[name=pole][value=necessity]"))
    user.tap(phone.get_by_label("Allocations CAF"))
    search = phone.locator("#resident-search")
    user.tap(search)

    # Five people found by typing, each a tap in the results; the search box keeps the focus
    # and the page never scrolls back up.
    ups, tops = [], []
    for number, name in enumerate(FOUND, start=1):
        before = user.scrolled()["up"]
        user.type_name(name)
        result = phone.locator(f"#resident-results button[data-label*='{name}']")
        result.wait_for()
        user.tap(result)
        phone.locator("[data-participant]").nth(number - 1).wait_for()
        assert phone.locator("[data-participant]").count() == number
        assert phone.evaluate("document.activeElement.id") == "resident-search"
        top = search.bounding_box()["y"]
        assert 0 <= top <= 844 - 60, "the search box is out of view"
        ups.append(user.scrolled()["up"] - before)
        tops.append(round(top))
    # The newest first, just under the search box, folded into one line.
    newest = phone.locator("[data-participant]").first
    assert "Garnier" in newest.locator("[data-person-label]").inner_text()
    assert newest.locator("details[data-details]").evaluate("d => !d.open")
    assert "CAF" in newest.locator("summary").inner_text()
    screenshot(phone, "56-phone-session-participants")
    assert newest.bounding_box()["height"] < 150

    # A sixth person, new: named in the search box, created from it; their consent ticked.
    before = user.scrolled()["up"]
    user.type_name("Martin Lucie")
    user.tap(phone.locator("#resident-results button[data-new-person]"))
    new_row = phone.locator("[data-participant]").first
    assert new_row.locator("input[name$='-last_name']").input_value() == "Martin"
    assert new_row.locator("input[name$='-first_name']").input_value() == "Lucie"
    user.tap(new_row.locator("input[name$='-consent']"))
    ups.append(user.scrolled()["up"] - before)
    check_accessibility(phone, "58-phone-session-new-person")

    submit = phone.get_by_role("button", name="Enregistrer l'accompagnement")
    submit.scroll_into_view_if_needed()
    scrolled = user.scrolled()
    user.tap(submit)
    phone.wait_for_url(re.compile(r"/sessions/$"))

    session = Session.objects.get()
    assert session.format == "collective" and session.participant_count == 6
    participations = Participation.objects.filter(session=session).select_related(
        "resident", "operator"
    )
    assert sorted(p.resident.last_name for p in participations) == sorted([*FOUND, "Martin"])
    assert {p.operator.name for p in participations} == {"CAF"}
    lucie = Resident.objects.get(last_name="Martin")
    assert lucie.first_name == "Lucie" and lucie.sharing_consent

    FIGURES["phone_workshop_of_6"] = {
        "interactions_beyond_typing_names": user.interactions,
        "goal_interactions": GOAL_INTERACTIONS,
        "scrolled_up_between_participants_px": round(sum(ups)),
        "scrolled_down_px": round(scrolled["down"]),
        "scrolled_up_px": round(scrolled["up"]),
        "search_box_top_after_each_person_px": tops,
    }
    print(FIGURES["phone_workshop_of_6"])
    assert user.interactions <= GOAL_INTERACTIONS
    assert sum(ups) == 0, f"scrolled back up between participants: {ups}"


def test_the_error_summary_leads_to_each_field_on_a_phone(phone, live_server, workshop):
    staff_page(phone, live_server, workshop.mediator_a)
    phone.goto("/sessions/new/")
    phone.locator("input[name=pole][value=necessity]").tap()
    phone.locator("#resident-search").tap()
    phone.keyboard.type("Garn")
    phone.locator("#resident-results button[data-resident]").first.tap()
    row = phone.locator("[data-participant]").first
    row.locator("summary").tap()
    row.locator("select[name$='-paperwork_result']").select_option("blocked")
    phone.locator("#id_duration_6").tap()  # another duration, left without its minutes
    with phone.expect_navigation():
        phone.get_by_role("button", name="Enregistrer l'accompagnement").tap()

    # The summary, read out and focused, lists each error as a link.
    summary = phone.locator("#form-errors")
    assert phone.evaluate("document.activeElement.id") == "form-errors"
    assert summary.get_attribute("role") == "alert"
    links = summary.get_by_role("link")
    assert links.all_inner_texts() == [
        "Autre durée, en minutes : Indiquez la durée en minutes.",
        "Éloïse Garnier — Raison du blocage : Indiquez ce qui bloque la démarche.",
    ]
    check_accessibility(phone, "57-phone-session-errors")

    # A link puts the focus in its field, in view, the folded line opened.
    links.nth(1).tap()
    reason = phone.locator("select[name='p-0-blocked_reason']")
    assert phone.evaluate("document.activeElement.name") == "p-0-blocked_reason"
    box = reason.bounding_box()
    assert reason.is_visible() and box["y"] >= 0 and box["y"] + box["height"] <= 844
    links = phone.locator("#form-errors").get_by_role("link")
    phone.evaluate("window.scrollTo(0, 0)")
    links.nth(0).tap()
    assert phone.evaluate("document.activeElement.name") == "duration_other"


def test_a_topic_naming_an_operator_fills_it_unless_chosen_by_hand(page, live_server, workshop):
    staff_page(page, live_server, workshop.mediator_a)
    page.goto("/sessions/new/")
    page.locator("input[name=pole][value=necessity]").check()
    for name in ["Garn", "Dupont"]:
        page.locator("#resident-search").fill(name)
        page.locator("#resident-results button[data-resident]").first.click()
    dupont, garnier = page.locator("[data-participant]").all()
    operators = page.locator("select[name$='-operator']")
    assert operators.evaluate_all("all => all.map(s => s.value)") == ["", ""]

    page.get_by_label("Allocations CAF").check()
    garnier.locator("summary").click()
    check_accessibility(page, "16-session-participants")
    garnier.locator("summary").click()
    assert {
        s.strip()
        for s in operators.evaluate_all("all => all.map(s => s.selectedOptions[0].textContent)")
    } == {"CAF"}
    assert "CAF" in garnier.locator("summary").inner_text()
    # A choice made by hand stays; the topic's operator goes with the topic.
    dupont.locator("summary").click()
    dupont.locator("select[name$='-operator']").select_option(label="Non renseigné")
    page.get_by_label("Allocations CAF").uncheck()
    page.get_by_label("Allocations CAF").check()
    assert dupont.locator("select[name$='-operator']").input_value() == ""
    page.get_by_label("Allocations CAF").uncheck()
    assert garnier.locator("select[name$='-operator']").input_value() == ""
    assert "facultatif" in garnier.locator("summary").inner_text()


def test_without_javascript_the_folded_lines_open_on_a_tap(browser, live_server, workshop):
    """Progressive enhancement: a group repeated from the last workshop, script off. Each
    person's outcome is folded and opens natively; nothing needs the script but adding
    people."""
    from stats.demo.factories import ParticipationFactory, SessionFactory

    last = SessionFactory(actor=workshop.actor_a, created_by=workshop.mediator_a, collective=True)
    for resident in Resident.objects.all()[:3]:
        ParticipationFactory(session=last, resident=resident)
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        staff_page(page, live_server, workshop.mediator_a)
        page.goto("/sessions/new/?repeat=group")
        rows = page.locator("[data-participant]")
        assert rows.count() == 3
        assert rows.locator("details[open]").count() == 0
        autonomy = rows.first.get_by_text("Fait avec la personne")
        assert not autonomy.is_visible()
        rows.first.locator("summary").tap()
        assert autonomy.is_visible()
    finally:
        context.close()
