"""Reading an uploaded CSV or XLSX file as a stream of lines, within limits that are checked
before anything is kept.

An uploaded file is a stranger's, and a small one can ask for a lot: a 1.6 KB XLSX declares a
sheet of A1:XFD1048576, and openpyxl, even in read-only mode, pads every row to the declared
size (over 1 GB), builds a sheet without that declaration as a tree in memory just to measure
it, and keeps a row's cells and a cell's text whole before anyone may look at them. The XLSX
reader here is therefore a small one on expat, the standard library's streaming XML parser:
it holds one row at a time, keeps only the cells under the headers, refuses a cell longer
than a spreadsheet allows, and ignores the declared size. openpyxl still gives the rules it
knows (which number formats are dates, how Excel counts days). CSV files are decoded and
split a line at a time, each line of bounded length.

Limits (settings): IMPORT_MAX_ROWS lines, blank lines included, and IMPORT_MAX_CELLS cells
(rows × columns) kept. `read_dataset(…, max_rows=N)` stops after N lines, or at once for a
file whose text is larger than N lines may be, and raises LargeFile: a request reads no
more than that and leaves the rest to the worker."""

import codecs
import csv
import io
import os
import posixpath
import re
import zipfile
from pathlib import Path
from xml.parsers import expat

import tablib
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from pathway.spreadsheets import csv_value

EXTENSIONS = {".csv", ".xlsx"}

# What a spreadsheet itself allows: 16,384 columns (A to XFD), 32,767 characters in a cell.
MAX_COLUMNS = 16_384
MAX_CELL_CHARS = 32_767
# Columns a file to import may have (an export has at most 30): each row is kept that wide.
MAX_HEADERS = 200
# A line of a CSV file, quoted line breaks included.
MAX_LINE_CHARS = 1_000_000
# Text a request may read: files larger than `max_rows` lines of this size each go to the
# worker without being parsed (for an XLSX file, its sheet and strings once unpacked).
REQUEST_BYTES_PER_ROW = 2048
# An XLSX file is a zip archive: its table of contents, and the parts read whole (workbook,
# relationships, styles), stay small in real files.
XLSX_MAX_DIRECTORY_BYTES = 1024 * 1024
XLSX_MAX_PART_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024


class FileError(Exception):
    """A file that cannot be read, with a French message that says what to do."""


class LargeFile(Exception):  # noqa: N818 — a signal for the caller, not an error
    """The file is larger than the caller wanted to read now: the worker will read it."""


def unreadable_xlsx():
    return FileError(
        _("Ce fichier XLSX est illisible : enregistrez-le à nouveau depuis le tableur.")
    )


def too_many_rows():
    return FileError(
        _(
            "Ce fichier a plus de %(max)s lignes : découpez-le en plusieurs fichiers. S'il en a "
            "moins, supprimez les lignes vides ou mises en forme sous le tableau et "
            "enregistrez-le à nouveau."
        )
        % {"max": number_format(settings.IMPORT_MAX_ROWS, force_grouping=True)}
    )


def too_many_cells():
    return FileError(
        _(
            "Ce fichier a trop de cellules (%(max)s au plus, lignes × colonnes) : découpez-le "
            "en plusieurs fichiers ou supprimez les colonnes inutiles."
        )
        % {"max": number_format(settings.IMPORT_MAX_CELLS, force_grouping=True)}
    )


def long_cell():
    return FileError(
        _(
            "Une cellule du fichier a plus de %(max)s caractères, plus qu'un tableur n'en "
            "permet : raccourcissez-la."
        )
        % {"max": number_format(MAX_CELL_CHARS, force_grouping=True)}
    )


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def read_dataset(source, file_name, *, max_rows=None):
    """The rows of a CSV or XLSX file (bytes, or a binary file open for reading) as a
    tablib Dataset: headers from its first line that is not blank, blank lines left out.
    CSV files may be UTF-8 or Windows-1252 (what French Excel writes), separated by
    commas, semicolons or tabs. Raises FileError with a French message, or LargeFile past
    `max_rows` lines."""
    with open_rows(source, file_name, max_rows=max_rows) as rows:
        return rows.dataset()


