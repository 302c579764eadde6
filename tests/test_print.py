"""The print kit (`matcher print`, `matcher.print`): the PDFs read back with poppler's pdftotext,
their fonts with pdffonts, an agenda page rendered to PNG (out/print-tests/) and its QR code
decoded with zbarimg, in English, Traditional and Simplified Chinese."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from matcher.cli import main
from matcher.i18n import SHORT
from matcher.model.event import Event
from matcher.model.schedule import Meeting, Schedule
from matcher.print import kit, pages
from matcher.print.render import QR_SYMBOL_MM, Chunk, Header, render_chunk, side_by_side, sign_size

ROOT = Path(__file__).resolve().parents[1]
PNGS = ROOT / "out" / "print-tests"
LINK = "https://matcher.example.org/p/{id}"
LANGUAGES = list(SHORT)  # en, zh-Hant, zh-Hans

# (slot, table, startup, investor): 陳大文 and 黃美玲 meet twice, Li Na twice, Zoe never.
MEETINGS = [("s1", "T01", "datality", "chan"), ("s1", "T02", "bones", "li-na"),
            ("s2", "T01", "datality", "li-na"), ("s2", "T02", "bones", "wong"),
            ("s3", "T01", "datality", "wong"), ("s3", "T02", "bones", "chan")]
TIMES = {"s1": "14:00–14:20", "s2": "14:25–14:45", "s3": "14:50–15:10"}


def chinese_event() -> Event:
    """A Hong Kong afternoon with Chinese and English names (times in Hong Kong time)."""
    return Event.model_validate({
        "format": 1, "name": "Cyberport 數碼港 Demo Day", "venue": "Cyberport, Hong Kong",
        "timezone": "Asia/Hong_Kong",
        "slots": [{"id": s, "start": f"2023-09-13T{t[:5]}", "end": f"2023-09-13T{t[6:]}"}
                  for s, t in TIMES.items()],
        "tables": ["T01", "T02"],
        "field_names": {"biotech": "Health and biotech"},
        "startups": [{"id": "datality", "name": "Datality Lab Limited", "field": "fintech"},
                     {"id": "bones", "name": "骨直户 Health-Tech 有限公司", "field": "biotech"}],
        "investors": [{"id": "chan", "name": "陳大文", "organisation": "深圳前海投資"},
                      {"id": "li-na", "name": "Li Na", "organisation": "Futian Fintech Partners"},
                      {"id": "wong", "name": "黃美玲"},
                      {"id": "zoe", "name": "Zoë Adams", "organisation": "Harbour Angels"}]})


def schedule_of(event: Event, meetings: list[tuple[str, str, str, str]]) -> Schedule:
    """A schedule of these meetings (print reads no score or status)."""
    return Schedule(status="feasible", score=len(meetings), bound=len(meetings), breaks=0,
                    table_changes=0, seconds=0.0, meetings=tuple(
                        Meeting(slot=s, table=t, startup=st, investor=i, score=1,
                                uid=f"{st}-{i}@test") for s, t, st, i in meetings))


def pdftotext(path: Path) -> list[str]:
    """The text of each page, laid out as on the page."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return out.split("\f")[:-1]


def squeezed(path: Path) -> str:
    """The text of a PDF in reading order, without white space (so that wrapped names join)."""
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                         text=True).stdout
    return re.sub(r"\s+", "", out)


def write_files(folder: Path, event: Event, schedule: Schedule) -> tuple[Path, Path]:
    """The event and schedule as files."""
    folder.mkdir(parents=True, exist_ok=True)
    event_file, schedule_file = folder / "event.json", folder / "schedule.json"
    event_file.write_text(event.model_dump_json(), encoding="utf-8")
    schedule_file.write_text(schedule.model_dump_json(), encoding="utf-8")
    return event_file, schedule_file


