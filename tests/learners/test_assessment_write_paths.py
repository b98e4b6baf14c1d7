"""One write path for competence assessments: the API and a spreadsheet import go through
the same resolver (learners.writing.assessments), so the same assessment writes the same
row and the same bad input gets the same French error on both."""

import csv
import datetime
import io

import pytest
from django.db import transaction
from django.utils import timezone

from learners import imports
from learners.models import CompetenceAssessment
from stats.demo.factories import CompetenceAssessmentFactory, ResidentFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def through_api(cast, user, values):
    """(written rows, {field: [messages]}) of one assessment posted to the API."""
    body = {
        "resident": values["resident"],
        "competence": values["competence"],
        "level": values["level"],
    }
    if values.get("assessed_on"):
        body["assessed_on"] = values["assessed_on"].isoformat()
    response = cast.client(user).post("/api/v1/assessments/", body, content_type="application/json")
    if response.status_code == 201:
        return rows(), {}
    assert response.status_code == 400, response.content
    return rows(), response.json()["errors"]


COLUMNS = {
    "resident": "habitant (référence)",
    "competence": "compétence",
    "level": "niveau",
    "assessed_on": "évalué le",
}


def through_import(cast, user, values):
    """(written rows, {field: [messages]}) of the same assessment as a file's row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS.values()))
    writer.writeheader()
    day = values.get("assessed_on")
    writer.writerow(
        {
            COLUMNS["resident"]: values["resident"],
            COLUMNS["competence"]: values["competence"],
            COLUMNS["level"]: values["level"],
            COLUMNS["assessed_on"]: day.strftime("%d/%m/%Y") if day else "",
        }
    )
    dataset = imports.read_dataset(out.getvalue().encode(), "fichier.csv")
    report = imports.run_import(
        imports.KINDS["assessments"], dataset, user=getattr(cast, user), dry_run=False
    )
    field_of = {column: field for field, column in COLUMNS.items()}
    errors = {}
    for error in report["errors"]:
        field = field_of.get(error["column"], "non_field_errors")
        errors.setdefault(field, []).append(error["message"])
    return rows(), errors


PATHS = {"api": through_api, "import": through_import}


def rows():
    return sorted(
        CompetenceAssessment.objects.values_list(
            "resident__reference", "competence__code", "level", "assessed_on", "assessed_by"
        )
    )


def on_every_path(cast, user, values):
    """What each path does with `values`, each undone after."""
    found = {}
    for name, path in PATHS.items():
        with transaction.atomic():
            found[name] = path(cast, user, values)
            transaction.set_rollback(True)
    return found


def test_the_same_assessment_writes_the_same_row_on_every_path(cast):
    values = {"resident": cast.resident.reference, "competence": "4.2", "level": 3}
    found = on_every_path(cast, "mediator_a", values)
    expected = [(cast.resident.reference, "4.2", 3, TODAY, cast.mediator_a.pk)]
    assert found["api"] == found["import"] == (expected, {})
    dated = {**values, "assessed_on": TODAY - 3 * DAY}
    found = on_every_path(cast, "mediator_a", dated)
    assert (
        found["api"][0]
        == found["import"][0]
        == [(*expected[0][:3], TODAY - 3 * DAY, cast.mediator_a.pk)]
    )


def bad_inputs(cast):
    hidden = ResidentFactory(created_by_actor=cast.actor_b)  # no consent: B's only
    good = {"resident": cast.resident.reference, "competence": "4.2", "level": 3}
    return [
        (
            {**good, "resident": hidden.reference},
            {"resident": [f"Aucune fiche accessible n'a la référence « {hidden.reference} »."]},
        ),
        (
            {**good, "competence": "9.9"},
            {"competence": ["Compétence inconnue « 9.9 » (un code CRCN, par exemple 4.2)."]},
        ),
        ({**good, "level": 9}, {"level": ["Un niveau de compétence va de 1 à 8."]}),
        ({**good, "level": 0}, {"level": ["Un niveau de compétence va de 1 à 8."]}),
        (
            {**good, "assessed_on": TODAY + DAY},
            {"assessed_on": ["La date ne peut pas être dans le futur."]},
        ),
        (
            {**good, "assessed_on": datetime.date(1999, 12, 31)},
            {"assessed_on": ["La date est trop ancienne : vérifiez l'année."]},
        ),
        (
            {"resident": "HZZZZZZZ", "competence": "9.9", "level": 12},
            {
                "resident": ["Aucune fiche accessible n'a la référence « HZZZZZZZ »."],
                "competence": ["Compétence inconnue « 9.9 » (un code CRCN, par exemple 4.2)."],
                "level": ["Un niveau de compétence va de 1 à 8."],
            },
        ),
    ]


def test_the_same_bad_input_gets_the_same_french_error_on_every_path(cast):
    for values, errors in bad_inputs(cast):
        found = on_every_path(cast, "mediator_a", values)
        assert found["api"] == ([], errors), values
        assert found["import"] == ([], errors), values


def test_a_level_reached_in_a_session_follows_the_same_level_rule(cast):
    from learners.writing import ParticipantInput, SessionInput, SessionResolver
    from learners.writing.rules import level_problem
    from stats.demo.factories import ModuleFactory

    module = ModuleFactory(targets={"4.2": 3})
    data = SessionInput(
        date=TODAY,
        duration_minutes=60,
        format="collective",
        actor=cast.actor_a,
        pole="achievement",
        module=module,
        participants=[ParticipantInput(resident=cast.resident, levels={"4.2": 9})],
    )
    with pytest.raises(Exception) as refused:
        SessionResolver(cast.mediator_a).resolve(data)
    assert refused.value.participants[0]["levels"] == [level_problem(9)]


def test_an_assessment_changed_by_import_keeps_its_author_and_rule(cast):
    mine = CompetenceAssessmentFactory(
        resident=cast.resident, level=2, assessed_on=TODAY - DAY, assessed_by=cast.mediator_a
    )
    values = {
        "resident": cast.resident.reference,
        "competence": mine.competence.code,
        "level": 5,
        "assessed_on": TODAY - DAY,
    }
    written, errors = through_import(cast, "mediator_a", values)
    assert errors == {}
    assert written == [
        (cast.resident.reference, mine.competence.code, 5, TODAY - DAY, cast.mediator_a.pk)
    ]
