"""The official communes, intercommunalities (EPCI) and departments shipped with the product
(pathway.communes), and their refresh from Etalab's package."""

import gzip
import io
import json

import pytest
from django.core.management import CommandError, call_command

from pathway import communes

METROPOLE = "200054807"


def test_a_commune_knows_its_intercommunality_and_department():
    metropole = communes.epci_of("13063")
    assert (metropole.siren, metropole.name) == (METROPOLE, "Métropole d'Aix-Marseille-Provence")
    assert {"13063", "13047", "13056"} <= set(communes.epci(METROPOLE).members)
    # A municipal arrondissement is in its city's intercommunality.
    assert communes.epci_of("13201") == metropole
    assert communes.epci_of("13004").name != metropole.name  # Arles has its own
    assert communes.department("13").name == "Bouches-du-Rhône"
    assert communes.department("2a").name == "Corse-du-Sud"
    assert "13063" in communes.department("13").members
    assert communes.epci("123") is None and communes.department("99") is None


def package(folder, *, communes_json=True):
    """A tiny package data folder: Miramas, Istres, Marseille and one arrondissement."""
    folder.mkdir()
    items = [
        {"code": "13063", "nom": "Miramas", "type": "commune-actuelle", "codesPostaux": ["13140"],
         "departement": "13"},
        {"code": "13047", "nom": "Istres", "type": "commune-actuelle",
         "codesPostaux": ["13800"], "departement": "13"},
        {"code": "13055", "nom": "Marseille", "type": "commune-actuelle",
         "codesPostaux": ["13001"], "departement": "13"},
        {"code": "13201", "nom": "Marseille 1er Arrondissement", "commune": "13055",
         "type": "arrondissement-municipal", "codesPostaux": ["13001"], "departement": "13"},
        {"code": "13A01", "nom": "Ancienne commune", "type": "commune-deleguee"},
    ]  # fmt: skip
    if communes_json:
        (folder / "communes.json").write_text(json.dumps(items))
    epci = [
        {"code": METROPOLE, "nom": "Métropole d'Aix-Marseille-Provence",
         "membres": [{"code": "13055"}, {"code": "13047"}, {"code": "13063"}]},
    ]  # fmt: skip
    (folder / "epci.json").write_text(json.dumps(epci))
    (folder / "departements.json").write_text(json.dumps([{"code": "13", "nom": "BdR"}]))
    return folder


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """The shipped files moved to a scratch folder for the test, read again afterwards."""
    for name in ("DATA_FILE", "EPCI_FILE", "DEPARTMENTS_FILE"):
        monkeypatch.setattr(communes, name, tmp_path / getattr(communes, name).name)
    yield tmp_path
    for cached in (communes.load, communes._by_name, communes.load_epcis, communes._epci_of):
        cached.cache_clear()
    communes.load_departments.cache_clear()


def test_the_refresh_writes_the_three_files_from_the_package(shipped, tmp_path):
    out = io.StringIO()
    call_command("communes_refresh", str(package(tmp_path / "data")), stdout=out)
    assert "4 communes, 1 intercommunalités et 1 départements" in out.getvalue()
    assert communes.get("13201").name == "Marseille 1er Arrondissement"
    assert communes.get("13A01") is None
    assert communes.epci(METROPOLE).members == ("13047", "13055", "13063", "13201")
    assert communes.epci_of("13201").siren == METROPOLE
    assert communes.department("13").name == "BdR"
    # The same data gives the same bytes (no date in the gzip header): no spurious diff.
    first = (shipped / "epci.tsv.gz").read_bytes()
    call_command("communes_refresh", str(tmp_path / "data" / "communes.json"), stdout=io.StringIO())
    assert (shipped / "epci.tsv.gz").read_bytes() == first
    assert gzip.decompress(first).decode().startswith(f"{METROPOLE}\tMétropole")


def test_a_folder_missing_a_file_changes_nothing(shipped, tmp_path):
    with pytest.raises(CommandError, match="Fichiers introuvables : .*communes.json"):
        call_command("communes_refresh", str(package(tmp_path / "data", communes_json=False)))
    assert not list(shipped.glob("*.tsv*"))
