"""The Coop's vocabulary and our mapping to it, against coop-activites.md."""

import pytest

from learners.models import Autonomy, Equipment, Location, RedirectionKind, WorkshopLevel
from pathway.models import Pole
from stats.coop import vocabulary as v
from stats.coop.mapping import FIXED_DEFAULTS, TARGETS, Mapping, save_codes, thematique_of
from stats.demo.factories import OperatorFactory, TopicFactory
from stats.demo.town import LEISURE_TOPICS, OPERATOR_TOPICS, OTHER_NECESSITY_TOPICS
from stats.models import CoopMappingKind as Kind
from tests.stats.coop import standard


def test_the_copy_of_the_standard_is_the_shared_one():
    if not standard.SHARED.exists():
        pytest.skip("shared/ is not beside the repository")
    assert standard.HERE.read_text() == standard.SHARED.read_text()


@pytest.mark.parametrize("own", [True, False])
def test_the_columns_are_the_accompaniments_worksheets(own):
    assert v.columns(own=own) == standard.accompaniment_columns(own=own)


def test_the_self_columns_are_the_beneficiary_and_notes():
    assert set(v.columns(own=True)) - set(v.columns(own=False)) == {
        "Bénéficiaire",
        "Notes supplémentaires",
    }


@pytest.mark.parametrize("name", list(v.ENUMERATIONS))
def test_every_code_and_label_is_the_coops(name):
    rows = standard.enumeration(name)
    assert v.ENUMERATIONS[name] == {code: row["label"] for code, row in rows.items()}


def test_stars_are_the_coops():
    assert {
        c: int(r["stars"]) for c, r in standard.enumeration("Autonomie").items()
    } == v.AUTONOMIE_STARS
    assert {
        c: int(r["stars"]) for c, r in standard.enumeration("NiveauAtelier").items()
    } == v.NIVEAU_STARS


@pytest.mark.parametrize(
    ("kind", "choices"),
    [
        (Kind.AUTONOMY, Autonomy),
        (Kind.WORKSHOP_LEVEL, WorkshopLevel),
        (Kind.LOCATION, Location),
        (Kind.EQUIPMENT, Equipment),
        (Kind.REDIRECTION, RedirectionKind),
        (Kind.POLE, Pole),
    ],
)
def test_every_fixed_value_has_a_code_of_the_coop(kind, choices):
    defaults = FIXED_DEFAULTS[kind]
    for value in choices:
        key = str(value.value) if kind == Kind.AUTONOMY else value
        assert defaults[key] in TARGETS[kind], value


def test_autonomy_and_levels_keep_their_order():
    assert [v.AUTONOMIE_STARS[FIXED_DEFAULTS[Kind.AUTONOMY][str(a.value)]] for a in Autonomy] == [
        1,
        2,
        3,
    ]
    assert [v.NIVEAU_STARS[FIXED_DEFAULTS[Kind.WORKSHOP_LEVEL][w]] for w in WorkshopLevel] == [
        1,
        2,
        3,
    ]


def test_every_demo_topic_and_operator_has_a_default():
    names = [t for _o, t, _w in OPERATOR_TOPICS] + OTHER_NECESSITY_TOPICS + LEISURE_TOPICS
    names += ["Bureautique", "Smartphone et tablette", "Emploi et CV", "Sécurité en ligne"]
    names += [o for o, _t, _w in OPERATOR_TOPICS]
    missing = [n for n in names if thematique_of(n) not in v.THEMATIQUE]
    assert missing == []


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Allocations et prime d'activité (CAF)", "SocialSante"),
        ("Déclaration et espace impots.gouv", "ArgentImpots"),
        ("Carte grise, permis et carte d'identité (ANTS)", "PapiersElectionsCitoyennete"),
        ("Inscription et actualisation France Travail", "TravailFormation"),
        ("Créer une adresse mail", "Email"),
        ("Réparer son ordinateur", "MaintenanceDeMateriel"),
        ("Sécurité en ligne", "SecuriteNumerique"),
        ("Emploi et CV", "InsertionProfessionnelle"),
    ],
)
def test_demo_topics_default_to_the_right_theme(name, code):
    assert thematique_of(name) == code


def test_an_unknown_topic_is_reported_and_a_choice_is_kept(db, cast):
    topic = TopicFactory(pole=Pole.LEISURE, name="Tricot connecté", slug="tricot")
    OperatorFactory(name="CAF", slug="caf")
    mapping = Mapping()
    assert mapping.code(Kind.TOPIC, topic.pk) == ""
    assert [e.label for e in mapping.unmapped()] == ["Loisirs — Tricot connecté"]
    save_codes({(Kind.TOPIC, str(topic.pk)): "CreerAvecLeNumerique"}, by=cast.coordinator_a)
    mapping = Mapping()
    assert mapping.code(Kind.TOPIC, topic.pk) == "CreerAvecLeNumerique"
    assert mapping.unmapped() == []
    with pytest.raises(ValueError, match="Code de la Coop inconnu"):
        save_codes({(Kind.TOPIC, str(topic.pk)): "Tricot"}, by=cast.coordinator_a)


def test_the_mapping_page_is_for_coordinators(cast):
    topic = TopicFactory(pole=Pole.LEISURE, name="Tricot connecté", slug="tricot")
    assert cast.client("mediator_a").get("/coop/correspondances/").status_code == 404
    client = cast.client("coordinator_a")
    page = client.get("/coop/correspondances/")
    assert "1 valeur sans correspondance" in page.content.decode()
    response = client.post(
        "/coop/correspondances/", {f"m-topic-{topic.pk}": "CultureNumerique"}, follow=True
    )
    assert "1 correspondance(s) enregistrée(s)" in response.content.decode()
    assert Mapping().code(Kind.TOPIC, topic.pk) == "CultureNumerique"
