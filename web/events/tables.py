"""Uploaded spreadsheets (CSV or xlsx) read into rows of cells, safely: a file that is not what it
claims gets one clear message, a malformed row a problem naming its line, and neither a huge
file nor a zip bomb can take the server's memory (rows are capped, an xlsx is measured unpacked
before it is opened).

CSV: UTF-8 with or without a byte-order mark (other encodings are named and refused); the
separator (comma, semicolon or tab) is the one that makes the most sense of the first line; the
quoting is strict, and every line must have as many cells as the first.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO, Any
from xml.parsers import expat

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from matcher.model.event import CONTROL_RUN, MAX_PARTICIPANTS

MAX_ROWS = MAX_PARTICIPANTS  # rows of participants in one file
MAX_UNPACKED = 40 * 2**20  # bytes of an xlsx's parts once unpacked, all together
MAX_PART = 20 * 2**20  # bytes of one XML part (a sheet, the shared strings, the styles)
# Rows and cells of a sheet as stored, empty ones included: openpyxl holds a row's cells at once.
MAX_SHEET_ROWS = 10 * MAX_ROWS
MAX_CELLS = 1000
MAX_ELEMENTS = 50 * MAX_ROWS  # XML elements of one part: a cell of a sheet takes two to four
MAX_COLUMNS = 64  # columns of a sheet that are read
FILENAME_MAX = 255  # characters of an uploaded file's name, as its import draft keeps it
SEPARATORS = {",": lazy_gettext("comma"), ";": lazy_gettext("semicolon"),
              "\t": lazy_gettext("tab")}


class BadUpload(ValueError):
    """A file that cannot be read as a table at all; the message says why and what to do."""


@dataclass(frozen=True)
class Row:
    """One row of a table: where it starts (and ends, for a CSV row over several lines) and its
    cells."""

    line: int
    cells: tuple[Any, ...]
    last_line: int | None = None


@dataclass(frozen=True)
class TableProblem:
    """Something wrong with the file's shape, at a line and (if known) a column number (0-based)."""

    line: int
    column: int | None
    message: str


@dataclass
class Table:
    """A file's first row (the header) and the rows after it that hold anything."""

    header: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)
    problems: list[TableProblem] = field(default_factory=list)
    unit: str = "line"  # CSV files have lines, spreadsheets rows
    separator: str | None = None


def letter(column: int) -> str:
    """A 0-based column number as a spreadsheet names it: A, B, ..., AA."""
    return get_column_letter(column + 1)


def blank(value: Any) -> bool:
    """An empty cell."""
    return value is None or (isinstance(value, str) and not value.strip())


def upload_name(filename: str) -> str:
    """An uploaded file's name as it is shown and kept: control characters (a NUL, which
    PostgreSQL cannot store) become spaces, and a name longer than FILENAME_MAX keeps its end,
    so that its extension still tells how to read it."""
    name = CONTROL_RUN.sub(" ", filename).strip()
    return name if len(name) <= FILENAME_MAX else "…" + name[1 - FILENAME_MAX:]


