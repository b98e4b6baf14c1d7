"""CSV and XLSX of the dashboard's tables, with the filters written above each."""

import csv
import io
import re

import openpyxl
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _


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
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for table in tables:
        writer.writerows(preamble(report, table))
        writer.writerow(table.export_header())
        for row in table.export_rows():
            writer.writerow([str(v).replace(".", ",") if isinstance(v, float) else v for v in row])
        writer.writerow([])
    return "\ufeff" + buffer.getvalue()


def export_xlsx(report, tables):
    workbook = openpyxl.Workbook(write_only=True)
    used = set()
    for table in tables:
        name = re.sub(r"[\[\]:*?/\\]", " ", table.title)[:31]
        while name in used:
            name = name[:29] + f" {len(used)}"
        used.add(name)
        sheet = workbook.create_sheet(name)
        for line in preamble(report, table):
            sheet.append(line)
        sheet.append(table.export_header())
        for row in table.export_rows():
            sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
