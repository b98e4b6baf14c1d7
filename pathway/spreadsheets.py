"""Cells of the files people open in a spreadsheet (CSV and XLSX), written so that no cell
is ever run as a formula, and read back as they were written.

A name, a note or a place name comes from people the reader does not control: typed as
"=HYPERLINK(…)" it would become a live formula in the spreadsheet of whoever opens the
export (CSV injection, OWASP). Every CSV and XLSX writer of the product goes through this
module, and the import reads CSV cells through `csv_value`, so that what was exported
comes back exactly:

- XLSX: text is always a text cell, never a formula (openpyxl would make one of any text
  starting with "="): the reader sees the text as it is, with nothing added.
- CSV has no cell types. OWASP's advice: a text starting with =, +, -, @, a tab or a
  carriage return gets a leading single quote, which spreadsheets read as "this is text".
  A text that already starts with a quote gets one more, so that the import, which strips
  exactly one quote before such a text, gives back every value unchanged. Numbers, and
  text that is only a number ("-12", "-1,5", "+33490581234"), stay as they are: a
  spreadsheet reads them as numbers, which cannot run anything.
"""

import csv
import datetime
import io
import re

import openpyxl
import tablib
from import_export.formats import base_formats
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
QUOTED_STARTS = (*FORMULA_STARTS, QUOTE)
NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
# The widest column of an export, in characters (a long note wraps past it).
MAX_WIDTH = 60


def csv_cell(value):
    """`value` as a CSV cell: a text a spreadsheet would run gets OWASP's leading quote."""
    if isinstance(value, str) and value.startswith(QUOTED_STARTS) and not NUMBER.fullmatch(value):
        return QUOTE + value
    return value


def csv_value(text):
    """What a CSV cell written by csv_cell() held: the one quote it added is taken off."""
    if text.startswith(QUOTE) and text[1:].startswith(QUOTED_STARTS):
        return text[1:]
    return text


class CSVFormat(base_formats.CSV):
    """django-import-export's CSV, read through csv_value() (for the admin's imports)."""

    def create_dataset(self, in_stream, **kwargs):
        dataset = super().create_dataset(in_stream, **kwargs)
        restored = tablib.Dataset(headers=dataset.headers)
        for row in dataset:
            restored.append([csv_value(v) if isinstance(v, str) else v for v in row])
        return restored


def csv_text(rows, **options):
    """Rows (a header is a row too) as CSV text, every cell through csv_cell(); `options`
    are those of csv.writer (delimiter, lineterminator)."""
    out = io.StringIO()
    writer = csv.writer(out, **options)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


def csv_file_text(rows):
    """The CSV files people download to open in a French spreadsheet (the Coop's files and
    ours): ";" between cells, a byte order mark (so that accents survive), dates as
    DD/MM/YYYY, every cell through csv_cell()."""
    return "\ufeff" + csv_text(
        (
            [v.strftime("%d/%m/%Y") if isinstance(v, datetime.date) else v for v in row]
            for row in rows
        ),
        delimiter=";",
    )


def xlsx_cell(sheet, value, *, bold=False):
    """`value` for a row of a write-only `sheet`: text stays a text cell (openpyxl would
    turn "=…" into a formula and "#N/A" into an error)."""
    text = isinstance(value, str)
    if not bold and not (text and (value.startswith("=") or value in ERROR_CODES)):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if text:
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_bytes(sheets, *, header=False):
    """A workbook of `sheets` [(title, rows)], written row by row (a big export does not
    sit in memory as cells). With `header`, the first row of each sheet is bold and stays
    in view when scrolling, and columns are as wide as their longest text (up to a
    limit); `rows` is then read twice."""
    workbook = openpyxl.Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        if header:
            sheet.freeze_panes = "A2"
            widths = {}
            for row in rows:
                for index, value in enumerate(row, 1):
                    width = len(str(value)) if value is not None else 0
                    widths[index] = max(widths.get(index, 0), min(width, MAX_WIDTH))
            for index, width in widths.items():
                sheet.column_dimensions[get_column_letter(index)].width = width + 2
        for number, row in enumerate(rows):
            bold = header and number == 0
            sheet.append([xlsx_cell(sheet, value, bold=bold) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
