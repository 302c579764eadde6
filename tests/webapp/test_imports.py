"""Imports of participants from CSV and Excel files: a preview first, nothing stored before the
organiser confirms it, every problem at its line and column, malformed files refused whole."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from werkzeug.test import TestResponse

from tests.webapp.conftest import AuthActions, event_row
from web.db import new_session
from web.db.models import ImportDraft, Organiser
from web.events.tables import MAX_ROWS

CSV_STARTUPS = (
    "id,name,field,email,description,min_meetings,max_meetings\n"
    "st-a,Alpha,fintech,a@example.com,Payments,2,\n"
    "st-b,Beta,iot,,Sensors,,5\n"
)


def upload(client: FlaskClient, event_id: int, kind: str, name: str, data: bytes
           ) -> TestResponse:
    """Upload a file to the import page (the preview)."""
    return client.post(f"/events/{event_id}/import", data={
        "kind": kind, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def confirm(client: FlaskClient, preview: TestResponse, remove_missing: bool = False
            ) -> TestResponse:
    """Press Import on a preview page."""
    page = preview.get_data(as_text=True)
    action = re.search(r'action="(/events/\d+/import/\d+)"', page)
    fingerprint = re.search(r'name="fingerprint" value="(\w+)"', page)
    assert action and fingerprint, page
    data = {"fingerprint": fingerprint.group(1), "kind": "startup"}
    if remove_missing:
        data["remove_missing"] = "on"
    return client.post(action.group(1), data=data)


def codes(app: Flask, event_id: int) -> list[str]:
    """The stored participants' ids."""
    return [p.code for p in event_row(app, event_id).participants]


def test_preview_then_confirm_adds_and_updates(client: FlaskClient, auth: AuthActions,
                                               app: Flask, event_id: int) -> None:
    auth.login()
    before = codes(app, event_id)
    preview = upload(client, event_id, "startup", "s.csv", ("\ufeff" + CSV_STARTUPS).encode())
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "2 to add, 0 to change, 0 unchanged." in page and "Alpha" in page
    assert codes(app, event_id) == before  # nothing stored by the preview
    done = confirm(client, preview)
    assert done.status_code == 302
    assert "2 added, 0 changed, 0 removed" in client.get(done.headers["Location"]).get_data(
        as_text=True)
    assert codes(app, event_id) == [*before, "st-a", "st-b"]

    preview = upload(client, event_id, "startup", "s.csv",
                     CSV_STARTUPS.replace("Alpha", "Alfa").replace("iot", "biotech").encode())
    page = preview.get_data(as_text=True)
    assert "0 to add, 2 to change, 0 unchanged." in page and "name: Alpha → Alfa" in page
    # A field is shown by the name people read, not by its id.
    assert "field: Internet of Things → Biotechnology" in page, page
    confirm(client, preview)
    alpha = next(p for p in event_row(app, event_id).participants if p.code == "st-a")
    assert (alpha.name, alpha.min_meetings, alpha.email) == ("Alfa", 2, "a@example.com")


def test_import_xlsx(client: FlaskClient, auth: AuthActions, app: Flask, event_id: int) -> None:
    auth.login()
    book = Workbook()
    book.active.append(["id", "name", "organisation", "email", "max_meetings"])
    book.active.append(["inv-x", "Xavier", "X Capital", "x@example.com", 4])
    data = io.BytesIO()
    book.save(data)
    preview = upload(client, event_id, "investor", "i.xlsx", data.getvalue())
    assert preview.status_code == 200
    assert confirm(client, preview).status_code == 302
    xavier = next(p for p in event_row(app, event_id).participants if p.code == "inv-x")
    assert (xavier.kind, xavier.organisation, xavier.max_meetings) == ("investor", "X Capital", 4)


