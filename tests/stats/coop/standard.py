"""coop-activites.md (shared/standards, copied beside this file for CI) read as data: the
export's columns (§1b) and every enumeration (§2)."""

import re
from pathlib import Path

HERE = Path(__file__).parent / "coop-activites.md"
SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "standards" / "coop-activites.md"
TEXT = HERE.read_text(encoding="utf-8")


def section(title_start):
    start = TEXT.index(title_start)
    end = TEXT.find("\n**", start + len(title_start))
    following = TEXT.find("\n## ", start + 1)
    ends = [e for e in (end, following) if e != -1]
    return TEXT[start : min(ends) if ends else len(TEXT)]


def accompaniment_columns(*, own):
    """The headers of §1b, with the [self: …] and [not self: …] parts for `own`."""
    part = section("**1b.")
    listing = part[part.index("Columns, in order") :].split("condition):", 1)[1]
    listing = listing[: listing.index("\n- Cells")]
    listing = " ".join(line.strip() for line in listing.splitlines())
    columns = []
    for match in re.finditer(r"\[([^\]:]+): ([^\]]+)\]|([^·\[\]]+)", listing):
        condition, inner, plain = match.groups()
        if plain is not None:
            columns += [c.strip() for c in plain.split("·") if c.strip()]
        elif (condition == "self" and own) or (condition == "not self" and not own):
            columns += [c.strip() for c in inner.split("·") if c.strip()]
    return columns


def enumeration(name):
    """{code: label} of the table under **name**."""
    part = section(f"**{name}**")
    rows = {}
    for line in part.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 2 or set(cells[0]) <= {"-"}:
            continue
        if cells[0] in ("code", "#", "enum"):
            header = cells
            continue
        row = dict(zip(header, cells, strict=False))
        if "enum" in row and row["enum"] != name and name in ("Autonomie", "NiveauAtelier"):
            continue
        rows[row["code"]] = row
    return rows
