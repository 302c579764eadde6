"""Uploads that try to take the server's memory: zip bombs dressed as Excel files, and sheets
built to make the reader hold too much. Each gets one clear message, a small page, and the
server process grows by less than 200 MB (measured in a process of its own, from its peak
resident memory)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook

MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
ROOT = Path(__file__).resolve().parents[2]
MAX_GROWTH_MB = 200

# Serves one upload in a fresh process: an app on its own SQLite file, the organiser logged in,
# one small import first (so that the libraries are loaded), then the peak resident memory reset
# (Linux: /proc/self/clear_refs) and the upload. Prints status, growth and the page.
CHILD = r"""
import io, json, sys
from pathlib import Path
from openpyxl import Workbook
from tests.webapp.conftest import tiny_event
from web import create_app
from web.accounts.access import add_owner
from web.accounts.views import create_organiser
from web.config import TestConfig
from web.db import engine, new_session
from web.db.schema import upgrade
from web.events.store import add_event

bomb, folder, name = Path(sys.argv[1]).read_bytes(), sys.argv[2], sys.argv[3]
settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
app = create_app(settings | {"DATABASE_URL": f"sqlite:///{folder}/child.sqlite"})
upgrade(engine(app))
with new_session(app) as session:
    account = create_organiser(session, "org@example.com", "organiser-password")
    row = add_event(session, tiny_event())
    add_owner(session, row, account)
    session.commit()
client = app.test_client()
client.post("/login", data={"email": "org@example.com", "password": "organiser-password"})

def upload(data, filename="people.xlsx"):
    return client.post("/events/1/import", data={"kind": "startup",
                       "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")

def kilobytes(key):
    line = next(l for l in open("/proc/self/status") if l.startswith(key + ":"))
    return int(line.split()[1])

small = Workbook()
small.active.append(["id", "name", "field"])
small.active.append(["st-x", "X", "iot"])
out = io.BytesIO()
small.save(out)
assert upload(out.getvalue()).status_code == 200
Path("/proc/self/clear_refs").write_text("5")
before = kilobytes("VmRSS")
response = upload(bomb, name)
print(json.dumps({"status": response.status_code, "page": response.get_data(as_text=True),
                  "growth_kb": kilobytes("VmHWM") - before}))
"""


def workbook_with(sheet: Iterator[bytes], shared_strings: bytes | None = None) -> bytes:
    """A valid workbook whose first sheet's XML is streamed from `sheet` (with this table of
    shared strings, if given), deflated as tightly as zip can."""
    book = Workbook()
    book.active.append(["id", "name"])
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                with archive.open(info.filename, "w", force_zip64=True) as part:
                    part.write(b'<?xml version="1.0"?><worksheet ' + MAIN + b"><sheetData>")
                    for chunk in sheet:
                        part.write(chunk)
                    part.write(b"</sheetData></worksheet>")
                continue
            if info.filename == "[Content_Types].xml" and shared_strings is not None:
                content = content.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings'
                                          b'.xml" ContentType="application/vnd.openxmlformats-'
                                          b'officedocument.spreadsheetml.sharedStrings+xml"/>'
                                          b"</Types>")
            archive.writestr(info.filename, content)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
    return out.getvalue()


def repeated(piece: bytes, times: int, per_chunk: int = 10_000) -> Iterator[bytes]:
    """A piece of XML many times, in chunks."""
    header = b'<row><c t="inlineStr"><is><t>id</t></is></c></row>'
    yield header
    for start in range(0, times, per_chunk):
        yield piece * min(per_chunk, times - start)


def serve(tmp_path: Path, data: bytes, name: str) -> dict:
    """The child's answer to one upload."""
    path = tmp_path / "upload"
    path.write_bytes(data)
    run = subprocess.run([sys.executable, "-c", CHILD, str(path), str(tmp_path), name], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def strings(count: int) -> bytes:
    """A table of different shared strings."""
    return b"<sst " + MAIN + b">" + b"".join(b"<si><t>%06d</t></si>" % n for n in range(count)) \
        + b"</sst>"


ROW = b'<row><c t="inlineStr"><is><t>bomb</t></is></c></row>'
BOMBS = {
    # The kind: under a megabyte, some 300 MB of rows once unpacked.
    "classic": (lambda: workbook_with(repeated(ROW, 6_000_000)),
                "This Excel file unpacks to 298 MB"),
    # Within the unpacked limit, but more rows than any list of participants.
    "rows": (lambda: workbook_with(repeated(ROW, 300_000)), "The file has more than 10,000 rows"),
    # One row of a million cells: openpyxl would hold them all at once.
    "wide row": (lambda: workbook_with(iter([b"<row>", b"<c><v>1</v></c>" * 1_000_000,
                                             b"</row>"])), "Row 1 has more than 1000 cells"),
    # Nearly a million different shared strings, in a part under the size limit.
    "strings": (lambda: workbook_with(repeated(ROW, 20_000), strings(900_000)),
                "This Excel file holds far more than a list of participants needs"),
    # As many as the element limit lets through, then too many rows.
    "strings within limits": (lambda: workbook_with(repeated(ROW, 20_000), strings(240_000)),
                              "The file has more than 10,000 rows"),
    # A cell far to the right in each row: its place must not make every row that wide.
    "far right": (lambda: workbook_with(repeated(
        b'<row><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>', 20_000)),
        "The file has more than 10,000 rows"),
    # CSV: the largest upload, as many cells as it can hold, on as many lines as allowed.
    "wide CSV": (lambda: b"id,name,field\n" + (b"x," * 240 + b"\n") * 10_000,
                 "This line has 241 cells but the first line has 3"),
}


@pytest.mark.parametrize("name", BOMBS)
def test_a_bomb_gets_one_message_and_little_memory(tmp_path: Path, name: str) -> None:
    build, message = BOMBS[name]
    data = build()
    assert len(data) < 5 * 2**20  # each fits in an upload
    answer = serve(tmp_path, data, "people.csv" if name.endswith("CSV") else "people.xlsx")
    assert answer["status"] == 422
    assert message in answer["page"]
    assert len(answer["page"]) < 100_000  # at most SHOWN_PROBLEMS problems are listed
    assert answer["growth_kb"] < MAX_GROWTH_MB * 1024, answer["growth_kb"]
