"""French articles and elision before the names of actors (pathway.french)."""

import pytest

from pathway.french import with_preposition


@pytest.mark.parametrize(
    ("preposition", "name", "expected"),
    [
        ("auprès de", "Espace emploi municipal", "auprès de l'Espace emploi municipal"),
        ("de", "Médiathèque intercommunale", "de la Médiathèque intercommunale"),
        ("de", "Centre social du Mercure", "du Centre social du Mercure"),
        ("de", "CCAS de Miramas", "du CCAS de Miramas"),
        ("de", "École de la deuxième chance", "de l'École de la deuxième chance"),
        ("de", "Repair café de Miramas", "du Repair café de Miramas"),
        ("de", "Les Ateliers du Partage", "des Ateliers du Partage"),
        ("de", "L’Atelier numérique", "de l'Atelier numérique"),
        ("de", "Alpha Provence", "d'Alpha Provence"),
        ("de", "France services de Miramas", "de France services de Miramas"),
        ("de", "Seniors connectés 13", "de Seniors connectés 13"),
        ("à", "Centre social La Carraire", "au Centre social La Carraire"),
        ("à", "Les Ateliers du Partage", "aux Ateliers du Partage"),
        ("à", "Maison de la jeunesse", "à la Maison de la jeunesse"),
        ("à", "Alpha Provence", "à Alpha Provence"),
        ("par", "Mission locale Ouest Provence", "par la Mission locale Ouest Provence"),
        ("par", "Espace emploi municipal", "par l'Espace emploi municipal"),
    ],
)
def test_names_take_their_article_contracted_and_elided(preposition, name, expected):
    assert with_preposition(preposition, name) == expected
