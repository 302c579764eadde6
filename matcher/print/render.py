"""Pages to PDF: Jinja2 templates in the reader's language, laid out by WeasyPrint.

A chunk is a run of sections of one document (`pages.py`); rendering it is the unit of work of
the process pool in `kit.py`, so everything here is plain data in and bytes out. An agenda or a
sign that spills onto a second page is made denser and the chunk laid out again, so that each
fits its page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import groupby
from typing import Literal

import segno
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from weasyprint import HTML, Document, Page

from matcher.i18n import (
    LANG_TAGS,
    FieldName,
    field_name,
    format_moment,
    format_weekday,
    locale_of,
    translator,
    zone_name,
)
from matcher.model.event import Event
from matcher.print.join import Piece
from matcher.print.pages import DENSEST, Agenda, Line, Section, Sign

Kind = Literal["agendas", "tables", "door-list", "matrix"]

# Debian's fonts-noto-cjk, one face per region: Hong Kong forms for Traditional Chinese (Taiwan's
# as the fallback), mainland forms for Simplified; English pages of a Hong Kong event print Chinese
# names in Hong Kong forms. The CJK faces carry Latin letters too, so one family serves a page.
FONTS = {"en": ("Noto Sans CJK HK", "Noto Sans CJK TC"),
         "zh_Hant_HK": ("Noto Sans CJK HK", "Noto Sans CJK TC"),
         "zh_Hans_CN": ("Noto Sans CJK SC",)}

QR_SYMBOL_MM = 30  # the code without its quiet zone: phones read it from arm's length
QR_QUIET = 4  # modules of white around the code, as the QR standard asks
FITS = DENSEST  # a spilling page is tried at each denser layout


@dataclass(frozen=True)
class Header:
    """What every page of a document says about the event."""

    name: str
    venue: str | None
    timezone: str
    days: tuple[date, ...]
    field_names: dict[str, FieldName]

    @classmethod
    def of(cls, event: Event) -> Header:
        """The event's name, venue, time zone, days and the names of its fields."""
        return cls(event.name, event.venue, event.timezone,
                   tuple(sorted({s.start.date() for s in event.slots})), dict(event.field_names))


@dataclass(frozen=True)
class Chunk:
    """Consecutive pages of one document, to render in one go."""

    kind: Kind
    language: str
    header: Header
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class QrImage:
    """A QR code as an image and the size to print it at."""

    uri: str
    mm: float


def qr_image(link: str) -> QrImage:
    """The QR code of a link, sized so that the code itself is QR_SYMBOL_MM wide."""
    code = segno.make(link, error="m", micro=False)
    modules, _ = code.symbol_size(border=0)
    return QrImage(code.svg_data_uri(border=QR_QUIET, omitsize=True),
                   QR_SYMBOL_MM * (modules + 2 * QR_QUIET) / modules)


def css_string(text: str) -> Markup:
    """Text as a CSS string, for the page margins (no markup can end the style element)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return Markup(f'"{escaped}"')


def ems(text: str) -> float:
    """About how wide a text is set, in ems: Chinese characters are about one em wide, Latin
    letters and digits about 0.56 (a little more than most)."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.56
               for c in Markup(text).unescape()) or 1.0


def fitting_size(text: str, width_mm: float, largest: float, smallest: float,
                 lines: int = 1) -> float:
    """The font size (pt) at which a text fills `lines` lines of a width, within bounds."""
    return round(max(smallest, min(largest, lines * width_mm * 72 / 25.4 / ems(text))), 1)


def column_ems(texts: Iterable[str]) -> float:
    """The width (ems) of a column holding these short texts on one line each, padding
    included; no less than a heading needs, no more than a sixth of a page."""
    return round(min(12.0, max(4.0, max(map(ems, texts), default=0) + 0.6)), 1)


def sign_size(label: str) -> float:
    """The size of a table's label on its sign: as big as fits on one line across the page."""
    return fitting_size(label, 182, 120, 24)


def name_size(name: str) -> float:
    """The size of a name atop an agenda: 24 pt, less for a long one (two lines beside the QR
    code)."""
    return fitting_size(name, 124, 24, 13, lines=2)


