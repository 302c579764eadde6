"""Tables written for people to open in a spreadsheet (exports, import templates), safe to open.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before one) as a
formula, so a participant named `=HYPERLINK(...)` could make an organiser's Excel fetch a page
or run a command. Such text is written so that it stays text: in CSV with a leading apostrophe
(OWASP's advice; spreadsheets show the rest as it was typed), in xlsx as a cell of type string.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as written: text that would start a formula gets a
    leading apostrophe; numbers and other text stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV text, every cell safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


def xlsx_bytes(title: str, rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows as an Excel workbook of one sheet; text is stored as text, never as a formula."""
    book = Workbook()
    sheet = book.active
    sheet.title = title  # type: ignore[union-attr]
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            target = sheet.cell(row=r, column=c, value=value)  # type: ignore[union-attr]
            if isinstance(value, str):
                target.data_type = "s"  # openpyxl would store "=..." as a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
