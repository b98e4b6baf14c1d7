"""Imports change only what the importing user may change: who may write a record is
checked on the record as the file finds it and on what the row would make of it, before
anything is written. A refused row is a French error of the check (the dry run) and the
import writes nothing. The tests marked security_review pin finding 3 of the review (issue
13); the others make sure the rule still lets people import what is theirs."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from learners import imports
from learners.models import CompetenceAssessment, Resident
from pathway.models import Module
from stats.demo.factories import (
    CompetenceAssessmentFactory,
    ModuleFactory,
    ResidentFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)
TARGETS = "compétences visées (code=niveau)"


def as_csv(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def check_then_import(kind, rows, user):
    """The dry run's report, then the report of the import itself."""
    dataset = imports.read_dataset(as_csv(rows), "fichier.csv")
    kind = imports.KINDS[kind]
    checked = imports.run_import(kind, dataset, user=user, dry_run=True)
    imported = imports.run_import(kind, dataset, user=user, dry_run=False)
    return checked, imported


def targets_of(module):
    return {t.competence.code: t.target_level for t in module.targets.all()}


# Modules ----------------------------------------------------------------------------------

MODULE_REFUSAL = (
    "Vous ne pouvez importer que les modules des structures que vous coordonnez "
    "(un module commun au réseau est importé par la coordination)."
)


def module_row(name, actor, targets):
    return {"nom": name, "structure": actor, "durée (heures)": "1", TARGETS: targets}


@pytest.mark.security_review
@pytest.mark.parametrize("owner", ["network", "actor_b"])
def test_a_coordinator_cannot_take_over_a_module_by_naming_it_in_a_file(cast, owner):
    # The review's row: "Se protéger en ligne,France services de Miramas,1,…" as
    # responsable.fs, on a network-wide module and on another actor's.
    actor = None if owner == "network" else cast.actor_b
    module = ModuleFactory(name="Se protéger en ligne", actor=actor, targets={"4.1": 2})
    row = module_row("Se protéger en ligne", cast.actor_a.name, "4.1=8|4.2=8")

    checked, imported = check_then_import("modules", [row], cast.coordinator_a)

    for report in (checked, imported):
        assert report["errors"] == [{"row": 2, "column": "", "message": MODULE_REFUSAL}]
    module.refresh_from_db()
    assert (module.actor, module.hours) == (actor, 10)
    assert targets_of(module) == {"4.1": 2}


def test_a_coordinator_cannot_give_their_module_to_the_network_or_another_actor(cast):
    module = ModuleFactory(name="Bureautique", actor=cast.actor_a, targets={"3.1": 2})
    for actor in ["", cast.actor_b.name]:
        checked, imported = check_then_import(
            "modules", [module_row("Bureautique", actor, "3.1=5")], cast.coordinator_a
        )
        assert checked["errors"] == [{"row": 2, "column": "", "message": MODULE_REFUSAL}]
        module.refresh_from_db()
        assert (module.actor, targets_of(module)) == (cast.actor_a, {"3.1": 2})


def test_a_coordinator_still_imports_their_modules_and_the_others_unchanged(cast):
    ModuleFactory(name="Se protéger en ligne", actor=None, targets={"4.1": 2})
    ModuleFactory(name="Bureautique", actor=cast.actor_a, targets={"3.1": 2})
    rows = [
        module_row("Se protéger en ligne", "", "4.1=2") | {"durée (heures)": "10"},
        module_row("Bureautique", cast.actor_a.name, "3.1=4"),
    ]
    checked, imported = check_then_import("modules", rows, cast.coordinator_a)
    assert (imported["errors"], imported["skip"], imported["update"]) == ([], 1, 1)
    assert targets_of(Module.objects.get(name="Bureautique")) == {"3.1": 4}
    # The network admin changes any module.
    checked, imported = check_then_import(
        "modules", [module_row("Se protéger en ligne", "", "4.1=3")], cast.network_admin
    )
    assert imported["errors"] == []
    assert targets_of(Module.objects.get(name="Se protéger en ligne")) == {"4.1": 3}


# Residents --------------------------------------------------------------------------------

RESIDENT_REFUSAL = (
    "la fiche {ref} appartient à France services de Miramas : seule cette structure (ou la "
    "coordination du réseau) peut la modifier"
)


