"""CSV and XLSX of the dashboard's tables, with the filters written above each (names of
actors, modules and operators are text, never formulas: pathway.spreadsheets)."""

import re

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pathway.spreadsheets import csv_text, xlsx_bytes


def privacy_rule(threshold=None):
    threshold = threshold or settings.STATS_MIN_COUNT
    return _(
        "« < %(n)s » : moins de %(n)s personnes. « masqué » : chiffre caché pour qu'on ne "
        "puisse pas retrouver un petit nombre en faisant une soustraction."
    ) % {"n": threshold}


def preamble(report, table, *, today=None):
    lines = [
        [f"{settings.NETWORK_NAME} — {_('Statistiques du parcours')}"],
        [table.title],
        *([name, value] for name, value in report.filters.described),
        [_("Confidentialité"), privacy_rule(report.disclosure.threshold)],
    ]
    if table.note:
        lines.append([_("À savoir"), table.note])
    lines.append([_("Chiffres du"), formats.date_format(today or timezone.localdate(), "j F Y")])
    lines.append([])
    return lines


def export_csv(report, tables):
    """CSV for a spreadsheet set to French: semicolons, decimal commas, a BOM for accents."""
    lines = []
    for table in tables:
        lines += preamble(report, table)
        lines.append(table.export_header())
        lines += (
            [str(v).replace(".", ",") if isinstance(v, float) else v for v in row]
            for row in table.export_rows()
        )
        lines.append([])
    return "\ufeff" + csv_text(lines, delimiter=";")


def export_xlsx(report, tables):
    sheets, used = [], set()
    for table in tables:
        name = re.sub(r"[\[\]:*?/\\]", " ", table.title)[:31]
        while name in used:
            name = name[:29] + f" {len(used)}"
        used.add(name)
        lines = [*preamble(report, table), table.export_header(), *table.export_rows()]
        sheets.append((name, lines))
    return xlsx_bytes(sheets)