Item = tuple[Literal["day"], date] | tuple[Literal["line"], Line]


def side_by_side(lines: Sequence[Line], count: int, several_days: bool,
                 ) -> list[list[Item | None]]:
    """Lines in `count` columns of nearly equal length, read down each column, as the rows of
    one table (WeasyPrint lays out one table far faster than tables side by side); a column
    shows the day where a new one starts in it, when the event has several."""
    size = -(-len(lines) // count) if lines else 0
    stacks: list[list[Item]] = []
    for k in range(count):
        stack: list[Item] = []
        for day, group in groupby(lines[k * size:(k + 1) * size], key=lambda ln: ln.times.day):
            stack += [("day", day)] if several_days else []
            stack += [("line", line) for line in group]
        stacks.append(stack)
    height = max(map(len, stacks), default=0)
    return [[stack[n] if n < len(stack) else None for stack in stacks] for n in range(height)]


@cache
def environment(language: str) -> Environment:
    """The templates, with the language's messages, dates and time zone names."""
    locale = locale_of(language)
    env = Environment(loader=PackageLoader("matcher.print", "templates"),
                      autoescape=select_autoescape(["html"]), extensions=["jinja2.ext.i18n"],
                      trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translator(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["day"] = lambda d: format_weekday(d, locale)
    env.filters["moment"] = lambda moment: format_moment(moment, locale)
    env.filters["field"] = lambda field, header: field_name(field, locale, header.field_names)
    env.filters["css_string"] = css_string
    env.filters["sign_size"] = sign_size
    env.filters["name_size"] = name_size
    env.filters["column_ems"] = column_ems
    env.filters["side_by_side"] = side_by_side
    env.globals |= {"qr": qr_image, "lang": LANG_TAGS[locale],
                    "fonts": Markup(", ".join(f'"{f}"' for f in FONTS[locale])),
                    "zone": lambda name: zone_name(name, locale)}
    return env


def html(chunk: Chunk, sections: Sequence[Section]) -> str:
    """The chunk's pages as one HTML document."""
    template = environment(chunk.language).get_template(f"{chunk.kind}.html")
    return template.render(header=chunk.header, sections=sections, kind=chunk.kind)


def pages_of(document: Document, count: int) -> list[list[Page]]:
    """The pages of each of `count` sections (they carry ids s0, s1, ...)."""
    starts: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        # A section that spills is anchored again on each page it reaches: the first counts.
        for anchor in page.anchors:
            starts.setdefault(anchor, number)
    bounds = [starts[f"s{n}"] for n in range(count)] + [len(document.pages)]
    return [document.pages[bounds[n]:bounds[n + 1]] for n in range(count)]


def laid_out(chunk: Chunk, sections: Sequence[Section]) -> tuple[Document, list[list[Page]]]:
    """Sections laid out by WeasyPrint; the pages of each."""
    document = HTML(string=html(chunk, sections)).render()
    return document, pages_of(document, len(sections))


def render_chunk(chunk: Chunk) -> Piece:
    """The chunk as PDF, with a bookmark per section. A one-page section that spills is laid out
    again, alone, denser (up to the densest layout), and its pages replace the first ones."""
    sections = list(chunk.sections)
    document, pages = laid_out(chunk, sections)
    for _ in range(FITS):
        # the one-page sections (agendas and signs) that spill, in a denser layout if any is left
        spilling = {n: s.denser() for n, s in enumerate(sections)
                    if isinstance(s, Agenda | Sign) and len(pages[n]) > 1}
        denser = {n: s for n, s in spilling.items() if s is not None}
        if not denser:
            break
        _, again = laid_out(chunk, list(denser.values()))
        for (n, section), its_pages in zip(denser.items(), again, strict=True):
            sections[n], pages[n] = section, its_pages
    starts = [sum(map(len, pages[:n])) for n in range(len(pages))]
    whole = document.copy([page for its_pages in pages for page in its_pages])
    return Piece(whole.write_pdf(), tuple(zip(starts, (s.title for s in sections), strict=True)))
