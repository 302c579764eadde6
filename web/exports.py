"""Spreadsheet files the app writes for people to open (exports, import templates): cells that a
spreadsheet would run as a formula are written as text.

A participant named `=HYPERLINK(...)` could otherwise make an organiser's Excel fetch a page or run
a command. In CSV such text gets a leading apostrophe (OWASP's advice; spreadsheets show the rest
as it was typed); in xlsx it is stored as a cell of type string, never as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from flask import Response
from openpyxl import Workbook

# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value as a cell: text that would start a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Rows as CSV text, every cell safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


def csv_response(rows: Iterable[Iterable[Any]], filename: str) -> Response:
    """Rows as a CSV download, UTF-8 with a byte-order mark so that Excel reads it as UTF-8."""
    return Response("\ufeff" + csv_text(rows), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={filename}"})


def xlsx_bytes(title: str, rows: Iterable[Iterable[Any]]) -> bytes:
    """Rows as an Excel workbook of one sheet; text is stored as text, never as a formula."""
    book = Workbook()
    sheet = book.create_sheet(title, 0)
    book.remove(book.worksheets[1])  # the empty sheet a new workbook starts with
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            target = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                target.data_type = "s"  # openpyxl would store "=..." as a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
