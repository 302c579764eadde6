"""Participants from CSV or Excel files: templates, reading, and a report of each bad row."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from pydantic import BaseModel, ValidationError

from web.db.models import EventRow, Participant
from web.forms import InvestorRow, StartupRow, field_errors

ROWS: dict[str, type[BaseModel]] = {"startup": StartupRow, "investor": InvestorRow}
EXAMPLES = {
    "startup": {"id": "st-01", "name": "Example Robotics", "field": "iot",
                "email": "founder@example.com", "description": "Warehouse robots that ...",
                "min_meetings": "3", "max_meetings": "", "language": "en"},
    "investor": {"id": "inv-01", "name": "Alex Chan", "organisation": "Example Ventures",
                 "email": "alex@example.com", "max_meetings": "8", "language": "zh-Hant"},
}


class BadUpload(ValueError):
    """A file that is not a readable CSV or xlsx table."""


@dataclass
class RowError:
    """The problems of one row: its number as a spreadsheet shows it, and a message per column."""

    row: int
    ident: str
    messages: dict[str, str]


@dataclass
class Report:
    """What an import found: rows ready to store, or the errors that stopped it."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def columns(kind: str) -> list[str]:
    """The template's columns for startups or investors."""
    return list(ROWS[kind].model_fields)


def template_csv(kind: str) -> str:
    """A CSV template: the header and one example row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, columns(kind))
    writer.writeheader()
    writer.writerow(EXAMPLES[kind])
    return out.getvalue()


def template_xlsx(kind: str) -> bytes:
    """An Excel template: the header and one example row."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"{kind}s"
    sheet.append(columns(kind))
    sheet.append([EXAMPLES[kind][c] for c in columns(kind)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_table(filename: str, stream: BinaryIO) -> list[dict[str, Any]]:
    """The rows of an uploaded CSV (UTF-8, with or without BOM) or xlsx file, as dicts by header."""
    data = stream.read()
    if filename.lower().endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            values = [list(r) for r in sheet.iter_rows(values_only=True)]  # type: ignore[union-attr]
        except Exception as e:  # openpyxl raises many kinds for a file that is not xlsx
            raise BadUpload(_("%(file)s is not a readable Excel (.xlsx) file.",
                              file=filename)) from e
        header = [str(h).strip() if h is not None else "" for h in (values[0] if values else [])]
        return [{h: ("" if v is None else str(v)) for h, v in zip(header, r, strict=False) if h}
                for r in values[1:]]
    if filename.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadUpload(_("%(file)s is not UTF-8 text: save it as “CSV UTF-8”.",
                              file=filename)) from None
        return [{(k or "").strip(): v or "" for k, v in r.items()}
                for r in csv.DictReader(io.StringIO(text))]
    raise BadUpload(_("Upload a .csv or .xlsx file."))


def check_rows(kind: str, rows: list[dict[str, Any]], event: EventRow) -> Report:
    """Validate every row; an id given twice in the file is an error on its second row."""
    report = Report()
    model = ROWS[kind]
    missing = [c for c in ("id", "name") if rows and c not in rows[0]]
    if missing:
        report.errors.append(RowError(1, "", {c: _("This column is missing.") for c in missing}))
        return report
    others = {p.code for p in event.participants if p.kind != kind}
    seen: set[str] = set()
    for n, raw in enumerate(rows, start=2):
        if not any(str(v).strip() for v in raw.values()):
            continue  # blank lines at the end of a sheet
        ident = str(raw.get("id", "")).strip()
        try:
            row = model.model_validate(raw, context={"fields": event.fields})
        except ValidationError as e:
            report.errors.append(RowError(n, ident, field_errors(e)))
            continue
        if row.id in seen:  # type: ignore[attr-defined]
            report.errors.append(RowError(n, ident, {"id": _("This id is on an earlier row too.")}))
        elif row.id in others:  # type: ignore[attr-defined]
            taken = _("This id is already used by a startup.") if kind == "investor" else \
                _("This id is already used by an investor.")
            report.errors.append(RowError(n, ident, {"id": taken}))
        seen.add(row.id)  # type: ignore[attr-defined]
        report.rows.append(row.model_dump())
    if not report.rows and not report.errors:
        report.errors.append(RowError(1, "", {"": _("The file has no rows.")}))
    return report


def store_rows(kind: str, rows: list[dict[str, Any]], event: EventRow) -> tuple[int, int]:
    """Add new participants and update existing ones (by id); answers are kept. (added, updated)"""
    existing = {p.code: p for p in event.participants if p.kind == kind}
    added = updated = 0
    for data in rows:
        code = data.pop("id")
        p = existing.get(code)
        if p is None:
            p = Participant(kind=kind, code=code, interests={}, wishes={}, avoid=[],
                            unavailable=[])
            event.participants.append(p)
            added += 1
        else:
            updated += 1
        for key, value in data.items():
            if key != "language" or value is not None:  # a blank language keeps their choice
                setattr(p, key, value)
    return added, updated