def read_table(filename: str, stream: IO[bytes], known: Iterable[str] = (),
               limit: int = MAX_ROWS) -> Table:
    """The table of an uploaded .csv or .xlsx file (`known`: the column names expected, which
    tell a CSV file's separator); BadUpload when it cannot be read at all."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        return read_xlsx(stream, limit)
    if name.endswith((".csv", ".tsv")):
        return read_csv(stream.read(), limit, known)
    raise BadUpload(_("Upload a .csv or .xlsx file (this one is %(name)s).", name=filename))


def too_many_rows(limit: int) -> BadUpload:
    """The refusal of a file longer than a list of participants may be."""
    return BadUpload(_("The file has more than %(limit)s rows: split it into smaller files.",
                       limit=format(limit, ",")))


def decode(data: bytes) -> str:
    """The text of a UTF-8 file (a byte-order mark is dropped); BadUpload names any other
    encoding it recognises and the line of the first byte that is not UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:200].count(b"\x00") > 20:
        raise BadUpload(_("This file is saved as UTF-16 (\"Unicode text\"). Save it as \"CSV "
                          "UTF-8\" and upload it again."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise BadUpload(_("Line %(line)s is not UTF-8 text (byte 0x%(byte)s): the file is in "
                          "another encoding, such as Big5 or GBK. Save it as \"CSV UTF-8\" and "
                          "upload it again.", line=line, byte=format(data[e.start], "02X"))
                        ) from None


def separator_of(first_line: str, known: Iterable[str]) -> str:
    """The separator that splits the first line into the most known column names (then into the
    most cells): comma, semicolon or tab."""
    names = {normalise(n) for n in known}

    def fit(candidate: str) -> tuple[int, int]:
        cells = next(csv.reader([first_line], delimiter=candidate), [])
        return sum(normalise(c) in names for c in cells), len(cells)

    return max(SEPARATORS, key=fit)


def normalise(header: Any) -> str:
    """A column name as matched: case, surrounding spaces, and spaces or hyphens inside ignored."""
    text = "" if header is None else str(header)
    return "_".join(text.strip().lower().replace("-", " ").split())


def read_csv(data: bytes, limit: int = MAX_ROWS, known: Iterable[str] = ()) -> Table:
    """The rows of a CSV file, every line checked: quotes closed, as many cells as the header."""
    text = decode(data)
    first = text.split("\n", 1)[0].rstrip("\r")
    sep = separator_of(first, known)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    table = Table(header=(), separator=str(SEPARATORS[sep]))
    start = 1
    try:
        for cells in reader:
            row = Row(start, tuple(cells), reader.line_num)
            start = reader.line_num + 1
            if not table.header and not table.rows:
                table.header = tuple(cells)
                continue
            if all(blank(c) for c in cells):
                continue
            if len(table.rows) == limit:
                raise too_many_rows(limit)
            table.problems += shape_problems(table, row, sep)
            table.rows.append(row)
    except csv.Error as e:
        table.problems.append(quote_problem(text, start, reader.line_num, sep, str(e)))
    return table


def shape_problems(table: Table, row: Row, sep: str) -> list[TableProblem]:
    """A line with another number of cells than the header (beyond empty trailing cells), and a
    quote that runs over several lines in a column that holds one line."""
    problems = []
    width, cells = len(table.header), row.cells
    if len(cells) < width or any(not blank(c) for c in cells[width:]):
        problems.append(TableProblem(row.line, None, _(
            "This line has %(cells)s cells but the first line has %(columns)s: a value with a "
            "%(separator)s in it needs quotes around it.", cells=len(cells), columns=width,
            separator=str(SEPARATORS[sep]))))
    if row.last_line is not None and row.last_line > row.line:
        for n, cell in enumerate(cells[:width]):
            if isinstance(cell, str) and "\n" in cell and normalise(table.header[n]) != "description":
                problems.append(TableProblem(row.line, n, _(
                    "A quote opens in this cell and closes only on line %(end)s, so lines "
                    "%(start)s to %(end)s were read as one row: close the quote on line "
                    "%(start)s.", start=row.line, end=row.last_line)))
    return problems


def quote_problem(text: str, start: int, end: int, sep: str, reason: str) -> TableProblem:
    """The problem of a line the CSV reader gave up on: a quote never closed, or one that closes
    on a later line and is followed by more text there, or text after a closing quote."""
    lines = text.splitlines()
    line = lines[start - 1] if start - 1 < len(lines) else ""
    column = open_quote(line, sep)
    if "expected after" in reason and end > start and column is not None:
        return TableProblem(start, column, _(
            "A quote opens in this cell and closes only on line %(end)s, so lines %(start)s to "
            "%(end)s were read as one row: close the quote on line %(start)s.",
            start=start, end=end))
    if "expected after" in reason:
        return TableProblem(end, None, _(
            "A quoted value is followed by more text before the next %(separator)s: put the "
            "whole value in quotes and double any quote inside it (\"\").",
            separator=str(SEPARATORS[sep])))
    if "field larger" in reason:
        return TableProblem(start, None, _("A cell on this line is too long."))
    return TableProblem(start, column, _(
        "A quote opens in this cell and is never closed, so the rest of the file was read into "
        "it: close the quote, or double it (\"\") if it is part of the text."))


def open_quote(line: str, sep: str) -> int | None:
    """The 0-based cell of a line in which a quote is still open at the end of the line."""
    cell, quoted, at_start = 0, False, True
    for n, character in enumerate(line):
        if quoted:
            if character == '"':
                if line[n + 1:n + 2] == '"':
                    continue
                quoted = False
        elif character == sep:
            cell, at_start = cell + 1, True
            continue
        elif character == '"' and at_start:
            quoted = True
        at_start = False
    return cell if quoted else None


def read_xlsx(stream: IO[bytes], limit: int = MAX_ROWS) -> Table:
    """The rows of the active sheet of an Excel workbook; its parts are measured (and its sheets
    scanned) before openpyxl opens it, since openpyxl holds strings, styles and a whole row's
    cells in memory."""
    data = io.BytesIO(stream.read())
    try:
        with zipfile.ZipFile(data) as archive:
            measure(archive)
    except (zipfile.BadZipFile, OSError, expat.ExpatError):
        raise BadUpload(unreadable_xlsx()) from None
    try:
        book = load_workbook(data, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise BadUpload(unreadable_xlsx()) from None
    try:
        sheet = book.active
        if not isinstance(sheet, ReadOnlyWorksheet):  # a chart sheet has no rows
            raise BadUpload(unreadable_xlsx())
        sheet.reset_dimensions()  # a stated size could pad every row
        return sheet_table(sheet.iter_rows(values_only=True), limit)
    except BadUpload:
        raise
    except Exception:  # a damaged part surfaces only while the sheet is read
        raise BadUpload(unreadable_xlsx()) from None
    finally:
        book.close()


def unreadable_xlsx() -> str:
    """The message for a file that is not a workbook."""
    return _("This is not a readable Excel (.xlsx) file: save it again as an Excel workbook or "
             "as CSV.")


def measure(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose parts unpack to more than a list of participants needs, or hold
    too many XML elements (each costs openpyxl memory), or whose sheets hold too many rows or
    cells in a row. The sizes are those the archive states: zipfile never unpacks more than a
    part states."""
    parts = archive.infolist()
    total = sum(p.file_size for p in parts)
    largest = max((p.file_size for p in parts if p.filename.endswith((".xml", ".rels"))),
                  default=0)
    if total > MAX_UNPACKED or largest > MAX_PART:
        raise BadUpload(_("This Excel file unpacks to %(size)s MB, far more than a list of "
                          "participants needs: copy the participants into a new workbook, or "
                          "save them as CSV.", size=format(total / 2**20, ",.0f")))
    for part in parts:
        if part.filename.startswith("xl/") and part.filename.endswith(".xml"):
            with archive.open(part) as source:
                scan(source, sheet=part.filename.startswith("xl/worksheets/"))


def scan(source: IO[bytes], sheet: bool) -> None:
    """Count a part's XML elements, and a sheet's rows and the cells of each row, in one
    streaming pass (constant memory)."""
    parser = expat.ParserCreate()
    elements = rows = cells = 0

    def start(name: str, _attributes: dict[str, str]) -> None:
        nonlocal elements, rows, cells
        elements += 1
        if elements > MAX_ELEMENTS:
            raise BadUpload(_("This Excel file holds far more than a list of participants "
                              "needs: copy the participants into a new workbook, or save them "
                              "as CSV."))
        local = name.rpartition(":")[2]
        if sheet and local == "row":
            rows, cells = rows + 1, 0
            if rows > MAX_SHEET_ROWS:
                raise too_many_rows(MAX_ROWS)
        elif sheet and local == "c":
            cells += 1
            if cells > MAX_CELLS:
                raise BadUpload(_("Row %(row)s has more than %(limit)s cells: a list of "
                                  "participants has a few columns.", row=rows, limit=MAX_CELLS))

    def no_doctype(*_args: object) -> None:
        raise expat.ExpatError("a document type declaration")  # never in a workbook

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = no_doctype
    parser.ParseFile(source)


def sheet_table(rows: Iterator[tuple[Any, ...]], limit: int) -> Table:
    """The table of a sheet's rows (row 1 the header); empty rows skipped. Only the first
    MAX_COLUMNS columns are read: a value further right is a problem of its row."""
    table = Table(header=(), unit="row")
    for number, values in enumerate(rows, start=1):
        # Slicing and counting run in C: a row may reach column XFD with one cell.
        beyond = len(values) - MAX_COLUMNS - values[MAX_COLUMNS:].count(None) \
            if len(values) > MAX_COLUMNS else 0
        cells = [cell_value(v) for v in values[:MAX_COLUMNS]]
        while cells and blank(cells[-1]):
            cells.pop()
        if not table.header and not table.rows:
            table.header = tuple("" if c is None else str(c) for c in cells)
            continue
        if not cells and not beyond:
            continue
        if len(table.rows) == limit:
            raise too_many_rows(limit)
        width = len(table.header)
        if beyond or any(not blank(c) for c in cells[width:]):
            column = next((n for n in range(width, len(cells)) if not blank(cells[n])),
                          MAX_COLUMNS)
            table.problems.append(TableProblem(number, column, _(
                "This cell has a value but its column has no name in row 1.")))
        table.rows.append(Row(number, tuple(cells)))
    return table


def cell_value(value: Any) -> Any:
    """A spreadsheet value as the model reads it: whole numbers as int, dates as ISO text."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value