def problem_rows(page: str) -> list[tuple[str, str, str]]:
    """The (line, column, problem) rows of a preview's problem table."""
    return re.findall(r"<tr><td>(\d*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)


@pytest.mark.parametrize(("csv", "line", "column", "message"), [
    ("id,name,field\nst-a,Alpha,cooking\n", "2", "C (field)",
     "cooking is not one of the event&#39;s fields"),
    ("id,name,field\nst-a,,fintech\n", "2", "B (name)", "This is required."),
    ("id,name,field,email\nst-a,Alpha,fintech,not-an-email\n", "2", "D (email)",
     "Give an e-mail address such as name@example.com."),
    ("id,name,field\nst-a,Alpha,fintech\nst-a,Again,iot\n", "3", "A (id)",
     "The id st-a is used by Alpha too"),
    ("id,name,field\nst-a,Alpha,fintech\nst-a,Again,iot\n", "2", "A (id)",
     "The id st-a is used by Again too"),
    ("id,name,field\ninv-001,Alpha,fintech\n", "2", "A (id)",
     "The id inv-001 is used by Investor 1 too"),
    ("id,name,field,min_meetings\nst-a,Alpha,fintech,many\n", "2", "D (min_meetings)",
     "Give a whole number."),
    ("id,name,field,min_meetings,max_meetings\nst-z,Zed,fintech,5,2\n", "2", "E (max_meetings)",
     "The startup Zed needs at least 5 meetings but may have at most 2."),
    ("id,name,field\nst-a,Al\x00pha,fintech\n", "2", "B (name)",
     "Remove the invisible control character U+0000 at character 3."),
    ("name,field\nAlpha,fintech\n", "1", "", "The column id is missing"),
    ("id,name,field,colour\nst-a,Alpha,fintech,red\n", "1", "D (colour)",
     "“colour” is not one of the columns: use id, name, field, email, description, "
     "min_meetings, max_meetings, language."),
    ("id,name,field\nst-a,Alpha,fintech,extra\n", "2", "",
     "This line has 4 cells but the first line has 3"),
    ("id,name,field\nst-a,Alpha\n", "2", "", "This line has 2 cells but the first line has 3"),
    ('id,name,field\nhk-q2,"Unclosed quote,fintech\nhk-q3,Name3,iot\n', "2", "B (name)",
     "A quote opens in this cell and is never closed, so the rest of the file was read into it"),
    ('id,name,field,description\nst-1,"Open,fintech,x\nst-2,Two,iot,"Fine"\n', "2", "B (name)",
     "A quote opens in this cell and closes only on line 3, so lines 2 to 3 were read as one "
     "row"),
    ('id,name,field\nst-1,"Open,fintech\nst-2,Two",iot\n', "2", "B (name)",
     "A quote opens in this cell and closes only on line 3"),
    ('id,name,field\nst-1,"Alpha" Ltd,fintech\n', "2", "",
     "A quoted value is followed by more text before the next comma"),
])
def test_each_problem_is_at_its_line_and_column(client: FlaskClient, auth: AuthActions,
                                                app: Flask, event_id: int, csv: str, line: str,
                                                column: str, message: str) -> None:
    auth.login()
    before = codes(app, event_id)
    response = upload(client, event_id, "startup", "s.csv", csv.encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "nothing was imported" in page and 'action="/events/1/import/' not in page
    assert any(row[:2] == (line, column) and message in row[2] for row in problem_rows(page)), \
        problem_rows(page)
    assert codes(app, event_id) == before


def test_an_unclosed_quote_never_swallows_the_next_row(client: FlaskClient, auth: AuthActions,
                                                       app: Flask, event_id: int) -> None:
    """The case of the issue: the quote took the next row, and the import said '2 added'."""
    auth.login()
    before = codes(app, event_id)
    csv = 'id,name,field\nhk-q1,First,fintech\nhk-q2,"Unclosed quote,fintech\nhk-q3,Third,iot\n'
    page = upload(client, event_id, "startup", "s.csv", csv.encode()).get_data(as_text=True)
    assert "to add" not in page and "1 problem: nothing was imported" in page
    assert codes(app, event_id) == before


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_separator_is_detected(client: FlaskClient, auth: AuthActions, app: Flask, event_id: int,
                               separator: str) -> None:
    auth.login()
    rows = [["id", "name", "field", "description"],
            ["st-a", "Alpha, Beta & Co", "fintech", '"Quoted; and, commas"\nOver two lines']]
    out = io.StringIO()
    import csv

    csv.writer(out, delimiter=separator).writerows(rows)
    preview = upload(client, event_id, "startup", "s.csv", out.getvalue().encode())
    assert preview.status_code == 200, problem_rows(preview.get_data(as_text=True))
    confirm(client, preview)
    alpha = next(p for p in event_row(app, event_id).participants if p.code == "st-a")
    assert (alpha.name, alpha.description) == ("Alpha, Beta & Co",
                                               '"Quoted; and, commas"\nOver two lines')


@pytest.mark.parametrize(("name", "data", "message"), [
    ("s.txt", b"id,name\n", "Upload a .csv or .xlsx file"),
    ("s.xlsx", b"not a zip", "This is not a readable Excel (.xlsx) file"),
    ("s.csv", "id,name,field\nst-a,Caf\xe9,iot\n".encode("latin-1"),
     "Line 2 is not UTF-8 text (byte 0xE9)"),
    ("s.csv", "id,name,field\nst-a,台北科技,iot\n".encode("big5"), "such as Big5 or GBK"),
    ("s.csv", "id,name,field\nst-a,Alpha,iot\n".encode("utf-16"), "saved as UTF-16"),
    ("s.csv", "id,name,field\nst-a,Alpha,iot\n".encode("utf-16-le"), "saved as UTF-16"),
])
def test_unreadable_files_get_one_clear_message(client: FlaskClient, auth: AuthActions,
                                                event_id: int, name: str, data: bytes,
                                                message: str) -> None:
    auth.login()
    response = upload(client, event_id, "startup", name, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#34;", '"')


def test_participants_missing_from_the_file_stay_unless_ticked(
        client: FlaskClient, auth: AuthActions, app: Flask, event_id: int) -> None:
    auth.login()
    csv = b"id,name,field\nst-001,Startup One,iot\nst-002,Startup 2,iot\n"
    preview = upload(client, event_id, "startup", "s.csv", csv)
    page = preview.get_data(as_text=True)
    assert "Startups in the event but not in the file" in page
    assert "Startup 3" in page and "Startup 4" in page
    assert "Remove the 2 startups that are not in the file" in page
    confirm(client, preview)
    assert {"st-003", "st-004"} <= set(codes(app, event_id))

    done = confirm(client, upload(client, event_id, "startup", "s.csv", csv), remove_missing=True)
    assert "0 added, 0 changed, 2 removed" in client.get(done.headers["Location"]).get_data(
        as_text=True)
    row = event_row(app, event_id)
    assert [p.code for p in row.participants if p.kind == "startup"] == ["st-001", "st-002"]
    # Their traces go with them: inv-003 wished for st-004 and st-003.
    assert set(next(p for p in row.participants if p.code == "inv-003").wishes) == {"st-001"}


def test_confirming_after_the_event_changed_shows_the_new_preview(
        client: FlaskClient, auth: AuthActions, app: Flask, event_id: int) -> None:
    auth.login()
    preview = upload(client, event_id, "startup", "s.csv", CSV_STARTUPS.encode())
    client.post(f"/events/{event_id}/participants/new", data={
        "kind": "startup", "id": "st-a", "name": "Alpha", "field": "iot", "min_meetings": "0"})
    response = confirm(client, preview)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "The event changed since the preview" in page
    assert "1 to add, 1 to change, 0 unchanged." in page
    assert "st-b" not in codes(app, event_id)
    assert confirm(client, response).status_code == 302
    assert "st-b" in codes(app, event_id)


def test_a_draft_is_its_organisers_and_expires(client: FlaskClient, auth: AuthActions,
                                               app: Flask, event_id: int) -> None:
    auth.login()
    preview = upload(client, event_id, "startup", "s.csv", CSV_STARTUPS.encode())
    with new_session(app) as session:
        draft = session.query(ImportDraft).one()
        draft.created_at -= timedelta(hours=2)
        session.commit()
    response = confirm(client, preview)
    assert response.status_code == 302 and "/import?kind=startup" in response.headers["Location"]
    assert "expired" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert "st-a" not in codes(app, event_id)

    preview = upload(client, event_id, "startup", "s.csv", CSV_STARTUPS.encode())
    with new_session(app) as session:  # an older draft and the expired one are gone
        assert session.query(ImportDraft).count() == 1
        other = Organiser(email="other@example.com", password_hash="x")
        session.add(other)
        session.flush()
        session.query(ImportDraft).update({"organiser_id": other.id})
        session.commit()
    assert confirm(client, preview).status_code == 302
    assert "st-a" not in codes(app, event_id)


def test_a_file_with_more_rows_than_the_cap_is_refused_whole(
        client: FlaskClient, auth: AuthActions, app: Flask, event_id: int) -> None:
    auth.login()
    csv = "id,name,field\n" + "".join(f"st-{n},S {n},iot\n" for n in range(MAX_ROWS + 1))
    response = upload(client, event_id, "startup", "s.csv", csv.encode())
    assert response.status_code == 422
    assert f"The file has more than {MAX_ROWS:,} rows" in response.get_data(as_text=True)


def test_the_problem_report_is_capped(client: FlaskClient, auth: AuthActions, app: Flask,
                                      event_id: int) -> None:
    auth.login()
    csv = "id,name,field\n" + "".join(f"st-{n},S {n},cooking\n" for n in range(3000))
    response = upload(client, event_id, "startup", "s.csv", csv.encode())
    page = response.get_data(as_text=True)
    assert "3000 problems: nothing was imported" in page
    assert len(problem_rows(page)) == 200 and "… and 2800 more problems." in page
    assert len(page) < 150_000