@pytest.mark.security_review
def test_another_actor_cannot_rewrite_a_shared_resident_through_an_import(cast):
    # Sharing lets actor B see the journey; it does not let B change who the person is.
    shared = ResidentFactory(
        created_by_actor=cast.actor_a, consented=True, last_name="Garcia", phone="0611111111"
    )
    row = {
        "référence": shared.reference,
        "nom": "Autre",
        "prénom": shared.first_name,
        "téléphone": "0622222222",
        "partage accepté": "non",
    }
    checked, imported = check_then_import("residents", [row], cast.mediator_b)
    for report in (checked, imported):
        assert report["errors"] == [
            {"row": 2, "column": "", "message": RESIDENT_REFUSAL.format(ref=shared.reference)}
        ]
    shared.refresh_from_db()
    assert (shared.last_name, shared.phone, shared.sharing_consent) == (
        "Garcia",
        "0611111111",
        True,
    )


def test_a_shared_resident_exported_by_another_actor_comes_back_unchanged(cast):
    ResidentFactory(created_by_actor=cast.actor_a, consented=True, last_name="Garcia")
    exported = imports.export(imports.KINDS["residents"], user=cast.mediator_b, file_format="csv")
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    assert [r["nom"] for r in rows] == ["Garcia"]
    checked, imported = check_then_import("residents", rows, cast.mediator_b)
    assert (imported["errors"], imported["skip"]) == ([], 1)
    # The creating actor changes it.
    rows[0]["téléphone"] = "0633333333"
    checked, imported = check_then_import("residents", rows, cast.colleague_a)
    assert (imported["errors"], imported["update"]) == ([], 1)
    assert Resident.objects.get(last_name="Garcia").phone == "0633333333"


# Competence assessments -------------------------------------------------------------------

ASSESSMENT_REFUSAL = (
    "Vous ne pouvez pas modifier cette évaluation : seule la personne qui l'a saisie le peut "
    "(et, pour une séance, tant que la séance peut être modifiée)."
)


@pytest.mark.security_review
def test_an_import_cannot_change_an_assessment_recorded_by_someone_else(cast):
    shared = ResidentFactory(created_by_actor=cast.actor_a, consented=True)
    assessment = CompetenceAssessmentFactory(
        resident=shared, level=2, assessed_on=YESTERDAY, assessed_by=cast.mediator_a
    )
    row = {
        "habitant (référence)": shared.reference,
        "compétence": assessment.competence.code,
        "niveau": "8",
        "évalué le": YESTERDAY.strftime("%d/%m/%Y"),
    }
    for user in [cast.mediator_b, cast.colleague_a]:
        checked, imported = check_then_import("assessments", [row], user)
        assert checked["errors"] == [{"row": 2, "column": "", "message": ASSESSMENT_REFUSAL}]
        assert imported["errors"] == checked["errors"]
    assessment.refresh_from_db()
    assert assessment.level == 2 and CompetenceAssessment.objects.count() == 1
    # Its author changes it; an unchanged row is no change.
    checked, imported = check_then_import("assessments", [row], cast.mediator_a)
    assert (imported["errors"], imported["update"]) == ([], 1)
    assessment.refresh_from_db()
    assert assessment.level == 8
    checked, imported = check_then_import("assessments", [row], cast.mediator_b)
    assert (imported["errors"], imported["skip"]) == ([], 1)


@pytest.mark.security_review
def test_an_assessment_of_a_session_follows_the_sessions_editing_rule(cast):
    # Past SESSION_EDIT_DAYS a session is closed, its assessments with it: an import of
    # assessments must not reopen them.
    session = SessionFactory(
        actor=cast.actor_a,
        created_by=cast.mediator_a,
        created_at=timezone.now() - datetime.timedelta(days=40),
        date=timezone.localdate() - datetime.timedelta(days=40),
    )
    assessment = CompetenceAssessmentFactory(
        resident=cast.resident,
        level=2,
        assessed_on=session.date,
        assessed_by=cast.mediator_a,
        session=session,
    )
    row = {
        "habitant (référence)": cast.resident.reference,
        "compétence": assessment.competence.code,
        "niveau": "7",
        "évalué le": session.date.strftime("%d/%m/%Y"),
    }
    checked, imported = check_then_import("assessments", [row], cast.mediator_a)
    assert checked["errors"] == [{"row": 2, "column": "", "message": ASSESSMENT_REFUSAL}]
    assessment.refresh_from_db()
    assert assessment.level == 2
