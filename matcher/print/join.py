"""One PDF out of the pages of several, written as it goes.

A large document is rendered in pieces (in parallel, see `kit.py`); this writes their pages into
one file in order while later pieces are still being rendered, so that a download starts at once
and memory holds one piece at a time. Each piece's objects (pages, fonts, images) are copied with
new numbers; the page tree, the bookmarks and the cross-reference table come last, when every
page's number is known.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

CATALOG, PAGES, OUTLINES = 1, 2, 3  # object numbers kept for what is written last
# Page attributes a page may inherit from its page tree (ISO 32000-1, 7.7.3.4): copied onto each
# page, since the pieces' page trees are left behind.
INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


@dataclass(frozen=True)
class Piece:
    """A rendered PDF and its bookmarks: (0-based page within it, title)."""

    pdf: bytes
    bookmarks: tuple[tuple[int, str], ...] = ()


def _serialised(obj: PdfObject) -> bytes:
    out = io.BytesIO()
    obj.write_to_stream(out)
    return out.getvalue()


def _string(text: str) -> bytes:
    return _serialised(TextStringObject(text))


class _Writer:
    """Numbers and writes objects, remembering where each one starts."""

    def __init__(self) -> None:
        self.offsets: dict[int, int] = {}
        self.size = 0
        self.next_number = OUTLINES + 1

    def header(self) -> bytes:
        # The binary comment tells transfer programs that the file is not text.
        return self.emit(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def emit(self, data: bytes) -> bytes:
        self.size += len(data)
        return data

    def number(self) -> int:
        self.next_number += 1
        return self.next_number - 1

    def obj(self, number: int, body: bytes) -> bytes:
        self.offsets[number] = self.size
        return self.emit(b"%d 0 obj\n%s\nendobj\n" % (number, body))


def _copy_piece(writer: _Writer, reader: PdfReader) -> Iterator[bytes | int]:
    """The piece's pages and all they use, renumbered: yields serialised objects (bytes) and,
    for each page in order, its new number (int)."""
    numbers: dict[int, int] = {}
    waiting: list[tuple[int, PdfObject]] = []

    def renumbered(obj: PdfObject) -> PdfObject:
        if isinstance(obj, IndirectObject):
            if obj.idnum not in numbers:
                numbers[obj.idnum] = writer.number()
                target = obj.get_object()  # a reference to no object means null
                waiting.append((numbers[obj.idnum], NullObject() if target is None else target))
            return IndirectObject(numbers[obj.idnum], 0, None)
        if isinstance(obj, StreamObject):
            # A shallow copy keeps the encoded stream data as it is; only the dictionary changes.
            stream = copy.copy(obj)
            stream.clear()
            stream.update({k: renumbered(v) for k, v in obj.items()})
            return stream
        if isinstance(obj, DictionaryObject):
            return DictionaryObject({k: renumbered(v) for k, v in obj.items()})
        if isinstance(obj, ArrayObject):
            return ArrayObject(renumbered(v) for v in obj)
        return obj

    for page in reader.pages:
        attributes = {k: v for k, v in page.items() if k != "/Parent"}
        for key in INHERITED:
            if key not in attributes and page.get_inherited(key) is not None:
                attributes[NameObject(key)] = page.get_inherited(key)
        tree = DictionaryObject({NameObject(k): renumbered(v) for k, v in attributes.items()})
        tree[NameObject("/Parent")] = IndirectObject(PAGES, 0, None)
        number = writer.number()
        yield writer.obj(number, _serialised(tree))
        yield number
        while waiting:
            later, obj = waiting.pop()
            yield writer.obj(later, _serialised(renumbered(obj)))


def join(pieces: Iterable[Piece], title: str, language: str) -> Iterator[bytes]:
    """One PDF with the pages of every piece in order, its bookmarks, title and language."""
    writer = _Writer()
    yield writer.header()
    pages: list[int] = []
    marks: list[tuple[int, str]] = []
    for piece in pieces:
        before = len(pages)
        for part in _copy_piece(writer, PdfReader(io.BytesIO(piece.pdf))):
            if isinstance(part, int):
                pages.append(part)
            else:
                yield part
        marks += [(pages[before + page], text) for page, text in piece.bookmarks]
    yield from _outline(writer, marks)
    kids = b" ".join(b"%d 0 R" % n for n in pages)
    yield writer.obj(PAGES, b"<< /Type /Pages /Count %d /Kids [ %s ] >>" % (len(pages), kids))
    outlines = b" /Outlines %d 0 R /PageMode /UseOutlines" % OUTLINES if marks else b""
    yield writer.obj(CATALOG, b"<< /Type /Catalog /Pages %d 0 R /Lang %s%s >>"
                     % (PAGES, _string(language), outlines))
    info = writer.number()
    yield writer.obj(info, b"<< /Title %s /Producer (matcher with WeasyPrint) >>" % _string(title))
    yield from _trailer(writer, info)


def _outline(writer: _Writer, marks: list[tuple[int, str]]) -> Iterator[bytes]:
    """A flat list of bookmarks, each opening its page."""
    if not marks:
        return
    numbers = [writer.number() for _ in marks]
    for n, (page, text) in enumerate(marks):
        links = b"".join((b" /Prev %d 0 R" % numbers[n - 1] if n else b"",
                          b" /Next %d 0 R" % numbers[n + 1] if n + 1 < len(numbers) else b""))
        yield writer.obj(numbers[n], b"<< /Title %s /Parent %d 0 R /Dest [ %d 0 R /Fit ]%s >>"
                         % (_string(text), OUTLINES, page, links))
    yield writer.obj(OUTLINES, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
                     % (numbers[0], numbers[-1], len(numbers)))


def _trailer(writer: _Writer, info: int) -> Iterator[bytes]:
    """The cross-reference table (every object number used, in order) and the trailer."""
    start = writer.size
    count = writer.next_number
    rows = [b"0000000000 65535 f \n"]
    rows += [b"%010d 00000 n \n" % writer.offsets[n] if n in writer.offsets else
             b"0000000000 65535 f \n" for n in range(1, count)]
    yield writer.emit(b"xref\n0 %d\n" % count + b"".join(rows))
    yield writer.emit(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                      % (count, CATALOG, info, start))
