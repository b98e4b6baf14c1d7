"""The session page as the server writes it (what works without JavaScript): the error
summary lists each error with a link to its field, participants' errors included; each
participant's outcome is folded into one line, opened when it holds a refused field; a
paperwork topic names its operator for the page's script."""

import re

import pytest

from stats.demo.factories import OperatorFactory, TopicFactory, session_form_data
from tests.pages import Page, attr, summary_links, text

pytestmark = pytest.mark.django_db


def test_the_error_summary_links_each_error_to_its_field(cast):
    data = session_form_data(
        actor=cast.actor_a,
        participants=[{"resident": cast.resident, "paperwork_result": "blocked"}],
        duration="other",
        date="2001-01-01x",
    )
    del data["pole"]
    response = cast.client("mediator_a").post("/sessions/new/", data)

    page, links = summary_links(response)
    assert [words for words, _target in links] == [
        "Date : Saisissez une date valide.",
        "Autre durée, en minutes : Indiquez la durée en minutes.",
        "Pôle : Ce champ est obligatoire.",
        "Éloïse Garnier — Raison du blocage : Indiquez ce qui bloque la démarche.",
    ]
    targets = [target for _words, target in links]
    assert [t.name for t in targets] == ["input", "input", "input", "select"]
    assert attr(targets[2], "name") == "pole"  # the first option of the group
    assert attr(targets[3], "name") == "p-0-blocked_reason"
    # The refused field is in view: its folded line is open.
    details = [e for e in page.ancestors(targets[3]) if e.name == "details"]
    assert details and "open" in dict(details[0].attributes)


def test_errors_of_the_whole_list_link_to_the_search_box(cast):
    data = session_form_data(
        actor=cast.actor_a, participants=[{"resident": cast.resident}, {"resident": cast.resident}]
    )
    response = cast.client("mediator_a").post("/sessions/new/", data)
    _page, links = summary_links(response)
    assert [(words, attr(target, "id")) for words, target in links] == [
        ("Éloïse Garnier figure deux fois dans la liste des participants.", "resident-search")
    ]


def test_an_error_of_the_whole_session_is_listed_too(cast):
    response = cast.client("mediator_a").post(
        "/sessions/new/", session_form_data(actor=cast.actor_a)
    )
    page, links = summary_links(response)
    assert not links
    assert "Ajoutez au moins une personne" in text(page.by_id("form-errors"))


def test_each_participant_outcome_is_one_folded_line(cast):
    data = session_form_data(actor=cast.actor_a, participants=[{"resident": cast.resident}])
    data["date"] = "not a date"
    response = cast.client("mediator_a").post("/sessions/new/", data)
    page = Page(response)
    row = page.by_id("participant-p-0")
    [details] = page.all(lambda e: e.name == "details", within=row)
    assert "open" not in dict(details.attributes)
    [summary] = page.all(lambda e: e.name == "summary", within=details)
    assert text(summary) == "Détails facultatif"

    def named(name):
        return lambda e: attr(e, "name") == f"p-0-{name}"

    # Everything of the outcome is inside, the "remove" box beside it.
    for name in ("autonomy", "operator", "paperwork_result", "blocked_reason"):
        assert page.all(named(name), within=details)
    assert not page.all(named("DELETE"), within=details) and page.all(named("DELETE"), within=row)


def test_a_paperwork_topic_names_its_operator_for_the_page(cast):
    caf = OperatorFactory(name="CAF")
    allocations = TopicFactory(pole="necessity", name="Allocations CAF", operator=caf)
    other = TopicFactory(pole="necessity", name="Impôts en ligne")
    page = cast.client("mediator_a").get("/sessions/new/").content.decode()
    assert re.search(rf'value="{allocations.pk}"[^>]* data-operator="{caf.pk}"', page)
    assert not re.search(rf'value="{other.pk}"[^>]* data-operator=', page)
