"""Participants from CSV or Excel files: templates, a file's rows read as entries, a preview of
what they would change with every problem at its line and column, and the file's rows kept as a
draft until the organiser confirms the preview.

Drafts live in the database (not in the page): a preview may hold ten thousand rows, more than a
form should carry back, and the server process that confirms may not be the one that read the
file. A draft is the organiser's own, holds at most MAX_ROWS rows, and goes when it is confirmed,
when the same organiser uploads another file of the same kind for the event, or after
DRAFT_HOURS.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from web.db import MAX_ID
from web.db.models import EventRow, ImportDraft, Organiser, now
from web.events.roster import COLUMNS, Entry, Plan, plan
from web.events.tables import Row, Table, letter, normalise
from web.exports import csv_text, xlsx_bytes

DRAFT_HOURS = 1
SHOWN_PROBLEMS = 200  # a page lists this many problems at most, then counts the rest
EXAMPLES = {
    "startup": {"id": "st-01", "name": "Example Robotics", "field": "iot",
                "email": "founder@example.com", "description": "Warehouse robots that ...",
                "min_meetings": "3", "max_meetings": "", "language": "en"},
    "investor": {"id": "inv-01", "name": "Alex Chan", "organisation": "Example Ventures",
                 "email": "alex@example.com", "max_meetings": "8", "language": "zh-Hant"},
}


def template_rows(kind: str) -> list[list[Any]]:
    """A template's rows: the header and one example."""
    return [list(COLUMNS[kind]), [EXAMPLES[kind].get(c, "") for c in COLUMNS[kind]]]


def template_csv(kind: str) -> str:
    """A CSV template: the header and one example row."""
    return csv_text(template_rows(kind))


def template_xlsx(kind: str) -> bytes:
    """An Excel template: the header and one example row."""
    return xlsx_bytes(f"{kind}s", template_rows(kind))


@dataclass(frozen=True)
class Located:
    """A problem as the preview lists it: the line (or row) and column of the file."""

    line: int | None
    column: str | None
    message: str


@dataclass
class Preview:
    """What a file would do: the plan, or the problems that stop it."""

    kind: str
    filename: str
    table: Table
    plan: Plan | None = None
    problems: list[Located] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the file can be imported as it is."""
        return not self.problems and self.plan is not None

    @property
    def shown_problems(self) -> list[Located]:
        """The problems the page lists (the first SHOWN_PROBLEMS)."""
        return self.problems[:SHOWN_PROBLEMS]

    def fingerprint(self) -> str:
        """A digest of what the preview shows, to tell whether a confirmation still matches."""
        if self.plan is None:
            return ""
        seen: list[tuple[object, ...]] = [("+", c.code, sorted(c.after.items()))
                                          for c in self.plan.added]
        seen += [("~", c.code, c.differences()) for c in self.plan.changed]
        seen += [("-", p.code) for p in self.plan.missing]
        return hashlib.sha256(repr(seen).encode()).hexdigest()[:32]


def column_of(table: Table, index: int | None) -> str | None:
    """A column as messages name it: its letter, and its name when it has one."""
    if index is None:
        return None
    name = table.header[index].strip() if index < len(table.header) else ""
    return f"{letter(index)} ({name})" if name else letter(index)


def header_map(kind: str, table: Table) -> tuple[dict[int, str], list[Located]]:
    """Cell number -> our column, and the problems of the first line: unknown, unnamed, repeated
    or missing columns."""
    known, problems = {normalise(c): c for c in COLUMNS[kind]}, []
    columns: dict[int, str] = {}
    line = 1
    for n, title in enumerate(table.header):
        name = normalise(title)
        if not name:
            if any(n < len(r.cells) and str(r.cells[n] or "").strip() for r in table.rows):
                problems.append(Located(line, letter(n), _(
                    "This column has values but no name: name it in the first line.")))
        elif name not in known:
            problems.append(Located(line, column_of(table, n), _(
                "“%(title)s” is not one of the columns: use %(columns)s.", title=title,
                columns=", ".join(COLUMNS[kind]))))
        elif known[name] in columns.values():
            problems.append(Located(line, column_of(table, n), _(
                "The column %(name)s is there twice.", name=known[name])))
        else:
            columns[n] = known[name]
    if "id" not in columns.values():
        problems.append(Located(line, None, _(
            "The column id is missing: each %(kind)s needs one (the first line names the "
            "columns).", kind=_("startup") if kind == "startup" else _("investor"))))
    return columns, problems


def entries_of(table: Table, columns: dict[int, str]) -> list[Entry]:
    """Each row as an entry: its value for each of our columns."""
    return [Entry({key: row.cells[n] if n < len(row.cells) else None
                   for n, key in columns.items()}, row.line) for row in table.rows]


def preview(row: EventRow, kind: str, filename: str, table: Table,
            remove_missing: bool = False) -> Preview:
    """What importing a table would do to the event, or every problem that stops it."""
    result = Preview(kind, filename, table)
    result.problems = [Located(p.line, column_of(table, p.column), p.message)
                       for p in table.problems]
    columns, header_problems = header_map(kind, table)
    result.problems = header_problems + result.problems
    if header_problems:
        return result
    if not table.rows:
        result.problems.append(Located(None, None, _("The file has no rows of participants.")))
        return result
    planned = plan(row, kind, entries_of(table, columns), whole_list=True,
                   remove_missing=remove_missing)
    index = {key: n for n, key in columns.items()}
    result.problems += [Located(p.line, column_of(table, index.get(p.key or "")), p.message)
                        if p.line is not None else Located(None, p.where, p.message)
                        for p in planned.problems]
    result.problems.sort(key=lambda p: (p.line is None, p.line or 0))
    result.plan = planned
    return result


def save_draft(session: Session, row: EventRow, organiser: Organiser, kind: str,
               filename: str, table: Table) -> ImportDraft:
    """Keep a previewed file's rows until the organiser confirms; older drafts of the same
    organiser, event and kind, and every expired draft, go."""
    session.execute(delete(ImportDraft).where(or_(
        ImportDraft.created_at < now() - timedelta(hours=DRAFT_HOURS),
        (ImportDraft.event_id == row.id) & (ImportDraft.organiser_id == organiser.id)
        & (ImportDraft.kind == kind))))
    draft = ImportDraft(event_id=row.id, organiser_id=organiser.id, kind=kind, filename=filename,
                        unit=table.unit, separator=table.separator, header=list(table.header),
                        rows=[[r.line, list(r.cells)] for r in table.rows])
    session.add(draft)
    session.commit()
    return draft


def load_draft(session: Session, row: EventRow, organiser: Organiser, draft_id: int
               ) -> ImportDraft | None:
    """The organiser's unexpired draft of this event, or None."""
    draft = session.get(ImportDraft, draft_id) if 1 <= draft_id <= MAX_ID else None
    if draft is None or draft.event_id != row.id or draft.organiser_id != organiser.id \
            or draft.created_at < now() - timedelta(hours=DRAFT_HOURS):
        return None
    return draft


def table_of(draft: ImportDraft) -> Table:
    """The table a draft keeps."""
    return Table(header=tuple(draft.header), unit=draft.unit, separator=draft.separator,
                 rows=[Row(line, tuple(cells)) for line, cells in draft.rows])


def summary(planned: Plan) -> dict[str, Any]:
    """The counts a flash message reports."""
    return {"added": len(planned.added), "changed": len(planned.changed),
            "removed": len(planned.missing) if planned.remove_missing else 0}
