"""French communes (INSEE code, name, postcodes), their intercommunalities (EPCI) and
departments, shipped with the product.

Source: Etalab's `@etalab/decoupage-administratif` (npm, MIT licence; built from INSEE's
Code officiel géographique, La Poste's postcode base and the DGCL's list of EPCI). Kept
here as compact files:

- `data/communes.tsv.gz` from its `data/communes.json`: code, name, postcodes separated by
  spaces, department; current communes and the municipal arrondissements of Paris, Lyon
  and Marseille (the Coop and INSEE count people there);
- `data/epci.tsv.gz` from `data/epci.json`: SIREN, name, the INSEE codes of the member
  communes separated by spaces (the municipal arrondissements with their city);
- `data/departments.tsv` from `data/departements.json`: code, name.

To update them (the package follows INSEE's yearly COG):

    npm pack @etalab/decoupage-administratif     # then tar xzf the .tgz
    python manage.py communes_refresh package/data

and commit the new data files.
"""

import gzip
import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import NamedTuple

from pathway.text import normalise

DATA_DIR = Path(__file__).parent / "data"
DATA_FILE = DATA_DIR / "communes.tsv.gz"
EPCI_FILE = DATA_DIR / "epci.tsv.gz"
DEPARTMENTS_FILE = DATA_DIR / "departments.tsv"
KEPT_TYPES = {"commune-actuelle", "arrondissement-municipal"}


class Commune(NamedTuple):
    insee: str
    name: str
    postcodes: tuple
    department: str

    @property
    def postcode(self):
        return self.postcodes[0] if self.postcodes else ""

    @property
    def label(self):
        return f"{self.name} ({self.postcode or self.department})"


def rows_from_etalab(communes):
    """Lines of the data file from the package's communes.json (a list of dicts)."""
    rows = []
    for item in communes:
        if item.get("type") not in KEPT_TYPES:
            continue
        postcodes = " ".join(item.get("codesPostaux") or [])
        rows.append(f"{item['code']}\t{item['nom']}\t{postcodes}\t{item.get('departement', '')}")
    rows.sort()
    return rows


def epci_rows_from_etalab(epcis, communes=()):
    """Lines of the EPCI file from the package's epci.json; the municipal arrondissements
    among `communes` (communes.json) join their city's EPCI."""
    arrondissements = defaultdict(list)
    for item in communes:
        if item.get("type") == "arrondissement-municipal":
            arrondissements[item["commune"]].append(item["code"])
    rows = []
    for item in epcis:
        members = [m["code"] for m in item["membres"]]
        members += [code for m in members for code in arrondissements.get(m, [])]
        rows.append(f"{item['code']}\t{item['nom']}\t{' '.join(sorted(members))}")
    rows.sort()
    return rows


def department_rows_from_etalab(departments):
    """Lines of the departments file from the package's departements.json."""
    return sorted(f"{item['code']}\t{item['nom']}" for item in departments)


def write_data(rows, path=DATA_FILE):
    text = "\n".join(rows) + "\n"
    if path.suffix == ".gz":
        # No date in the gzip header: the same data gives the same file.
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
            out.write(text.encode("utf-8"))
    else:
        path.write_text(text, encoding="utf-8")
    for cached in (load, _by_name, load_epcis, _epci_of, load_departments):
        cached.cache_clear()


PACKAGE_FILES = ["communes.json", "epci.json", "departements.json"]