def open_rows(source, file_name, *, max_rows=None):
    """The rows of a CSV or XLSX file (bytes, a path, or a binary file open for reading)
    read a line at a time, within the limits of read_dataset(): SheetRows, to use in a
    `with` block. Raises FileError (or LargeFile) for what its first lines show, and while
    the rows are read for what comes later."""
    if isinstance(source, str | os.PathLike):
        binary = open(source, "rb")  # noqa: SIM115 — closed with the rows
    else:
        binary = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        extension = Path(file_name).suffix.lower()
        if extension not in EXTENSIONS:
            raise FileError(_("Envoyez un fichier CSV ou XLSX (tableur)."))
        binary.seek(0)
        budget = max_rows * REQUEST_BYTES_PER_ROW if max_rows is not None else None
        reader = csv_lines if extension == ".csv" else xlsx_lines
        return SheetRows(
            reader(binary, budget), max_rows, binary=binary if binary is not source else None
        )
    except BaseException:
        if binary is not source:
            binary.close()
        raise


class SheetRows:
    """The headers of a file and its rows, as tuples as wide as the headers, read as they
    are iterated (once): an import holds a batch of rows, never the whole file. `len()` is
    the number of rows read so far, all of them once read through."""

    def __init__(self, lines, max_rows, *, binary=None):
        self.lines, self.max_rows = lines, max_rows
        self.binary = binary  # a file opened here, closed with the rows
        self.count = 0
        self.expected = None  # the number of rows, when the caller knows it
        self.last_line = settings.IMPORT_MAX_ROWS + 1  # the headers, then the rows
        self.headers = None
        try:
            for number, cells in lines:
                self.check_number(number)
                headers = [str(h or "").strip() for h in dense(cells, None)]
                while headers and not headers[-1]:
                    headers.pop()
                if headers:
                    self.headers = headers
                    break
            if self.headers is None:
                raise FileError(_("Ce fichier est vide."))
            if len(self.headers) > MAX_HEADERS:
                raise FileError(
                    _("Ce fichier a plus de %(max)s colonnes : gardez seulement celles à importer.")
                    % {"max": MAX_HEADERS}
                )
        except BaseException:
            self.close()
            raise

    def check_number(self, number):
        if self.max_rows is not None and number > self.max_rows + 1:
            raise LargeFile
        if number > self.last_line:
            raise too_many_rows()

    def __iter__(self):
        width = len(self.headers)
        for number, cells in self.lines:
            self.check_number(number)
            if not any(
                not is_blank(v) for v in (cells.values() if isinstance(cells, dict) else cells)
            ):
                continue
            if (self.count + 2) * width > settings.IMPORT_MAX_CELLS:
                raise too_many_cells()
            self.count += 1
            yield tuple(dense(cells, width))

    def __len__(self):
        return self.count

    def dataset(self):
        """All the rows as a tablib Dataset."""
        dataset = tablib.Dataset(headers=self.headers)
        # Cells repeat (an actor's name, a pole, a date): one object for each value keeps a
        # file of 100,000 rows small in memory.
        values = {}
        for row in self:
            dataset.append(tuple(values.setdefault(v, v) if isinstance(v, str) else v for v in row))
        return dataset

    def close(self):
        self.lines.close()
        if self.binary is not None:
            self.binary.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def dense(cells, width):
    """A line's cells as a list of `width` values ("" where empty): `cells` is a list (CSV)
    or {column index: value} (XLSX, which holds only the cells present)."""
    if isinstance(cells, dict):
        size = width if width is not None else (max(cells) + 1 if cells else 0)
        row = [""] * size
        for index, value in cells.items():
            if index < size:
                row[index] = "" if value is None else value
        return row
    if width is None:
        return list(cells)
    return (list(cells) + [""] * width)[:width]


# CSV ------------------------------------------------------------------------------------


def csv_lines(binary, budget):
    """(line number, cells) of a CSV file, a line at a time."""
    binary.seek(0, io.SEEK_END)
    size = binary.tell()
    if budget is not None and size > budget:
        raise LargeFile
    encoding = csv_encoding(binary)
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        first = text.readline(MAX_LINE_CHARS + 1)
        delimiter = max(",;\t", key=first.count)
        used = 0

        def physical_lines():
            nonlocal used
            line = first
            while line:
                used += len(line)
                if used > MAX_LINE_CHARS:
                    raise FileError(
                        _(
                            "La ligne %(line)s du fichier a plus de %(max)s caractères : "
                            "vérifiez qu'il s'agit bien d'un tableau."
                        )
                        % {
                            "line": reader.line_num + 1,
                            "max": number_format(MAX_LINE_CHARS, force_grouping=True),
                        }
                    )
                yield line
                line = text.readline(MAX_LINE_CHARS + 1)

        reader = csv.reader(physical_lines(), delimiter=delimiter)
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise FileError(
                    _("La ligne %(line)s du fichier est illisible : %(error)s")
                    % {"line": number + 1, "error": error}
                ) from error
            number += 1
            used = 0
            # csv_value: the quote an export put before a formula-like text comes off.
            yield number, [csv_value(cell) for cell in cells]
    finally:
        text.detach()


