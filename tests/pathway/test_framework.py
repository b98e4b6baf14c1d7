import pytest
from django.db import IntegrityError
from django.utils import translation

from pathway.models import Competence, ModuleCompetence
from stats.demo.factories import ModuleFactory

pytestmark = pytest.mark.django_db


def test_the_crcn_is_shipped_with_its_digcomp_counterparts():
    competences = {c.code: c for c in Competence.objects.all()}
    assert len(competences) == 16
    assert {c.domain_code for c in competences.values()} == {"1", "2", "3", "4", "5"}
    assert competences["4.2"].name_fr == "Protéger les données personnelles et la vie privée"
    assert competences["4.2"].digcomp_code == "4.2"
    assert all(c.digcomp_code and c.digcomp_name and c.name_en for c in competences.values())


def test_competence_names_follow_the_interface_language():
    competence = Competence.objects.get(code="3.4")
    with translation.override("fr"):
        assert competence.name == "Programmer"
        assert competence.domain == "Création de contenus"
    with translation.override("en"):
        assert competence.name == "Program"
        assert competence.domain == "Content creation"


@pytest.mark.parametrize("level", [0, 9])
def test_a_module_target_level_is_between_1_and_8(level):
    module = ModuleFactory()
    with pytest.raises(IntegrityError):
        ModuleCompetence.objects.create(
            module=module, competence=Competence.objects.get(code="1.1"), target_level=level
        )


def test_a_module_targets_a_competence_once():
    module = ModuleFactory(targets={"1.1": 2})
    with pytest.raises(IntegrityError):
        ModuleCompetence.objects.create(
            module=module, competence=Competence.objects.get(code="1.1"), target_level=3
        )