def refresh_from_package(folder):
    """Rewrite the shipped files from the package's `data` folder; returns the number of
    communes, EPCI and departments written. Every file is read before any is written: a
    folder missing one changes nothing (FileNotFoundError)."""
    folder = Path(folder)
    missing = [str(folder / name) for name in PACKAGE_FILES if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(", ".join(missing))
    found = {}
    for name in PACKAGE_FILES:
        with open(folder / name, encoding="utf-8") as f:
            found[name] = json.load(f)
    written = {
        DATA_FILE: rows_from_etalab(found["communes.json"]),
        EPCI_FILE: epci_rows_from_etalab(found["epci.json"], found["communes.json"]),
        DEPARTMENTS_FILE: department_rows_from_etalab(found["departements.json"]),
    }
    for path, rows in written.items():
        write_data(rows, path)
    return tuple(len(rows) for rows in written.values())


@cache
def load():
    """{INSEE code: Commune}, read once per process."""
    found = {}
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as f:
        for line in f:
            code, name, postcodes, department = line.rstrip("\n").split("\t")
            found[code] = Commune(code, name, tuple(postcodes.split()), department)
    return found


@cache
def _by_name():
    found = {}
    for commune in load().values():
        found.setdefault(normalise(commune.name), []).append(commune)
    return found


def get(insee):
    """The commune of this INSEE code, or None."""
    return load().get((insee or "").strip().upper())


def find(*, insee="", name="", postcode=""):
    """The commune named by its INSEE code, or else by its name (and postcode when there
    are namesakes), or None."""
    if insee:
        return get(insee)
    namesakes = _by_name().get(normalise(name or ""), [])
    if postcode:
        namesakes = [c for c in namesakes if postcode.strip() in c.postcodes]
    return namesakes[0] if len(namesakes) == 1 else None


def search(text, *, limit=20):
    """Communes whose name starts with `text` (or whose postcode or INSEE code does), the
    most likely first: exact name, then by name."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    if text.isdigit():
        found = [c for c in load().values() if c.insee.startswith(text)] + [
            c for c in load().values() if any(p.startswith(text) for p in c.postcodes)
        ]
        return list(dict.fromkeys(found))[:limit]
    key = normalise(text)
    found = [c for name, cs in _by_name().items() if name.startswith(key) for c in cs]
    found.sort(key=lambda c: (normalise(c.name) != key, normalise(c.name), c.insee))
    return found[:limit]


def parse(text):
    """What a person typed ("Poitiers", "Poitiers 86000", "86000", "86194"): the Commune,
    or the list of candidates when it is ambiguous (empty: none)."""
    words = (text or "").replace("(", " ").replace(")", " ").split()
    numbers = [w for w in words if w.isdigit() and len(w) == 5]
    name = " ".join(w for w in words if w not in numbers)
    if not name and numbers:
        if (commune := get(numbers[0])) is not None and len(search(numbers[0], limit=2)) == 1:
            return commune
        by_postcode = [c for c in load().values() if numbers[0] in c.postcodes]
        if len(by_postcode) == 1:
            return by_postcode[0]
        return by_postcode or ([commune] if commune else [])
    namesakes = _by_name().get(normalise(name), [])
    if numbers:
        namesakes = [c for c in namesakes if numbers[0] in c.postcodes or numbers[0] == c.insee]
    if len(namesakes) == 1:
        return namesakes[0]
    return namesakes or search(name, limit=6)


# Intercommunalities (EPCI) and departments ------------------------------------------------


class Epci(NamedTuple):
    siren: str
    name: str
    members: tuple  # INSEE codes of the member communes


class Department(NamedTuple):
    code: str
    name: str

    @property
    def members(self):
        """INSEE codes of the department's communes (and municipal arrondissements)."""
        return tuple(c.insee for c in load().values() if c.department == self.code)


@cache
def load_epcis():
    """{SIREN: Epci}, read once per process."""
    found = {}
    with gzip.open(EPCI_FILE, "rt", encoding="utf-8") as f:
        for line in f:
            siren, name, members = line.rstrip("\n").split("\t")
            found[siren] = Epci(siren, name, tuple(members.split()))
    return found


@cache
def _epci_of():
    return {insee: epci for epci in load_epcis().values() for insee in epci.members}


@cache
def load_departments():
    """{code: Department}, read once per process."""
    found = {}
    for line in DEPARTMENTS_FILE.read_text(encoding="utf-8").splitlines():
        code, name = line.split("\t")
        found[code] = Department(code, name)
    return found


def epci(siren):
    """The intercommunality of this SIREN, with its members, or None."""
    return load_epcis().get((siren or "").strip())


def epci_of(insee):
    """The intercommunality the commune of this INSEE code belongs to (an arrondissement:
    its city's), or None (a few islands belong to none)."""
    return _epci_of().get((insee or "").strip().upper())


def department(code):
    """The department of this code ("13", "2A", "974"), or None."""
    code = (code or "").strip().upper()
    return load_departments().get(code.zfill(2) if code.isdigit() else code)
