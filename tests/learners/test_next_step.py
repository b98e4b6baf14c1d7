"""The next step of a resident's journey, with the coming workshops that fit and a sign-up
link: in their own space and on the printed carnet."""

import io

import pypdf
import pytest

from learners.models import Autonomy
from learners.next_step import next_step
from learners.services import participations_changed
from pathway.models import Pole
from stats.demo.factories import ParticipationFactory, PlannedWorkshopFactory

pytestmark = pytest.mark.django_db


def paperwork_done(resident, autonomy):
    ParticipationFactory(
        resident=resident, session__actor=resident.created_by_actor, autonomy=autonomy
    )
    participations_changed([resident.pk])
    resident.refresh_from_db()


def test_paperwork_done_alone_leads_to_a_beginners_module_with_its_workshops(cast):
    module = PlannedWorkshopFactory(
        place=cast.place_a, pole=Pole.ACHIEVEMENT, title="Module débutant"
    )
    PlannedWorkshopFactory(place=cast.place_a, pole=Pole.LEISURE, title="Photo et vidéo")
    paperwork_done(cast.resident, Autonomy.DONE_ALONE)

    page = cast.client("resident").get("/me/").content.decode()

    assert "Ma prochaine étape" in page
    assert "Vous faites vos démarches seul" in page
    assert "Module débutant" in page and f"/guide/ateliers/{module.pk}/" in page
    assert "Photo et vidéo" not in page


def test_the_rule_follows_the_journey(cast):
    resident = cast.resident
    assert next_step(resident).title == "Faire un premier pas"
    paperwork_done(resident, Autonomy.DONE_WITH)
    assert next_step(resident).title == "Continuer vos démarches, accompagné"
    assert next_step(resident, has_certificate=True).poles == (Pole.LEISURE, Pole.ACHIEVEMENT)


def test_the_printed_carnet_carries_the_next_step_and_where_to_sign_up(cast):
    workshop = PlannedWorkshopFactory(
        place=cast.place_a, pole=Pole.ACHIEVEMENT, title="Premiers pas sur ordinateur"
    )
    paperwork_done(cast.resident, Autonomy.DONE_ALONE)
    response = cast.client("mediator_a").post(f"/residents/{cast.resident.reference}/links/carnet/")
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Ma prochaine étape" in text
    assert "Premiers pas sur ordinateur" in text
    assert f"/guide/ateliers/{workshop.pk}/" in text