def csv_encoding(binary):
    """UTF-8 if the whole file decodes so, else Windows-1252, else Latin-1; read in chunks."""
    for encoding in ("utf-8-sig", "cp1252"):
        binary.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := binary.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


# XLSX -----------------------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_RELATIONSHIPS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
CELL_REFERENCE = re.compile(r"([A-Za-z]{1,3})[0-9]*")


def xlsx_lines(binary, budget):
    """(line number, {column index: value}) of the active sheet of an XLSX file."""
    archive = open_archive(binary)
    with archive:
        workbook_path = office_document(archive)
        relations = relationships(archive, workbook_path)
        sheet_ids, active, epoch = workbook_info(archive, workbook_path)
        if not sheet_ids:
            raise unreadable_xlsx()
        target = relations.get(sheet_ids[min(active, len(sheet_ids) - 1)])
        if target is None or not target[1].endswith("/worksheet"):
            raise unreadable_xlsx()
        sheet_path = target[0]
        strings_path = next(
            (p for p, kind in relations.values() if kind.endswith("/sharedStrings")), None
        )
        styles_path = next((p for p, kind in relations.values() if kind.endswith("/styles")), None)
        sizes = {info.filename: info.file_size for info in archive.infolist()}
        if sheet_path not in sizes:
            raise unreadable_xlsx()
        text_size = sizes[sheet_path] + sizes.get(strings_path, 0)
        if budget is not None and text_size > budget:
            raise LargeFile
        strings = shared_strings(archive, strings_path) if strings_path in sizes else []
        dates, durations = date_styles(archive, styles_path) if styles_path in sizes else ((), ())
        yield from SheetReader(strings, dates, durations, epoch).lines(archive, sheet_path)


def open_archive(binary):
    """The zip archive, once its table of contents is known to be small: zipfile reads the
    whole of it into objects on opening."""
    binary.seek(0, io.SEEK_END)
    size = binary.tell()
    tail = min(size, 22 + 65_535)  # the end record and the longest comment
    binary.seek(size - tail)
    end = binary.read(tail)
    at = end.rfind(b"PK\x05\x06")
    if at < 0 or len(end) < at + 22:
        raise unreadable_xlsx()
    entries = int.from_bytes(end[at + 10 : at + 12], "little")
    directory = int.from_bytes(end[at + 12 : at + 16], "little")
    if entries == 0xFFFF or directory == 0xFFFFFFFF or directory > XLSX_MAX_DIRECTORY_BYTES:
        raise unreadable_xlsx()  # zip64 (no spreadsheet needs it), or a huge directory
    binary.seek(0)
    try:
        return zipfile.ZipFile(binary)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise unreadable_xlsx() from error