@pytest.fixture(scope="module")
def kits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The kit of the Chinese event, written by `matcher print` in each language."""
    folder = tmp_path_factory.mktemp("kits")
    event = chinese_event()
    event_file, schedule_file = write_files(folder, event, schedule_of(event, MEETINGS))
    done = {}
    for language in LANGUAGES:
        out = folder / language
        assert main(["print", str(event_file), str(schedule_file), "--out-dir", str(out),
                     "--lang", language, "--link-url", LINK]) == 0
        done[language] = out
    return done


@pytest.mark.parametrize("language", LANGUAGES)
def test_four_documents_with_their_pages(kits: dict[str, Path], language: str) -> None:
    folder = kits[language]
    assert sorted(p.name for p in folder.iterdir()) == [
        "agendas.pdf", "door-list.pdf", "matrix.pdf", "tables.pdf"]
    assert len(pdftotext(folder / "agendas.pdf")) == 6  # one page per participant
    assert len(pdftotext(folder / "tables.pdf")) == 2  # one sign per table
    assert len(pdftotext(folder / "door-list.pdf")) == 1
    assert len(pdftotext(folder / "matrix.pdf")) == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_agenda_has_its_meetings_in_local_time(kits: dict[str, Path], language: str,
                                                    ) -> None:
    event = chinese_event()
    names = {p.id: p.name for p in (*event.startups, *event.investors)}
    texts = pdftotext(kits[language] / "agendas.pdf")
    for person, page in zip(pages.people(event), texts, strict=True):
        pid, name = person.id, person.name
        assert name in page
        mine = [(s, t, st, i) for s, t, st, i in MEETINGS if pid in (st, i)]
        for slot, table, startup, investor in mine:
            other = names[investor] if pid == startup else names[startup]
            line = next((ln for ln in page.splitlines() if TIMES[slot] in ln), "")
            assert table in line and other in line, (name, slot, page)
        assert sum(t in page for t in TIMES.values()) == len(mine)
        assert "06:00" not in page  # 14:00 in Hong Kong is 06:00 UTC: never printed


EXPECTED = {
    "en": {"agendas": ["2 meetings", "Meeting with", "Wednesday, 13 September 2023", "Fintech",
                       "Health and biotech",
                       "All times are Hong Kong Time."],
           "tables": ["Table T01", "Startup", "Investor"],
           "door-list": ["Door list", "First meeting", "14:00 · Table T01", "no meeting"],
           "matrix": ["Session matrix", "Tables T01 to T02"]},
    "zh-Hant": {"agendas": ["2 場會面", "會面對象", "2023年9月13日星期三", "所有時間均為香港時間。",
                            "金融科技"],
                "tables": ["T01 號桌", "初創企業", "投資者"],
                "door-list": ["簽到名單", "首場會面", "14:00 · T01 號桌", "沒有會面"],
                "matrix": ["會面總表", "T01 至 T02 號桌"]},
    "zh-Hans": {"agendas": ["2 场会面", "会面对象", "2023年9月13日星期三", "所有时间均为香港时间。"],
                "tables": ["T01 号桌", "初创企业", "投资人"],
                "door-list": ["签到名单", "首场会面", "14:00 · T01 号桌", "没有会面"],
                "matrix": ["会面总表", "T01 至 T02 号桌"]},
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_texts_in_the_language_names_as_given(kits: dict[str, Path], language: str) -> None:
    for kind, phrases in EXPECTED[language].items():
        text = re.sub(r"[ \t]+", " ", "\n".join(pdftotext(kits[language] / f"{kind}.pdf")))
        for phrase in phrases:
            assert phrase in text, (kind, phrase)
        everyone = kind not in ("tables", "matrix")  # these show only those who meet
        for name in ("陳大文", "黃美玲", "骨直户 Health-Tech 有限公司", *["Zoë Adams"] * everyone):
            assert name.replace(" ", "") in squeezed(kits[language] / f"{kind}.pdf"), (kind, name)
    others = [w for other, kinds in EXPECTED.items() if other != language
              for w in kinds["tables"][:1]]
    signs = "\n".join(pdftotext(kits[language] / "tables.pdf"))
    assert not any(w in signs for w in others)


@pytest.mark.parametrize(("language", "face"), [("en", "HK"), ("zh-Hant", "HK"),
                                                ("zh-Hans", "SC")])
def test_han_glyphs_take_the_regional_form(kits: dict[str, Path], language: str,
                                           face: str) -> None:
    for kind in kit.KINDS:
        listing = subprocess.run(["pdffonts", str(kits[language] / f"{kind}.pdf")], check=True,
                                 capture_output=True, text=True).stdout.splitlines()[2:]
        families = {line.split()[0].split("+", 1)[1].removesuffix("-Bold") for line in listing}
        assert families == {f"Noto-Sans-CJK-{face}"}, (kind, families)  # no fallback font


def qr_width_mm(png: Path, dpi: int) -> float:
    """The width of the QR code in the top right corner of a rendered agenda page: the first run
    of rows with dark pixels in the page's right 60 mm, which only the code and its caption reach
    (the caption follows after white space)."""
    image = Image.open(png).convert("L")
    width, height = image.size
    box = image.crop((width - round(60 / 25.4 * dpi), 0, width, height // 3))
    dark = [[box.getpixel((x, y)) < 128 for x in range(box.width)] for y in range(box.height)]
    rows = [y for y in range(box.height) if any(dark[y])]
    top = rows[0]
    bottom = next((a for a, b in zip(rows, rows[1:], strict=False) if b > a + 1), rows[-1])
    columns = [x for x in range(box.width) if any(dark[y][x] for y in range(top, bottom + 1))]
    return (columns[-1] - columns[0] + 1) / dpi * 25.4


@pytest.mark.parametrize("language", LANGUAGES)
def test_agenda_page_as_png_with_a_scannable_qr_code(kits: dict[str, Path], language: str,
                                                     ) -> None:
    """Look at out/print-tests/agenda-<language>.png when this fails."""
    PNGS.mkdir(parents=True, exist_ok=True)
    stem = PNGS / f"agenda-{language}"
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", "-f", "1", "-l", "1",
                    str(kits[language] / "agendas.pdf"), str(stem)], check=True)
    png = stem.with_suffix(".png")
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(png)], capture_output=True,
                             text=True).stdout.strip()
    first = pages.people(chinese_event())[0].id
    assert decoded == LINK.format(id=first)
    assert 25 <= QR_SYMBOL_MM - 1 <= qr_width_mm(png, 150) <= QR_SYMBOL_MM + 1


def test_door_list_alphabetical_with_first_meeting(kits: dict[str, Path]) -> None:
    text = pdftotext(kits["en"] / "door-list.pdf")[0].split("First meeting", 1)[1]
    order = ["Datality Lab Limited", "Li Na", "Zoë Adams", "陳大文", "骨直户 Health-Tech 有限公司",
             "黃美玲"]  # Latin first, accents ignored; then Han in radical-and-stroke order
    assert sorted(order, key=lambda name: text.index(name[:3])) == order  # long names wrap
    for name, first in [("陳大文", "14:00 · Table T01"), ("黃美玲", "14:25 · Table T02"),
                        ("Zoë Adams", "no meeting")]:
        line = next(ln for ln in text.splitlines() if name in ln)
        assert re.sub(r"\s+", " ", line).endswith(first), line


def test_matrix_slots_down_tables_across(kits: dict[str, Path]) -> None:
    text = pdftotext(kits["en"] / "matrix.pdf")[0]
    header = next(ln for ln in text.splitlines() if "T01" in ln and "T02" in ln and "Time" in ln)
    assert header.index("T01") < header.index("T02")
    for slot, when in TIMES.items():
        line = next(ln for ln in text.splitlines() if when in ln)
        here = {t: st for s, t, st, _ in MEETINGS if s == slot}
        left = "Datality Lab Limited" if here["T01"] == "datality" else "骨直户"
        right = "骨直户" if left.startswith("Datality") else "Datality Lab Limited"
        assert line.index(left) < line.index(right)


def crowded_event() -> tuple[Event, Schedule]:
    """Three days of 24 slots: an investor with a very long name meets in 70 of them, one
    startup sits at one table all along; every name is long."""
    start = datetime(2024, 3, 4, 9, 0)
    slots = [{"id": f"d{d}s{n:02d}",
              "start": (start + timedelta(days=d, minutes=20 * n)).isoformat(timespec="minutes"),
              "end": (start + timedelta(days=d, minutes=20 * n + 15)).isoformat(
                  timespec="minutes")}
             for d in range(3) for n in range(24)]
    long = "International Travel Wholesale and Destination Management Corporation Limited"
    event = Event.model_validate({
        "format": 1, "name": "Trade exchange", "timezone": "Australia/Sydney", "slots": slots,
        "tables": [f"Hall-{k}.Stand-{k}" for k in range(2)],
        "startups": [{"id": f"st-{k}", "name": f"陳大文 {long} {k}", "field": "fintech"}
                     for k in range(70)],
        "investors": [{"id": "busy", "name": f"Dr {long} 深圳前海投資 " * 2,
                       "organisation": long * 2}]})
    meetings = [(slots[k]["id"], f"Hall-{k % 2}.Stand-{k % 2}", f"st-{k}",
                 "busy") for k in range(70)]
    return event, schedule_of(event, meetings)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_crowded_agenda_and_sign_still_fit_one_page(tmp_path: Path, language: str) -> None:
    event, schedule = crowded_event()
    busy = next(a for a in pages.agendas(event, schedule, lambda who: LINK.format(id=who))
                if a.id == "busy")
    sign = next(pages.signs(event, schedule))
    for kind, section, count in (("agendas", busy, 70), ("tables", sign, 35)):
        piece = render_chunk(Chunk(kind, SHORT[language], Header.of(event), (section,)))
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(piece.pdf)
        [text] = pdftotext(path)
        times = re.findall(r"\d\d:\d\d–\d\d:\d\d", text)
        assert len(times) == count, kind
        last = event.slots[69 if kind == "agendas" else 68]
        assert f"{last.start:%H:%M}–{last.end:%H:%M}" in times


def test_pieces_joined_in_order_with_bookmarks(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Several chunks, laid out in parallel worker processes, make one PDF in order."""
    event = chinese_event()
    schedule = schedule_of(event, MEETINGS)
    monkeypatch.setattr(kit, "CHUNK_PAGES", 2)
    monkeypatch.setattr(kit, "POOL_FROM", 2)
    path = tmp_path / "agendas.pdf"
    path.write_bytes(b"".join(kit.document("agendas", event, schedule, "zh-Hant", workers=2)))
    reader = PdfReader(path)
    names = [p.name for p in pages.people(event)]
    assert [item.title for item in reader.outline] == names  # type: ignore[union-attr]
    assert [reader.get_destination_page_number(item) for item in reader.outline] == [
        0, 1, 2, 3, 4, 5]  # type: ignore[arg-type]
    texts = pdftotext(path)
    assert [n for t, n in zip(texts, names, strict=True) if n in t] == names
    assert reader.metadata is not None and reader.metadata.title == \
        "個人議程 · Cyberport 數碼港 Demo Day"
    assert reader.trailer["/Root"]["/Lang"] == "zh-Hant-HK"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """The Chinese event and its schedule as files."""
    event = chinese_event()
    return write_files(tmp_path, event, schedule_of(event, MEETINGS))


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`matcher` with these arguments: exit code and standard error."""
    code = main(args)
    return code, capsys.readouterr().err


def test_bad_input_exits_2_naming_the_culprit(files: tuple[Path, Path], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    event_file, schedule_file = files
    out = tmp_path / "kit"
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": 1,', encoding="utf-8")
    code, err = run(["print", str(broken), str(schedule_file), "--out-dir", str(out)], capsys)
    assert code == 2 and "broken.json line 1" in err
    data = json.loads(schedule_file.read_text(encoding="utf-8"))
    data["meetings"][0]["table"] = "T99"
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps(data), encoding="utf-8")
    code, err = run(["print", str(event_file), str(elsewhere), "--out-dir", str(out)], capsys)
    assert code == 2 and "names unknown table T99" in err
    code, err = run(["print", str(event_file), str(schedule_file), "--out-dir", str(out),
                     "--link-url", "https://example.org/p/"], capsys)
    assert code == 2 and "has no {id}" in err
    assert not out.exists()
    code, err = run(["print", str(event_file), str(schedule_file), "--out-dir",
                     str(broken / "kit")], capsys)
    assert code == 2 and "cannot write" in err


def test_a_failure_leaves_the_previous_kit_whole(files: tuple[Path, Path], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    event, schedule = chinese_event(), schedule_of(chinese_event(), MEETINGS)
    out = tmp_path / "kit"
    kit.write(event, schedule, out, "en")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = kit.document

    def failing(kind: kit.Kind, *args: object, **kwargs: object) -> Iterator[bytes]:
        if kind == "door-list":
            raise OSError(28, "No space left on device")
        return real(kind, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kit, "document", failing)
    with pytest.raises(OSError):
        kit.write(event, schedule_of(event, MEETINGS[:2]), out, "zh-Hans")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporary file left


def test_alphabetical_ignores_case_and_accents_and_puts_latin_first() -> None:
    names = ["黃美玲", "zoë", "Zoe", "Émile", "adam", "陳大文"]
    assert sorted(names, key=pages.alphabetical) == ["adam", "Émile", "zoë", "Zoe", "陳大文",
                                                     "黃美玲"]


def test_dense_lists_read_down_each_column_with_the_days() -> None:
    event, schedule = crowded_event()
    lines = pages.meetings_of(event, schedule)["busy"]
    printed = [pages.Line.of(e) for e in lines]
    rows = side_by_side(printed, 3, several_days=True)
    column = [row[0] for row in rows if row[0] is not None]
    assert column[0] == ("day", printed[0].times.day)
    assert [item[1] for item in column[1:]] == printed[:24]
    assert sum(item is not None and item[0] == "line" for row in rows for item in row) == 70


def test_sign_names_shrink_to_fit() -> None:
    assert sign_size("Table T01") > sign_size("Table Hall B Stand 12") > \
        sign_size("Table Hall B Stand 12 (the one by the window)")
    assert sign_size("號桌號桌號桌") < sign_size("Table1")  # Han characters are wider


WORKERS_OF_A_KILLED_PARENT = """
import os, sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from matcher.print.kit import follow_parent
if __name__ == "__main__":
    pool = ProcessPoolExecutor(2, mp_context=get_context("spawn"), initializer=follow_parent,
                               initargs=(os.getpid(),))
    print(*{pool.submit(os.getpid).result() for _ in range(8)}, flush=True)
    os._exit(0)  # as if killed: the pool is never shut down
"""


def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(WORKERS_OF_A_KILLED_PARENT, encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], check=True, capture_output=True,
                         text=True, timeout=120, cwd=ROOT).stdout
    workers = [int(pid) for pid in out.split()]
    assert workers
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in workers):
        assert time.monotonic() < deadline, f"workers {workers} outlived their parent"
        time.sleep(0.2)
