"""Issue 15, point 6: the session page proposes only real likely duplicates of a new person:
the same names (accents and case folded), or names at most two typos apart with the same
birth year. A new name alone proposes nobody (not "Adam" and "Albert" for "Adèle Martin")."""

import pytest

from learners.models import Resident
from stats.demo.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def proposed(first_name, last_name, birth_year=None):
    return sorted(
        f"{r.first_name} {r.last_name}"
        for r in Resident.objects.likely_duplicates(
            first_name=first_name, last_name=last_name, birth_year=birth_year
        )
    )


@pytest.fixture
def town():
    ResidentFactory(first_name="Adam", last_name="Martinez", birth_year=1980)
    ResidentFactory(first_name="Albert", last_name="Marin", birth_year=1952)
    ResidentFactory(first_name="Éloïse", last_name="Garnier", birth_year=1971)
    ResidentFactory(first_name="Karim", last_name="Benali", birth_year=1990)


def test_a_new_name_proposes_nobody(town):
    assert proposed("Adèle", "Martin", 1985) == []
    assert proposed("Adèle", "Martin") == []


def test_the_same_names_whatever_accents_and_case(town):
    assert proposed("ELOISE", "garnier") == ["Éloïse Garnier"]
    assert proposed("eloïse", "Garnier", 1971) == ["Éloïse Garnier"]


def test_close_names_only_with_the_same_birth_year(town):
    assert proposed("Karine", "Benali", 1990) == ["Karim Benali"]  # two typos apart
    assert proposed("Karine", "Benali", 1975) == []
    assert proposed("Karine", "Benali") == []  # no year: only the same names


def test_a_birth_year_far_apart_rules_the_same_names_out(town):
    assert proposed("Éloïse", "Garnier", 1990) == []
