"""French communes (INSEE code, name, postcodes), shipped with the product.

Source: Etalab's `@etalab/decoupage-administratif` (npm, MIT licence; built from INSEE's
Code officiel géographique and La Poste's postcode base). Its `data/communes.json` is
kept here as a compact gzip'd TSV (`pathway/data/communes.tsv.gz`: code, name,
postcodes separated by spaces, department), current communes and the municipal
arrondissements of Paris, Lyon and Marseille (the Coop and INSEE count people there).

To update it (the package follows INSEE's yearly COG):

    npm pack @etalab/decoupage-administratif     # then tar xzf the .tgz
    python manage.py communes_refresh package/data/communes.json

and commit the new data file.
"""

import gzip
import json
from functools import cache
from pathlib import Path
from typing import NamedTuple

from pathway.text import normalise

DATA_FILE = Path(__file__).parent / "data" / "communes.tsv.gz"
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


def write_data(rows, path=DATA_FILE):
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("\n".join(rows) + "\n")
    load.cache_clear()


def refresh_from_json(source, path=DATA_FILE):
    with open(source, encoding="utf-8") as f:
        rows = rows_from_etalab(json.load(f))
    write_data(rows, path)
    return len(rows)


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
