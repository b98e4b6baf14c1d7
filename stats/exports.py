"""CSV and XLSX of the dashboard's tables, with the filters written above each (names of
actors, modules and operators are text, never formulas: pathway.spreadsheets)."""

import re

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pathway.areas import PRODUCT_NAME
from pathway.spreadsheets import csv_text, xlsx_bytes


def privacy_rule(threshold=None):
    threshold = threshold or settings.STATS_MIN_COUNT
    return _(
        "« < %(n)s » : moins de %(n)s personnes. « masqué » : chiffre caché pour qu'on ne "
        "puisse pas retrouver un petit nombre en faisant une soustraction."
    ) % {"n": threshold}


def network_of(form, user):
    """The network whose statistics an export holds, named at its top: the town chosen
    in the filters, else the reader's (their town, their actors' town, their territory),
    else the installation's only town's, or INSTALLATION_NAME. No query: the filters'
    lookups and the signed-in account hold the names."""
    lookups = form.lookups
    town = form.cleaned_data.get("town")
    if town:
        return lookups.networks[town]
    names = getattr(user, "home_town_names", None)
    if names is not None:
        return names[1]
    if len(lookups.networks) == 1:
        return next(iter(lookups.networks.values()))
    if not lookups.networks:
        return settings.NETWORK_NAME
    return settings.INSTALLATION_NAME or PRODUCT_NAME


def preamble(report, table, *, network, today=None):
    lines = [
        [f"{network} — {_('Statistiques du parcours')}"],
        [table.title],
        *([name, value] for name, value in report.filters.described),
        [_("Confidentialité"), privacy_rule(report.disclosure.threshold)],
    ]
    if table.note:
        lines.append([_("À savoir"), table.note])
    lines.append([_("Chiffres du"), formats.date_format(today or timezone.localdate(), "j F Y")])
    lines.append([])
    return lines


def export_csv(report, tables, *, network):
    """CSV for a spreadsheet set to French: semicolons, decimal commas, a BOM for accents.
    `network`: whose statistics they are (network_of)."""
    lines = []
    for table in tables:
        lines += preamble(report, table, network=network)
        lines.append(table.export_header())
        lines += (
            [str(v).replace(".", ",") if isinstance(v, float) else v for v in row]
            for row in table.export_rows()
        )
        lines.append([])
    return "\ufeff" + csv_text(lines, delimiter=";")


def export_xlsx(report, tables, *, network):
    sheets, used = [], set()
    for table in tables:
        name = re.sub(r"[\[\]:*?/\\]", " ", table.title)[:31]
        while name in used:
            name = name[:29] + f" {len(used)}"
        used.add(name)
        lines = [
            *preamble(report, table, network=network),
            table.export_header(),
            *table.export_rows(),
        ]
        sheets.append((name, lines))
    return xlsx_bytes(sheets)
