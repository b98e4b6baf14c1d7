"""`manage.py territory`: a territory made from the official data (intercommunality by its
SIREN, department by its number), with the installation's towns that belong to it."""

import io

import pytest
from django.core.management import CommandError, call_command

from pathway.management.commands.territory import Command
from pathway.models import Territory, TerritoryKind, Town
from stats.demo.factories import TerritoryFactory, TownFactory

pytestmark = pytest.mark.django_db

METROPOLE = "200054807"


@pytest.fixture
def towns():
    """Miramas (the default town) and Istres, both in the Métropole; Arles, outside it."""
    return (
        Town.objects.default(),
        TownFactory(),
        TownFactory(insee_code="13004", name="Arles", postcode="13200"),
    )


def territory(*args):
    out = io.StringIO()
    call_command("territory", *args, stdout=out)
    return out.getvalue()


def test_an_intercommunality_gets_its_official_name_and_its_towns(towns):
    output = territory("--epci", METROPOLE)
    metropole = Territory.objects.get()
    assert (metropole.name, metropole.kind, metropole.code) == (
        "Métropole d'Aix-Marseille-Provence",
        TerritoryKind.EPCI,
        METROPOLE,
    )
    assert {t.name for t in metropole.towns.all()} == {"Miramas", "Istres"}
    assert "« Métropole d'Aix-Marseille-Provence » créé" in output
    assert "Villes rattachées : Istres, Miramas." in output
    # Again: nothing new, and it says so.
    output = territory("--epci", METROPOLE)
    assert Territory.objects.count() == 1
    assert "mis à jour" in output and "Déjà rattachées : Istres, Miramas." in output


def test_running_it_again_follows_the_official_list(towns):
    miramas, istres, arles = towns
    old = TerritoryFactory(name="Métropole AMP", code=METROPOLE)
    old.towns.set([miramas, arles])
    output = territory("--epci", METROPOLE)
    old.refresh_from_db()
    assert old.name == "Métropole d'Aix-Marseille-Provence"
    assert set(old.towns.all()) == {miramas, istres}
    assert "Retirées, car elles n'en font plus partie : Arles." in output


def test_a_department_has_every_town_of_it(towns):
    output = territory("--department", "13")
    department = Territory.objects.get(kind=TerritoryKind.DEPARTMENT)
    assert (department.name, department.code) == ("Bouches-du-Rhône", "13")
    assert department.towns.count() == 3
    assert "(département, n° 13)" in output


def test_a_territory_without_any_town_here_says_what_to_do(towns):
    output = territory("--department", "2A")
    assert Territory.objects.get().name == "Corse-du-Sud"
    assert "Aucune ville de cette installation n'en fait partie" in output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--epci", "123456789"], "Aucune intercommunalité n'a le SIREN « 123456789 »"),
        # A commune's INSEE code instead of a SIREN: the answer gives the right SIREN.
        (["--epci", "13063"], "code INSEE de Miramas, pas un SIREN.*SIREN 200054807"),
        (["--department", "99"], "Aucun département n'a le numéro « 99 »"),
    ],
)
def test_a_wrong_code_is_refused_in_french_and_nothing_is_written(towns, args, message):
    with pytest.raises(CommandError, match=message):
        territory(*args)
    assert not Territory.objects.exists()


def test_a_wrong_code_ends_the_command_with_an_error_status(towns, capsys):
    with pytest.raises(SystemExit) as stopped:
        Command().run_from_argv(["manage.py", "territory", "--epci", "000"])
    assert stopped.value.code != 0
    assert "Aucune intercommunalité" in capsys.readouterr().err


def test_another_territory_with_the_official_name_is_not_overwritten(towns):
    TerritoryFactory(name="Bouches-du-Rhône", kind=TerritoryKind.HUB)
    with pytest.raises(CommandError, match="Un autre territoire s'appelle déjà"):
        territory("--department", "13")
    assert Territory.objects.get().kind == TerritoryKind.HUB