def parse_part(archive, path, handlers, *, limit=XLSX_MAX_PART_BYTES):
    """Run expat over a part of the archive, a chunk at a time. Element names come as
    "namespace name"; a handler may stop the parse by raising StopParsing."""
    try:
        info = archive.getinfo(path)
    except KeyError as error:
        raise unreadable_xlsx() from error
    if limit is not None and info.file_size > limit:
        raise FileError(
            _(
                "Ce fichier XLSX est trop volumineux une fois décompressé : découpez-le en "
                "plusieurs fichiers."
            )
        )
    parser = xml_parser()
    for name, handler in handlers.items():
        setattr(parser, name, handler)
    try:
        with archive.open(info) as part:
            while chunk := part.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except StopParsing:
        return
    except (expat.ExpatError, zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise unreadable_xlsx() from error


class StopParsing(Exception):  # noqa: N818 — not an error: the part said what we needed
    pass


def xml_parser():
    """An expat parser that names elements "namespace name" and refuses any document type
    declaration (no part of a spreadsheet has one; entities could multiply the text)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True

    def refuse(*args):
        raise unreadable_xlsx()

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def local(name):
    return name.rpartition(" ")[2]


def part_path(base, target):
    """A relationship's target, relative to the part that names it, as a path of the zip."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def office_document(archive):
    found = []

    def start(name, attrs):
        if local(name) == "Relationship" and attrs.get("Type", "").endswith("/officeDocument"):
            found.append(attrs.get("Target", ""))

    parse_part(archive, "_rels/.rels", {"StartElementHandler": start})
    if not found:
        raise unreadable_xlsx()
    return part_path("", found[0])


def relationships(archive, part):
    """{relationship id: (path, type)} of a part."""
    folder, name = posixpath.split(part)
    found = {}

    def start(element, attrs):
        if local(element) == "Relationship" and attrs.get("TargetMode") != "External":
            found[attrs.get("Id")] = (
                part_path(part, attrs.get("Target", "")),
                attrs.get("Type", ""),
            )

    path = posixpath.join(folder, "_rels", f"{name}.rels")
    if path in set(archive.namelist()):
        parse_part(archive, path, {"StartElementHandler": start})
    return found


def workbook_info(archive, path):
    """The relationship ids of the sheets in order, the index of the active one, and the
    epoch of its dates."""
    sheets, state = [], {"active": 0, "epoch": WINDOWS_EPOCH}
    rid_names = {f"{RELATIONSHIPS} id", f"{STRICT_RELATIONSHIPS} id"}

    def start(name, attrs):
        tag = local(name)
        if tag == "sheet":
            rid = next((v for k, v in attrs.items() if k in rid_names), None)
            sheets.append(rid)
        elif tag == "workbookView" and "activeTab" in attrs:
            if attrs["activeTab"].isdigit():
                state["active"] = int(attrs["activeTab"])
        elif tag == "workbookPr" and attrs.get("date1904") in {"1", "true"}:
            state["epoch"] = MAC_EPOCH

    parse_part(archive, path, {"StartElementHandler": start})
    return sheets, state["active"], state["epoch"]


def date_styles(archive, path):
    """The cell styles (indexes) whose number format shows a date, and those of durations."""
    custom, formats, state = {}, [], {"in_cell_formats": False}

    def start(name, attrs):
        tag = local(name)
        if tag == "numFmt" and attrs.get("numFmtId", "").isdigit():
            custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            state["in_cell_formats"] = True
        elif tag == "xf" and state["in_cell_formats"]:
            if len(formats) >= 100_000:
                raise unreadable_xlsx()
            number = attrs.get("numFmtId", "0")
            formats.append(int(number) if number.isdigit() else 0)

    def end(name):
        if local(name) == "cellXfs":
            state["in_cell_formats"] = False

    parse_part(archive, path, {"StartElementHandler": start, "EndElementHandler": end})
    dates, durations = set(), set()
    for index, number in enumerate(formats):
        code = custom.get(number, BUILTIN_FORMATS.get(number))
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
    return dates, durations


class TextCollector:
    """The text of a string item (<si>, or a cell's <is>): its <t> runs, phonetic ones left
    out, refused past MAX_CELL_CHARS before it is joined."""

    def __init__(self):
        self.parts, self.size, self.in_text, self.phonetic = [], 0, False, 0

    def start(self, tag):
        if tag == "rPh":
            self.phonetic += 1
        elif tag == "t" and not self.phonetic:
            self.in_text = True

    def end(self, tag):
        if tag == "rPh":
            self.phonetic -= 1
        elif tag == "t":
            self.in_text = False

    def data(self, text):
        if self.in_text:
            self.size += len(text)
            if self.size > MAX_CELL_CHARS:
                raise long_cell()
            self.parts.append(text)

    def text(self):
        return "".join(self.parts)


def shared_strings(archive, path):
    """The workbook's table of strings, which cells name by index."""
    strings, state = [], {"item": None}

    def start(name, attrs):
        tag = local(name)
        if tag == "si":
            if len(strings) >= settings.IMPORT_MAX_CELLS:
                raise too_many_cells()
            state["item"] = TextCollector()
        elif state["item"] is not None:
            state["item"].start(tag)

    def end(name):
        tag = local(name)
        if tag == "si" and state["item"] is not None:
            strings.append(state["item"].text())
            state["item"] = None
        elif state["item"] is not None:
            state["item"].end(tag)

    def data(text):
        if state["item"] is not None:
            state["item"].data(text)

    parse_part(
        archive,
        path,
        {"StartElementHandler": start, "EndElementHandler": end, "CharacterDataHandler": data},
        limit=max(XLSX_MAX_PART_BYTES, settings.IMPORT_MAX_BYTES),
    )
    return strings


class SheetReader:
    """The rows of a worksheet, streamed: each row as {column index: value} of its cells
    that hold a value, under the headers once they are known (the first row with one)."""

    def __init__(self, strings, dates, durations, epoch):
        self.strings, self.dates, self.durations, self.epoch = strings, dates, durations, epoch
        self.done = []  # rows finished by the last chunk parsed
        self.width = None
        self.row = None  # {column index: value} of the row being read
        self.number = 0
        self.cell = None
        self.elements = 0
        # Every element costs time, even those skipped: a sheet may hold no more than a cell
        # with its value and text for each cell allowed, a row for each line, and room for
        # what a sheet holds besides (columns, merged cells, formatting).
        self.max_elements = 3 * settings.IMPORT_MAX_CELLS + settings.IMPORT_MAX_ROWS + 100_000

    def lines(self, archive, path):
        parser = xml_parser()
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data
        try:
            with archive.open(path) as part:
                while chunk := part.read(CHUNK):
                    parser.Parse(chunk, False)
                    yield from self.flush()
                parser.Parse(b"", True)
        except StopParsing:
            pass
        except (expat.ExpatError, zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise unreadable_xlsx() from error
        yield from self.flush()

    def flush(self):
        done, self.done = self.done, []
        return done

    def start(self, name, attrs):
        self.elements += 1
        if self.elements > self.max_elements:
            raise too_many_cells()
        tag = local(name)
        if self.cell is not None:
            self.cell_start(tag)
        elif tag == "c" and self.row is not None:
            self.cell_open(attrs)
        elif tag == "row":
            number = attrs.get("r")
            if number is None:
                number = self.number + 1
            elif not number.isdigit():
                raise unreadable_xlsx()
            number = int(number)
            if number <= self.number:
                raise unreadable_xlsx()  # rows come in order, once each
            self.number, self.row, self.column = number, {}, 0
            if number > settings.IMPORT_MAX_ROWS + 1:
                # Past the last line allowed: what the reader of the lines refuses, no need
                # to read the row.
                self.done.append((number, {}))
                raise StopParsing

    def cell_open(self, attrs):
        reference = attrs.get("r")
        if reference is None:
            column = self.column + 1
        else:
            match = CELL_REFERENCE.fullmatch(reference)
            if match is None:
                raise unreadable_xlsx()
            column = column_index_from_string(match[1].upper())
        if column > MAX_COLUMNS or column <= self.column:
            raise unreadable_xlsx()
        self.column = column
        keep = self.width is None or column <= self.width
        self.cell = {
            "keep": keep,
            "type": attrs.get("t", "n"),
            "style": attrs.get("s", "0"),
            "value": [],
            "size": 0,
            "in_value": False,
            "text": TextCollector() if attrs.get("t") == "inlineStr" else None,
            "in_formula": False,
        }

    def cell_start(self, tag):
        cell = self.cell
        if tag == "v":
            cell["in_value"] = True
        elif cell["text"] is not None:
            cell["text"].start(tag)

    def end(self, name):
        tag = local(name)
        if self.cell is not None:
            if tag == "c":
                self.cell_close()
            elif tag == "v":
                self.cell["in_value"] = False
            elif self.cell["text"] is not None:
                self.cell["text"].end(tag)
        elif tag == "row" and self.row is not None:
            if self.width is None and any(not is_blank(v) for v in self.row.values()):
                self.width = 1 + max(i for i, v in self.row.items() if not is_blank(v))
            self.done.append((self.number, self.row))
            self.row = None

    def data(self, text):
        cell = self.cell
        if cell is None:
            return
        if cell["in_value"]:
            cell["size"] += len(text)
            if cell["size"] > MAX_CELL_CHARS:
                raise long_cell()
            if cell["keep"]:
                cell["value"].append(text)
        elif cell["text"] is not None:
            cell["text"].data(text)

    def cell_close(self):
        cell, self.cell = self.cell, None
        if not cell["keep"]:
            return
        value = self.value(cell)
        if value is not None and value != "":
            self.row[self.column - 1] = value

    def value(self, cell):
        kind = cell["type"]
        if kind == "inlineStr":
            return cell["text"].text()
        text = "".join(cell["value"])
        if not text:
            return None
        try:
            if kind == "s":
                return self.strings[int(text)]
            if kind == "b":
                return bool(int(text))
            if kind == "d":
                return from_ISO8601(text)
            if kind in {"str", "e"}:
                return text
            number = float(text) if any(c in text for c in ".eE") else int(text)
            style = int(cell["style"]) if cell["style"].isdigit() else 0
            if style in self.dates:
                return from_excel(number, self.epoch, timedelta=style in self.durations)
            return number
        except (ValueError, IndexError, OverflowError) as error:
            raise unreadable_xlsx() from error
